"""Representation probes and statistics for the evidence tools.

One concept per module: :mod:`.cka` (linear CKA), :mod:`.cca` (regularised and
held-out canonical correlations), :mod:`.rank` (RankMe and the MER entropy
terms), :mod:`.domain_probe` (linear domain classifier), :mod:`.stats` (paired
tests across seeds). They take [N, D] tensors or arrays and return floats or
dicts. :mod:`.rank` reuses the MER-DG loss terms of
:mod:`mmaction_merdg.models.losses` (so the probes measure exactly what the
loss optimises); the others use torch, numpy, scipy and scikit-learn (the
domain probe's classifier and folds).
"""
from .cca import (canonical_correlations, fit_cca,
                  heldout_canonical_correlations)
from .cka import linear_cka
from .domain_probe import domain_probe
from .rank import logdet_entropy, marginal_hinge, rankme, singular_values
from .stats import (cohens_dz, compare_paired, mean_std, paired_ttest,
                    t_confidence_interval, wilcoxon_signed_rank)

__all__ = [
    'linear_cka', 'canonical_correlations', 'fit_cca',
    'heldout_canonical_correlations', 'rankme', 'logdet_entropy',
    'marginal_hinge', 'singular_values', 'domain_probe', 'mean_std',
    't_confidence_interval', 'paired_ttest', 'wilcoxon_signed_rank', 'cohens_dz',
    'compare_paired'
]
