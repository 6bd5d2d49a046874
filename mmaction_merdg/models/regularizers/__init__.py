"""Method objectives composed into ``MultiModalRecognizer(regularizers=...)``."""
from .base_regularizer import BaseRegularizer, RegularizerInputs
from .cmrf_regularizer import CMRFRegularizer
from .gmp_regularizer import GMPRegularizer
from .jat_regularizer import JATRegularizer
from .mer_regularizer import MERRegularizer
from .rna_regularizer import RNARegularizer
from .simmmdg_regularizer import SimMMDGRegularizer

__all__ = ['BaseRegularizer', 'RegularizerInputs', 'MERRegularizer', 'RNARegularizer',
           'SimMMDGRegularizer', 'CMRFRegularizer', 'JATRegularizer',
           'GMPRegularizer']
