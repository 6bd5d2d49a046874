from .modality_entropy_loss import ModalityEntropyLoss

__all__ = ['ModalityEntropyLoss']
