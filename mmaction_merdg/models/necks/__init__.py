from .mer_projector import MERProjector, project_all
from .supcon_projector import SupConProjector

__all__ = ['MERProjector', 'SupConProjector', 'project_all']
