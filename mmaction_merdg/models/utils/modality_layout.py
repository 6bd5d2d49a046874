"""How a modality's batch is fed to its backbone, and the pooled feature size.

A recognizer input for modality ``m`` is ``[N, V, ...]`` (``V`` clips or views
per sample, as MMAction2's data preprocessors stack them). The backbone of
``m`` consumes one of three layouts:

* ``'NCTHW'`` (3D and video-transformer backbones: SlowFast, SlowOnly, X3D,
  R(2+1)D, TimeSformer, MViT, Swin3D): ``[N, V, C, T, H, W] -> [N*V, C, T, H, W]``.
* ``'NCHW'`` (2D backbones: TSN's ResNet, TSM, and spectrogram backbones such
  as ResNetAudio): a video input ``[N, V, C, T, H, W]`` has its ``T`` frames
  folded into the batch, ``[N*V*T, C, H, W]``, and the pooled features are
  averaged over frames, as MMAction2's ``Recognizer2D`` averages its
  segments; an image-like input ``[N, V, C, H, W]`` (a spectrogram) becomes
  ``[N*V, C, H, W]``. TSM shifts channels between consecutive frames of one
  clip, so ``T`` must equal its ``num_segments``.

* ``'NC'`` (feature vectors, e.g. the vector-level synthetic benchmark's MLP
  encoders): ``[N, V, C] -> [N*V, C]``.

Either way the output of :func:`forward_backbone` is ``[N*V, D]``.

:func:`infer_feat_dims` finds ``D`` for each modality by one forward pass of
zeros with a tiny input of the modality's layout (no gradients, eval mode, the
RNG untouched), so configs need not hand-compute ``feat_dims`` when swapping
backbones; given sizes are checked against it.
"""
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn

LAYOUTS = ('NCTHW', 'NCHW', 'NC')
# Defaults: RGB and flow are video (3D backbones), audio is a spectrogram.
DEFAULT_LAYOUTS = dict(imgs='NCTHW', flow_imgs='NCTHW', audios='NCHW')
# Tiny probe inputs, one sample, (C, T, H, W) for video and (C, H, W) for
# spectrograms. 16 frames suit SlowFast's resample_rate <= 16 and TSM's
# default 8 segments is read from the backbone; 64 px survives a /32 stride.
DEFAULT_PROBE_SHAPES = dict(imgs=(3, 16, 64, 64), flow_imgs=(2, 16, 64, 64),
                            audios=(1, 64, 64))


def global_pool(x: Union[Tensor, Sequence[Tensor]]) -> Tensor:
    """Average a backbone output over every axis after the channel axis.

    Args:
        x (Tensor | Sequence[Tensor]): ``[B, C, *spatial]`` or, for two-pathway
            backbones such as SlowFast, a tuple of such maps.

    Returns:
        Tensor: ``[B, C]``, or ``[B, sum C_i]`` for a tuple (concatenated in
        order: slow then fast for SlowFast, giving 2048 + 256 = 2304 for R101).
    """
    if isinstance(x, (tuple, list)):
        return torch.cat([global_pool(t) for t in x], dim=1)
    if x.dim() < 2:
        raise ValueError(f'Backbone output must be [B, C, ...]; got {tuple(x.shape)}.')
    return x.flatten(2).mean(dim=2) if x.dim() > 2 else x  # [B, C, ...] -> [B, C]


def resolve_layouts(modalities: Sequence[str],
                    layouts: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The layout of each modality: the given one, else the default.

    Raises:
        ValueError: A layout is unknown or names a modality the model lacks.
    """
    layouts = dict(layouts or {})
    extra = [m for m in layouts if m not in modalities]
    if extra:
        raise ValueError(f'input_layouts names {extra}, which are not among the model\'s '
                         f'modalities {list(modalities)}.')
    out = {}
    for m in modalities:
        layout = layouts.get(m, DEFAULT_LAYOUTS.get(m, 'NCTHW'))
        if layout not in LAYOUTS:
            raise ValueError(f"input_layouts['{m}'] is {layout!r}; expected one of {LAYOUTS}.")
        out[m] = layout
    return out


def _backbone_name(backbone: nn.Module) -> str:
    return type(backbone).__name__


def forward_backbone(backbone: nn.Module, x: Tensor, layout: str,
                     modality: str = '?') -> Tensor:
    """Pooled features of a ``[N, V, ...]`` batch, one row per view.

    Args:
        backbone (nn.Module): The modality's encoder.
        x (Tensor): ``[N, V, C, T, H, W]`` (video) or ``[N, V, C, H, W]``
            (spectrogram, or a 2D input).
        layout (str): ``'NCTHW'``, ``'NCHW'`` or ``'NC'`` (module docstring).
        modality (str): Named in errors.

    Returns:
        Tensor: ``[N*V, D]``.

    Raises:
        ValueError: The input rank does not fit the layout, or the backbone
            rejects the input (the error names the modality, the backbone
            type and the layout, and keeps the backbone's own error).
    """
    n, v = x.shape[:2]
    frames = 1
    if layout == 'NC':
        if x.dim() != 3:
            raise ValueError(f"'{modality}' ({_backbone_name(backbone)}, layout NC) expects "
                             f'[N, V, C]; got {tuple(x.shape)}.')
        x = x.reshape(n * v, x.shape[2])  # [N, V, C] -> [N*V, C]
    elif layout == 'NCTHW':
        if x.dim() != 6:
            raise ValueError(f"'{modality}' ({_backbone_name(backbone)}, layout NCTHW) expects "
                             f'[N, V, C, T, H, W]; got {tuple(x.shape)}.')
        x = x.reshape((n * v, ) + x.shape[2:])  # [N, V, C, T, H, W] -> [N*V, C, T, H, W]
    elif x.dim() == 6:
        frames = x.shape[3]
        # [N, V, C, T, H, W] -> [N*V, T, C, H, W] -> [N*V*T, C, H, W]
        x = x.reshape((n * v, ) + x.shape[2:]).transpose(1, 2)
        x = x.reshape((n * v * frames, ) + x.shape[2:])
    elif x.dim() == 5:
        x = x.reshape((n * v, ) + x.shape[2:])  # [N, V, C, H, W] -> [N*V, C, H, W]
    else:
        raise ValueError(f"'{modality}' ({_backbone_name(backbone)}, layout NCHW) expects "
                         f'[N, V, C, T, H, W] or [N, V, C, H, W]; got {tuple(x.shape)}.')
    try:
        out = backbone(x)
    except (RuntimeError, ValueError, AssertionError, IndexError) as err:
        other = 'NCHW' if layout != 'NCHW' else 'NCTHW'
        raise ValueError(
            f"Backbone of '{modality}' ({_backbone_name(backbone)}) failed on a {layout} input "
            f'{tuple(x.shape)}: {type(err).__name__}: {err}. If it is a '
            f"{'2D' if other == 'NCHW' else '3D'} backbone, set "
            f"input_layouts=dict({modality}='{other}') in the model config."
            + (' A TSM backbone needs T == num_segments.' if layout == 'NCHW' else '')) from err
    f = global_pool(out)  # [B, D]
    if frames > 1:
        f = f.view(n * v, frames, -1).mean(dim=1)  # [N*V*T, D] -> [N*V, D]
    return f


def probe_shape(backbone: nn.Module, modality: str, layout: str,
                override: Optional[Sequence[int]] = None) -> Tuple[int, ...]:
    """The per-sample input shape of a dry forward for ``backbone``.

    Backbone attributes refine the defaults: ``in_channels``, TSM's
    ``num_segments``, a transformer's ``num_frames`` and ``img_size`` (whose
    position embeddings fix the input size).
    """
    if override is not None:
        return tuple(int(s) for s in override)
    if layout == 'NC':
        in_ch = getattr(backbone, 'in_channels', None)
        if not isinstance(in_ch, int):
            raise ValueError(f"'{modality}' ({_backbone_name(backbone)}, layout NC): give "
                             'feat_dims or probe_shapes; the backbone declares no in_channels.')
        return (in_ch, )
    shape = list(DEFAULT_PROBE_SHAPES.get(modality, (3, 16, 64, 64)))
    in_ch = getattr(backbone, 'in_channels', None)
    if isinstance(in_ch, int):
        shape[0] = in_ch
    if len(shape) == 4:
        for attr in ('num_segments', 'num_frames'):
            t = getattr(backbone, attr, None)
            if isinstance(t, int) and t > 0:
                shape[1] = t
        size = getattr(backbone, 'img_size', None)
        if isinstance(size, int):
            shape[2] = shape[3] = size
        elif isinstance(size, (tuple, list)) and len(size) == 2:
            shape[2], shape[3] = int(size[0]), int(size[1])
    return tuple(shape)


@torch.no_grad()
def probe_feat_dim(backbone: nn.Module, modality: str, layout: str,
                   shape: Optional[Sequence[int]] = None) -> int:
    """Pooled output size of ``backbone`` from one forward pass of zeros.

    Args:
        backbone (nn.Module): The encoder (left in its training mode).
        modality (str): Its modality.
        layout (str): ``'NCTHW'`` or ``'NCHW'``.
        shape (Sequence[int], optional): Per-sample input shape
            (``(C, T, H, W)`` or ``(C, H, W)``); defaults from
            :func:`probe_shape`.

    Returns:
        int: ``D`` of the ``[N*V, D]`` features.
    """
    shape = probe_shape(backbone, modality, layout, shape)
    was_training = backbone.training
    backbone.eval()  # no BN statistics update
    try:
        param = next(backbone.parameters(), None)
        kw = dict(device=param.device, dtype=param.dtype) if param is not None else {}
        x = torch.zeros((1, 1) + shape, **kw)  # [N=1, V=1, *shape]
        return int(forward_backbone(backbone, x, layout, modality).shape[1])
    finally:
        backbone.train(was_training)


def infer_feat_dims(backbones: Mapping[str, nn.Module], layouts: Mapping[str, str],
                    feat_dims: Optional[Mapping[str, int]] = None,
                    probe_shapes: Optional[Mapping[str, Sequence[int]]] = None
                    ) -> Dict[str, int]:
    """``feat_dims`` with the missing sizes found by a dry forward.

    Args:
        backbones (Mapping[str, nn.Module]): ``modality -> encoder``.
        layouts (Mapping[str, str]): ``modality -> layout``.
        feat_dims (Mapping[str, int], optional): Known sizes; ``None`` or a
            missing modality is inferred; sizes of modalities without a
            backbone are ignored. A given size is trusted here and
            checked at the first forward (a probe of a large backbone costs
            seconds on every model build).
        probe_shapes (Mapping[str, Sequence[int]], optional): Per-modality
            probe input shapes overriding :func:`probe_shape`.

    Returns:
        dict: ``modality -> D_m`` for every modality of ``backbones``.
    """
    # Sizes of modalities without a backbone are ignored: a subset config
    # inherits the full recipe's feat_dims and deletes only backbones.
    feat_dims = dict(feat_dims or {})
    probe_shapes = dict(probe_shapes or {})
    out = {}
    for m, backbone in backbones.items():
        if feat_dims.get(m) is not None:
            out[m] = int(feat_dims[m])
        else:
            out[m] = probe_feat_dim(backbone, m, layouts[m], probe_shapes.get(m))
    return out


def check_feat_dim(features: Tensor, expected: int, modality: str, backbone: nn.Module,
                   layout: str) -> None:
    """Raise when pooled features ``[B, D]`` do not have ``D == expected``."""
    if features.shape[1] != expected:
        raise ValueError(
            f"feat_dims['{modality}'] is {expected} but its backbone "
            f'({_backbone_name(backbone)}, layout {layout}) outputs {features.shape[1]} '
            'channels after pooling; fix feat_dims or leave it out to infer it.')


__all__ = ['LAYOUTS', 'DEFAULT_LAYOUTS', 'global_pool', 'resolve_layouts',
           'forward_backbone', 'probe_shape', 'probe_feat_dim', 'infer_feat_dims',
           'check_feat_dim']
