"""Config edits behind the tools' flags that MMAction2's tools do not have.

Kept here (not in tools/) so they are tested and shared by train and test.
"""
import copy

from mmengine.config import Config


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
