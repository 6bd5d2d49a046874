"""Config edits behind the tools' flags that MMAction2's tools do not have.

Kept here (not in tools/) so they are tested and shared by train and test:
``--tensorboard``, and the experiment options ``--mer``, ``--shift`` and
``--modalities`` that turn any family config into another experiment of the
family (:func:`add_experiment_args`, :func:`apply_experiment_args`).
"""
import argparse
import copy

from mmengine.config import Config

from .composition import apply_mer, apply_modalities, apply_shift, parse_modalities, parse_shift


def add_experiment_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--shift``, ``--modalities`` and ``--mer`` to a tool's parser."""
    parser.add_argument(
        '--shift', metavar='SOURCES:TARGETS',
        help="train on SOURCES, test on TARGETS (comma-separated domains), e.g. "
        "'D1,D2:D3' or single-source 'D1:D2,D3'; sets the domains of every dataset, "
        "the evaluators and the domain-aware regularizers")
    parser.add_argument(
        '--modalities', metavar='M1,M2',
        help="modality subset among rgb, flow, audio (e.g. 'rgb,audio'): every dataset "
        "loads, and the model keeps encoders for, these only")
    parser.add_argument(
        '--mer', action='store_true',
        help="add MER-DG to the config's method (model.regularizers.mer; kept as it is "
        "when the config has it already)")


def apply_experiment_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply ``--mer``, ``--shift``, ``--modalities`` (in this order) to ``cfg``.

    The values are checked first (unknown domains or modalities, empty or
    overlapping domain sets raise ValueError naming the valid choices), so a
    bad option fails before anything is built.
    """
    shift = parse_shift(args.shift) if getattr(args, 'shift', None) else None
    subset = parse_modalities(args.modalities) if getattr(args, 'modalities', None) else None
    if getattr(args, 'mer', False):
        apply_mer(cfg)
    if shift is not None:
        apply_shift(cfg, *shift)
    if subset is not None:
        apply_modalities(cfg, subset)
    return cfg


def enable_tensorboard(cfg: Config) -> Config:
    """Add ``TensorboardVisBackend`` to the visualizer (``--tensorboard``).

    Every scalar the run logs then also goes to ``<work_dir>/<timestamp>/
    vis_data/`` as TensorBoard events, including the ``entropy/*`` curves of
    ``ModalityEntropyLoggerHook`` (enabled in ``configs/_base_/default_runtime.py``).
    """
    vis = cfg.get('visualizer') or dict(type='ActionVisualizer', vis_backends=[])
    backends = list(vis.get('vis_backends') or [])
    if not any(b.get('type') == 'TensorboardVisBackend' for b in backends):
        backends.append(dict(type='TensorboardVisBackend'))
    vis['vis_backends'] = backends
    cfg.visualizer = vis
    return cfg


def build_runner(cfg: Config, format_config: bool = False):
    """``Runner.from_cfg``, or the registered ``cfg.runner_type`` (as MMAction2's tools).

    Args:
        cfg (Config): The experiment config (not modified).
        format_config (bool): Format the config text with yapf each time the
            Runner writes it (the work dir's config dump, the environment log,
            every checkpoint's meta and the visualizer: five to six times a
            run). yapf takes about a second for one resolved config of this
            plugin on one core, which dominates short runs; unformatted, the
            text is the same config, loadable with ``Config.fromfile``.
            mmengine 0.10.7 ignores ``Config.fromfile(format_python_code=False)``
            for ``.py`` files, so the flag is set here. Defaults to False.

    Returns:
        Runner: The built runner.
    """
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    if not format_config:
        cfg = copy.deepcopy(cfg)
        object.__setattr__(cfg, '_format_python_code', False)
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
