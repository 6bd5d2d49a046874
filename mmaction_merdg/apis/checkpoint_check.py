"""Refuse a checkpoint that does not fit the model before testing with it.

mmengine's ``Runner.load_checkpoint`` loads non-strictly: a checkpoint of
another model only logs a key-mismatch warning, the test reports chance-level
accuracy and exits 0. :func:`check_checkpoint_fits` compares the checkpoint's
``state_dict`` with the model first and raises with a summary, unless a
partial load is asked for explicitly. Empty and truncated files get an error
naming the file instead of a bare ``EOFError`` / zip-reader message.
"""
import os
import os.path as osp
import re
from typing import Dict, List, NamedTuple

import torch
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import _load_checkpoint


class KeyMismatch(NamedTuple):
    """Parameters/buffers that differ between a checkpoint and a model."""
    missing: List[str]  # in the model, not in the checkpoint
    unexpected: List[str]  # in the checkpoint, not in the model
    shape: List[str]  # in both, with different shapes

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.shape)

    def summary(self, limit: int = 8) -> str:
        """A few lines naming how many keys differ and the first of each."""
        lines = []
        for what, keys in (('missing in the checkpoint', self.missing),
                           ('unexpected (not in the model)', self.unexpected),
                           ('with another shape', self.shape)):
            if keys:
                more = f', ... (+{len(keys) - limit})' if len(
                    keys) > limit else ''
                lines.append(f'  {len(keys)} key(s) {what}: '
                             f'{", ".join(keys[:limit])}{more}')
        return '\n'.join(lines)


def load_state_dict_file(path: str) -> Dict[str, torch.Tensor]:
    """The ``state_dict`` of a checkpoint file (``weights_only`` load).

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: It is empty, truncated or not a torch checkpoint (the
            message names the file).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f"checkpoint '{path}' does not exist")
    size = os.path.getsize(path)
    if size == 0:
        raise ValueError(f"checkpoint '{path}' is empty (0 bytes): the file "
                         'was not written completely')
    try:
        ckpt = _load_checkpoint(path, map_location='cpu')
    except Exception as err:  # EOFError, zip-reader RuntimeError, pickle
        raise ValueError(
            f"checkpoint '{path}' ({size} bytes) cannot be loaded: it is "
            f'truncated, not a torch checkpoint, or refused by the '
            f'weights_only policy: {type(err).__name__}: '
            f'{str(err).splitlines()[0] if str(err) else ""}') from err
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f"checkpoint '{path}' holds a {type(ckpt).__name__}, "
                         'expected a dict with a state_dict')
    # mmengine's load_checkpoint strips a DDP prefix the same way.
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def compare_state_dict(model: torch.nn.Module,
                       state: Dict[str, torch.Tensor]) -> KeyMismatch:
    """Keys of ``state`` that do not fit ``model``."""
    if is_model_wrapper(model):
        model = model.module
    own = model.state_dict()
    shape = [
        f'{k} {tuple(state[k].shape)} vs {tuple(v.shape)}'
        for k, v in own.items() if k in state and hasattr(state[k], 'shape')
        and tuple(state[k].shape) != tuple(v.shape)
    ]
    return KeyMismatch(
        missing=sorted(k for k in own if k not in state),
        unexpected=sorted(k for k in state if k not in own),
        shape=shape)


def check_checkpoint_fits(model: torch.nn.Module,
                          path: str,
                          allow_partial: bool = False) -> KeyMismatch:
    """Raise unless the checkpoint at ``path`` has exactly ``model``'s keys.

    Args:
        model (torch.nn.Module): The built model (wrappers are unwrapped).
        path (str): Checkpoint file.
        allow_partial (bool): Log the mismatch as a warning instead of
            raising. Defaults to False.

    Returns:
        KeyMismatch: Empty when everything fits.

    Raises:
        ValueError: Keys or shapes differ (with a summary), or the file is
            empty or truncated.
    """
    mismatch = compare_state_dict(model, load_state_dict_file(path))
    if mismatch:
        msg = (f"checkpoint '{path}' does not fit the model "
               f'{type(getattr(model, "module", model)).__name__}:\n'
               f'{mismatch.summary()}')
        if not allow_partial:
            raise ValueError(
                f'{msg}\nIt was probably trained with another config; a '
                'partial load would report near-chance accuracy. Pass '
                '--allow-partial-checkpoint to load the matching keys anyway.')
        print_log(f'{msg}\nLoading the matching keys only '
                  '(--allow-partial-checkpoint).', logger='current',
                  level=30)
    return mismatch
