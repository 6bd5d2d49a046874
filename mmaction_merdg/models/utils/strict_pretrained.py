"""Strict loading of a model-zoo checkpoint into one backbone.

mmengine's ``PretrainedInit`` loads with ``strict=False`` and reports problems
as one long log warning, so a checkpoint that matches nothing (a forgotten
``prefix='backbone.'``) or the wrong architecture leaves the backbone random
without stopping anything. :func:`load_backbone_checkpoint` loads the same
way (``weights_only`` via mmengine's loader, ``module.`` stripped, keys under
``prefix`` kept and stripped) and then, when ``strict`` (the default), raises
:class:`PretrainedMismatchError` if

1. no tensor of the backbone was loaded, or
2. any tensor has a different shape in the checkpoint (another architecture,
   or an RGB stem into a 2-channel flow backbone), or
3. more than ``max_missing`` (default 1%) of the backbone's tensors are
   absent from the checkpoint.

BatchNorm's ``num_batches_tracked`` counters are not counted. The error holds
a summary: how many tensors loaded, the prefix tried, the checkpoint's key
prefixes and the first mismatches. ``strict=False`` loads what matches and
logs the same summary as a warning.
"""
from collections import Counter
from typing import Dict, List, Optional

from mmengine.logging import MMLogger
from mmengine.runner.checkpoint import _load_checkpoint
from torch import nn

DEFAULT_MAX_MISSING = 0.01
_SKIP = ('num_batches_tracked', )


class PretrainedMismatchError(RuntimeError):
    """A backbone checkpoint does not fit the backbone (see module docstring)."""


def _counted(keys):
    return [k for k in keys if not k.endswith(_SKIP)]


def _top_prefixes(keys, n=5) -> List[str]:
    counts = Counter(k.split('.')[0] + '.' for k in keys)
    return [f'{p} ({c})' for p, c in counts.most_common(n)]


def match_state_dict(model_state: Dict, ckpt_state: Dict) -> Dict[str, List]:
    """Split keys into loaded, shape-mismatched, missing and unexpected.

    Returns:
        dict: ``loaded`` (names), ``mismatched`` (``(name, ckpt shape, model
        shape)``), ``missing`` and ``unexpected`` (names); counters skipped.
    """
    loaded, mismatched, missing = [], [], []
    for k in _counted(model_state):
        if k not in ckpt_state:
            missing.append(k)
        elif tuple(ckpt_state[k].shape) != tuple(model_state[k].shape):
            mismatched.append((k, tuple(ckpt_state[k].shape), tuple(model_state[k].shape)))
        else:
            loaded.append(k)
    unexpected = [k for k in _counted(ckpt_state) if k not in model_state]
    return dict(loaded=loaded, mismatched=mismatched, missing=missing, unexpected=unexpected)


def load_backbone_checkpoint(backbone: nn.Module,
                             checkpoint: str,
                             prefix: Optional[str] = None,
                             map_location: str = 'cpu',
                             strict: bool = True,
                             max_missing: float = DEFAULT_MAX_MISSING,
                             name: str = 'backbone') -> Dict[str, List]:
    """Load ``checkpoint`` into ``backbone``, checking that it fits.

    Args:
        backbone (nn.Module): The module to load into.
        checkpoint (str): File path (or any URI mmengine's loader reads).
        prefix (str, optional): Keep only keys starting with it, stripped
            (``'backbone.'`` for an MMAction2 recognizer checkpoint).
        map_location (str): Defaults to ``'cpu'``.
        strict (bool): Raise on the conditions of the module docstring.
            Defaults to True.
        max_missing (float): Largest tolerated fraction of the backbone's
            tensors absent from the checkpoint. Defaults to 0.01.
        name (str): Names the backbone in messages, e.g.
            ``"backbones['imgs'] (ResNet3dSlowFast)"``.

    Returns:
        dict: The key split of :func:`match_state_dict`.

    Raises:
        PretrainedMismatchError: ``strict`` and the checkpoint does not fit.
    """
    ckpt = _load_checkpoint(checkpoint, map_location=map_location)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    state = {(k[len('module.'):] if k.startswith('module.') else k): v
             for k, v in state.items()}
    all_keys = list(state)
    if prefix:
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    model_state = backbone.state_dict()
    split = match_state_dict(model_state, state)
    total = len(_counted(model_state))
    n_loaded, n_missing = len(split['loaded']), len(split['missing'])
    summary = (
        f'{name}: loaded {n_loaded}/{total} tensors from {checkpoint} '
        f'(prefix tried: {prefix!r}; checkpoint key prefixes: {_top_prefixes(all_keys)}); '
        f'{len(split["mismatched"])} shape-mismatched, {n_missing} missing, '
        f'{len(split["unexpected"])} unexpected.')
    if split['mismatched']:
        summary += ' First mismatches (key, checkpoint, model): ' + '; '.join(
            f'{k} {a} vs {b}' for k, a, b in split['mismatched'][:5]) + '.'
    if split['missing']:
        summary += f' First missing: {split["missing"][:5]}.'
    problems = []
    if n_loaded == 0:
        problems.append('no tensor matched' + ('' if prefix else
                                               " (an MMAction2 recognizer checkpoint needs "
                                               "prefix='backbone.')"))
    if split['mismatched']:
        problems.append(f'{len(split["mismatched"])} tensors have other shapes')
    if total and n_missing / total > max_missing:
        problems.append(f'{n_missing / total:.1%} of the tensors are missing '
                        f'(max_missing={max_missing:.1%})')
    if problems and strict:
        raise PretrainedMismatchError(
            f'{summary} Refusing to train from a partly random backbone: '
            f'{"; ".join(problems)}. Fix the checkpoint or prefix, or relax with '
            "init_cfg=dict(type='Pretrained', ..., strict=False) or a larger max_missing.")
    to_load = {k: state[k] for k in split['loaded']}
    for k in model_state:  # BN counters travel with their layers
        if k.endswith(_SKIP) and k in state and state[k].shape == model_state[k].shape:
            to_load[k] = state[k]
    backbone.load_state_dict(to_load, strict=False)
    logger = MMLogger.get_current_instance()
    logger.log(30 if problems else 20, summary)
    return split
