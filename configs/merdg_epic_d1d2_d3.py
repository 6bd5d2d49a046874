# Entry point: MER-DG on EPIC-Kitchens, train on D1 + D2, generalize to D3, with
# the official recipe (olivesgatech/MER-DG train_mer_dg.py, as run_experiments.sh
# runs it): the paper's encoders, LARS lr 1e-4 with no scheduler, 20 epochs at
# batch 16, layer4 + heads trained, MER-DG's defaults (2048-wide projection head,
# lambda 3). The same with Adam: configs/merdg_epic_d1d2_d3_adam.py.
#   python tools/train.py configs/merdg_epic_d1d2_d3.py
# Data layout and preparation: tools/data/epic_kitchens/README.md. Other shifts
# and subsets: --shift D2,D3:D1, --shift D1:D2,D3, --modalities rgb,audio.
_base_ = [
    '_base_/default_runtime.py',
    '_base_/models/slowfast-r101_slowonly-r50_audio-r18.py',  # carries mer_regularizer
    '_base_/datasets/epic_kitchens_mm.py',
    '_base_/schedules/lars-1e-4_20e.py',
]

model = dict(regularizers=dict(mer=_base_.mer_regularizer))
