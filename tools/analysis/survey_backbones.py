"""Print the feat_dims the recognizer infers for MMAction2 zoo backbones.

Builds a one-modality ``MultiModalRecognizer`` around each backbone config
with ``feat_dims`` left out, so the size comes from the recognizer's own dry
forward (``mmaction_merdg.models.utils``), then runs one forward pass of the
probe input through ``extract_feat``. No weights are downloaded (every
``pretrained`` is None).

    python tools/analysis/survey_backbones.py [--names 'X3D-S' ...]
"""
import argparse
import time
from typing import Dict, List

import torch

import mmaction_merdg  # noqa: F401

# name -> (modality, backbone config, input layout, probe shape or None)
SURVEY = {
    'TSN ResNet-50 (2D)': ('imgs', dict(type='ResNet', depth=50, pretrained=None), 'NCHW', None),
    'TSM ResNet-50 (2D)': ('imgs', dict(type='ResNetTSM', depth=50, pretrained=None,
                                         num_segments=8), 'NCHW', None),
    'X3D-S': ('imgs', dict(type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=2.2), 'NCTHW', None),
    'R(2+1)D-34': ('imgs', dict(type='ResNet2Plus1d', depth=34, pretrained=None,
                                pretrained2d=False, norm_eval=False,
                                conv_cfg=dict(type='Conv2plus1d'), norm_cfg=dict(type='BN3d'),
                                conv1_kernel=(3, 7, 7), conv1_stride_t=1, pool1_stride_t=1,
                                inflate=(1, 1, 1, 1), spatial_strides=(1, 2, 2, 2),
                                temporal_strides=(1, 2, 2, 2), zero_init_residual=False),
                   'NCTHW', None),
    'TimeSformer (divST, 8x224)': ('imgs', dict(type='TimeSformer', num_frames=8, img_size=224,
                                                 patch_size=16, embed_dims=768, in_channels=3,
                                                 dropout_ratio=0., transformer_layers=None,
                                                 attention_type='divided_space_time',
                                                 norm_cfg=dict(type='LN', eps=1e-6)),
                                   'NCTHW', (3, 8, 224, 224)),
    'MViTv2-tiny': ('imgs', dict(type='MViT', arch='tiny', drop_path_rate=0.1), 'NCTHW',
                    (3, 16, 224, 224)),
    'Swin3D-tiny': ('imgs', dict(type='SwinTransformer3D', arch='tiny', pretrained=None,
                                 pretrained2d=False, patch_size=(2, 4, 4),
                                 window_size=(8, 7, 7)), 'NCTHW', (3, 16, 64, 64)),
    'SlowOnly R50 (flow, 2 ch)': ('flow_imgs', dict(type='ResNet3dSlowOnly', depth=50,
                                                    pretrained=None, in_channels=2,
                                                    lateral=False, conv1_kernel=(1, 7, 7),
                                                    conv1_stride_t=1, pool1_stride_t=1,
                                                    inflate=(0, 0, 1, 1)), 'NCTHW', None),
    'ResNetAudio-50 (audio)': ('audios', dict(type='ResNetAudio', depth=50, pretrained=None,
                                              in_channels=1), 'NCHW', None),
}


def survey_backbones(names: List[str] = None) -> List[Dict]:
    """Inferred ``feat_dims`` of each backbone of :data:`SURVEY`.

    Returns:
        list[dict]: One row per backbone: ``name``, ``modality``, ``type``,
        ``layout``, ``probe`` (input shape), ``feat_dim``, ``params_M``,
        ``seconds`` (build + probe + one extract_feat), or ``error``.
    """
    from mmaction.registry import MODELS
    from mmengine.registry import DefaultScope

    from mmaction_merdg.models.utils.modality_layout import probe_shape
    rows = []
    for name, (m, cfg, layout, shape) in SURVEY.items():
        if names and name not in names:
            continue
        row = dict(name=name, modality=m, type=cfg['type'], layout=layout)
        t0 = time.time()
        try:
            with DefaultScope.overwrite_default_scope('mmaction'):
                model = MODELS.build(dict(
                    type='MultiModalRecognizer', backbones={m: dict(cfg)},
                    input_layouts={m: layout},
                    probe_shapes={m: shape} if shape else None,
                    cls_head=dict(type='MultiModalFusionHead', num_classes=4))).eval()
            shp = probe_shape(model.backbones[m], m, layout, shape)
            with torch.no_grad():
                f = model.extract_feat({m: torch.zeros((2, 1) + shp)})[m]
            row.update(probe=shp, feat_dim=model.feat_dims[m], forward_shape=tuple(f.shape),
                       params_M=round(sum(p.numel() for p in model.backbones[m].parameters())
                                      / 1e6, 2))
        except Exception as err:  # report every backbone, failures included
            row['error'] = f'{type(err).__name__}: {str(err)[:300]}'
        row['seconds'] = round(time.time() - t0, 1)
        rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--names', nargs='*', help='survey only these rows')
    args = parser.parse_args(argv)
    print('| backbone | modality | type | layout | probe input | inferred feat_dim | params (M) |')
    print('|---|---|---|---|---|---|---|')
    for r in survey_backbones(args.names):
        if 'error' in r:
            print(f"| {r['name']} | {r['modality']} | {r['type']} | {r['layout']} | - | "
                  f"FAILED: {r['error']} | - |")
        else:
            print(f"| {r['name']} | {r['modality']} | {r['type']} | {r['layout']} | "
                  f"{r['probe']} | {r['feat_dim']} | {r['params_M']} |")


if __name__ == '__main__':
    main()
