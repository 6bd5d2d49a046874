import collections
import os.path as osp

import pytest

from mmaction_merdg.datasets import HACMMDataset

# FORMATS.md: rows and label histogram of the HAC lists.
EXPECTED = {
    ('human', 'train'): (1111, [159, 158, 160, 158, 158, 158, 160]),
    ('human', 'test'): (276, [39, 40, 39, 40, 40, 38, 40]),
    ('animal', 'train'): (730, [103, 117, 123, 112, 109, 93, 73]),
    ('animal', 'test'): (176, [36, 26, 25, 21, 24, 27, 17]),
    ('cartoon', 'train'): (870, [83, 93, 135, 104, 121, 163, 171]),
    ('cartoon', 'test'): (218, [23, 28, 28, 22, 27, 51, 39]),
}


def _build(ann_root, domains, split, **kwargs):
    return HACMMDataset(ann_root=ann_root, domains=domains, split=split,
                        pipeline=[], **kwargs)


def _names(ds):
    return [ds.get_data_info(i)['video_name'] for i in range(len(ds))]


@pytest.mark.parametrize('domain,split', sorted(EXPECTED))
def test_real_lists_rows_and_labels(real_root, domain, split):
    ds = _build(osp.join(real_root, 'simmmdg_hac'), [domain], split)
    rows, hist = EXPECTED[(domain, split)]
    assert len(ds) == rows
    labels = collections.Counter(
        ds.get_data_info(i)['label'] for i in range(len(ds)))
    assert [labels[c] for c in range(7)] == hist
    assert all(not n.endswith(('\r', '\n')) for n in _names(ds))


def test_real_name_with_space_is_kept(real_root):
    ds = _build(osp.join(real_root, 'simmmdg_hac'), ['cartoon'], 'train',
                data_root='/hac')
    spaced = [i for i, n in enumerate(_names(ds)) if ' ' in n]
    assert [_names(ds)[i] for i in spaced] == ['drinking_54 .mp4']
    info = ds.get_data_info(spaced[0])
    assert info['label'] == 3
    assert info['filename'] == '/hac/cartoon/videos/drinking_54 .mp4'
    assert info['flow_x_filename'] == '/hac/cartoon/flow/drinking_54 _flow_x.mp4'
    assert info['flow_y_filename'] == '/hac/cartoon/flow/drinking_54 _flow_y.mp4'
    assert info['audio_path'] == '/hac/cartoon/audio/drinking_54 .wav'
    assert info['fps'] == 24.0


def test_real_human_train_test_overlap_and_target_protocol(real_root):
    root = osp.join(real_root, 'simmmdg_hac')
    train = _build(root, ['human'], 'train')
    test = _build(root, ['human'], 'test')
    pairs_train = {(train.get_data_info(i)['video_name'],
                    train.get_data_info(i)['label'])
                   for i in range(len(train))}
    pairs_test = {(test.get_data_info(i)['video_name'],
                   test.get_data_info(i)['label']) for i in range(len(test))}
    both = set(_names(train)) & set(_names(test))
    assert len(both) == 24
    # Same label each time: the overlapping (name, label) pairs are 24 too.
    assert len(pairs_train & pairs_test) == 24
    target = _build(root, ['human'], ('train', 'test'))
    assert len(target) == 1111 + 276
    for domain in ('animal', 'cartoon'):
        assert not set(_names(_build(root, [domain], 'train'))) & set(
            _names(_build(root, [domain], 'test')))
    sources = _build(root, ['animal', 'cartoon'], 'train')
    assert sources.get_domain_labels() == ['animal'] * 730 + ['cartoon'] * 870


def _write_list(path, rows, newline='\r\n'):
    with open(path, 'w', newline='') as f:
        f.write(''.join(r + newline for r in rows))


@pytest.mark.parametrize('row,match', [
    ('a.mp4,1,2', 'expected 2 fields'),
    ('a.mp4', 'expected 2 fields'),
    ('a.mp4,one', "label 'one' is not an integer"),
    ('a.mp4,7', r'label 7 is not an integer in \[0, num_classes=7\)'),
    ('a.mp4,-1', 'num_classes=7'),
])
def test_bad_rows_name_file_and_line(tmp_path, row, match):
    _write_list(tmp_path / 'HAC_train_only_human.csv', ['b.mp4,0', row])
    with pytest.raises(ValueError,
                       match=r'HAC_train_only_human.csv.*line 2.*' + match):
        _build(str(tmp_path), ['human'], 'train')


def test_lf_lists_and_blank_lines_are_read(tmp_path):
    _write_list(tmp_path / 'HAC_test_only_animal.csv',
                ['x y.mp4,0', '', 'z.mp4,6'], newline='\n')
    ds = _build(str(tmp_path), ['animal'], 'test', modalities=['audios'])
    assert _names(ds) == ['x y.mp4', 'z.mp4']
    assert ds.get_data_info(0)['audio_path'] == 'animal/audio/x y.wav'
    assert 'filename' not in ds.get_data_info(0)


def test_missing_list_unknown_domain_and_split(tmp_path):
    with pytest.raises(FileNotFoundError, match='HAC_test_only_cartoon.csv'):
        _build(str(tmp_path), ['cartoon'], 'test')
    with pytest.raises(ValueError, match=r"unknown domain.*'robot'.*"
                       r"\['human', 'animal', 'cartoon'\]"):
        _build(str(tmp_path), ['robot'], 'test')
    with pytest.raises(ValueError, match='split'):
        _build(str(tmp_path), ['human'], 'val')


def test_empty_requested_domain_raises_naming_domain_split_file(tmp_path):
    _write_list(tmp_path / 'HAC_train_only_animal.csv', ['a.mp4,0'])
    _write_list(tmp_path / 'HAC_train_only_cartoon.csv', [])
    with pytest.raises(ValueError, match=r"domain 'cartoon' has no rows in "
                       r"split 'train' \(annotation file .*"
                       r"HAC_train_only_cartoon.csv"):
        _build(str(tmp_path), ['animal', 'cartoon'], 'train')
    ds = _build(str(tmp_path), ['animal', 'cartoon'], 'train',
                allow_empty_domains=True)
    assert ds.get_domain_labels() == ['animal']
    with pytest.raises(ValueError, match='no sample in any requested domain'):
        _build(str(tmp_path), ['cartoon'], 'train', allow_empty_domains=True)


def test_utf8_bom_is_not_part_of_the_first_name(tmp_path):
    path = tmp_path / 'HAC_train_only_human.csv'
    path.write_bytes('\ufeffa b.mp4,0\r\nc.mp4,1\r\n'.encode('utf-8'))
    ds = _build(str(tmp_path), ['human'], 'train', modalities=['audios'])
    assert _names(ds) == ['a b.mp4', 'c.mp4']
