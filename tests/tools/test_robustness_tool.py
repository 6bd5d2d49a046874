"""tools/analysis/robustness.py end to end on a tiny synthetic checkpoint, and the
pairing of two methods' results over seeds."""
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction_merdg.apis import pair_robustness, paired_robustness_markdown
from mmaction_merdg.apis.robustness import (corrupted_dataloader, insert_corruption,
                                            load_robustness_runs, missing_subsets)
from ..conftest import TINY_DATA, load_tool, write_tiny_synthetic_config


def _tiny_checkpoint(tmp_path):
    cfg_path = write_tiny_synthetic_config(tmp_path)
    cfg = Config.fromfile(cfg_path)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    ckpt = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    return cfg_path, ckpt


def test_tool_end_to_end(tmp_path):
    cfg_path, ckpt = _tiny_checkpoint(tmp_path)
    work = str(tmp_path / 'rob')
    tool = load_tool('analysis/robustness.py')
    result = tool.main([cfg_path, ckpt, '--work-dir', work, '--corruptions', 'gaussian_noise',
                        'flow_zero_frames', 'audio_wind', '--severities', '1', '5',
                        '--missing-fill', 'zero', 'mean'] + TINY_DATA)
    with open(osp.join(work, 'robustness.json')) as f:
        saved = json.load(f)
    subsets = ['imgs', 'flow_imgs', 'audios', 'imgs+flow_imgs', 'imgs+audios',
               'flow_imgs+audios']
    want = {'clean', 'msp', 'details', 'meta'}
    want |= {f'missing/{s}' for s in subsets} | {f'missing_mean/{s}' for s in subsets}
    want |= {f'corruption/{n}/{s}' for n in ('gaussian_noise', 'flow_zero_frames',
                                             'audio_wind') for s in (1, 5)}
    assert set(saved) == want
    assert set(saved['msp']) == {'aurc', 'auroc', 'fpr95'}
    for k in want - {'msp', 'details', 'meta'}:
        assert 0.0 <= saved[k] <= 100.0
        assert saved[k] == pytest.approx(100 * saved['details'][k]['target/top1'])
    assert saved['clean'] == pytest.approx(result['clean'])
    assert osp.isfile(osp.join(work, 'robustness.md'))
    assert osp.getsize(osp.join(work, 'robustness.png')) > 1000
    with open(osp.join(work, 'feature_means.json')) as f:
        means = json.load(f)
    assert {m: len(v) for m, v in means['feature_means'].items()} == dict(
        imgs=288, flow_imgs=64, audios=128)
    assert means['num_samples'] == 32  # two source domains x 16 training samples


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
    with pytest.raises(ValueError, match='cannot place'):
        insert_corruption([dict(type='Foo')], dict(type='VideoCorruption'))
    loader = dict(dataset=dict(type='ConcatDataset', datasets=[
        dict(pipeline=[dict(type='PackActionInputs')]), dict(pipeline=[dict(type='PackActionInputs')])]))
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


def test_compare_cli_pairs_robustness(tmp_path):
    for name, drop in (('a', 5), ('b', 15)):
        for s in (0, 1, 2):
            d = tmp_path / name / f'seed_{s}'
            d.mkdir(parents=True)
            (d / 'robustness.json').write_text(json.dumps(_fake(60 + s, 60 + s - drop, 50, 200)))
    out = load_tool('analysis/compare.py').main(
        [str(tmp_path / 'a'), str(tmp_path / 'b'), '--robustness', '--names', 'M', 'F',
         '--work-dir', str(tmp_path / 'cmp')])
    assert out['rows']['drop:missing/audios']['diff']['mean'] == pytest.approx(-10.0)
    assert '| condition | M | F |' in (tmp_path / 'cmp' / 'compare_robustness.md').read_text()
    assert osp.isfile(tmp_path / 'cmp' / 'compare_robustness.json')
