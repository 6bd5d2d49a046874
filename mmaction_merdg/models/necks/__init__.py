from .mer_projector import MERProjector
from .supcon_projector import SupConProjector

__all__ = ['MERProjector', 'SupConProjector']
