"""Backbones registered in MMAction2's MODELS."""
from .audio_resnet18 import AudioResNet18

__all__ = ['AudioResNet18']
