# CPU-sized multimodal model built from real MMAction2 backbone classes, for the
# synthetic benchmark: SlowFast (RGB), SlowOnly with 2 input channels (flow),
# ResNetAudio (spectrograms). Same structure as the paper's recipe, ~1/8 width.
# The method (Fusion, MER-DG, ...) is added by a configs/_base_/methods/ fragment.
model = dict(
    type='MultiModalRecognizer',
    backbones=dict(
        imgs=dict(
            type='ResNet3dSlowFast',
            pretrained=None,
            resample_rate=4,  # slow pathway sees T/4 frames
            speed_ratio=4,  # fast pathway sees T frames
            channel_ratio=8,
            slow_pathway=dict(
                type='resnet3d', depth=50, pretrained=None, lateral=True,
                base_channels=8, conv1_kernel=(1, 7, 7), dilations=(1, 1, 1, 1),
                conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1)),
            fast_pathway=dict(
                type='resnet3d', depth=50, pretrained=None, lateral=False,
                base_channels=1, conv1_kernel=(5, 7, 7), conv1_stride_t=1,
                pool1_stride_t=1)),
        flow_imgs=dict(
            type='ResNet3dSlowOnly', depth=18, pretrained=None, in_channels=2,
            base_channels=8, conv1_kernel=(1, 7, 7), conv1_stride_t=1,
            pool1_stride_t=1, inflate=(0, 0, 1, 1), with_pool2=False),
        audios=dict(
            type='ResNetAudio', depth=50, pretrained=None, in_channels=1,
            base_channels=4, conv1_kernel=7)),
    # Pooled feature sizes: SlowFast slow 256 + fast 32; SlowOnly-R18 at base 8
    # gives 64; ResNetAudio-50 at base 4 gives 128.
    feat_dims=dict(imgs=288, flow_imgs=64, audios=128),
    cls_head=dict(
        type='MultiModalFusionHead', num_classes=4, hidden_channels=128,
        dropout_ratio=0.5, score_type='prob'),  # softmax scores at test time
    # The synthetic data are already zero-mean, unit-scale: no mean/std here.
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(type='ActionDataPreprocessor', format_shape='NCTHW'),
            flow_imgs=dict(type='ActionDataPreprocessor', format_shape='NCTHW'),
            audios=dict(type='ActionDataPreprocessor', format_shape='NCHW'))))
