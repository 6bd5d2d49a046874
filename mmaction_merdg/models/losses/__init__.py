from .modality_entropy_loss import ModalityEntropyLoss
from .supcon_loss import SupConLoss, supcon_loss

__all__ = ['ModalityEntropyLoss', 'SupConLoss', 'supcon_loss']
