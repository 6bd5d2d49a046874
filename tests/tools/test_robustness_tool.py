"""tools/analysis/robustness.py end to end on a tiny checkpoint; compare.py --robustness."""
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from ..apis.test_robustness import _fake
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
    assert osp.isfile(osp.join(work, 'robustness.tex'))
    assert osp.getsize(osp.join(work, 'robustness.png')) > 1000
    assert osp.isfile(osp.join(work, 'robustness.pdf'))
    with open(osp.join(work, 'feature_means.json')) as f:
        means = json.load(f)
    assert {m: len(v) for m, v in means['feature_means'].items()} == dict(
        imgs=288, flow_imgs=64, audios=128)
    assert means['num_samples'] == 32  # two source domains x 16 training samples


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
    assert '| Condition ' in (tmp_path / 'cmp' / 'compare_robustness.md').read_text()
    assert '\\toprule' in (tmp_path / 'cmp' / 'compare_robustness.tex').read_text()
    assert osp.isfile(tmp_path / 'cmp' / 'compare_robustness.json')
