"""The method registry (:mod:`.zoo`) and the dataset families (:mod:`.families`)."""
from .method_spec import Default, MethodSpec
from .search_space import (Choice, Distribution, LogUniform, Uniform, sample_trial,
                           validate_space)
from .families import FAMILIES, FamilySpec, family_of_dataset, get_family, subset_name
from .zoo import MERDG, METHODS, get_method, register_method

__all__ = ['FAMILIES', 'FamilySpec', 'family_of_dataset', 'get_family', 'subset_name',
           'Default', 'MethodSpec', 'Choice', 'Distribution', 'LogUniform', 'Uniform',
           'sample_trial', 'validate_space', 'MERDG', 'METHODS', 'get_method', 'register_method']
