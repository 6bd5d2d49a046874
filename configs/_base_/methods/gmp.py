# GMP (Li et al., AAAI 2026, arXiv:2603.14175; reference implementation
# train_GMP.py of lihongzhao99/MMDG_Benchmark) with its EPIC/HAC defaults:
# per modality, the gradients on the encoder and unimodal classifier of the
# unimodal CE (weight 3.0) and of a domain discriminator behind gradient
# reversal 0.3 (weight 0.5; projections Linear-ReLU-Dropout(0.5) to 512,
# discriminator hidden 256) are modulated by the semantic / domain confidence
# ratios (1 - tanh(0.5 r) for a leading modality) and, when they conflict,
# the stronger one is projected off the other. As in the reference, no loss
# trains the domain discriminator (train_discriminator=False). The regularizer
# needs the training domains, so use it with
#   model = dict(regularizers=dict(gmp=dict(_base_.gmp_regularizer,
#                                           domains=source_domains)))
# (the generated leaves do; with one source domain only the classification
# gradient is modulated).
gmp_regularizer = dict(
    type='GMPRegularizer',
    project_channels=512, domain_hidden_channels=256, domain_reverse=0.3,
    unimodal_weight=3.0, domain_weight=0.5, semantic_alpha=0.5, domain_alpha=0.5,
    train_discriminator=False)
