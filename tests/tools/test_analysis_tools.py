"""End-to-end tests of tools/analysis on hand-made results and tiny synthetic configs."""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

import pytest
from scipy import stats as sps

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = osp.join(ROOT, 'tools', 'analysis')


def _tool(name):
    sys.path.insert(0, TOOLS)
    spec = importlib.util.spec_from_file_location(f'analysis_{name}', osp.join(TOOLS, f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run_json(path, name, target, source, seeds=None):
    seeds = seeds if seeds is not None else list(range(len(target)))
    runs = [dict(seed=s, source_val_acc=sv, target_acc=t, oracle_target_acc=max(t, t + 0.01),
                 seconds=1.0) for s, t, sv in zip(seeds, target, source)]
    with open(path, 'w') as f:
        json.dump(dict(format='mmaction_merdg.run_seeds/1', name=name, runs=runs), f)
    return str(path)


# ---------------------------------------------------------------- compare.py
A_T = [0.612, 0.589, 0.634, 0.601, 0.627, 0.595]
B_T = [0.598, 0.581, 0.602, 0.603, 0.600, 0.579]
SRC = [0.9, 0.91, 0.89, 0.9, 0.92, 0.9]


def test_compare_matches_scipy_on_hand_made_runs(tmp_path):
    compare = _tool('compare')
    a = _run_json(tmp_path / 'a.json', 'merdg', A_T, SRC)
    b = _run_json(tmp_path / 'b.json', 'fusion', B_T, [s - 0.001 * i for i, s in enumerate(SRC)])
    res = compare.main([a, b, '--work-dir', str(tmp_path / 'out')])
    t = res['metrics']['target_acc']
    ref_t = sps.ttest_rel([100 * v for v in A_T], [100 * v for v in B_T])
    ref_w = sps.wilcoxon([100 * (x - y) for x, y in zip(A_T, B_T)])
    assert t['ttest']['p'] == pytest.approx(ref_t.pvalue, rel=1e-9)
    assert t['wilcoxon']['p'] == pytest.approx(ref_w.pvalue, rel=1e-9)
    assert t['unit'] == '%' and t['a']['mean'] == pytest.approx(100 * sum(A_T) / 6)
    assert list(res['metrics']) == ['target_acc', 'source_val_acc', 'oracle_target_acc']
    res_all = compare.main([a, b, '--metrics', 'all'])
    assert 'seconds' not in res_all['metrics'] and len(res_all['metrics']) == 3
    md = open(tmp_path / 'out' / 'compare.md').read()
    assert '| target (at best source-val) | 60.97 ± ' in md
    assert json.load(open(tmp_path / 'out' / 'compare.json'))['seeds'] == list(range(6))


def test_compare_says_plainly_when_not_significant(tmp_path, capsys):
    compare = _tool('compare')
    a = _run_json(tmp_path / 'a.json', 'A', [0.60, 0.61, 0.59, 0.605, 0.595], SRC[:5])
    b = _run_json(tmp_path / 'b.json', 'B', [0.602, 0.601, 0.603, 0.599, 0.60], SRC[:5])
    res = compare.main([a, b, '--metrics', 'target_acc'])
    assert not res['metrics']['target_acc']['significant']
    out = capsys.readouterr().out
    assert 'NOT significant' in out and '| no |' in out


def test_compare_pairs_by_seed_and_reports_unpaired(tmp_path):
    compare = _tool('compare')
    # Same values in a different order and with an extra seed: the pairing must follow seeds.
    a = _run_json(tmp_path / 'a.json', 'A', [0.7, 0.5, 0.6, 0.9], SRC[:4], seeds=[2, 0, 1, 7])
    b = _run_json(tmp_path / 'b.json', 'B', [0.49, 0.58, 0.71], SRC[:3], seeds=[0, 1, 2])
    res = compare.compare_runs(compare.load_run(a), compare.load_run(b))
    assert res['seeds'] == [0, 1, 2] and res['unpaired'] == [7]
    vals = res['metrics']['target_acc']['values']
    assert vals['a'] == pytest.approx([50.0, 60.0, 70.0])
    assert vals['b'] == pytest.approx([49.0, 58.0, 71.0])
    with pytest.raises(ValueError, match='not in both runs'):
        compare.compare_runs(compare.load_run(a), compare.load_run(b), metrics=['nope'])


def test_compare_cli_help_explains():
    out = subprocess.run([sys.executable, osp.join(TOOLS, 'compare.py'), '--help'],
                         capture_output=True, text=True, check=True).stdout
    assert 'paired t-test' in out and 'Wilcoxon' in out and '--work-dir' in out


# ------------------------------------------------- analysis logic on hand-made runs
def _fake_run(name, accs):
    return dict(name=name, runs=[dict(seed=s, target_acc=a, source_val_acc=0.9)
                                 for s, a in enumerate(accs)])


def _fake_sweep_runs(gap_of_knob, values=(0, 0.5, 1), seeds=4, fusion_drop=0.0):
    co = _tool('cooccurrence_sweep')
    runs = {'fusion': {}, 'merdg': {}}
    for v in values:
        fus = [0.50 + 0.01 * s - fusion_drop * v + 0.002 * (s % 2) * v for s in range(seeds)]
        jitter = [0.004, -0.003, 0.002, -0.001][:seeds]
        mer = [f + gap_of_knob(v) + j for f, j in zip(fus, jitter)]
        runs['fusion'][co.slug(v)] = _fake_run('f', fus)
        runs['merdg'][co.slug(v)] = _fake_run('m', mer)
    return co, runs


def test_cooccurrence_verdict_flags_a_gain_that_does_not_shrink():
    co, runs = _fake_sweep_runs(lambda v: 0.05)  # +5 points whatever the knob
    res = co.analyse([0, 0.5, 1], runs)
    assert res['rows'][0]['gap']['mean'] == pytest.approx(5.0, abs=0.5)
    assert abs(res['trend']['slope']) < 1.0
    assert 'does NOT shrink' in res['verdict'] and 'in doubt' in res['verdict']
    # Fusion's accuracy does not depend on the knob: the instrument check says so.
    assert 'Fusion is not measurably hurt' in res['verdict']
    assert abs(res['shortcut']['fusion']['target']['mean']) < 0.5


def test_cooccurrence_sweep_checks_that_the_shortcut_hurts_fusion():
    co, runs = _fake_sweep_runs(lambda v: 0.06 * v, fusion_drop=0.08)
    res = co.analyse([0, 0.5, 1], runs)
    assert res['shortcut']['fusion']['target']['mean'] == pytest.approx(-8.0, abs=0.5)
    assert 'do mislead Fusion' in res['verdict']
    assert '| Fusion | -7.9' in co.to_markdown(res)


def test_cooccurrence_verdict_supports_a_gain_that_grows_with_the_knob():
    co, runs = _fake_sweep_runs(lambda v: 0.06 * v)  # 0 at the randomised end, +6 at 1
    res = co.analyse([0, 0.5, 1], runs)
    assert res['trend']['slope'] == pytest.approx(6.0, abs=0.5) and res['trend']['p'] < 0.05
    assert res['trend']['end_contrast']['mean'] == pytest.approx(6.0, abs=0.5)
    assert 'as the paper\'s explanation predicts' in res['verdict']


def test_cooccurrence_verdict_without_any_gain(tmp_path):
    co, runs = _fake_sweep_runs(lambda v: 0.0)
    res = co.analyse([0, 0.5, 1], runs)
    assert 'no significant gain at any setting' in res['verdict']
    co.plot(res, str(tmp_path / 'c.png'))
    assert osp.getsize(tmp_path / 'c.png') > 1000
    assert '| 0.5 | 4 |' in co.to_markdown(res)


def test_sweep_summary_compares_each_value_with_the_baseline(tmp_path):
    sw = _tool('sweep')
    runs = {sw.slug(v): _fake_run(str(v), [0.5 + 0.01 * s + d
                                           for s, d in enumerate([0.0, 0.001, -0.001])])
            for v, _ in [(0, 0)]}
    runs[sw.slug(3)] = _fake_run('3', [0.55, 0.561, 0.569])
    runs[sw.slug('vne')] = _fake_run('vne', [0.5, 0.51, 0.52])
    res = sw.summarise_sweep('model.mer_loss.loss_weight', [0, 3, 'vne'], runs, 0)
    assert 'vs_baseline' not in res['rows'][0]
    assert res['rows'][1]['vs_baseline']['diff']['mean'] == pytest.approx(5.0, abs=0.1)
    assert res['rows'][1]['vs_baseline']['significant']
    md = sw.to_markdown(res)
    assert '(baseline)' in md and '| 3 | 3 |' in md
    sw.plot_sweep(res, str(tmp_path / 'sweep.png'))
    assert osp.getsize(tmp_path / 'sweep.png') > 1000


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
    rs = _tool('run_seeds')
    work = str(tmp_path_factory.mktemp('rs') / 'merdg')
    cfg_opts = dict(TINY, custom_hooks=[dict(type='ModalityEntropyLoggerHook', interval=1)],
                    visualizer=dict(type='ActionVisualizer',
                                    vis_backends=[dict(type='LocalVisBackend')]))
    first = rs.run_seeds(MERDG, [0], work, cfg_opts, TINY_DATA, name='merdg')
    mtime = osp.getmtime(osp.join(work, 'seed_0', 'result.json'))
    second = rs.run_seeds(MERDG, [0, 1], work, cfg_opts, TINY_DATA, name='merdg')
    return dict(rs=rs, work=work, first=first, second=second, cfg_opts=cfg_opts, mtime0=mtime)


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
    rs = merdg_seeds['rs']
    rs_calls = []
    import mmaction_merdg.apis as apis
    orig = apis.run_experiment
    apis.run_experiment = lambda *a, **k: rs_calls.append(a) or orig(*a, **k)
    try:
        rs.run_seeds(MERDG, [1, 0], merdg_seeds['work'], merdg_seeds['cfg_opts'], TINY_DATA)
    finally:
        apis.run_experiment = orig
    assert rs_calls == []
    # resuming with other options would mix experiments: refused
    with pytest.raises(ValueError, match='other options'):
        rs.run_seeds(MERDG, [0], merdg_seeds['work'], dict(merdg_seeds['cfg_opts'],
                                                           **{'train_cfg.max_epochs': 2}),
                     TINY_DATA)


def test_run_seeds_refuses_to_mix_an_edited_config(merdg_seeds, tmp_path):
    """Same command line, but the config file changed on disk: resuming is refused."""
    rs = merdg_seeds['rs']
    work = str(tmp_path / 'work')
    import shutil
    shutil.copytree(osp.join(merdg_seeds['work'], 'seed_0'), osp.join(work, 'seed_0'))
    cfg_file = tmp_path / 'exp.py'
    cfg_file.write_text(f"_base_ = ['{MERDG}']\n")
    with open(osp.join(work, 'seed_0', 'fingerprint.json')) as f:
        fp = json.load(f)
    # The copied seed was made from MERDG + options: identical resolved config -> reused.
    out = rs.run_seeds(str(cfg_file), [0], work, merdg_seeds['cfg_opts'], TINY_DATA)
    assert out['runs'][0]['resumed'] and out['runs'][0]['fingerprint'] == fp
    cfg_file.write_text(f"_base_ = ['{MERDG}']\nmodel = dict(cls_head=dict(dropout_ratio=0.1))\n")
    with pytest.raises(ValueError, match='different resolved config'):
        rs.run_seeds(str(cfg_file), [0], work, merdg_seeds['cfg_opts'], TINY_DATA)
    # A code change only warns, and the seed is marked.
    fp['code_sha256'] = '0' * 64
    with open(osp.join(work, 'seed_0', 'fingerprint.json'), 'w') as f:
        json.dump(fp, f)
    cfg_file.write_text(f"_base_ = ['{MERDG}']\n")
    logs = []
    out = rs.run_seeds(str(cfg_file), [0], work, merdg_seeds['cfg_opts'], TINY_DATA,
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
    res = sw.main([MERDG, '--param', 'model.mer_loss.loss_weight', '--values', '0', '3',
                   '--seeds', '1', '--work-dir', str(tmp_path), '--cfg-options'] + _cli(TINY) +
                  ['--dataset-options'] + _tiny_data_cli())
    assert [r['value'] for r in res['rows']] == [0, 3]
    opts = json.load(open(tmp_path / 'model.mer_loss.loss_weight=3' / 'run_options.json'))
    assert opts['cfg_options']['model.mer_loss.loss_weight'] == 3
    for f in ('sweep.json', 'sweep.md', 'sweep.png'):
        assert osp.getsize(tmp_path / f) > 0


def test_cooccurrence_sweep_end_to_end(tmp_path):
    co = _tool('cooccurrence_sweep')
    res = co.main(['--fusion-config', FUSION, '--merdg-config', MERDG, '--values', '0', '1',
                   '--seeds', '1', '--work-dir', str(tmp_path), '--cfg-options'] + _cli(TINY) +
                  ['--dataset-options'] + _tiny_data_cli())
    assert [r['value'] for r in res['rows']] == [0, 1]
    opts = json.load(open(tmp_path / 'cooccurrence=0.0' / 'fusion' / 'run_options.json'))
    assert opts['dataset_options']['cooccurrence'] == 0
    assert 'Too few seeds' in res['verdict']  # one seed: no test is claimed
    assert osp.getsize(tmp_path / 'cooccurrence.png') > 1000


def _dry_run_configs():
    """The real-data entry points, plus the first leaf config of each real dataset family.

    (Every config loading and building is tested elsewhere; here the tools' dry run is.)
    """
    import glob
    top = [f for f in glob.glob(osp.join(ROOT, 'configs', '*.py'))
           if 'epic' in osp.basename(f) or 'hac' in osp.basename(f)]
    leaves = [sorted(glob.glob(osp.join(ROOT, 'configs', fam, '*.py')))[:1]
              for fam in ('epic', 'hac')]
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


@pytest.mark.parametrize('name,expect', [
    ('merdg-marginal-only_synthetic.py', dict(alpha_marg=1.0, alpha_spec=0.0)),
    ('merdg-spectral-only_synthetic.py', dict(alpha_marg=0.0, alpha_spec=1.0)),
    ('merdg-vne_synthetic.py', dict(estimator='vne')),
    ('merdg-coding-rate_synthetic.py', dict(estimator='coding_rate')),
])
def test_ablation_configs_build_what_they_say(name, expect):
    from mmaction.registry import MODELS
    rs = _tool('run_seeds')
    cfg = rs.load_config(osp.join(ROOT, 'configs', 'merdg', 'ablations', name))
    model = MODELS.build(cfg.model)
    for k, v in expect.items():
        assert getattr(model.mer_loss, k) == v
    base = rs.load_config(MERDG)
    assert cfg.train_dataloader == base.train_dataloader and cfg.train_cfg == base.train_cfg
