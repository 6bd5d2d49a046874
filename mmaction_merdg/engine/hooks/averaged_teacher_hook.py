"""mmengine's averaged-model hook, handing the averaged model to a teacher-based method."""
from mmengine.hooks import EMAHook

from mmaction.registry import HOOKS

from ...models.regularizers.base_regularizer import BaseRegularizer


@HOOKS.register_module()
class AveragedTeacherHook(EMAHook):
    """``EMAHook`` whose averaged model is the teacher of a regularizer.

    Defaults to a simple moving average (``StochasticWeightAverage``: after
    ``k`` updates every averaged weight is the mean of the student's weights
    over those ``k`` steps) started at iteration 400, CMRF's teacher. All of
    ``EMAHook``'s behaviour is kept: the averaged weights are used for
    validation and test and saved in checkpoints (``ema_state_dict``). After
    building the averaged model it calls ``set_teacher(averaged_model,
    averaged_copy_of_the_regularizer)`` on every regularizer with
    ``uses_teacher = True`` (e.g. ``CMRFRegularizer``).

    Args:
        ema_type (str): Averaged-model type in mmengine's ``MODELS``.
            Defaults to ``'StochasticWeightAverage'``.
        begin_iter (int): First iteration averaged. Defaults to 400.
        **kwargs: Other ``EMAHook`` arguments (``strict_load``,
            ``begin_epoch``, ``interval``, ``update_buffers``...).
    """

    def __init__(self, ema_type: str = 'StochasticWeightAverage', begin_iter: int = 400,
                 **kwargs) -> None:
        super().__init__(ema_type=ema_type, begin_iter=begin_iter, **kwargs)

    def before_run(self, runner) -> None:
        super().before_run(runner)
        students = [(name, mod) for name, mod in self.src_model.named_modules()
                    if isinstance(mod, BaseRegularizer) and mod.uses_teacher]
        if not students:
            raise ValueError('AveragedTeacherHook: the model has no regularizer that '
                             'uses a teacher (uses_teacher=True); drop the hook or use '
                             "mmengine's EMAHook.")
        for name, mod in students:
            mod.set_teacher(self.ema_model, self.ema_model.module.get_submodule(name))
