from .mer_projector import MERProjector

__all__ = ['MERProjector']
