"""Python entry points used by tools/ (the tools import the package, never the reverse)."""
from .cooccurrence_table import cooccurrence_table
from .dataset_options import set_dataset_options
from .experiment import run_experiment
from .shortcut_calibration import (compare_methods, compare_methods_table, shortcut_effect,
                                   shortcut_effect_table)

__all__ = ['compare_methods', 'compare_methods_table', 'cooccurrence_table', 'run_experiment',
           'set_dataset_options', 'shortcut_effect',
           'shortcut_effect_table']
