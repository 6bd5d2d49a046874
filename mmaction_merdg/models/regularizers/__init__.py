"""Method objectives composed into ``MultiModalRecognizer(regularizers=...)``."""
from .base_regularizer import BaseRegularizer, RegularizerInputs
from .cmrf_regularizer import CMRFRegularizer
from .gmp_regularizer import GMPRegularizer
from .jat_regularizer import JATRegularizer
from .mbcd_regularizer import MBCDRegularizer
from .mer_regularizer import MERRegularizer
from .moosa_regularizer import MOOSARegularizer
from .nel_regularizer import NELRegularizer
from .rna_regularizer import RNARegularizer
from .simmmdg_regularizer import SimMMDGRegularizer

__all__ = ['BaseRegularizer', 'RegularizerInputs', 'MERRegularizer', 'RNARegularizer',
           'SimMMDGRegularizer', 'CMRFRegularizer', 'MOOSARegularizer', 'MBCDRegularizer',
           'NELRegularizer', 'JATRegularizer', 'GMPRegularizer']
