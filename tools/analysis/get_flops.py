"""FLOPs and parameters of a config's multimodal model (MMAction2's get_flops, dict input).

    python tools/analysis/get_flops.py configs/merdg_synthetic.py \
        --shape imgs=1,3,16,32,32 flow_imgs=1,2,8,32,32 audios=1,1,64,64

Shapes are per sample, with the view axis first. Without --shape, the
recognizer's feat_dims probe shapes are used (one view).
"""
import argparse

from mmengine.config import Config

import mmaction_merdg  # noqa: F401
from mmaction_merdg.apis.complexity import multimodal_complexity
from mmaction_merdg.apis.inference import init_multimodal_recognizer


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
