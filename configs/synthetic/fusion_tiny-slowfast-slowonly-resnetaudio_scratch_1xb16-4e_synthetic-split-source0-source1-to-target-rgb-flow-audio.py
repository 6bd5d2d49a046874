# x, Fusion baseline synthetic benchmark source0 + source1 -> target, RGB + flow + audio.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/tiny-slowfast_slowonly_resnetaudio.py',
    '../_base_/datasets/synthetic_mmdg_split.py',
    '../_base_/schedules/adam-1e-3_cosine_4e.py',
    '../_base_/methods/fusion.py',
]

# One torch thread: measured on the shared 2 cores (load ~14), an iteration of
# the clip model took 25.6 s with torch's 2 threads and 1.2 s with 1.
custom_hooks = _base_.custom_hooks + [dict(type='TorchThreadsHook', num_threads=1)]
