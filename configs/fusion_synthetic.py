# Entry point: the Fusion baseline on the embedded synthetic benchmark (the
# clip-level setting of issue 9: split code, target's own rule;
# docs/synthetic_benchmark.md). The previous benchmark is
# configs/synthetic/fusion_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-source0-source1-to-target-rgb-flow-audio.py.
_base_ = ['synthetic/fusion_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py']
