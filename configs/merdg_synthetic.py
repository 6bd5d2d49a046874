# Entry point: MER-DG on the embedded synthetic benchmark (calibrated version:
# docs/synthetic_benchmark.md). The previous version (joint-only XOR rule) is
# configs/merdg/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-s0s12t-rgb-flow-audio.py.
_base_ = ['synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-s0s12t-rgb-flow-audio.py']
