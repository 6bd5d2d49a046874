"""Python entry points used by tools/ (the tools import the package, never the reverse)."""
from .checkpoint_check import check_checkpoint_fits
from .dataset_options import set_dataset_options
from .experiment import run_experiment

__all__ = ['check_checkpoint_fits', 'run_experiment', 'set_dataset_options']
