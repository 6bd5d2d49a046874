# The previous synthetic benchmark (joint-only XOR rule, no target rule,
# 16x32x32 clips, 10 epochs; docs/synthetic_benchmark.md): Fusion,
# source0 + source1 -> target, RGB + flow + audio. The current benchmark is
# configs/fusion_synthetic.py.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/tiny-slowfast_slowonly_resnetaudio.py',
    '../_base_/datasets/synthetic_mmdg.py',
    '../_base_/schedules/adam-1e-3_cosine_10e.py',
]
