# One small MLP encoder per modality, for the vector-level
# synthetic benchmark (SyntheticMMDGVectorDataset): the recognizer, fusion
# head of the clip-level model, the encoders replaced by
# Linear-ReLU x2 (32 -> 64 -> 64). The method (Fusion, MER-DG) comes from
# configs/_base_/methods/.
model = dict(
    type='MultiModalRecognizer',
    backbones=dict(
        imgs=dict(type='VectorMLPEncoder', in_channels=32, hidden_channels=64, out_channels=64),
        flow_imgs=dict(type='VectorMLPEncoder', in_channels=32, hidden_channels=64,
                       out_channels=64),
        audios=dict(type='VectorMLPEncoder', in_channels=32, hidden_channels=64,
                    out_channels=64)),
    feat_dims=dict(imgs=64, flow_imgs=64, audios=64),
    # Inputs are vectors [N, V, 32]: fed as [N*V, 32].
    input_layouts=dict(imgs='NC', flow_imgs='NC', audios='NC'),
    cls_head=dict(
        type='MultiModalFusionHead', num_classes=4, hidden_channels=128,
        dropout_ratio=0.5, score_type='prob'),
    # Vectors [N, 1, D]: stacked as they are (no mean/std, already unit-scale).
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(type='ActionDataPreprocessor', format_shape='NCHW'),
            flow_imgs=dict(type='ActionDataPreprocessor', format_shape='NCHW'),
            audios=dict(type='ActionDataPreprocessor', format_shape='NCHW'))))
