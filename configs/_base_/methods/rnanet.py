# RNA-Net's relative norm alignment (Planamente et al., WACV 2022), as in the
# MMDG benchmark (lihongzhao99/MMDG_Benchmark, train_RNA.py): weight 1. Use with
#   model = dict(regularizers=dict(rna=_base_.rna_regularizer))
rna_regularizer = dict(type='RNARegularizer', loss_weight=1.0)
