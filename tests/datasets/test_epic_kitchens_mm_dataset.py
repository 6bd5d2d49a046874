import collections
import os.path as osp

import numpy as np
import pandas as pd
import pytest

from mmaction_merdg.datasets import EpicKitchensMMDataset
from mmaction_merdg.datasets.transforms import MediaReadError

# FORMATS.md: rows and verb_class histogram of the MM-SADA pickles.
EXPECTED = {
    ('D1', 'train'): (1543, [421, 383, 231, 128, 223, 71, 42, 44]),
    ('D1', 'test'): (435, [124, 104, 52, 34, 66, 13, 20, 22]),
    ('D2', 'train'): (2495, [715, 692, 245, 214, 298, 89, 113, 129]),
    ('D2', 'test'): (750, [208, 217, 68, 56, 136, 14, 26, 25]),
    ('D3', 'train'): (3897, [919, 1121, 450, 367, 808, 110, 53, 69]),
    ('D3', 'test'): (974, [241, 280, 102, 71, 245, 29, 1, 5]),
}


def _build(ann_root, domains, split, **kwargs):
    return EpicKitchensMMDataset(ann_root=ann_root, domains=domains,
                                 split=split, pipeline=[], **kwargs)


@pytest.mark.parametrize('domain,split', sorted(EXPECTED))
def test_real_pickles_rows_and_classes(real_root, domain, split):
    ds = _build(osp.join(real_root, 'mm_sada_epic'), [domain], split)
    rows, hist = EXPECTED[(domain, split)]
    assert len(ds) == rows
    labels = collections.Counter(
        ds.get_data_info(i)['label'] for i in range(len(ds)))
    assert [labels[c] for c in range(8)] == hist
    assert set(ds.get_domain_labels()) == {domain}


def test_real_sample_fields_follow_simmmdg_indexing(real_root):
    ann_root = osp.join(real_root, 'mm_sada_epic')
    ds = _build(ann_root, ['D1', 'D2'], 'train', data_root='/epic')
    assert ds.get_domain_labels() == ['D1'] * 1543 + ['D2'] * 2495
    row = pd.read_pickle(osp.join(ann_root, 'D1_train.pkl')).iloc[0]
    info = ds.get_data_info(0)
    assert info['label'] == row.verb_class == 2
    assert info['frame_dir'] == '/epic/rgb/train/D1/P08_01'
    assert info['start_index'] == 245 and info['total_frames'] == 105
    assert info['flow_frame_dir'] == '/epic/flow/train/D1/P08_01'
    assert info['flow_start_index'] == 123  # ceil(245 / 2)
    assert info['flow_total_frames'] == 52  # (350 - 245) // 2
    assert info['audio_path'] == '/epic/rgb/train/D1/P08_01.wav'
    assert info['audio_start'] == pytest.approx(4.09)
    assert info['audio_stop'] == pytest.approx(5.84)
    assert info['modalities'] == ('imgs', 'flow_imgs', 'audios')


def test_modality_subset_and_templates(real_root):
    ds = _build(osp.join(real_root, 'mm_sada_epic'), ['D3'], 'test',
                modalities=['audios', 'imgs'],
                rgb_dir_tmpl='frames/{participant_id}/{video_id}',
                audio_tmpl='audio/{video_id}.wav')
    info = ds.get_data_info(0)
    assert info['modalities'] == ('imgs', 'audios')
    assert 'flow_frame_dir' not in info
    assert info['frame_dir'] == 'frames/P22/P22_01'


def _write_pickle(path, **overrides):
    frame = pd.DataFrame(dict(
        uid=[1, 2], participant_id=['P08', 'P08'], video_id=['P08_01'] * 2,
        start_timestamp=['00:00:01.00', '00:00:03.00'],
        stop_timestamp=['00:00:02.00', '00:00:04.00'],
        start_frame=[61, 181], stop_frame=[121, 241], verb_class=[0, 1]))
    for key, value in overrides.items():
        if value is None:
            frame = frame.drop(columns=key)
        else:
            frame[key] = value
    frame.to_pickle(path)


def test_missing_pickle_names_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='D2_train.pkl'):
        _build(str(tmp_path), ['D2'], 'train')


def test_pickle_without_column_names_it(tmp_path):
    _write_pickle(tmp_path / 'D1_train.pkl', verb_class=None)
    with pytest.raises(KeyError, match=r"D1_train.pkl.*\['verb_class'\]"):
        _build(str(tmp_path), ['D1'], 'train')
    # Without audio the timestamps are not needed.
    _write_pickle(tmp_path / 'D1_test.pkl', start_timestamp=None)
    with pytest.raises(KeyError, match='start_timestamp'):
        _build(str(tmp_path), ['D1'], 'test')
    assert len(_build(str(tmp_path), ['D1'], 'test',
                      modalities=['imgs', 'flow_imgs'])) == 2


def test_label_outside_num_classes(tmp_path):
    _write_pickle(tmp_path / 'D1_train.pkl', verb_class=[0, 8])
    with pytest.raises(ValueError, match=r'D1_train.pkl.*row 1.*verb_class.*'
                       r'num_classes=8'):
        _build(str(tmp_path), ['D1'], 'train')


def test_bad_frames_and_timestamps(tmp_path):
    _write_pickle(tmp_path / 'D1_train.pkl', stop_frame=[121, 100])
    with pytest.raises(ValueError, match='row 1.*start_frame < stop_frame'):
        _build(str(tmp_path), ['D1'], 'train')
    _write_pickle(tmp_path / 'D1_test.pkl', stop_timestamp=['0:02', '0:04'])
    with pytest.raises(ValueError, match='row 0.*HH:MM:SS'):
        _build(str(tmp_path), ['D1'], 'test')


@pytest.mark.parametrize('domains', [['D4'], ['P08'], []])
def test_unknown_domain(tmp_path, domains):
    with pytest.raises(ValueError, match=r"expected .*\['D1', 'D2', 'D3'\]"):
        _build(str(tmp_path), domains, 'train')


def test_unknown_split_and_modality(tmp_path):
    with pytest.raises(ValueError, match='split'):
        _build(str(tmp_path), ['D1'], 'val')
    with pytest.raises(ValueError, match='modalities'):
        _build(str(tmp_path), ['D1'], 'train', modalities=['rgb'])


def _tiny_tree(root):
    """Two D1 segments; the frames of the second one are missing."""
    _write_pickle(root / 'D1_train.pkl')
    frame_dir = root / 'rgb' / 'train' / 'D1' / 'P08_01'
    frame_dir.mkdir(parents=True)
    import cv2
    img = np.full((8, 8, 3), 100, np.uint8)
    for i in range(61, 121):
        cv2.imwrite(str(frame_dir / f'frame_{i:010d}.jpg'), img)


def _pipeline():
    return [
        dict(type='SampleMultiModalFrames', clip_len=dict(imgs=2),
             frame_interval=dict(imgs=2)),
        dict(type='MultiModalRawFrameDecode'),
        dict(type='MultiModalFormatShape'),
        dict(type='PackActionInputs', collect_keys=('imgs', ),
             algorithm_keys=('domain', )),
    ]


def test_missing_frame_raises_naming_file(tmp_path):
    _tiny_tree(tmp_path)
    ds = EpicKitchensMMDataset(ann_root=str(tmp_path), domains=['D1'],
                               split='train', data_root=str(tmp_path),
                               modalities=['imgs'], pipeline=_pipeline())
    assert ds[0]['inputs']['imgs'].shape == (1, 3, 2, 8, 8)
    with pytest.raises(MediaReadError, match=r"P08_01/frame_\d{10}\.jpg' "
                       'does not exist'):
        ds[1]


def test_skip_policy_logs_and_never_in_test_mode(tmp_path, capfd):
    _tiny_tree(tmp_path)
    kwargs = dict(ann_root=str(tmp_path), domains=['D1'], split='train',
                  data_root=str(tmp_path), modalities=['imgs'],
                  pipeline=_pipeline(), skip_unreadable=True)
    ds = EpicKitchensMMDataset(**kwargs)
    from mmengine.logging import MMLogger
    MMLogger.get_instance(f'test_skip_policy_{id(ds)}')
    out = ds[1]  # replaced by a readable sample, the first one
    assert out['data_samples'].gt_label.item() == 0
    assert list(ds.skipped_samples) == [1]
    assert 'D1/P08_01/2' in ds.skipped_samples[1]
    assert 'does not exist' in ds.skipped_samples[1]
    logged = capfd.readouterr().out
    assert 'skipped unreadable sample 1 (D1/P08_01/2)' in logged
    assert '1 distinct sample(s) skipped so far' in logged
    ds_test = EpicKitchensMMDataset(test_mode=True, **kwargs)
    with pytest.raises(MediaReadError):
        ds_test[1]


def test_skip_policy_lets_programming_errors_through(tmp_path):
    _tiny_tree(tmp_path)
    pipeline = _pipeline()
    pipeline[0]['clip_len'] = dict(flow_imgs=2)  # no RGB clip length
    ds = EpicKitchensMMDataset(ann_root=str(tmp_path), domains=['D1'],
                               split='train', data_root=str(tmp_path),
                               modalities=['imgs'], pipeline=pipeline,
                               skip_unreadable=True)
    with pytest.raises(KeyError, match='clip_len'):
        ds[0]


def test_malicious_annotation_pickle_is_refused_at_build(tmp_path):
    """A downloaded D1_train.pkl cannot run code when the dataset is built."""
    import os
    import pickle

    from mmaction_merdg.compat.annotation_pickle import RefusedPickleGlobal
    marker = tmp_path / 'pwned'

    class Evil:

        def __reduce__(self):
            return (os.system, (f'touch {marker}', ))

    with open(tmp_path / 'D1_train.pkl', 'wb') as f:
        pickle.dump(Evil(), f)
    with pytest.raises(RefusedPickleGlobal, match=r'D1_train\.pkl.*system'):
        _build(str(tmp_path), ['D1'], 'train')
    assert not marker.exists()


def test_empty_requested_domain_raises_naming_domain_split_file(tmp_path):
    _write_pickle(tmp_path / 'D1_train.pkl')
    pd.DataFrame(columns=pd.read_pickle(tmp_path / 'D1_train.pkl').columns
                 ).to_pickle(tmp_path / 'D2_train.pkl')
    with pytest.raises(ValueError, match=r"domain 'D2' has no rows in split "
                       r"'train' \(annotation file .*D2_train.pkl"):
        _build(str(tmp_path), ['D1', 'D2'], 'train')
    # The documented opt-in keeps D1 alone.
    ds = _build(str(tmp_path), ['D1', 'D2'], 'train',
                allow_empty_domains=True)
    assert ds.get_domain_labels() == ['D1', 'D1']
    # All requested domains empty: a clear error even with the opt-in.
    with pytest.raises(ValueError, match=r"no sample in any requested domain "
                       r"\['D2'\].*D2_train.pkl.*all empty"):
        _build(str(tmp_path), ['D2'], 'train', allow_empty_domains=True)


def test_skip_policy_replaces_within_the_domain_and_counts(tmp_path):
    """40 replacements of a broken D1 sample are all D1 samples."""
    _tiny_tree(tmp_path)  # D1: sample 0 readable, sample 1 not
    _write_pickle(tmp_path / 'D2_train.pkl', video_id=['P01_01'] * 2,
                  participant_id=['P01'] * 2)
    frame_dir = tmp_path / 'rgb' / 'train' / 'D2' / 'P01_01'
    frame_dir.mkdir(parents=True)
    import cv2
    for i in range(61, 242):
        cv2.imwrite(str(frame_dir / f'frame_{i:010d}.jpg'),
                    np.full((8, 8, 3), 100, np.uint8))
    ds = EpicKitchensMMDataset(
        ann_root=str(tmp_path), domains=['D1', 'D2'], split='train',
        data_root=str(tmp_path), modalities=['imgs'], pipeline=_pipeline(),
        skip_unreadable=True)
    np.random.seed(0)
    domains = [ds[1]['data_samples'].domain for _ in range(40)]
    assert domains == ['D1'] * 40
    assert ds.pop_replaced_count() >= 40
    assert ds.pop_replaced_count() == 0


def test_packer_asking_for_a_modality_the_dataset_lacks_fails_at_build(
        tmp_path):
    _tiny_tree(tmp_path)
    pipeline = _pipeline()
    pipeline[-1]['collect_keys'] = ('imgs', 'flow_imgs')
    with pytest.raises(ValueError, match=r"PackActionInputs collects "
                       r"\['flow_imgs'\].*only the modalities \['imgs'\]"):
        EpicKitchensMMDataset(ann_root=str(tmp_path), domains=['D1'],
                              split='train', data_root=str(tmp_path),
                              modalities=['imgs'], pipeline=pipeline)
