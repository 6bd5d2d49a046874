from .mbcd_recognizer import MBCDRecognizer
from .multimodal_recognizer import MultiModalRecognizer, global_pool

__all__ = ['MultiModalRecognizer', 'MBCDRecognizer', 'global_pool']
