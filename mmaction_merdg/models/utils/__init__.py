"""Helpers of the recognizer: input layouts, feature-size probing, strict loading."""
from .modality_layout import (DEFAULT_LAYOUTS, LAYOUTS, check_feat_dim, forward_backbone,
                              global_pool, infer_feat_dims, probe_feat_dim, resolve_layouts)
from .strict_pretrained import (PretrainedMismatchError, load_backbone_checkpoint,
                                match_state_dict)

__all__ = [
    'DEFAULT_LAYOUTS', 'LAYOUTS', 'check_feat_dim', 'forward_backbone', 'global_pool',
    'infer_feat_dims', 'probe_feat_dim', 'resolve_layouts', 'PretrainedMismatchError',
    'load_backbone_checkpoint', 'match_state_dict'
]
