"""``CheckpointHook`` whose files are always complete.

mmengine 0.10.7's ``CheckpointHook`` has three windows in which a killed run
loses its checkpoints (measured with a SIGKILL inside ``LocalBackend.put``):

* files are written in place, and ``epoch_N.pth`` is re-saved after a new
  best: a kill in the re-save corrupts the copy ``last_checkpoint`` names;
* the previous best is deleted *before* the new best is written: a kill in
  that write leaves no best checkpoint, a pointer to a missing file and a
  half file;
* with ``max_keep_ckpts``, the oldest checkpoint is deleted before the new
  one is written (with ``max_keep_ckpts=1`` a kill leaves nothing).

:class:`AtomicCheckpointHook` keeps mmengine's logic (names, intervals,
``save_best``, ``max_keep_ckpts``, the MessageHub entries) and changes only
how files are written and removed:

* writes go through :class:`~mmaction_merdg.compat.atomic_local_backend.
  AtomicLocalBackend` (temporary file in the same folder, fsync, rename), for
  local ``out_dir`` s and unless ``backend_args``/``file_client_args`` name
  another backend;
* removals asked for while a checkpoint is being saved are carried out after
  the save returned, and never remove a file that is still the last or the
  best checkpoint; ``last_checkpoint`` is rewritten atomically after that;
* temporary files left by a killed run are removed at ``before_train``, with
  a warning naming them.

Also, every ``Runner.save_checkpoint`` stores ``cfg.pretty_text``, which
mmengine re-formats with yapf at each call (about 1 s for the shipped
configs, most of a tiny run's time); the hook makes the runner's config
format it once per run (:mod:`mmaction_merdg.compat.config_text`).
"""
import os
import os.path as osp
from typing import List, Optional, Tuple

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log

from mmaction.registry import HOOKS
from mmaction_merdg.compat.atomic_local_backend import (BACKEND_NAME,
                                                        atomic_write_text,
                                                        is_temporary_name)
from mmaction_merdg.compat.config_text import format_config_text_once


class _DeferredRemovals:
    """A file backend whose ``remove``/``rmtree`` are recorded, not run."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.pending: List[Tuple[str, str]] = []

    def remove(self, path) -> None:
        self.pending.append(('remove', str(path)))

    def rmtree(self, path) -> None:
        self.pending.append(('rmtree', str(path)))

    def __getattr__(self, name):
        return getattr(self._backend, name)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` with atomic writes and safe removals.

    Takes every argument of ``mmengine.hooks.CheckpointHook``. Used by
    ``configs/_base_/default_runtime.py`` (``default_hooks.checkpoint``).

    Args:
        backend_args (dict, optional): As in ``CheckpointHook``. None (the
            default) selects the atomic local backend when ``out_dir`` is a
            local path.
        **kwargs: The other arguments of ``CheckpointHook``.
    """

    def __init__(self, *args, backend_args: Optional[dict] = None,
                 **kwargs) -> None:
        out_dir = kwargs.get('out_dir', args[4] if len(args) > 4 else None)
        local = out_dir is None or '://' not in str(out_dir)
        if (backend_args is None and kwargs.get('file_client_args') is None
                and local):
            backend_args = dict(backend=BACKEND_NAME)
        super().__init__(*args, backend_args=backend_args, **kwargs)
        self._deferred: Optional[_DeferredRemovals] = None

    @property
    def atomic(self) -> bool:
        """Whether files are written by the atomic local backend."""
        return (self.backend_args or {}).get('backend') == BACKEND_NAME

    def before_train(self, runner) -> None:
        super().before_train(runner)
        format_config_text_once(runner.cfg)
        if self.atomic and is_main_process():
            self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        folder = self.out_dir
        if not osp.isdir(folder):
            return
        stale = sorted(n for n in os.listdir(folder)
                       if is_temporary_name(n, '.pth'))
        for name in stale:
            os.remove(osp.join(folder, name))
        if stale:
            print_log(
                f'AtomicCheckpointHook: removed {len(stale)} incomplete '
                f'checkpoint write(s) of a killed run in {folder}: '
                f'{", ".join(stale)} (the complete files were kept).',
                logger='current', level=30)

    def _with_deferred_removals(self, save, runner, *args) -> None:
        if self._deferred is not None:  # nested: the outer call flushes
            save(runner, *args)
            return
        self._deferred = _DeferredRemovals(self.file_backend)
        self.file_backend = self._deferred
        try:
            save(runner, *args)
            pending = self._deferred.pending
        finally:
            self.file_backend = self._deferred._backend
            self._deferred = None
        live = {osp.abspath(p) for p in self._live_paths()}
        for action, path in pending:
            if osp.abspath(path) in live or not osp.exists(path):
                continue
            if action == 'remove':
                self.file_backend.remove(path)
            else:
                self.file_backend.rmtree(path)
        if self.last_ckpt is not None and is_main_process():
            # mmengine wrote it with open('w'): a kill there empties it.
            atomic_write_text(osp.join(runner.work_dir, 'last_checkpoint'),
                              str(self.last_ckpt))

    def _live_paths(self) -> List[str]:
        paths = [self.last_ckpt, getattr(self, 'best_ckpt_path', None)]
        paths += list(getattr(self, 'best_ckpt_path_dict', {}).values())
        return [str(p) for p in paths if p]

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        self._with_deferred_removals(super()._save_checkpoint_with_step,
                                     runner, step, meta)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        self._with_deferred_removals(super()._save_best_checkpoint, runner,
                                     metrics)
