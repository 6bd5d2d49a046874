# The synthetic family (clip level, the Quick start's default): Fusion on the
# embedded benchmark, source0 + source1 -> target, RGB + flow + audio, trained
# from scratch on a CPU (docs/synthetic_benchmark.md: split class code, the
# target's own rule, calibrated on Fusion alone).
#   python tools/train.py configs/fusion_synthetic.py
# A method on top: configs/<method>_synthetic.py; MER-DG on top of any of them:
# configs/merdg_synthetic.py, configs/<method>_merdg_synthetic.py or --mer;
# another shift or modality subset: --shift source0:source1,target,
# --modalities rgb,audio (README, "Train and test").
_base_ = [
    '_base_/default_runtime.py',
    '_base_/models/tiny-slowfast_slowonly_resnetaudio.py',  # carries mer_regularizer
    '_base_/datasets/synthetic_mmdg_split.py',
    '_base_/schedules/adam-1e-3_cosine_4e.py',
]
