"""tools/data/{epic_kitchens,hac}: audio extraction and tree checks."""
import importlib.util
import os
import os.path as osp

import numpy as np
import pytest
import soundfile as sf

from mmaction_merdg.datasets.writers import (write_synthetic_epic_tree,
                                             write_synthetic_hac_tree)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(*parts):
    path = osp.join(REPO, 'tools', 'data', *parts)
    spec = importlib.util.spec_from_file_location(
        'tool_' + '_'.join(parts).replace('.py', ''), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def epic_tree(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('epic'))
    write_synthetic_epic_tree(root, samples_per_domain=2)
    return root


def test_epic_check_tree_passes_then_lists_what_is_missing(
        epic_tree, tmp_path, capsys):
    check = load_tool('epic_kitchens', 'check_tree.py')
    assert check.main([epic_tree]) == 0
    assert 'checked 12 samples: 12 complete' in capsys.readouterr().out
    # Remove one RGB frame, one flow v frame, one wav.
    frame = osp.join(epic_tree, 'rgb', 'train', 'D1', 'P08_01',
                     'frame_0000000003.jpg')
    flow = osp.join(epic_tree, 'flow', 'test', 'D2', 'P01_09', 'v',
                    'frame_0000000001.jpg')
    wav = osp.join(epic_tree, 'rgb', 'test', 'D3', 'P22_09.wav')
    for path in (frame, flow, wav):
        os.rename(path, path + '.bak')
    try:
        out_file = str(tmp_path / 'missing.tsv')
        assert check.main([epic_tree, '--output', out_file]) == 1
        lines = open(out_file).read().splitlines()
        assert f'D1/P08_01/1\t{frame}\tmissing frame' in lines
        assert f'D2/P01_09/7\t{flow}\tmissing frame' in lines
        assert sum(wav in line and 'missing wav' in line
                   for line in lines) == 2  # both D3 test segments
        assert len(lines) == 4
        # Without audio and flow only the frame is missing.
        assert check.main([epic_tree, '--modalities', 'imgs', '--output',
                           out_file]) == 1
        assert open(out_file).read().splitlines() == [
            f'D1/P08_01/1\t{frame}\tmissing frame']
    finally:
        for path in (frame, flow, wav):
            os.rename(path + '.bak', path)


def test_epic_extract_audio_from_videos(real_fixtures, tmp_path, epic_tree):
    extract = load_tool('epic_kitchens', 'extract_audio.py')
    video = osp.join(real_fixtures, 'media', 'bigbuckbunny.mp4')  # AAC 48k 6ch
    out = str(tmp_path / 'epic')
    rc = extract.main([out, '--ann-root', osp.join(
        epic_tree, 'MM-SADA_Domain_Adaptation_Splits'), '--domains', 'D1',
        '--video-tmpl', video])
    assert rc == 0
    for split, video_id in (('train', 'P08_01'), ('test', 'P08_09')):
        info = sf.info(osp.join(out, 'rgb', split, 'D1', f'{video_id}.wav'))
        assert (info.samplerate, info.channels, info.subtype) == \
            (16000, 1, 'PCM_16')
        assert info.frames == 84992  # as ffmpeg -ac 1 -ar 16000 gives
    rc = extract.main([out, '--ann-root', osp.join(
        epic_tree, 'MM-SADA_Domain_Adaptation_Splits'), '--domains', 'D2',
        '--video-tmpl', str(tmp_path / 'none_{video_id}.mp4')])
    assert rc == 1


def test_hac_tools_on_written_tree(real_fixtures, tmp_path, capsys):
    root = str(tmp_path / 'hac')
    write_synthetic_hac_tree(root, samples_per_domain=2)
    check = load_tool('hac', 'check_tree.py')
    assert check.main([root]) == 0
    assert check.main([root, '--decode']) == 0
    # A video cut to its first 2 kB exists (passes the plain check) but does
    # not decode.
    lists = open(osp.join(root, 'HAC_Splits',
                          'HAC_train_only_animal.csv')).read().split('\r\n')
    cut = osp.join(root, 'animal', 'videos', lists[0].split(',')[0])
    whole = open(cut, 'rb').read()
    open(cut, 'wb').write(whole[:2048])
    assert check.main([root]) == 0
    out_file = str(tmp_path / 'decode.tsv')
    assert check.main([root, '--decode', '--output', out_file]) == 1
    lines = open(out_file).read().splitlines()
    assert len(lines) == 1 and f'{cut}\tunreadable video' in lines[0]
    open(cut, 'wb').write(whole)
    # Replace one human video by test.avi (which has an audio track) and
    # extract its audio: it matches test.wav, test.avi's own track.
    lists = open(osp.join(root, 'HAC_Splits',
                          'HAC_train_only_human.csv')).read().split('\r\n')
    name = lists[0].split(',')[0]
    stem = name[:-4]
    video = osp.join(root, 'human', 'videos', name)
    import shutil
    shutil.copy(osp.join(real_fixtures, 'mmaction2_testdata', 'test.avi'), video)
    wav = osp.join(root, 'human', 'audio', f'{stem}.wav')
    os.remove(wav)
    os.remove(osp.join(root, 'human', 'flow', f'{stem}_flow_x.mp4'))
    out_file = str(tmp_path / 'missing.tsv')
    assert check.main([root, '--output', out_file]) == 1
    reasons = sorted(line.split('\t')[2]
                     for line in open(out_file).read().splitlines())
    assert reasons == ['missing video', 'missing wav']
    extract = load_tool('hac', 'extract_audio.py')
    # Only the missing wav is extracted; existing ones are kept.
    assert extract.main([root, '--domains', 'human']) == 0
    assert 'written 1, already present 3, failed 0' in \
        capsys.readouterr().out
    got, _ = sf.read(wav)
    ref, _ = sf.read(osp.join(real_fixtures, 'mmaction2_testdata', 'test.wav'))
    assert len(got) == len(ref) == 104908
    assert np.corrcoef(got, ref.mean(1))[0, 1] > 0.999
    # Re-extracting everything: the synthetic videos have no audio track,
    # which is reported, with status 1.
    assert extract.main([root, '--domains', 'human', '--overwrite']) == 1
    assert 'has no audio stream' in capsys.readouterr().err


def test_epic_check_tree_tests_window_ends_and_decodes_on_request(
        epic_tree, tmp_path):
    """A wav ending inside a segment and a half JPEG are both reported."""
    check = load_tool('epic_kitchens', 'check_tree.py')
    frame = osp.join(epic_tree, 'rgb', 'train', 'D1', 'P08_01',
                     'frame_0000000003.jpg')
    wav = osp.join(epic_tree, 'rgb', 'test', 'D3', 'P22_09.wav')
    frame_bytes = open(frame, 'rb').read()
    wave, sr = sf.read(wav, dtype='int16')
    try:
        open(frame, 'wb').write(frame_bytes[:len(frame_bytes) // 2])
        # Segment 11 is [0.00, 0.13) s, segment 12 [0.13, 0.27) s: cut the
        # wav at 0.18 s, inside segment 12 (its start is still in the file).
        sf.write(wav, wave[:int(0.18 * sr)], sr, subtype='PCM_16')
        out_file = str(tmp_path / 'problems.tsv')
        assert check.main([epic_tree, '--output', out_file]) == 1
        lines = open(out_file).read().splitlines()
        assert lines == [f'D3/P22_09/12\t{wav}\twav too short: 0.18 s, the '
                         'segment is [0.13, 0.27) s']
        assert check.main([epic_tree, '--decode', '--output', out_file]) == 1
        lines = open(out_file).read().splitlines()
        assert len(lines) == 2
        assert lines[0].startswith(f'D1/P08_01/1\t{frame}\tunreadable frame:')
        assert 'truncated JPEG' in lines[0]
    finally:
        open(frame, 'wb').write(frame_bytes)
        sf.write(wav, wave, sr, subtype='PCM_16')
    assert check.main([epic_tree, '--decode']) == 0
