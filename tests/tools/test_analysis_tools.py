"""End-to-end tests of the tools/analysis CLIs and of mmaction_merdg.apis on tiny
synthetic configs (the analysis functions on hand-made results: tests/apis)."""
import json
import os.path as osp
import re
import subprocess
import sys

import pytest

from mmaction_merdg.apis import load_config, run_seeds

from ..conftest import REPO as ROOT
from ..conftest import load_tool

TOOLS = osp.join(ROOT, 'tools', 'analysis')


def _tool(name):
    return load_tool(f'analysis/{name}.py')


A_T = [0.612, 0.589, 0.634, 0.601, 0.627, 0.595]
B_T = [0.598, 0.581, 0.602, 0.603, 0.600, 0.579]
SRC = [0.9, 0.91, 0.89, 0.9, 0.92, 0.9]


def test_compare_cli_writes_tables(tmp_path, capsys):
    compare = _tool('compare')
    a = _run_json(tmp_path / 'a.json', 'merdg', A_T, SRC)
    b = _run_json(tmp_path / 'b.json', 'fusion', B_T, SRC)
    res = compare.main([a, b, '--work-dir', str(tmp_path / 'out')])
    assert list(res['metrics']) == ['target_acc', 'source_val_acc', 'oracle_target_acc']
    assert len(compare.main([a, b, '--metrics', 'all'])['metrics']) == 3
    md = open(tmp_path / 'out' / 'compare.md').read()
    assert re.search(r'\| target \(at best source-val\) +\| 60\.97 ± ', md)
    assert '| MER-DG ' in md  # the registry's title of run 'merdg'
    assert '\\toprule' in open(tmp_path / 'out' / 'compare.tex').read()
    assert json.load(open(tmp_path / 'out' / 'compare.json'))['seeds'] == list(range(6))
    assert '| target (at best source-val) ' in capsys.readouterr().out


def test_compare_cli_help_explains():
    out = subprocess.run([sys.executable, osp.join(TOOLS, 'compare.py'), '--help'],
                         capture_output=True, text=True, check=True,
                         env=dict(__import__('os').environ, PYTHONPATH=ROOT)).stdout
    assert 'paired t-test' in out and 'Wilcoxon' in out and '--work-dir' in out


def test_no_tool_edits_sys_path_or_imports_another_tool():
    import glob
    import re
    tools = glob.glob(osp.join(ROOT, 'tools', '**', '*.py'), recursive=True)
    names = {osp.splitext(osp.basename(t))[0] for t in tools}
    for path in tools:
        text = open(path).read()
        assert 'sys.path' not in text, path
        imported = set(re.findall(r'^\s*(?:from|import)\s+(\w+)', text, re.M))
        assert not imported & names - {'mmaction_merdg'}, (path, imported & names)


def _run_json(path, name, target, source, seeds=None):
    seeds = seeds if seeds is not None else list(range(len(target)))
    runs = [dict(seed=s, source_val_acc=sv, target_acc=t, oracle_target_acc=max(t, t + 0.01),
                 seconds=1.0) for s, t, sv in zip(seeds, target, source)]
    with open(path, 'w') as f:
        json.dump(dict(format='mmaction_merdg.run_seeds/1', name=name, runs=runs), f)
    return str(path)


# ------------------------------------------- end to end on tiny synthetic configs
MERDG = osp.join(ROOT, 'configs', 'merdg_synthetic.py')
FUSION = osp.join(ROOT, 'configs', 'fusion_synthetic.py')
# A few iterations: 16 samples per source domain (2 balanced batches of 16), one
# epoch, 8 validation/test samples per domain, smaller clips.
TINY = {
    'train_cfg.max_epochs': 1,
    'train_dataloader.dataset.samples_per_domain': 16,
    'val_dataloader.dataset.datasets.0.samples_per_domain': 8,
    'val_dataloader.dataset.datasets.1.samples_per_domain': 8,
    'test_dataloader.dataset.samples_per_domain': 8,
    'default_hooks.checkpoint.max_keep_ckpts': 1,
}
TINY_DATA = {'rgb_shape': (8, 16, 16), 'audio_shape': (32, 32)}


def _cli(opts):
    return [f'{k}={v}' for k, v in opts.items()]


def _tiny_data_cli():
    return ['rgb_shape=(8,16,16)', 'audio_shape=(32,32)']


@pytest.fixture(scope='module')
def merdg_seeds(tmp_path_factory):
    """run_seeds on the tiny MER-DG config: seed 0, then resumed with seeds 0 and 1."""
    work = str(tmp_path_factory.mktemp('rs') / 'merdg')
    cfg_opts = dict(TINY, custom_hooks=[dict(type='ModalityEntropyLoggerHook', interval=1)],
                    visualizer=dict(type='ActionVisualizer',
                                    vis_backends=[dict(type='LocalVisBackend')]))
    first = run_seeds(MERDG, [0], work, cfg_opts, TINY_DATA, name='merdg')
    mtime = osp.getmtime(osp.join(work, 'seed_0', 'result.json'))
    second = run_seeds(MERDG, [0, 1], work, cfg_opts, TINY_DATA, name='merdg')
    return dict(work=work, first=first, second=second, cfg_opts=cfg_opts, mtime0=mtime)


def test_run_seeds_collects_per_seed_results(merdg_seeds):
    out = json.load(open(osp.join(merdg_seeds['work'], 'seeds.json')))
    assert out['format'] == 'mmaction_merdg.run_seeds/1' and out['seeds'] == [0, 1]
    for r in out['runs']:
        for k in ('source_val_acc', 'target_acc', 'oracle_target_acc', 'seconds'):
            assert isinstance(r[k], (int, float)), k
        assert 0 <= r['target_acc'] <= 1
        assert osp.isfile(r['best_checkpoint'])
    assert out['summary']['target_acc']['n'] == 2
    assert out['summary']['target_acc']['ci95'] is not None


def test_run_seeds_resume_skips_finished_seeds(merdg_seeds):
    first, second = merdg_seeds['first'], merdg_seeds['second']
    assert [r['resumed'] for r in first['runs']] == [False]
    assert [r['resumed'] for r in second['runs']] == [True, False]
    # seed 0 was not trained again: its result file is untouched and identical
    assert osp.getmtime(osp.join(merdg_seeds['work'], 'seed_0', 'result.json')) == \
        merdg_seeds['mtime0']
    assert second['runs'][0]['target_acc'] == first['runs'][0]['target_acc']
    fp = json.load(open(osp.join(merdg_seeds['work'], 'seed_0', 'fingerprint.json')))
    assert len(fp['config_sha256']) == 64 and len(fp['code_sha256']) == 64
    assert second['runs'][0]['code_changed'] is False
    # ...and a third call trains nothing at all
    rs_calls = []
    from mmaction_merdg.apis import experiment
    orig = experiment.run_experiment
    experiment.run_experiment = lambda *a, **k: rs_calls.append(a) or orig(*a, **k)
    try:
        run_seeds(MERDG, [1, 0], merdg_seeds['work'], merdg_seeds['cfg_opts'], TINY_DATA)
    finally:
        experiment.run_experiment = orig
    assert rs_calls == []
    # resuming with other options would mix experiments: refused
    with pytest.raises(ValueError, match='other options'):
        run_seeds(MERDG, [0], merdg_seeds['work'], dict(merdg_seeds['cfg_opts'],
                                                           **{'train_cfg.max_epochs': 2}),
                     TINY_DATA)


def test_run_seeds_refuses_to_mix_an_edited_config(merdg_seeds, tmp_path):
    """Same command line, but the config file changed on disk: resuming is refused."""
    work = str(tmp_path / 'work')
    import shutil
    shutil.copytree(osp.join(merdg_seeds['work'], 'seed_0'), osp.join(work, 'seed_0'))
    cfg_file = tmp_path / 'exp.py'
    cfg_file.write_text(f"_base_ = ['{MERDG}']\n")
    with open(osp.join(work, 'seed_0', 'fingerprint.json')) as f:
        fp = json.load(f)
    # The copied seed was made from MERDG + options: identical resolved config -> reused.
    out = run_seeds(str(cfg_file), [0], work, merdg_seeds['cfg_opts'], TINY_DATA)
    assert out['runs'][0]['resumed'] and out['runs'][0]['fingerprint'] == fp
    cfg_file.write_text(f"_base_ = ['{MERDG}']\nmodel = dict(cls_head=dict(dropout_ratio=0.1))\n")
    with pytest.raises(ValueError, match='different resolved config'):
        run_seeds(str(cfg_file), [0], work, merdg_seeds['cfg_opts'], TINY_DATA)
    # A code change only warns, and the seed is marked.
    fp['code_sha256'] = '0' * 64
    with open(osp.join(work, 'seed_0', 'fingerprint.json'), 'w') as f:
        json.dump(fp, f)
    cfg_file.write_text(f"_base_ = ['{MERDG}']\n")
    logs = []
    out = run_seeds(str(cfg_file), [0], work, merdg_seeds['cfg_opts'], TINY_DATA,
                       log=logs.append)
    assert out['runs'][0]['code_changed'] is True
    assert any('other mmaction_merdg source code' in line for line in logs)


def test_entropy_logger_hook_in_a_real_training_run(merdg_seeds):
    import glob
    files = glob.glob(osp.join(merdg_seeds['work'], 'seed_1', '*', 'vis_data', 'scalars.json'))
    rows = [json.loads(line) for f in files for line in open(f)]
    tags = {k for r in rows for k in r}
    for m in ('imgs', 'flow_imgs', 'audios'):
        assert f'entropy/proj/{m}/rankme' in tags and f'entropy/feat/{m}/spec' in tags
    assert 'entropy/proj/cka/audios-flow_imgs' in tags


def test_compare_on_real_run_seeds_output(merdg_seeds, tmp_path):
    compare = _tool('compare')
    res = compare.main([merdg_seeds['work'], merdg_seeds['work'], '--names', 'A', 'B',
                        '--work-dir', str(tmp_path)])
    t = res['metrics']['target_acc']
    assert t['diff']['mean'] == 0 and not t['significant']
    assert osp.isfile(tmp_path / 'compare.md')


def test_probe_features_end_to_end(merdg_seeds, tmp_path):
    probe = _tool('probe_features')
    seeds_json = json.load(open(osp.join(merdg_seeds['work'], 'seeds.json')))
    ckpt = seeds_json['runs'][0]['best_checkpoint']
    cli = ['--cfg-options'] + _cli(TINY) + ['--dataset-options'] + _tiny_data_cli()
    # val holds 8 source-val samples per source domain + 8 target: 24 samples
    first = probe.main([MERDG, ckpt, '--work-dir', str(tmp_path / 'a'), '--label', 'merdg',
                        '--cca-components', '3'] + cli)
    assert first['num_samples'] == {'source': 16, 'target': 8}
    assert set(first['pairs']) == {'audios-flow_imgs', 'audios-imgs', 'flow_imgs-imgs'}
    pair = first['pairs']['flow_imgs-imgs']['source']
    assert 0 <= pair['raw']['cka'] <= 1 and 'class_residual' in pair
    mod = first['modality']['imgs']['source']
    assert mod['feat']['dim'] == 288 and mod['proj']['dim'] == 128
    assert 1 <= mod['feat']['rankme'] <= 16
    dp = first['domain_probe']['concat']['all']
    assert dp['num_domains'] == 3 and dp['chance'] == pytest.approx(1 / 3)
    second = probe.main([MERDG, ckpt, '--work-dir', str(tmp_path / 'b'), '--label', 'again',
                         '--compare-with', str(tmp_path / 'a' / 'probe.json'),
                         '--cca-components', '3'] + cli)
    assert second['pairs'] == first['pairs']  # deterministic
    assert osp.getsize(tmp_path / 'b' / 'probe_compare.png') > 1000
    # probe_summary: two "methods" of two identical checkpoints -> zero differences
    summ = _tool('probe_summary')
    a, b = str(tmp_path / 'a' / 'probe.json'), str(tmp_path / 'b' / 'probe.json')
    res = summ.main(['--group', 'A', a, b, '--group', 'B', b, a, '--work-dir', str(tmp_path)])
    stats = {r['stat']: r for r in res['rows']}
    key = 'CKA raw, mean over pairs (source)'
    assert stats[key]['groups']['A']['mean'] == pytest.approx(
        sum(v['source']['raw']['cka'] for v in first['pairs'].values()) / 3)
    assert stats[key]['diff']['mean'] == 0
    assert any(k.startswith('domain probe balanced acc concat') for k in stats)
    assert '| B - A | paired t p |' in open(tmp_path / 'probe_summary.md').read()


def test_sweep_end_to_end(tmp_path):
    sw = _tool('sweep')
    res = sw.main([MERDG, '--param', 'model.regularizers.mer.loss.loss_weight', '--values', '0', '3',
                   '--seeds', '1', '--work-dir', str(tmp_path), '--cfg-options'] + _cli(TINY) +
                  ['--dataset-options'] + _tiny_data_cli())
    assert [r['value'] for r in res['rows']] == [0, 3]
    opts = json.load(open(tmp_path / 'model.regularizers.mer.loss.loss_weight=3' / 'run_options.json'))
    assert opts['cfg_options']['model.regularizers.mer.loss.loss_weight'] == 3
    for f in ('sweep.json', 'sweep.md', 'sweep.png'):
        assert osp.getsize(tmp_path / f) > 0


def _dry_run_configs():
    """The real-data entry points, plus the first leaf config of each real dataset family.

    (Every config loading and building is tested elsewhere; here the tools' dry run is.)
    """
    import glob
    top = [f for f in glob.glob(osp.join(ROOT, 'configs', '*.py'))
           if 'epic' in osp.basename(f) or 'hac' in osp.basename(f)]
    leaves = [sorted(glob.glob(osp.join(ROOT, 'configs', fam, '*.py')))[:1]
              for fam in ('epic_kitchens', 'hac')]
    return sorted(top) + [f for leaf in leaves for f in leaf]


@pytest.fixture
def absent_data_config(tmp_path):
    """A config whose datasets are real-data types pointing at absent data."""
    path = tmp_path / 'absent_epic.py'
    path.write_text(
        f"_base_ = ['{FUSION}']\n"
        "ds = dict(type='EpicKitchensMMDataset', data_root='/nonexistent/epic', "
        "ann_root='annotations', domains=['D1'], split='train', pipeline=[])\n"
        "train_dataloader = dict(dataset=dict(_delete_=True, **ds))\n"
        "val_dataloader = dict(dataset=dict(_delete_=True, **ds))\n"
        "test_dataloader = dict(dataset=dict(_delete_=True, **ds))\n")
    return str(path)


@pytest.mark.parametrize('tool', ['run_seeds', 'sweep', 'probe_features', 'cooccurrence_sweep'])
def test_dry_run_builds_without_data(tool, absent_data_config):
    mod = _tool(tool)
    argv = {
        'run_seeds': [absent_data_config, '--dry-run'],
        'sweep': [absent_data_config, '--param', 'model.cls_head.dropout_ratio', '--values',
                  '0.1', '0.5', '--dry-run'],
        'probe_features': [absent_data_config, 'none.pth', '--dry-run'],
        'cooccurrence_sweep': ['--fusion-config', FUSION, '--merdg-config', MERDG, '--values',
                               '0', '1', '--dry-run'],
    }[tool]
    rep = mod.main(argv)
    reports = rep.get('values', rep) if tool == 'sweep' else rep
    text = json.dumps(reports)
    if tool == 'cooccurrence_sweep':
        assert 'built' in text and 'merdg@0' in text
    else:
        assert 'skipped: data absent' in text and 'MultiModalRecognizer' in text


def test_dry_run_rejects_a_broken_config(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text(f"_base_ = ['{FUSION}']\n"
                   "train_dataloader = dict(dataset=dict(type='NoSuchDataset'))\n")
    with pytest.raises(ValueError, match='NoSuchDataset'):
        _tool('run_seeds').main([str(bad), '--dry-run'])


@pytest.mark.parametrize('config', _dry_run_configs() or [None])
def test_dry_run_of_the_real_data_configs(config):
    if config is None:
        pytest.skip('no EPIC/HAC config in configs/ yet')
    rep = _tool('run_seeds').main([config, '--dry-run'])
    assert rep['model']['params'] > 0


SYNTHETIC_LEAF = 'tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-source0-source1-to-target-rgb-flow-audio.py'


@pytest.mark.parametrize('name,expect', [
    ('merdg-marginal-only', dict(alpha_marg=1.0, alpha_spec=0.0)),
    ('merdg-spectral-only', dict(alpha_marg=0.0, alpha_spec=1.0)),
    ('merdg-vne', dict(estimator='vne')),
    ('merdg-coding-rate', dict(estimator='coding_rate')),
])
def test_ablation_configs_build_what_they_say(name, expect):
    from mmaction.registry import MODELS
    cfg = load_config(osp.join(ROOT, 'configs', 'synthetic', f'{name}_{SYNTHETIC_LEAF}'))
    model = MODELS.build(cfg.model)
    for k, v in expect.items():
        assert getattr(model.regularizers['mer'].loss, k) == v
    base = load_config(osp.join(ROOT, 'configs', 'synthetic', f'merdg_{SYNTHETIC_LEAF}'))
    assert cfg.train_dataloader == base.train_dataloader and cfg.train_cfg == base.train_cfg
