"""Annotation pickles load through an allow-list: data loads, code does not run."""
import glob
import os
import os.path as osp
import pickle

import pandas as pd
import pytest

from mmaction_merdg.compat.annotation_pickle import (RefusedPickleGlobal,
                                                     read_annotation_pickle)


class _Evil:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


def test_malicious_pickle_runs_nothing_and_names_file_and_global(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'D1_train.pkl'
    with open(path, 'wb') as f:
        pickle.dump(_Evil(marker), f)
    with pytest.raises(RefusedPickleGlobal) as err:
        read_annotation_pickle(str(path))
    assert str(path) in str(err.value)
    # os.system pickles as posix.system (or nt.system)
    assert '.system' in str(err.value)
    assert not marker.exists()


def test_frame_with_malicious_cell_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'D1_train.pkl'
    pd.DataFrame(dict(uid=[1], x=[_Evil(marker)])).to_pickle(path)
    with pytest.raises(RefusedPickleGlobal, match='system'):
        read_annotation_pickle(str(path))
    assert not marker.exists()


@pytest.mark.parametrize('frame', [
    pd.DataFrame(dict(uid=[1, 2], video_id=['P08_01', 'P08_02'],
                      x=[0.5, 1.0], flag=[True, False])),
    pd.DataFrame(dict(video_id=['a', 'b'])).astype({'video_id': 'string'}),
    pd.DataFrame(dict(c=pd.Categorical(['a', 'b']), i=[1, 2]),
                 index=pd.Index([3, 4])),
])
def test_plain_frames_round_trip(tmp_path, frame):
    path = tmp_path / 'a.pkl'
    frame.to_pickle(path)
    pd.testing.assert_frame_equal(read_annotation_pickle(str(path)), frame)


def test_empty_truncated_and_non_frame_files_name_the_file(tmp_path):
    empty = tmp_path / 'empty.pkl'
    empty.write_bytes(b'')
    with pytest.raises(pickle.UnpicklingError, match='empty.pkl.*truncated'):
        read_annotation_pickle(str(empty))
    whole = tmp_path / 'whole.pkl'
    pd.DataFrame(dict(uid=range(50))).to_pickle(whole)
    cut = tmp_path / 'cut.pkl'
    cut.write_bytes(whole.read_bytes()[:100])
    with pytest.raises(pickle.UnpicklingError, match='cut.pkl'):
        read_annotation_pickle(str(cut))
    listed = tmp_path / 'list.pkl'
    with open(listed, 'wb') as f:
        pickle.dump([1, 2], f)
    with pytest.raises(TypeError, match='list.pkl.*holds a list'):
        read_annotation_pickle(str(listed))


def test_real_mm_sada_pickles_still_load(real_fixtures):
    paths = sorted(glob.glob(osp.join(real_fixtures, 'mm_sada_epic', '*.pkl')))
    assert len(paths) == 6
    for path in paths:
        frame = read_annotation_pickle(path)
        pd.testing.assert_frame_equal(frame, pd.read_pickle(path))
