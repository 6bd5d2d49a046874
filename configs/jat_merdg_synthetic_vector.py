# Entry point: JAT + MER-DG on the vector-level synthetic benchmark (the grid's
# synthetic_vector dataset; docs/methods.md). Official head sizes (cheap at 64-d).
_base_ = ['synthetic/merdg_mlp_scratch_1xb16-6e_synthetic-vector-source0-source1-to-target-rgb-flow-audio.py', '_base_/methods/jat.py']

model = dict(regularizers=dict(jat=dict(_base_.jat_regularizer, domains=_base_.source_domains)))
