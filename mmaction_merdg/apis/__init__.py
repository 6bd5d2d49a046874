"""Python entry points used by tools/ (the tools import the package, never the reverse)."""
from .dataset_options import set_dataset_options
from .experiment import run_experiment
from .robustness import (compute_feature_means, evaluate_robustness, load_robustness_runs,
                         pair_robustness, paired_robustness_markdown)

__all__ = ['run_experiment', 'set_dataset_options', 'evaluate_robustness',
           'compute_feature_means', 'load_robustness_runs', 'pair_robustness',
           'paired_robustness_markdown']
