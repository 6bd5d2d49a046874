# Entry point: RNA-Net + MER-DG on the vector-level synthetic benchmark (the grid's
# synthetic_vector dataset; docs/methods.md).
_base_ = ['synthetic/merdg_mlp_scratch_1xb16-6e_synthetic-vector-source0-source1-to-target-rgb-flow-audio.py', '_base_/methods/rnanet.py']

model = dict(regularizers=dict(rna=_base_.rna_regularizer))
