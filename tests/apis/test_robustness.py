"""apis/robustness.py: corruption placement in pipelines, pairing results over seeds."""
import json

import pytest

from mmaction_merdg.apis import pair_robustness, paired_robustness_markdown
from mmaction_merdg.apis.robustness import (corrupted_dataloader, insert_corruption,
                                            load_robustness_runs, missing_subsets)


def test_insert_corruption_places():
    real = [dict(type='MultiModalDecordDecode'), dict(type='MultiModalCenterCrop'),
            dict(type='MultiModalFormatShape'), dict(type='LoadAudioWindow'),
            dict(type='AudioLogSpectrogram'), dict(type='PackActionInputs')]
    video = insert_corruption(real, dict(type='VideoCorruption'))
    assert [s['type'] for s in video][2] == 'VideoCorruption'
    audio = insert_corruption(real, dict(type='AudioCorruption'))
    assert [s['type'] for s in audio][4] == 'AudioCorruption'
    synth = insert_corruption([dict(type='PackActionInputs')], dict(type='AudioCorruption'))
    assert [s['type'] for s in synth] == ['AudioCorruption', 'PackActionInputs']
    synth = insert_corruption([dict(type='PackMultiModalInputs')], dict(type='VideoCorruption'))
    assert [s['type'] for s in synth] == ['VideoCorruption', 'PackMultiModalInputs']
    with pytest.raises(ValueError, match='cannot place'):
        insert_corruption([dict(type='Foo')], dict(type='VideoCorruption'))
    pack = [dict(type='PackActionInputs')]
    loader = dict(dataset=dict(type='ConcatDataset', datasets=[
        dict(pipeline=list(pack)), dict(pipeline=list(pack))]))
    out = corrupted_dataloader(loader, dict(type='FlowCorruption'))
    assert all(d['pipeline'][0]['type'] == 'FlowCorruption' for d in out['dataset']['datasets'])
    assert loader['dataset']['datasets'][0]['pipeline'][0]['type'] == 'PackActionInputs'
    assert missing_subsets(['imgs', 'audios']) == [['imgs'], ['audios']]
    assert len(missing_subsets(['imgs', 'flow_imgs', 'audios'])) == 6


def _fake(clean, missing, noise, aurc):
    return {'clean': clean, 'missing/audios': missing, 'corruption/gaussian_noise/1': noise,
            'corruption/gaussian_noise/3': noise - 10, 'msp': dict(aurc=aurc, auroc=70.0,
                                                                   fpr95=80.0)}


def test_pairing_over_seeds(tmp_path):
    a = {0: _fake(60, 50, 55, 200), 1: _fake(62, 51, 56, 210), 2: _fake(58, 50, 50, 190)}
    b = {0: _fake(61, 40, 55, 250), 1: _fake(60, 42, 50, 240), 3: _fake(1, 1, 1, 1)}
    for name, runs in (('a', a), ('b', b)):
        for s, r in runs.items():
            d = tmp_path / name / f'seed_{s}' / 'robustness'
            d.mkdir(parents=True)
            (d / 'robustness.json').write_text(json.dumps(r))
    ra, rb = load_robustness_runs(str(tmp_path / 'a')), load_robustness_runs(str(tmp_path / 'b'))
    with pytest.warns(UserWarning, match='only 2 paired seeds'):
        out = pair_robustness(ra, rb, names=('MER-DG', 'Fusion'))
    assert out['seeds'] == [0, 1] and out['unpaired'] == [2, 3]
    rows = out['rows']
    assert rows['missing/audios']['values'] == dict(a=[50.0, 51.0], b=[40.0, 42.0])
    assert rows['missing/audios']['diff']['mean'] == pytest.approx(9.5)
    assert rows['drop:missing/audios']['values'] == dict(a=[10.0, 11.0], b=[21.0, 18.0])
    assert rows['corruption/gaussian_noise/mean']['values']['a'] == [50.0, 51.0]
    assert rows['msp/aurc']['diff']['mean'] == pytest.approx(-40.0)
    md = paired_robustness_markdown(out)
    assert '| Missing Audio (zero fill) ' in md and 'severity 1' not in md
    assert '| Gaussian noise (mean over severities) ' in md and '†' in md  # n = 2
    from mmaction_merdg.apis.robustness import paired_robustness_latex
    tex = paired_robustness_latex(out)
    assert '\\toprule' in tex and 'Drop: missing Audio (zero fill)' in tex
    assert 'MSP AURC (x1000)' in tex and '$^\\dagger$' in tex
    with pytest.raises(ValueError, match='no seed'):
        pair_robustness({0: a[0]}, {1: b[1]})


def test_robustness_tables_latex_and_figure(tmp_path):
    """pandas tables with paper names, LaTeX, and the figure as PNG, PDF and SVG."""
    from mmaction_merdg.apis.robustness import (plot_robustness, robustness_latex,
                                                robustness_markdown, robustness_tables)
    res = dict(_fake(60.0, 50.0, 55.0, 200.0), meta=dict(num_classes=4))
    res['missing/imgs+audios'] = 30.0
    tables = robustness_tables(res)
    assert tables['corruptions'].loc['Gaussian noise'].tolist() == [55.0, 45.0, 50.0]
    assert list(tables['corruptions'].columns) == ['Sev. 1', 'Sev. 3', 'Mean']
    assert tables['missing'].loc[('RGB + Audio', 'zero'), 'Drop (points)'] == 30.0
    md = robustness_markdown(res)
    assert '| Gaussian noise |' in md and 'Clean top-1: 60.00 %' in md
    tex = robustness_latex(res)
    assert tex.count('\\toprule') == 2 and 'Top-1 (\\%)' in tex
    files = plot_robustness(res, str(tmp_path / 'robustness.png'))
    assert [f.rsplit('.', 1)[1] for f in files] == ['png', 'pdf', 'svg']
    import matplotlib.image as mpimg
    assert mpimg.imread(files[0]).shape[1] >= 1000  # 300 dpi
    svg = open(files[2]).read()
    assert 'chance (25.0 %)' in svg and 'RGB corruptions' in svg and 'Gaussian noise' in svg
