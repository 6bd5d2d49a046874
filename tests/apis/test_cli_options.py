"""--tensorboard, runner_type, --seed over the runtime base, the entropy hook on by default;
the experiment options --shift, --modalities, --mer of tools/train.py and tools/test.py."""
import os.path as osp

import pytest
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
        # The runtime base's hook comes first; methods append their own (a teacher).
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


FUSION = osp.join(REPO, 'configs', 'fusion_synthetic.py')
EPIC = osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py')


def _merged(tool, argv):
    mod = load_tool(tool)
    args = mod.parse_args(argv)
    return mod.merge_args(Config.fromfile(argv[0]), args)


def test_train_shift_modalities_and_mer_on_a_family_config():
    cfg = _merged('train.py', [FUSION, '--shift', 'source1:source0,target', '--modalities',
                               'flow,audio', '--mer', '--cfg-options',
                               'model.regularizers.mer.loss.loss_weight=1.0'])
    assert cfg.train_dataloader.dataset.domains == ['source1']
    assert [d.domains for d in cfg.val_dataloader.dataset.datasets] == [
        ['source1'], ['source0', 'target']]
    assert cfg.test_dataloader.dataset.domains == ['source0', 'target']
    assert (cfg.val_evaluator.source_domains, cfg.test_evaluator.target_domains) == (
        ['source1'], ['source0', 'target'])
    assert tuple(cfg.model.backbones) == ('flow_imgs', 'audios')
    assert cfg.train_dataloader.dataset.modalities == ('flow_imgs', 'audios')
    # --mer takes the config's own (CPU-width) MER-DG; --cfg-options come after it.
    mer = cfg.model.regularizers.mer
    assert mer.projector.hidden_channels == 128 and mer.loss.loss_weight == 1.0


def test_test_tool_takes_the_same_options(tmp_path):
    cfg = _merged('test.py', [EPIC, str(tmp_path / 'x.pth'), '--shift', 'D2:D1,D3',
                              '--modalities', 'rgb,flow'])
    assert cfg.test_dataloader.dataset.domains == ['D1', 'D3']
    assert cfg.test_evaluator.source_domains == ['D2']
    assert tuple(cfg.model.backbones) == ('imgs', 'flow_imgs')
    # The entry point has MER-DG already: --mer keeps it as it is.
    cfg = _merged('test.py', [EPIC, str(tmp_path / 'x.pth'), '--mer'])
    assert cfg.model.regularizers.mer.projector.hidden_channels == \
        Config.fromfile(EPIC).model.regularizers.mer.projector.hidden_channels


def test_domain_regularizers_follow_the_shift():
    cfg = _merged('train.py', [osp.join(REPO, 'configs', 'jat_synthetic.py'), '--shift',
                               'source0:target'])
    assert cfg.model.regularizers.jat.domains == ['source0']


@pytest.mark.parametrize('argv,match', [
    (['--shift', 'D1:D3'], r"unknown domains \['D1', 'D3'\]; synthetic has domains "
                           r"\['source0', 'source1', 'target'\]"),
    (['--shift', 'source0'], 'SOURCES:TARGETS'),
    (['--shift', 'source0:source0'], 'both source and target'),
    (['--modalities', 'rgb,depth'], r"unknown \['depth'\]"),
    (['--modalities', 'rgb'], 'runs the subsets'),
])
def test_bad_options_fail_before_anything_is_built(argv, match):
    with pytest.raises(ValueError, match=match):
        _merged('train.py', [FUSION] + argv)


def test_write_config_tool_and_console_command(tmp_path, capsys):
    from mmaction_merdg.apis.config_paths import main
    dest = str(tmp_path / 'jat_hac.py')
    assert load_tool('misc/write_config.py').main([
        'hac', dest, '--method', 'jat', '--mer', '--shift', 'human:animal,cartoon',
        '--modalities', 'rgb,audio', '--cfg-options', 'train_dataloader.batch_size=8']) == 0
    cfg = Config.fromfile(dest)
    assert '_base_' not in open(dest).read()
    assert set(cfg.model.regularizers) == {'jat', 'mer'}
    assert cfg.model.regularizers.jat.domains == ['human']
    assert cfg.test_dataloader.dataset.domains == ['animal', 'cartoon']
    # (a dump sorts dict keys; the recognizer orders its modalities itself)
    assert set(cfg.model.backbones) == {'imgs', 'audios'}
    assert cfg.train_dataloader.dataset.modalities == ('imgs', 'audios')
    assert cfg.train_dataloader.batch_size == 8
    dest2 = str(tmp_path / 'fusion_vec.py')
    assert main(['compose', 'synthetic_vector', dest2]) == 0
    assert capsys.readouterr().out.strip().endswith('fusion_vec.py')
    assert not Config.fromfile(dest2).model.get('regularizers')
    with pytest.raises(SystemExit):  # argparse names the valid families
        main(['compose', 'epic', dest2])
    assert "invalid choice: 'epic'" in capsys.readouterr().err


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
