"""The summary and list of missing media that the check_tree tools print and write."""
from mmaction_merdg.datasets.media_check import MissingMedia, summarize_missing, write_missing


def test_summary_counts_samples_and_reasons(tmp_path):
    problems = [MissingMedia('a', '/x/1.jpg', 'missing frame'),
                MissingMedia('a', '/x/2.jpg', 'missing frame'),
                MissingMedia('b', '/y.wav', 'short audio: 1.0 s < 2.0 s')]
    text = summarize_missing(problems, num_samples=5, max_listed=1)
    lines = text.splitlines()
    assert lines[0] == 'checked 5 samples: 3 complete, 2 with missing media (3 problems)'
    assert lines[1].split() == ['2', 'missing', 'frame']
    assert lines[2].split() == ['1', 'short', 'audio']
    assert lines[3:] == ['  a\t/x/1.jpg\tmissing frame']
    write_missing(problems, str(tmp_path / 'list.tsv'))
    rows = (tmp_path / 'list.tsv').read_text().splitlines()
    assert rows[2] == 'b\t/y.wav\tshort audio: 1.0 s < 2.0 s'
    assert summarize_missing([], 4) == 'checked 4 samples: 4 complete, 0 with missing media (0 problems)'


def test_a_fifo_in_place_of_a_frame_or_wav_is_reported(tmp_path):
    """Before: check_tree reported the FIFO as complete (and training hung)."""
    import os

    import numpy as np
    import soundfile as sf

    from mmaction_merdg.datasets.media_check import find_missing_media
    frames = tmp_path / 'P01_01'
    frames.mkdir()
    for i in (1, 2):
        (frames / f'img_{i:010d}.jpg').write_bytes(b'\xff\xd8 data \xff\xd9')
    os.mkfifo(frames / 'img_0000000003.jpg')
    sf.write(tmp_path / 'ok.wav', np.zeros(16000, np.float32), 16000)
    os.mkfifo(tmp_path / 'pipe.wav')

    class Dataset:
        infos = [dict(sample_id='s0', frame_dir=str(frames),
                      filename_tmpl='img_{:010d}.jpg', start_index=1,
                      total_frames=3, audio_path=str(tmp_path / 'ok.wav')),
                 dict(sample_id='s1', audio_path=str(tmp_path / 'pipe.wav'))]

        def __len__(self):
            return len(self.infos)

        def get_data_info(self, i):
            return dict(self.infos[i])

    problems = find_missing_media(Dataset())
    assert [(p.sample_id, os.path.basename(p.path), p.reason)
            for p in problems] == [
        ('s0', 'img_0000000003.jpg', 'a FIFO (named pipe) instead of a file'),
        ('s1', 'pipe.wav', 'a FIFO (named pipe) instead of a file')]
