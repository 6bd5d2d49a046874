"""Checks on the per-modality features of a training batch."""
from typing import Dict

import torch
from torch import Tensor


def check_finite_features(feats: Dict[str, Tensor]) -> None:
    """Raise naming the modality whose pooled features hold NaN or Inf.

    On the CPU one check for all modalities; on an accelerator a device-side
    assertion per modality, so that training has no host synchronisation.
    Without it, a diverging encoder surfaces later as a loss error that does
    not say which modality.

    Args:
        feats (dict[str, Tensor]): Modality -> ``[N, D_m]`` features.

    Raises:
        FloatingPointError: Naming the modalities with non-finite values.
    """
    if not feats:
        return
    names = list(feats)
    if any(f.device.type != 'cpu' for f in feats.values()):
        # On an accelerator a host sync per step stalls the launch queue:
        # assert on the device instead; the run stops at the next
        # synchronisation with this message (as a device-side assertion).
        for m in names:
            torch._assert_async(
                torch.isfinite(feats[m]).all(),
                f'non-finite (NaN or Inf) features from the {[m]} encoder(s)')
        return
    finite = torch.stack([torch.isfinite(feats[m]).all() for m in names])
    bad = [m for m, ok in zip(names, finite.tolist()) if not ok]
    if bad:
        raise FloatingPointError(
            f'non-finite (NaN or Inf) features from the {bad} encoder(s) in '
            'this training batch; check that modality\'s inputs and backbone, '
            'and the learning rate.')
