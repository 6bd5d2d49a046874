from .entropy_logger_hook import ModalityEntropyLoggerHook
from .torch_threads_hook import TorchThreadsHook

__all__ = ['ModalityEntropyLoggerHook', 'TorchThreadsHook']
