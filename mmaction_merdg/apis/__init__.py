"""Python entry points used by tools/ (the tools import the package, never the reverse)."""
from .config_paths import config_dir, get_config_path, list_configs, tools_dir
from .dataset_options import set_dataset_options
from .experiment import run_experiment

__all__ = [
    'config_dir', 'get_config_path', 'list_configs', 'run_experiment', 'set_dataset_options',
    'tools_dir'
]
