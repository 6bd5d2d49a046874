from .atomic_checkpoint_hook import AtomicCheckpointHook
from .averaged_teacher_hook import AveragedTeacherHook
from .entropy_logger_hook import ModalityEntropyLoggerHook
from .exact_resume_hook import ExactResumeHook
from .loader_watch_hook import LoaderWatchHook
from .non_finite_check_hook import NonFiniteCheckHook
from .preflight_check_hook import PreflightCheckHook
from .resume_guard_hook import ResumeGuardHook
from .skipped_sample_logger_hook import SkippedSampleLoggerHook
from .torch_threads_hook import TorchThreadsHook
from .work_dir_lock_hook import WorkDirLockHook

__all__ = [
    'AtomicCheckpointHook', 'AveragedTeacherHook', 'ExactResumeHook',
    'LoaderWatchHook', 'ModalityEntropyLoggerHook', 'NonFiniteCheckHook',
    'PreflightCheckHook', 'ResumeGuardHook', 'SkippedSampleLoggerHook',
    'TorchThreadsHook', 'WorkDirLockHook'
]
