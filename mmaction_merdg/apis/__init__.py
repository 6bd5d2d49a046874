"""Python entry points used by tools/ (the tools import the package, never the reverse)."""
from .dataset_options import set_dataset_options
from .experiment import run_experiment
from .op_count import OpCounter, count_fusion_vs_merdg

__all__ = ['run_experiment', 'set_dataset_options', 'OpCounter',
           'count_fusion_vs_merdg']
