"""Key mapping of older recognizer checkpoints to the current layout.

Two layouts of MER-DG's projection heads existed before the current one
(``regularizers.mer.projectors.`` holding a :class:`MERProjectorBank`:
``fc1_weight.<m>``, ``fc2_weight``...):

1. ``projectors.<m>.layers.<i>.*``: the recognizer's legacy ``projector=`` /
   ``mer_loss=`` keys (before regularizers existed), one ``MERProjector`` per
   modality at the top level;
2. ``regularizers.mer.projectors.<m>.layers.<i>.*``: one ``MERProjector`` per
   modality inside the MER-DG regularizer (before the heads were stacked).

:func:`upgrade_state_dict` maps both to the current one. The recognizer
applies it when it loads a state dict (a load pre-hook), and
``tools/misc/convert_checkpoint.py`` rewrites a checkpoint file with it.
"""
import re
from typing import Dict, List, Optional, Sequence

from torch import Tensor

from ...modalities import MODALITIES
from ..necks.mer_projector_bank import stack_per_modality_keys

#: Where MER-DG's heads live now.
MER_PROJECTORS = 'regularizers.mer.projectors.'
#: Where the legacy ``projector=`` key kept them.
LEGACY_PROJECTORS = 'projectors.'


def rename_legacy_keys(state_dict: Dict[str, Tensor], prefix: str = '') -> List[str]:
    """Move ``<prefix>projectors.*`` to ``<prefix>regularizers.mer.projectors.*``.

    Returns:
        list: The keys renamed (old names).
    """
    old = [k for k in state_dict if k.startswith(prefix + LEGACY_PROJECTORS)]
    for key in old:
        state_dict[prefix + MER_PROJECTORS + key[len(prefix + LEGACY_PROJECTORS):]] = \
            state_dict.pop(key)
    return old


def per_modality_heads(state_dict: Dict[str, Tensor], prefix: str = '') -> List[str]:
    """Modalities with per-modality ``MERProjector`` keys under MER-DG's prefix."""
    pattern = re.compile(re.escape(prefix + MER_PROJECTORS) + r'([A-Za-z_]+)\.layers\.')
    found = []
    for key in state_dict:
        match = pattern.match(key)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def upgrade_state_dict(state_dict: Dict[str, Tensor], prefix: str = '',
                       modalities: Optional[Sequence[str]] = None) -> Dict[str, Tensor]:
    """Rewrite both older layouts to the current one, in place.

    Args:
        state_dict (dict): A recognizer's state dict (keys without ``prefix``
            are left alone).
        prefix (str): The recognizer's prefix in ``state_dict``. Defaults to ''.
        modalities (Sequence[str], optional): Stacking order of the heads
            (the recognizer's modality order). None: ``MODALITIES``' order,
            the recognizer's. Defaults to None.

    Returns:
        dict: ``state_dict`` itself.
    """
    rename_legacy_keys(state_dict, prefix)
    found = per_modality_heads(state_dict, prefix)
    if found:
        order = [m for m in (modalities or MODALITIES) if m in found]
        stack_per_modality_keys(state_dict, prefix + MER_PROJECTORS, order)
    return state_dict
