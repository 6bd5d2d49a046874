"""An atomic local file backend for checkpoints.

mmengine 0.10.7's ``LocalBackend.put`` opens the target with ``'wb'`` and
writes into it: a run killed inside that write (a SIGKILL, a full disk, a
node lost) leaves a half file under the final name. ``CheckpointHook``
re-saves ``epoch_N.pth`` in place after a new best, so the kill destroys the
complete copy that ``last_checkpoint`` already names.

:class:`AtomicLocalBackend` writes to a temporary file in the same folder,
fsyncs it, renames it over the target (``os.replace`` is atomic on POSIX and
Windows within a file system) and fsyncs the folder. A reader therefore sees
the previous complete file or the new complete file, never a part. It is
registered under the name ``'merdg_atomic_local'`` (no URI prefix, so plain
paths elsewhere keep mmengine's backend); ``AtomicCheckpointHook`` selects it
with ``backend_args=dict(backend='merdg_atomic_local')``.
"""
import os
import os.path as osp
from pathlib import Path
from typing import Union

from mmengine.fileio import register_backend
from mmengine.fileio.backends import LocalBackend

BACKEND_NAME = 'merdg_atomic_local'
# Temporary files: '.<name>.<pid>.tmp' next to the target (hidden, and not
# matching the '*.pth' names that mmengine and users look for).
TMP_SUFFIX = '.tmp'


def temporary_path(filepath: str) -> str:
    """The temporary name used while ``filepath`` is being written."""
    folder, name = osp.split(filepath)
    return osp.join(folder, f'.{name}.{os.getpid()}{TMP_SUFFIX}')


def is_temporary_name(name: str, target_suffix: str = '') -> bool:
    """Whether a file name is one of :func:`temporary_path`'s names."""
    if not (name.startswith('.') and name.endswith(TMP_SUFFIX)):
        return False
    stem, _, pid = name[1:-len(TMP_SUFFIX)].rpartition('.')
    return bool(stem) and pid.isdigit() and stem.endswith(target_suffix)


def fsync_path(path: str) -> None:
    """Flush a file's (or a folder's) data and metadata to the disk."""
    flags = os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0) if osp.isdir(
        path) else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:  # folders cannot be opened on some platforms (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose ``put`` replaces the target atomically.

    Reads, removals and path joins are ``LocalBackend``'s. The bytes are
    written by ``LocalBackend.put`` itself, into the temporary file.
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write ``obj`` to a temporary file, fsync, rename to ``filepath``.

        Args:
            obj (bytes): Data to be written.
            filepath (str or Path): Final path (its folder is created).
        """
        filepath = str(filepath)
        tmp = temporary_path(filepath)
        try:
            super().put(obj, tmp)
            fsync_path(tmp)
            os.replace(tmp, filepath)
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise
        fsync_path(osp.dirname(osp.abspath(filepath)))

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        """Text version of :meth:`put`."""
        self.put(obj.encode(encoding), filepath)


register_backend(BACKEND_NAME, AtomicLocalBackend, force=True)


def atomic_write_text(path: str, text: str) -> None:
    """Write a small text file (``last_checkpoint``, a lock) atomically."""
    AtomicLocalBackend().put_text(text, path)
