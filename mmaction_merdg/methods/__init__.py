"""The method registry (see :mod:`mmaction_merdg.methods.zoo`)."""
from .method_spec import Default, MethodSpec
from .search_space import (Choice, Distribution, LogUniform, Uniform, sample_trial,
                           validate_space)
from .zoo import MERDG, METHODS, get_method, register_method

__all__ = ['Default', 'MethodSpec', 'Choice', 'Distribution', 'LogUniform', 'Uniform',
           'sample_trial', 'validate_space', 'MERDG', 'METHODS', 'get_method', 'register_method']
