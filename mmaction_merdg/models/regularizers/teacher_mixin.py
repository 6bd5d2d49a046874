"""The averaged-teacher plumbing shared by teacher-based regularizers (CMRF, MBCD)."""
import contextlib
from typing import Iterator, List

import torch
from torch import nn


class TeacherMixin:
    """Holds the averaged teacher that ``AveragedTeacherHook`` attaches.

    A regularizer class that mixes this in (before :class:`BaseRegularizer`)
    and calls :meth:`init_teacher` in its ``__init__`` gets:

    * ``uses_teacher = True`` (the hook looks for it);
    * :meth:`set_teacher`, called by the hook with mmengine's averaged model
      (``.module`` = the averaged recognizer, ``.steps`` = number of averaging
      updates) and this regularizer's copy inside it;
    * :attr:`teacher_active`: the average has taken at least one update;
    * :meth:`teacher_mode`: a context in which the averaged recognizer is in
      eval mode (BatchNorm running statistics, no dropout) and no gradient is
      recorded, as the official CMRF and MBCD code query their averaged
      copies (``.eval()`` before the forward); the previous mode is restored;
    * :meth:`check_teacher`: the error raised in training when no hook
      attached a teacher and ``require_teacher`` is True.

    The teacher is kept in a plain list, so it is neither a submodule nor
    saved twice in checkpoints (the hook saves it as ``ema_state_dict``).
    """

    uses_teacher = True
    #: The hook configuration the error message of :meth:`check_teacher` shows.
    teacher_hook_hint = "custom_hooks=[dict(type='AveragedTeacherHook')]"

    def init_teacher(self, require_teacher: bool) -> None:
        """Set up the empty teacher slot (call in ``__init__``)."""
        self.require_teacher = bool(require_teacher)
        self._teacher: List[nn.Module] = []

    def set_teacher(self, averaged_model: nn.Module, teacher_self: nn.Module) -> None:
        """Attach mmengine's averaged model and this module's copy inside it."""
        self._teacher = [averaged_model, teacher_self]

    @property
    def teacher_active(self) -> bool:
        """Whether a teacher is attached and its average has started."""
        return bool(self._teacher) and int(self._teacher[0].steps) > 0

    @property
    def teacher_model(self) -> nn.Module:
        """The averaged recognizer."""
        return self._teacher[0].module

    @property
    def teacher_self(self) -> nn.Module:
        """This regularizer's averaged copy (inside :attr:`teacher_model`)."""
        return self._teacher[1]

    @contextlib.contextmanager
    def teacher_mode(self) -> Iterator[nn.Module]:
        """The averaged recognizer in eval mode under ``torch.no_grad()``."""
        teacher = self.teacher_model
        was_training = teacher.training
        teacher.train(False)
        try:
            with torch.no_grad():
                yield teacher
        finally:
            teacher.train(was_training)

    def check_teacher(self) -> None:
        """Raise in training when the teacher is required but not attached."""
        if self.training and self.require_teacher and not self._teacher:
            raise RuntimeError(
                f'{type(self).__name__} needs its averaged teacher: add '
                f'{self.teacher_hook_hint} to the config (its configs/_base_/methods/ '
                'fragment does), or build it with require_teacher=False to train '
                'without the distillation terms.')
