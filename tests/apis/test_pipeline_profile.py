"""Stage profile of a pipeline against its decode floor (a stub dataset)."""
import time

import cv2
import numpy as np
import pytest

from mmaction_merdg.apis.pipeline_profile import format_stage_table, profile_pipeline


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
