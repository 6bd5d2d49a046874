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
backbones. It always probes: a ``feat_dims`` entry that disagrees with the
probe is an error when the model is built (a swapped backbone never inherits
a stale size). The probe input follows what the backbone declares
(:func:`probe_shape`): ``in_channels``, TSM's ``num_segments``, a
transformer's ``num_frames`` and ``img_size`` (on the backbone or its
``patch_embed``, as TimeSformer keeps it), a 3D patch embedding's
``init_input_size`` (MViT, Swin3D), and C3D's fixed 16 x 112 x 112 clips.
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


# Messages of torch / mmcv when a tensor has the wrong number of axes (a 2D
# backbone fed a clip, a 3D backbone fed frames): only then is the layout the
# cause, not the input size.
_RANK_ERRORS = ('expected 4d', 'expected 5d', 'expected 3d', '4-dimensional', '5-dimensional',
                '3d (unbatched) or 4d', '4d (unbatched) or 5d', 'too many values to unpack',
                'not enough values to unpack', 'dimension out of range')


def _layout_hint(err: BaseException, modality: str, layout: str) -> str:
    """The fix to suggest for a backbone error: the other layout, or nothing."""
    text = str(err).lower()
    if layout == 'NC' or not any(key in text for key in _RANK_ERRORS):
        return ''
    other = 'NCHW' if layout != 'NCHW' else 'NCTHW'
    return (f" The input has the wrong number of axes for it: if it is a "
            f"{'2D' if other == 'NCHW' else '3D'} backbone, set "
            f"input_layouts=dict({modality}='{other}') in the model config."
            + (' A TSM backbone needs T == num_segments.' if layout == 'NCHW' else ''))


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
        raise ValueError(
            f"Backbone of '{modality}' ({_backbone_name(backbone)}) failed on a {layout} input "
            f'{tuple(x.shape)}: {type(err).__name__}: {err}.' + _layout_hint(err, modality, layout)
        ) from err
    f = global_pool(out)  # [B, D]
    if frames > 1:
        f = f.view(n * v, frames, -1).mean(dim=1)  # [N*V*T, D] -> [N*V, D]
    return f


# Backbones whose fully connected layers fix the input: C3D's fc6 expects the
# 16 x 112 x 112 clips of Tran et al. (2015).
_FIXED_INPUT = dict(C3D=(3, 16, 112, 112))


def _pair_size(size) -> Optional[Tuple[int, int]]:
    if isinstance(size, int) and size > 0:
        return size, size
    if isinstance(size, (tuple, list)) and len(size) == 2 and all(
            isinstance(v, int) for v in size):
        return int(size[0]), int(size[1])
    return None


def declared_input(backbone: nn.Module) -> Dict[str, object]:
    """The input sizes ``backbone`` declares, with where each was read.

    Returns:
        dict: Any of ``channels``, ``frames``, ``size`` (``(H, W)``), each a
        ``(value, source)`` pair naming the attribute it came from.
    """
    out: Dict[str, object] = {}
    name = _backbone_name(backbone)
    patch = getattr(backbone, 'patch_embed', None)
    fixed = _FIXED_INPUT.get(name)
    if fixed is not None:
        out['channels'] = (fixed[0], f'{name} input')
        out['frames'] = (fixed[1], f'{name} input')
        out['size'] = (tuple(fixed[2:]), f'{name} input (its fc6 fixes it)')
    in_ch = getattr(backbone, 'in_channels', None)
    if isinstance(in_ch, int):
        out['channels'] = (in_ch, f'{name}.in_channels')
    for attr in ('num_segments', 'num_frames'):
        t = getattr(backbone, attr, None)
        if isinstance(t, int) and t > 0:
            out['frames'] = (t, f'{name}.{attr}')
    # A 3D patch embedding's (T, H, W) (MViT, Swin3D: mmaction's PatchEmbed3D).
    thw = getattr(patch, 'init_input_size', None)
    if isinstance(thw, (tuple, list)) and len(thw) == 3 and all(isinstance(v, int) for v in thw):
        out['frames'] = (int(thw[0]), f'{name}.patch_embed.init_input_size')
        out['size'] = ((int(thw[1]), int(thw[2])), f'{name}.patch_embed.init_input_size')
    for owner, where in ((patch, f'{name}.patch_embed.img_size'),
                         (backbone, f'{name}.img_size')):
        hw = _pair_size(getattr(owner, 'img_size', None)) if owner is not None else None
        if hw is not None:
            out['size'] = (hw, where)
    return out


def probe_shape(backbone: nn.Module, modality: str, layout: str,
                override: Optional[Sequence[int]] = None) -> Tuple[int, ...]:
    """The per-sample input shape of a dry forward for ``backbone``.

    The defaults (:data:`DEFAULT_PROBE_SHAPES`) are refined by what the
    backbone declares (:func:`declared_input`): its ``in_channels``, TSM's
    ``num_segments``, a transformer's ``num_frames`` and ``img_size``
    (whose position embeddings fix the input size; TimeSformer keeps it on
    ``patch_embed``), MViT's ``patch_embed.init_input_size`` and C3D's fixed
    clip size.
    """
    if override is not None:
        return tuple(int(s) for s in override)
    if layout == 'NC':
        in_ch = getattr(backbone, 'in_channels', None)
        if not isinstance(in_ch, int):
            raise ValueError(f"'{modality}' ({_backbone_name(backbone)}, layout NC): give "
                             'probe_shapes; the backbone declares no in_channels.')
        return (in_ch, )
    shape = list(DEFAULT_PROBE_SHAPES.get(modality, (3, 16, 64, 64)))
    declared = declared_input(backbone)
    if 'channels' in declared:
        shape[0] = declared['channels'][0]
    if len(shape) == 4 and 'frames' in declared:
        shape[1] = declared['frames'][0]
    if 'size' in declared:
        shape[-2], shape[-1] = declared['size'][0]
    return tuple(shape)


def _probe_sources(backbone: nn.Module, modality: str, override) -> str:
    if override is not None:
        return f"probe_shapes['{modality}']"
    declared = declared_input(backbone)
    read = [f'{key} from {src}' for key, (_, src) in declared.items()]
    return ('the defaults' + (' with ' + ', '.join(read) if read else
                              ' (the backbone declares no input size)'))


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
    override = shape
    shape = probe_shape(backbone, modality, layout, override)
    was_training = backbone.training
    backbone.eval()  # no BN statistics update
    try:
        param = next(backbone.parameters(), None)
        kw = dict(device=param.device, dtype=param.dtype) if param is not None else {}
        x = torch.zeros((1, 1) + shape, **kw)  # [N=1, V=1, *shape]
        try:
            return int(forward_backbone(backbone, x, layout, modality).shape[1])
        except ValueError as err:
            raise ValueError(
                f"{err} (feature-size probe of '{modality}': per-sample input {shape}, "
                f'{_probe_sources(backbone, modality, override)}. A backbone with a fixed '
                f'input size that it does not declare needs '
                f'probe_shapes=dict({modality}=(C, T, H, W)) in the model config.)') from err
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
        feat_dims (Mapping[str, int], optional): Expected sizes, checked
            against the probe (``None`` or a missing modality: only
            inferred); sizes of modalities without a backbone are ignored.
            The probe is cheap: 0.2 s for the paper's SlowFast-R101 on one
            CPU thread.
        probe_shapes (Mapping[str, Sequence[int]], optional): Per-modality
            probe input shapes overriding :func:`probe_shape`.

    Returns:
        dict: ``modality -> D_m`` for every modality of ``backbones``.

    Raises:
        ValueError: A given size differs from the probed one, or the probe
            fails (the error says which input it fed and where each size
            came from).
    """
    # Sizes of modalities without a backbone are ignored: a subset config
    # inherits the full recipe's feat_dims and deletes only backbones.
    feat_dims = dict(feat_dims or {})
    probe_shapes = dict(probe_shapes or {})
    out = {}
    for m, backbone in backbones.items():
        out[m] = probe_feat_dim(backbone, m, layouts[m], probe_shapes.get(m))
        given = feat_dims.get(m)
        if given is not None and int(given) != out[m]:
            raise ValueError(
                f"feat_dims['{m}'] is {given} but its backbone ({_backbone_name(backbone)}, "
                f'layout {layouts[m]}) outputs {out[m]} channels after pooling: leave '
                'feat_dims out (the size is inferred), or remove the stale value a base '
                'config gave for another backbone.')
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
           'forward_backbone', 'declared_input', 'probe_shape', 'probe_feat_dim', 'infer_feat_dims',
           'check_feat_dim']
