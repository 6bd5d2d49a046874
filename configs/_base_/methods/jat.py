# JAT (Li et al., ACM MM 2025; lihongzhao99/MMDG-Joint-Adversarial-Training) with
# the defaults of the MMDG benchmark's train_JAT.py on EPIC/HAC: unimodal CE
# weighted by the stability-aware softmax of the domain-prediction entropies
# (temperature 1, weight 3.0); a modality discriminator behind gradient
# reversal 0.1 (weight 0.1); local (per-modality) and global (concatenated)
# domain discriminators behind gradient reversal 0.3 (weights 0.5 and 0.5);
# projections Linear-ReLU-Dropout(0.5) to 512, domain discriminator hidden 256,
# global discriminator hidden 512. The regularizer needs the training domains
# (its discriminators' classes), so use it with
#   model = dict(regularizers=dict(jat=dict(_base_.jat_regularizer,
#                                           domains=source_domains)))
# (the generated leaves do; with one source domain the domain terms are off).
jat_regularizer = dict(
    type='JATRegularizer',
    project_channels=512, domain_hidden_channels=256, global_hidden_channels=512,
    modality_reverse=0.1, domain_reverse=0.3,
    unimodal_weight=3.0, modality_weight=0.1,
    local_domain_weight=0.5, global_domain_weight=0.5, temperature=1.0)
