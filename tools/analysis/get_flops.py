"""FLOPs and parameters of a config's multimodal model (MMAction2's get_flops, dict input).

    python tools/analysis/get_flops.py configs/merdg_synthetic.py \
        --shape imgs=1,3,16,32,32 flow_imgs=1,2,8,32,32 audios=1,1,64,64

Shapes are per sample, with the view axis first. Without --shape, the
recognizer's feat_dims probe shapes are used (one view).

MMAction2's ``tools/analysis_tools/get_flops.py`` feeds one tensor; the
plugin's recognizer takes a dict ``modality -> [N, V, ...]``. mmengine's
``get_model_complexity_info`` accepts a dict as ``inputs`` and passes it as
one positional argument, which is what ``MultiModalRecognizer.forward``
expects (``mode='tensor'``: logits). Counted with fvcore-style rules in
mmengine (a multiply-add counts as one FLOP).
"""
import argparse
from typing import Dict, Sequence

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config

import mmaction_merdg  # noqa: F401
from mmaction_merdg.apis.inference import init_multimodal_recognizer


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


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('--shape', nargs='+', default=[],
                        help='modality=V,C,T,H,W (video) or modality=V,C,H,W (audio)')
    parser.add_argument('--table', action='store_true', help='print the per-module table')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    model = init_multimodal_recognizer(Config.fromfile(args.config))
    from mmaction_merdg.models.utils.modality_layout import probe_shape
    shapes = {m: (1, ) + probe_shape(model.backbones[m], m, model.input_layouts[m])
              for m in model.modalities}
    for item in args.shape:
        m, _, dims = item.partition('=')
        shapes[m] = tuple(int(d) for d in dims.split(','))
    res = multimodal_complexity(model, shapes)
    if args.table:
        print(res['table'])
    print(f'Input shapes: {shapes}')
    print(f"FLOPs: {res['flops_str']}  Params: {res['params_str']}")
    return res


if __name__ == '__main__':
    main()
