"""--tensorboard, runner_type, --seed over the runtime base, the entropy hook on by default."""
import os.path as osp

from mmengine.config import Config

from mmaction_merdg.apis.cli_options import enable_tensorboard

from ..conftest import REPO, load_tool

SYNTH = osp.join(REPO, 'configs', 'merdg_synthetic.py')


def test_tensorboard_flag_and_seed_reach_the_config():
    train = load_tool('train.py')
    cfg = Config.fromfile(SYNTH)
    assert cfg.randomness.seed == 0  # the runtime base's default
    cfg = train.merge_args(cfg, train.parse_args([SYNTH, '--seed', '7', '--tensorboard']))
    assert cfg.randomness.seed == 7
    types = [b['type'] for b in cfg.visualizer.vis_backends]
    assert types.count('TensorboardVisBackend') == 1 and 'LocalVisBackend' in types
    enable_tensorboard(cfg)  # idempotent
    assert [b['type'] for b in cfg.visualizer.vis_backends].count('TensorboardVisBackend') == 1


def test_entropy_logger_hook_is_on_in_shipped_configs():
    for path in (SYNTH, osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py'),
                 osp.join(REPO, 'configs', 'cmrf_merdg_synthetic.py')):
        hooks = [h['type'] for h in Config.fromfile(path).custom_hooks]
        # The runtime base's hook comes first; leaves append their own (threads, teacher).
        assert hooks[0] == 'ModalityEntropyLoggerHook', (path, hooks)


def test_runner_type_is_honoured(tmp_path):
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    from mmaction_merdg.apis.cli_options import build_runner

    @RUNNERS.register_module(force=True)
    class _RecordingRunner(Runner):
        built = []

        @classmethod
        def from_cfg(cls, cfg):
            cls.built.append(cfg.work_dir)
            return 'built'

    cfg = Config(dict(runner_type='_RecordingRunner', work_dir=str(tmp_path)))
    assert build_runner(cfg) == 'built' and _RecordingRunner.built == [str(tmp_path)]
