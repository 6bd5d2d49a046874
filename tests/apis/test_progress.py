"""apis.progress: a tqdm bar on a terminal, plain lines in a file."""
import io


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_writes_plain_lines_to_a_file(tmp_path):
    from mmaction_merdg.apis.progress import progress
    with open(tmp_path / 'log.txt', 'w') as f:
        got = list(progress([1, 2, 3], 'robustness', names=['clean', 'a', 'b'], stream=f))
    text = (tmp_path / 'log.txt').read_text()
    assert got == [1, 2, 3] and '\r' not in text
    lines = text.splitlines()
    assert lines[0].startswith('robustness 1/3 clean (elapsed 00:00)')
    assert lines[2].startswith('robustness 3/3 b (elapsed') and 'left ~' in lines[2]
    assert lines[3].startswith('robustness done: 3 steps in')
    # A loop over 100 batches (no names) prints about MAX_LINES lines, the last one included.
    from mmaction_merdg.apis.progress import MAX_LINES
    with open(tmp_path / 'batches.txt', 'w') as f:
        assert sum(progress(iter(range(100)), 'probe', total=100, stream=f)) == 4950
    lines = (tmp_path / 'batches.txt').read_text().splitlines()
    assert len(lines) <= MAX_LINES + 2 and 'probe 100/100' in lines[-2]


def test_progress_is_a_tqdm_bar_on_a_terminal():
    from mmaction_merdg.apis.progress import progress
    term = Terminal()
    assert list(progress(['a', 'b'], 'robustness', names=['clean', 'x'], stream=term)) == ['a', 'b']
    out = term.getvalue()
    assert '\r' in out and '2/2' in out and 'robustness' in out  # tqdm redraws in place


def test_counter_of_sweep_cells_in_a_log_and_on_a_terminal(tmp_path):
    """Cells finish out of order: update / set_postfix / close, no carriage return in a file."""
    from mmaction_merdg.apis.progress import MAX_LINES, counter
    with open(tmp_path / 'sweep.log', 'w') as f:
        bar = counter(100, 'cells', initial=10, unit='cell', stream=f)
        for done in range(11, 101):
            bar.set_postfix(done=done, running=2, failed=0, refresh=True)
            bar.update(1)
        bar.close()
    text = (tmp_path / 'sweep.log').read_text()
    lines = text.splitlines()
    assert '\r' not in text and len(lines) <= MAX_LINES + 1
    assert lines[-1].startswith('cells 100/100 cells done=100 running=2 failed=0 (elapsed')
    assert len(set(lines)) == len(lines)  # close() does not repeat the last line
    with open(tmp_path / 'off.log', 'w') as f:
        off = counter(3, 'cells', enabled=False, stream=f)
        off.update(3)
        off.close()
    assert (tmp_path / 'off.log').read_text() == ''
    term = Terminal()
    bar = counter(2, 'cells', unit='cell', stream=term)
    bar.update(2)
    bar.close()
    assert '\r' in term.getvalue() and '2/2' in term.getvalue()
