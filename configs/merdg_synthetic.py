# Entry point: MER-DG on the embedded synthetic benchmark.
_base_ = ['synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-source0-source1-to-target-rgb-flow-audio.py']
