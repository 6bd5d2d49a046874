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
    out = pair_robustness(ra, rb, names=('MER-DG', 'Fusion'))
    assert out['seeds'] == [0, 1] and out['unpaired'] == [2, 3]
    rows = out['rows']
    assert rows['missing/audios']['values'] == dict(a=[50.0, 51.0], b=[40.0, 42.0])
    assert rows['missing/audios']['diff']['mean'] == pytest.approx(9.5)
    assert rows['drop:missing/audios']['values'] == dict(a=[10.0, 11.0], b=[21.0, 18.0])
    assert rows['corruption/gaussian_noise/mean']['values']['a'] == [50.0, 51.0]
    assert rows['msp/aurc']['diff']['mean'] == pytest.approx(-40.0)
    md = paired_robustness_markdown(out)
    assert '| missing/audios |' in md and 'corruption/gaussian_noise/1 |' not in md
    with pytest.raises(ValueError, match='no seed'):
        pair_robustness({0: a[0]}, {1: b[1]})
