# Fusion: the baseline every multimodal DG method is compared with. Late
# fusion of the per-modality embeddings (dropped per modality in training, as
# the official heads do: the recognizer's embedding_dropout), cross-entropy on
# the fused head only: no regularizer. Same model code path and data as the
# other methods; nothing to add to the model.
# Leaves still written `model = dict(**_base_.fusion, ...)` keep loading.
fusion = dict()
