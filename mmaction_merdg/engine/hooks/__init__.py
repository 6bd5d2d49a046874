from .averaged_teacher_hook import AveragedTeacherHook
from .entropy_logger_hook import ModalityEntropyLoggerHook
from .exact_resume_hook import ExactResumeHook
from .skipped_sample_logger_hook import SkippedSampleLoggerHook
from .torch_threads_hook import TorchThreadsHook

__all__ = [
    'AveragedTeacherHook', 'ExactResumeHook', 'ModalityEntropyLoggerHook',
    'SkippedSampleLoggerHook', 'TorchThreadsHook'
]
