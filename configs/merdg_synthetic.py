# Entry point: MER-DG on the embedded synthetic benchmark (the clip-level
# setting of issue 9: split code, target's own rule; docs/synthetic_benchmark.md).
# The previous benchmark (joint-only XOR, 10 epochs, 16x32x32 clips) is
# configs/synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-source0-source1-to-target-rgb-flow-audio.py.
_base_ = ['synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py']
