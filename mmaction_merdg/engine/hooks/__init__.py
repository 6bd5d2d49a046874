from .entropy_logger_hook import ModalityEntropyLoggerHook

__all__ = ['ModalityEntropyLoggerHook']
