# SimMMDG (Dong et al., NeurIPS 2023; donghao51/SimMMDG) with its official
# defaults: SupCon on the shared halves (temperature 0.1, base 0.07, weight 3),
# distance between shared and specific halves (weight 0.7), cross-modal
# translation MLPs (hidden 2048, dropout 0.5, weight 0.1), projection head
# hidden 2048 -> 128. Use with
#   model = dict(regularizers=dict(simmmdg=_base_.simmmdg_regularizer))
simmmdg_regularizer = dict(
    type='SimMMDGRegularizer',
    projector=dict(type='SupConProjector', hidden_channels=2048, out_channels=128),
    translator_hidden_channels=2048, translator_dropout=0.5,
    temperature=0.1, base_temperature=0.07,
    contrast_weight=3.0, distance_weight=0.7, translation_weight=0.1)
