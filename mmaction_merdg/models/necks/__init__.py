from .mer_projector import MERProjector
from .mer_projector_bank import MERProjectorBank
from .supcon_projector import SupConProjector

__all__ = ['MERProjector', 'MERProjectorBank', 'SupConProjector']
