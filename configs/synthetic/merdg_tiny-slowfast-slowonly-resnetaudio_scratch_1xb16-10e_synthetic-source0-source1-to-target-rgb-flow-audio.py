# The previous synthetic benchmark (docs/synthetic_benchmark.md): MER-DG on
# Fusion, source0 + source1 -> target, RGB + flow + audio, 10 epochs. The
# ablations merdg-*_...py in this folder inherit it.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/tiny-slowfast_slowonly_resnetaudio.py',
    '../_base_/datasets/synthetic_mmdg.py',
    '../_base_/schedules/adam-1e-3_cosine_10e.py',
]

model = dict(regularizers=dict(mer=_base_.mer_regularizer))
