# The paper's encoders and heads (the official MER-DG code's recipe, after SimMMDG):
#   RGB   : SlowFast-R101 8x8, Kinetics-400 init      -> 2048 + 256 = 2304-d
#   flow  : SlowOnly-R50 (2 input channels), K400-flow -> 2048-d
#   audio : VGGSound ResNet-18 over 257x1004 log spectrograms -> 512-d
# The method (Fusion, MER-DG, ...) is added by a configs/_base_/methods/ fragment.
#
# Pretrained weights are loaded per backbone (weights_only=True). Put them in
# checkpoints/ (no download happens at run time), or override the paths, e.g.
#   --cfg-options model.backbones.imgs.init_cfg.checkpoint=/path/to/ckpt.pth
# Sources (MMAction2 model zoo; SimMMDG's VGGSound release):
#   slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb_20220901-9c0e09bd.pth
#     (mmaction2 1.x metafile: recognition/slowfast)
#   slowonly_r50_8x8x1_256e_kinetics400_flow.pth (mmaction2 0.x model zoo)
#   vggsound_avgpool.pth.tar (VGGSound "H" model, as used by SimMMDG)
rgb_checkpoint = 'checkpoints/slowfast_r101_8xb8-8x8x1-256e_kinetics400-rgb_20220901-9c0e09bd.pth'
flow_checkpoint = 'checkpoints/slowonly_r50_8x8x1_256e_kinetics400_flow.pth'
audio_checkpoint = 'checkpoints/vggsound_avgpool.pth.tar'
# The official recipe trains only the last stage of each encoder and the heads.
frozen_stages = 3

model = dict(
    type='MultiModalRecognizer',
    backbones=dict(
        imgs=dict(
            type='ResNet3dSlowFast',
            pretrained=None,
            # SimMMDG's 8x8 input is 32 frames at stride 2: tau = alpha = 4
            # gives the slow pathway 8 frames and the fast pathway 32.
            resample_rate=4,
            speed_ratio=4,
            channel_ratio=8,
            slow_pathway=dict(
                type='resnet3d', depth=101, pretrained=None, lateral=True,
                conv1_kernel=(1, 7, 7), dilations=(1, 1, 1, 1),
                conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1),
                norm_eval=False, frozen_stages=frozen_stages),
            fast_pathway=dict(
                type='resnet3d', depth=101, pretrained=None, lateral=False,
                base_channels=8, conv1_kernel=(5, 7, 7), conv1_stride_t=1,
                pool1_stride_t=1, norm_eval=False, frozen_stages=frozen_stages),
            # A model-zoo recognizer checkpoint: keep the 'backbone.' keys only.
            init_cfg=dict(type='Pretrained', checkpoint=rgb_checkpoint,
                          prefix='backbone.')),
        flow_imgs=dict(
            type='ResNet3dSlowOnly', depth=50, pretrained=None, lateral=False,
            in_channels=2, conv1_kernel=(1, 7, 7), conv1_stride_t=1,
            pool1_stride_t=1, inflate=(0, 0, 1, 1), with_pool2=False,
            norm_eval=False, frozen_stages=frozen_stages,
            init_cfg=dict(type='Pretrained', checkpoint=flow_checkpoint,
                          prefix='backbone.')),
        audios=dict(
            type='AudioResNet18', pretrained=audio_checkpoint,
            frozen_stages=frozen_stages)),
    feat_dims=dict(imgs=2304, flow_imgs=2048, audios=512),
    # num_classes: EPIC-Kitchens' 8 verbs; leaves of other datasets set theirs.
    cls_head=dict(
        type='MultiModalFusionHead', num_classes=8, hidden_channels=512,
        dropout_ratio=0.5, score_type='prob'),  # softmax scores at test time
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(type='ActionDataPreprocessor',
                      mean=[123.675, 116.28, 103.53],
                      std=[58.395, 57.12, 57.375], format_shape='NCTHW'),
            flow_imgs=dict(type='ActionDataPreprocessor', mean=[128, 128],
                           std=[128, 128], format_shape='NCTHW'),
            # Spectrograms are z-scored per clip by the pipeline.
            audios=dict(type='ActionDataPreprocessor', format_shape='NCHW'))))
