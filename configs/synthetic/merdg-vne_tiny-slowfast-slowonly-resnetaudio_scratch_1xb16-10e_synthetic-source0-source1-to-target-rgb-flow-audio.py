# Estimator ablation: the spectral term is the von Neumann entropy of the
# autocorrelation of L2-normalised features (Kim et al., CVPR 2023) instead of
# the official log-det estimator. Marginal term and weights unchanged.
_base_ = ['./merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-source0-source1-to-target-rgb-flow-audio.py']

model = dict(regularizers=dict(mer=dict(loss=dict(estimator='vne'))))
