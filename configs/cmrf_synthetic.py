# CMRF (Fan et al., NeurIPS 2024) with its averaged teacher,
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/cmrf.py).
#   python tools/train.py configs/cmrf_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/cmrf.py']

# CPU-sized heads (128 wide, as the MER-DG projector of these benchmarks).
model = dict(
    regularizers=dict(
        cmrf=dict(
            _base_.cmrf_regularizer,
            projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128))))

# The teacher averages from the 2nd epoch: the official 400 iterations are
# about the first 8 % of its EPIC schedule.
custom_hooks = _base_.custom_hooks + [
    dict(_base_.cmrf_hooks[0], begin_iter=0, begin_epoch=1)]
