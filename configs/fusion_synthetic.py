# Entry point: the Fusion baseline on the embedded synthetic benchmark
# (calibrated version: docs/synthetic_benchmark.md). The previous version is
# configs/fusion/fusion_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-s0s12t-rgb-flow-audio.py.
_base_ = ['synthetic/fusion_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-s0s12t-rgb-flow-audio.py']
