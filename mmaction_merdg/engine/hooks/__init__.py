from .averaged_teacher_hook import AveragedTeacherHook
from .entropy_logger_hook import ModalityEntropyLoggerHook

__all__ = ['AveragedTeacherHook', 'ModalityEntropyLoggerHook']
