"""tools/analysis/benchmark_pipeline.py: both ratios, the stage profile against
its decode floor (on a stub dataset, then on a written EPIC tree)."""
import re
import time

import cv2
import numpy as np
import pytest

from ..conftest import load_tool

bench = load_tool('analysis/benchmark_pipeline.py')
format_stage_table, profile_pipeline = bench.format_stage_table, bench.profile_pipeline


def test_benchmark_prints_both_ratios(capsys):
    bench.main(['--samples', '2', '--frames', '8', '--height', '32',
                 '--width', '48', '--clips', '2', '--repeats', '1'])
    out = capsys.readouterr().out
    ratio = re.search(r'ratio multimodal / sum of single: ([\d.]+)', out)
    speedup = re.search(r'ratio scipy / torch per clip: ([\d.]+)x', out)
    assert ratio and speedup, out
    assert 0 < float(ratio.group(1)) < 10 and float(speedup.group(1)) > 0
    error = re.search(r'max \|torch - scipy\| after z-score ([\d.e+-]+)', out)
    assert float(error.group(1)) < 1e-3


def test_floor_mode_stage_table(capsys):
    prof = bench.main(['--floor', '--samples', '1', '--frames', '16', '--height', '32',
                       '--width', '48', '--repeats', '1', '--clock', 'cpu'])
    assert prof['clock'] == 'cpu'
    names = list(prof['stages'])
    assert names[0].endswith('SampleMultiModalFrames') and len(names) >= 8
    # distinct files only: a 16-frame segment loops the 32-frame clip
    assert prof['floor_ms'] > 0 and 0 < prof['files_per_sample'] <= 48
    assert abs(prof['ratio'] - prof['total_ms'] / prof['floor_ms']) < 1e-9
    out = capsys.readouterr().out
    assert '48x32 frames' in out and 'ratio pipeline / floor' in out
    assert 'cpu clock' in out and 'CPU ms/sample' in out


def test_writer_frame_size(tmp_path):
    from mmaction_merdg.datasets.writers import write_synthetic_epic_tree
    roots = write_synthetic_epic_tree(str(tmp_path), samples_per_domain=1, domains=('D1', ),
                                      rgb_shape=(4, 8, 8), frame_size=(40, 24))
    img = cv2.imread(str(tmp_path / 'rgb' / 'train' / 'D1' / 'P08_01' / 'frame_0000000001.jpg'))
    assert img.shape == (24, 40, 3)
    assert roots['data_root'] == str(tmp_path)


class _Sample:
    """Sampling: names two RGB frames (one twice) and one flow pair."""

    def __init__(self, root):
        self.root = root

    def __call__(self, results):
        return dict(results, modalities=('imgs', 'flow_imgs'), frame_dir=self.root,
                    filename_tmpl='rgb_{}.png', frame_inds=np.array([0, 1, 1]),
                    flow_frame_dir=self.root, flow_filename_tmpl='{}_{}.png',
                    flow_frame_inds=np.array([0]))


def _busy(results):
    start = time.thread_time()
    while time.thread_time() - start < 0.002:  # 2 ms of CPU
        pass
    return results


class _Dataset:

    def __init__(self, root):
        self.pipeline = type('P', (), {'transforms': [_Sample(root), _busy]})()

    def __len__(self):
        return 2

    def get_data_info(self, idx):
        return dict(sample_idx=idx)


@pytest.mark.parametrize('clock', ['wall', 'cpu'])
def test_profile_counts_distinct_files_and_times_stages(tmp_path, clock):
    for name in ('rgb_0', 'rgb_1', 'x_0', 'y_0'):
        cv2.imwrite(str(tmp_path / f'{name}.png'), np.zeros((8, 8, 3), np.uint8))
    prof = profile_pipeline(_Dataset(str(tmp_path)), repeats=2, clock=clock)
    assert prof['files_per_sample'] == 4 and prof['samples'] == 2 and prof['clock'] == clock
    assert list(prof['stages']) == ['0:_Sample', '1:function']
    assert prof['stages']['1:function'] >= 2.0  # ms: the busy loop
    assert prof['ratio'] == pytest.approx(prof['total_ms'] / prof['floor_ms'])
    assert ('CPU ms/sample' in format_stage_table(prof)) == (clock == 'cpu')


def test_unknown_clock_is_refused():
    with pytest.raises(ValueError, match="clock must be one of \\['wall', 'cpu'\\]"):
        profile_pipeline(None, clock='gpu')
