"""Multimodal (RGB, flow, audio) transforms, registered in MMAction2's TRANSFORMS."""
from .audio import (AudioLogMelSpectrogram, AudioLogSpectrogram,
                    AudioSpectrogramAugment, LoadAudioWindow, log_spectrogram)
from .corruptions import (CORRUPTIONS, AudioCorruption, FlowCorruption,
                          VideoCorruption, corruption_transform)
from .errors import MediaReadError
from .flow import flip_flow_frame
from .formatting import PackMultiModalInputs
from .loading import (MultiModalDecordDecode, MultiModalDecordInit,
                      MultiModalRawFrameDecode)
from .multimodal import (MultiModalCenterCrop, MultiModalFlip,
                         MultiModalFormatShape, MultiModalRandomResizedCrop,
                         MultiModalResize)
from .sampling import SampleMultiModalFrames
from .video_file import VideoFileSample
from .views import MultiModalViews

__all__ = [
    'AudioLogMelSpectrogram', 'AudioLogSpectrogram', 'AudioSpectrogramAugment',
    'LoadAudioWindow', 'log_spectrogram', 'MediaReadError',
    'flip_flow_frame', 'PackMultiModalInputs', 'MultiModalDecordDecode', 'MultiModalDecordInit',
    'MultiModalRawFrameDecode', 'MultiModalCenterCrop', 'MultiModalFlip',
    'MultiModalFormatShape', 'MultiModalRandomResizedCrop', 'MultiModalResize',
    'SampleMultiModalFrames', 'MultiModalViews', 'VideoCorruption', 'FlowCorruption',
    'AudioCorruption',
    'CORRUPTIONS', 'corruption_transform', 'VideoFileSample'
]
