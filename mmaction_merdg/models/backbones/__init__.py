"""Backbones registered in MMAction2's MODELS."""
from .audio_resnet18 import AudioResNet18
from .vector_mlp_encoder import VectorMLPEncoder

__all__ = ['AudioResNet18', 'VectorMLPEncoder']
