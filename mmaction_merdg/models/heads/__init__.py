from .multimodal_fusion_head import MultiModalFusionHead

__all__ = ['MultiModalFusionHead']
