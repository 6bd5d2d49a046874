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
