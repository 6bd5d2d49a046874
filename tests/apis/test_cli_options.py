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


def test_build_runner_writes_the_config_without_yapf(tmp_path):
    """The dumped text is the same config, and the caller's config keeps formatting."""
    from mmaction_merdg.apis.cli_options import build_runner
    cfg = Config.fromfile(SYNTH)
    cfg.work_dir = str(tmp_path)
    runner = build_runner(cfg)
    assert cfg._format_python_code and not runner.cfg._format_python_code
    dumped = tmp_path / 'dumped.py'
    runner.cfg.dump(str(dumped))
    assert Config.fromfile(str(dumped)).to_dict() == runner.cfg.to_dict()
    assert build_runner(cfg, format_config=True).cfg._format_python_code
