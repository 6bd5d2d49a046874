"""``--resume`` that checks what it resumes and re-validates a killed epoch.

mmengine 0.10.7's resume takes the file ``last_checkpoint`` names, loads it
non-strictly, and continues the loop after the checkpoint's epoch. Measured
failures: a half-written file stops with "checkpoint file is corrupted", an
empty pointer gives an empty path, a checkpoint of another model (a Fusion
checkpoint for a MER-DG config, another ``num_classes``) fails deep inside
the optimizer's ``load_state_dict``, and a run killed during the validation
of epoch ``e`` (whose ``epoch_e.pth`` was saved before validation) never
validates ``e``, so model selection differs from the uninterrupted run's.

:class:`ResumeGuardHook`:

* ``before_run`` (before ``Runner.load_or_resume``): picks the file with
  :func:`~mmaction_merdg.engine.checkpoint_files.resolve_resume_checkpoint`
  (an incomplete auto-resume target falls back to the newest complete
  checkpoint with a warning; an incomplete explicit ``--resume PATH`` is an
  error naming the newest complete one) and refuses a checkpoint whose
  weights do not fit the model, with the key summary of
  :func:`~mmaction_merdg.apis.checkpoint_check.compare_state_dict`.
* ``after_val_epoch`` (after ``CheckpointHook`` saved the best): writes
  ``<work_dir>/last_validation.json`` (the run's id and the epoch validated),
  atomically.
* ``before_train`` of a resumed run: when the resumed epoch is one the loop
  validates and that file does not show it validated, runs the validation
  first, so the best checkpoint, ``best_score`` and the selected target
  accuracy are those of the uninterrupted run.
"""
import json
import os.path as osp
import uuid
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop

from mmaction.registry import HOOKS
from mmaction_merdg.compat.atomic_local_backend import atomic_write_text
from mmaction_merdg.engine.checkpoint_files import resolve_resume_checkpoint

VALIDATION_RECORD = 'last_validation.json'
_RUN_ID = 'merdg_run_id'


@HOOKS.register_module()
class ResumeGuardHook(Hook):
    """Check the resumed checkpoint; validate an epoch a kill interrupted.

    Enabled for every config by ``configs/_base_/default_runtime.py``
    (``default_hooks.resume_guard``). See the module docstring.

    Args:
        enabled (bool): False turns the hook off. Defaults to True.
        revalidate (bool): Validate the resumed epoch when its validation
            did not complete. Defaults to True.
    """

    # before_run: after WorkDirLockHook (HIGHEST). before_train and
    # after_val_epoch: after CheckpointHook (VERY_LOW), whose state the
    # re-validation needs and whose best checkpoint must exist first.
    priority = 'LOWEST'

    def __init__(self, enabled: bool = True, revalidate: bool = True) -> None:
        self.enabled = enabled
        self.revalidate = revalidate
        self.resumed_from: Optional[str] = None

    # -- which file, and does it fit -------------------------------------
    def before_run(self, runner) -> None:
        if not self.enabled or not getattr(runner, '_resume', False):
            return
        path = resolve_resume_checkpoint(runner.work_dir, runner._load_from)
        if path is None:
            return  # auto-resume without any checkpoint: a fresh start
        self.check_fits(runner.model, path)
        # Runner.load_or_resume() reads it next (mmengine has no public
        # setter); ExactResumeHook reads the same attribute.
        runner._load_from = path
        self.resumed_from = path

    @staticmethod
    def check_fits(model, path: str) -> None:
        """Raise when the weights of ``path`` do not fit ``model``."""
        from mmaction_merdg.apis.checkpoint_check import (
            compare_state_dict, load_state_dict_file)
        mismatch = compare_state_dict(model, load_state_dict_file(path))
        if mismatch:
            raise ValueError(
                f"cannot resume from '{path}': its weights do not fit the "
                f'model of this config '
                f'({type(getattr(model, "module", model)).__name__}):\n'
                f'{mismatch.summary()}\nThe config changed since the '
                'checkpoint was written (another method, regularizer or '
                'num_classes?). Resume with the config that wrote it, or '
                'start a new run with load_from=... to fine-tune from it.')

    # -- validation a kill interrupted -----------------------------------
    def after_val_epoch(self, runner, metrics=None) -> None:
        if not self.enabled or not is_main_process():
            return
        # _train_loop: the train_loop property would build one in Runner.val().
        if not isinstance(getattr(runner, '_train_loop', None),
                          EpochBasedTrainLoop):
            return
        atomic_write_text(
            osp.join(runner.work_dir, VALIDATION_RECORD),
            json.dumps(dict(run_id=self._run_id(runner),
                            epoch=int(runner.epoch))))

    @staticmethod
    def _run_id(runner) -> str:
        hub = runner.message_hub
        if _RUN_ID not in hub.runtime_info:
            hub.update_info(_RUN_ID, uuid.uuid4().hex)
        return hub.get_info(_RUN_ID)

    def _validated_epoch(self, runner) -> int:
        path = osp.join(runner.work_dir, VALIDATION_RECORD)
        try:
            with open(path) as f:
                record = json.load(f)
        except (OSError, ValueError):
            return 0
        if record.get('run_id') != self._run_id(runner):
            return 0
        return int(record.get('epoch', 0))

    def before_train(self, runner) -> None:
        self._run_id(runner)  # a fresh run gets its id before any save
        if (not self.enabled or not self.revalidate
                or self.resumed_from is None):
            return
        loop = runner.train_loop
        if not isinstance(loop, EpochBasedTrainLoop) or runner.val_loop is None:
            return
        epoch = int(loop.epoch)
        due = epoch > 0 and epoch >= loop.val_begin and (
            epoch % loop.val_interval == 0 or epoch == loop.max_epochs)
        if not due or self._validated_epoch(runner) >= epoch:
            return
        print_log(
            f'ResumeGuardHook: the validation of epoch {epoch} did not '
            f"complete before the run stopped; validating '"
            f"{self.resumed_from}' now so that model selection sees it.",
            logger='current', level=30)
        for hook in runner.hooks:  # the re-save of epoch_e.pth after a best
            if hasattr(hook, 'last_ckpt') and getattr(hook, 'last_ckpt',
                                                      None) is None:
                hook.last_ckpt = runner.message_hub.get_info(
                    'last_ckpt', self.resumed_from)
        runner.val_loop.run()
