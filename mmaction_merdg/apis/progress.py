"""Progress of the analysis commands that run for minutes (robustness, probes).

On a terminal, a ``tqdm`` bar. Redirected to a file (``> log.txt``, a cluster
job's output), tqdm's carriage-return redraws would run together on one line,
so plain lines are printed instead (one per named step; at most about
:data:`MAX_LINES` for a loop over batches),
with the position, the step's name, the elapsed time and an estimate of the
time left, e.g.::

    robustness 3/12 corruption/gaussian_noise/3 (elapsed 00:35, left ~02:20)

Only rank 0 of a distributed run reports.
"""
import sys
import time
from typing import Iterable, Iterator, Optional, Sequence, TypeVar

from tqdm import tqdm

T = TypeVar('T')
#: Lines a loop prints at most (about) when the output is not a terminal.
MAX_LINES = 20


def _is_tty(stream) -> bool:
    isatty = getattr(stream, 'isatty', None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def progress(items: Iterable[T], desc: str, names: Optional[Sequence[str]] = None,
             total: Optional[int] = None, stream=None) -> Iterator[T]:
    """Yield ``items``, reporting each step on ``stream``.

    Args:
        items (Iterable): The steps; consumed lazily (a dataloader is fine).
        desc (str): What runs, e.g. ``'robustness'``.
        names (Sequence[str], optional): A label per item (e.g. the condition
            evaluated). Defaults to none.
        total (int, optional): Number of items. Defaults to ``len(items)``.
        stream (file, optional): Defaults to ``sys.stderr``.

    Yields:
        Each item, after reporting it as started.
    """
    from mmengine.dist import get_rank
    total = len(items) if total is None else int(total)
    names = list(names) if names is not None else None
    stream = sys.stderr if stream is None else stream
    if get_rank() != 0:
        yield from items
        return
    if _is_tty(stream):
        bar = tqdm(total=total, desc=desc, file=stream, dynamic_ncols=True)
        try:
            for i, item in enumerate(items):
                if names is not None and i < len(names):
                    bar.set_postfix_str(names[i], refresh=True)
                yield item
                bar.update(1)
        finally:
            bar.close()
        return
    # Named steps (conditions, minutes each) get a line each; anonymous ones
    # (batches) at most about MAX_LINES.
    every = 1 if names is not None else max(1, -(-total // MAX_LINES))
    start = time.monotonic()
    for i, item in enumerate(items):
        if i % every == 0 or i == total - 1:
            elapsed = time.monotonic() - start
            left = (f', left ~{tqdm.format_interval(elapsed / i * (total - i))}' if i else '')
            name = f' {names[i]}' if names is not None and i < len(names) else ''
            print(f'{desc} {i + 1}/{total}{name} (elapsed '
                  f'{tqdm.format_interval(elapsed)}{left})', file=stream, flush=True)
        yield item
    print(f'{desc} done: {total} steps in {tqdm.format_interval(time.monotonic() - start)}',
          file=stream, flush=True)


class _LineCounter:
    """What :func:`counter` gives off a terminal: a line per ~1/MAX_LINES of the total."""

    def __init__(self, total: int, initial: int, desc: str, unit: str, stream):
        self.total, self.n, self.desc, self.unit, self.stream = total, initial, desc, unit, stream
        self.every = max(1, -(-total // MAX_LINES))
        self.start, self.postfix, self._printed = time.monotonic(), '', None

    def _line(self) -> None:
        if self._printed == (self.n, self.postfix):
            return
        self._printed = (self.n, self.postfix)
        elapsed = time.monotonic() - self.start
        print(f'{self.desc} {self.n}/{self.total} {self.unit}s {self.postfix}(elapsed '
              f'{tqdm.format_interval(elapsed)})', file=self.stream, flush=True)

    def update(self, n: int = 1) -> None:
        before, self.n = self.n, self.n + n
        if before // self.every != self.n // self.every or self.n == self.total:
            self._line()

    def set_postfix(self, refresh: bool = True, **values) -> None:
        self.postfix = ''.join(f'{k}={v} ' for k, v in values.items())

    def close(self) -> None:
        self._line()


def counter(total: int, desc: str, initial: int = 0, unit: str = 'step', enabled: bool = True,
            stream=None):
    """A progress counter (``update``, ``set_postfix``, ``close``) for steps that finish
    out of order (sweep cells): a tqdm bar on a terminal, else at most about
    :data:`MAX_LINES` plain lines and a last one at ``close``.

    Args:
        total (int): Number of steps.
        desc (str): What runs, e.g. ``'cells'``.
        initial (int): Steps already done. Defaults to 0.
        unit (str): Name of a step. Defaults to ``'step'``.
        enabled (bool): False prints nothing. Defaults to True.
        stream (file, optional): Defaults to ``sys.stderr``.
    """
    stream = sys.stderr if stream is None else stream
    if not enabled or _is_tty(stream):
        return tqdm(total=total, initial=initial, unit=unit, desc=desc, disable=not enabled,
                    file=stream, dynamic_ncols=True)
    return _LineCounter(total, initial, desc, unit, stream)


__all__ = ['progress', 'counter', 'MAX_LINES']
