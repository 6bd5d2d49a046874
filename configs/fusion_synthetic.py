# Entry point: the Fusion baseline on the embedded synthetic benchmark.
_base_ = ['fusion/fusion_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-s0s12t-rgb-flow-audio.py']
