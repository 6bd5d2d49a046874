"""Python entry points used by tools/ (the tools import the package, never the reverse)."""
from .dataset_options import set_dataset_options
from .experiment import run_experiment
from .shortcut_calibration import shortcut_effect, shortcut_effect_table

__all__ = ['run_experiment', 'set_dataset_options', 'shortcut_effect', 'shortcut_effect_table']
