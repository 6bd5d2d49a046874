from .mer_projector import MERProjector, project_all

__all__ = ['MERProjector', 'project_all']
