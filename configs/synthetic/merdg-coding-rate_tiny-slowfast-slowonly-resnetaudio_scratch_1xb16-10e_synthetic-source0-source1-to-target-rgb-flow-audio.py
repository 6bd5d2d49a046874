# Estimator ablation: the spectral term is the coding rate
# logdet(I + D / (N eps^2) Z^T Z) of L2-normalised features (MCR2, Yu et al.
# NeurIPS 2020; MEC, Liu et al. NeurIPS 2022) instead of the official log-det
# estimator. Marginal term and weights unchanged.
_base_ = ['./merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-source0-source1-to-target-rgb-flow-audio.py']

model = dict(regularizers=dict(mer=dict(loss=dict(estimator='coding_rate'))))
