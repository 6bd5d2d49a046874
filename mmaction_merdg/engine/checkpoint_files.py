"""Which checkpoint files of a work dir are complete, and which to resume.

mmengine's auto-resume (``Runner.resume`` after ``find_latest_checkpoint``)
takes whatever ``last_checkpoint`` names: an empty pointer gives an empty
path, a half-written file a "checkpoint file is corrupted" error, with no
fallback. :func:`resolve_resume_checkpoint` checks the named file and falls
back to the newest complete ``epoch_*.pth`` / ``iter_*.pth``, saying why.
"""
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional, Tuple

from mmengine.logging import print_log

_STEP_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a complete checkpoint, or None when it is.

    A torch checkpoint is a zip archive: every member's CRC is checked
    (reads the file once, unpickles nothing).
    """
    if not osp.exists(path):
        return 'it does not exist'
    if not osp.isfile(path):
        return 'it is not a regular file'
    size = osp.getsize(path)
    if size == 0:
        return 'it is empty (0 bytes)'
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        return (f'it is truncated or corrupt ({size} bytes, not a complete '
                f'torch zip archive: {err})')
    if bad is not None:
        return f'it is corrupt ({size} bytes, member {bad!r} fails its CRC)'
    return None


def step_checkpoints(folder: str) -> List[Tuple[int, str]]:
    """``(step, path)`` of the ``epoch_N.pth``/``iter_N.pth`` files, newest first."""
    if not osp.isdir(folder):
        return []
    found = []
    for name in os.listdir(folder):
        match = _STEP_NAME.match(name)
        if match:
            found.append((int(match.group(2)), osp.join(folder, name)))
    return sorted(found, reverse=True)


def newest_complete_checkpoint(folder: str,
                               exclude: Optional[str] = None) -> Optional[str]:
    """The newest complete ``epoch_N.pth``/``iter_N.pth`` of ``folder``."""
    for _, path in step_checkpoints(folder):
        if exclude is not None and osp.abspath(path) == osp.abspath(exclude):
            continue
        if checkpoint_problem(path) is None:
            return path
    return None


def resolve_resume_checkpoint(work_dir: str,
                              load_from: Optional[str]) -> Optional[str]:
    """The file a ``--resume`` run should resume from.

    Args:
        work_dir (str): The run's work dir (``last_checkpoint``'s folder).
        load_from (str, optional): An explicit ``--resume PATH``; None for
            auto-resume.

    Returns:
        str or None: The checkpoint; None when auto-resume finds nothing
        (mmengine then starts from scratch, as before).

    Raises:
        ValueError: An explicit path is incomplete (the message names the
            newest complete checkpoint next to it), or ``last_checkpoint``
            names an incomplete file and no complete one is left.
    """
    if load_from is not None:
        problem = checkpoint_problem(load_from)
        if problem is None:
            return load_from
        other = newest_complete_checkpoint(osp.dirname(load_from) or '.',
                                           exclude=load_from)
        hint = (f" The newest complete checkpoint next to it is '{other}': "
                f'pass --resume {other}, or --resume without a path to take '
                'it automatically.' if other else
                ' There is no complete checkpoint next to it.')
        raise ValueError(
            f"cannot resume from '{load_from}': {problem}.{hint}")

    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.exists(pointer):
        # No pointer: mmengine 0.10.7 starts from scratch. Keep that, but do
        # not miss complete checkpoints written before a lost pointer.
        return newest_complete_checkpoint(work_dir)
    with open(pointer) as f:
        named = f.read().strip()
    if named:
        problem = checkpoint_problem(named)
        if problem is None:
            return named
        why = f"'{pointer}' names '{named}', but {problem}"
    else:
        why = f"'{pointer}' is empty (the run was killed while writing it)"
    fallback = newest_complete_checkpoint(work_dir, exclude=named or None)
    if fallback is None:
        raise ValueError(f'cannot resume: {why}, and the work dir holds no '
                         'complete epoch_*.pth / iter_*.pth checkpoint.')
    print_log(f'Resume: {why}; resuming from the newest complete checkpoint '
              f"'{fallback}' instead.", logger='current', level=30)
    return fallback
