"""Writers of on-disk trees in the real datasets' layouts, and media helpers."""
from .media import extract_wav, write_jpeg, write_video, write_wav
from .synthetic import write_synthetic_epic_tree, write_synthetic_hac_tree

__all__ = [
    'extract_wav', 'write_jpeg', 'write_video', 'write_wav',
    'write_synthetic_epic_tree', 'write_synthetic_hac_tree'
]
