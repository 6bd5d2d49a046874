# MOOSA (Dong et al., ECCV 2024; donghao51/MOOSA), closed-set DG, with the
# defaults of the MMDG benchmark's action-recognition code (train_MOOSA.py):
# entropy weighting of the unimodal and fused CEs (temperature 1), entropy
# minimisation (weight 0.001), multimodal jigsaw on 4 chunks per modality with
# 128 permutation classes (MLP hidden 512, weight 1), masked cross-modal
# translation (30 % of entries zeroed, MLPs hidden 2048, dropout 0.5, weight
# 0.1), SupCon on the projected first halves (temperature 0.1, base 0.07,
# projection 2048 -> 128, weight 3) and the split distance (weight 0.7).
# Use with
#   model = dict(regularizers=dict(moosa=_base_.moosa_regularizer))
moosa_regularizer = dict(
    type='MOOSARegularizer',
    projector=dict(type='SupConProjector', hidden_channels=2048, out_channels=128),
    translator_hidden_channels=2048, translator_dropout=0.5, mask_ratio=0.3,
    temperature=0.1, base_temperature=0.07,
    entropy_weight_temperature=1.0, unimodal_dropout=0.5,
    # The permutations are drawn once, seeded by the run's seed (jigsaw_seed=None).
    jigsaw_num_splits=4, jigsaw_samples=128, jigsaw_hidden_channels=512,
    contrast_weight=3.0, distance_weight=0.7, translation_weight=0.1,
    jigsaw_weight=1.0, entropy_min_weight=0.001)
