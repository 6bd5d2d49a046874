from .multimodal_recognizer import MultiModalRecognizer, global_pool

__all__ = ['MultiModalRecognizer', 'global_pool']
