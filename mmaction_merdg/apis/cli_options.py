"""Config edits behind the tools' flags that MMAction2's tools do not have.

Kept here (not in tools/) so they are tested and shared by train and test.
"""
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


def build_runner(cfg: Config):
    """``Runner.from_cfg``, or the registered ``cfg.runner_type`` (as MMAction2's tools)."""
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
