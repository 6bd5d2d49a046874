"""FLOPs and parameters of a multimodal recognizer.

MMAction2's ``tools/analysis_tools/get_flops.py`` feeds one tensor; the
plugin's recognizer takes a dict ``modality -> [N, V, ...]``. mmengine's
``get_model_complexity_info`` accepts a dict as ``inputs`` and passes it as
one positional argument, which is what ``MultiModalRecognizer.forward``
expects (``mode='tensor'``: logits). Counted with fvcore-style rules in
mmengine (a multiply-add counts as one FLOP).
"""
from typing import Dict, Sequence

import torch
from mmengine.analysis import get_model_complexity_info


def multimodal_complexity(model, shapes: Dict[str, Sequence[int]]) -> dict:
    """FLOPs and parameters for one sample of the given per-modality shapes.

    Args:
        model (nn.Module): A ``MultiModalRecognizer`` (eval mode is set).
        shapes (dict): ``modality -> per-sample shape`` **with** the view
            axis, e.g. ``dict(imgs=(1, 3, 16, 32, 32), audios=(1, 1, 64, 64))``.

    Returns:
        dict: ``flops`` (int), ``params`` (int), ``flops_str``,
        ``params_str`` and ``table`` (per-module breakdown) from mmengine.
    """
    missing = [m for m in model.modalities if m not in shapes]
    if missing:
        raise ValueError(f'shapes lacks {missing}; the model takes {model.modalities}.')
    param = next(model.parameters())
    inputs = {m: torch.zeros((1, ) + tuple(shapes[m]), device=param.device)
              for m in model.modalities}  # [N=1, V, ...]
    model.eval()
    info = get_model_complexity_info(model, inputs=(inputs, ), show_table=True,
                                     show_arch=False)
    return dict(flops=info['flops'], params=info['params'], flops_str=info['flops_str'],
                params_str=info['params_str'], table=info['out_table'])
