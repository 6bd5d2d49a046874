"""Python entry points of the plugin; the tools are thin CLIs over them.

* :func:`compose_experiment`: the config of family x shift x modalities x
  method x +-MER-DG, built in memory; :func:`parse_shift` reads ``'D1,D2:D3'``.
* :func:`run_experiment`: train one config, test its best source-val checkpoint.
* :func:`run_seeds`: that over several seeds, resumable, one JSON.
* :func:`sweep`: one setting over values, each over seeds.
* :func:`compare_runs`: two multi-seed results, paired by seed.
* :func:`cooccurrence_table`: the quick start's 2 x 2 table.
* :func:`probe_checkpoint` / :func:`summarise_probes`: feature probes of checkpoints.
* :func:`dry_run_check`: build what a config builds, train nothing.
* Dataset configs: :func:`iter_dataset_cfgs` (the one walker),
  :func:`set_dataset_options`, :func:`load_config`.

Study and benchmark code (the co-occurrence sweep, the shortcut-effect
calibration, op counts, pipeline profiles, the backbone survey, FLOPs) lives
in the scripts under ``tools/analysis/`` that run it.
"""
from .checkpoint_check import check_checkpoint_fits
from .config_paths import config_dir, get_config_path, list_configs, tools_dir
from .composition import compose_experiment, parse_modalities, parse_shift
from .compare import compare_runs, comparison_to_markdown
from .cooccurrence_table import cooccurrence_table
from .dataset_options import (data_paths, dataset_types, iter_dataset_cfgs,
                              iter_loader_datasets, load_config,
                              set_dataset_options)
from .dry_run import dry_run_check
from .experiment import run_experiment
from .probe import (measure, plot_probe, probe_checkpoint, probe_statistics,
                    probe_summary_to_markdown, summarise_probes)
from .results import load_run, slug, write_json
from .robustness import (compute_feature_means, evaluate_robustness, load_robustness_runs,
                         pair_robustness, paired_robustness_markdown)
from .seeds import run_seeds, summary_table
from .sweep import options_for, plot_sweep, summarise_sweep, sweep, sweep_to_markdown

__all__ = [
    'cooccurrence_table',
    'compute_feature_means', 'evaluate_robustness', 'load_robustness_runs', 'pair_robustness',
    'paired_robustness_markdown',
    'compose_experiment', 'parse_modalities', 'parse_shift',
    'check_checkpoint_fits', 'config_dir', 'get_config_path', 'list_configs', 'tools_dir',
    'compare_runs', 'comparison_to_markdown',
    'data_paths', 'dataset_types', 'dry_run_check',
    'iter_dataset_cfgs', 'iter_loader_datasets', 'load_config', 'load_run', 'measure',
    'options_for', 'plot_probe', 'plot_sweep', 'probe_checkpoint',
    'probe_statistics', 'probe_summary_to_markdown', 'run_experiment', 'run_seeds',
    'set_dataset_options', 'slug', 'summarise_probes', 'summarise_sweep', 'summary_table',
    'sweep', 'sweep_to_markdown', 'write_json'
]
