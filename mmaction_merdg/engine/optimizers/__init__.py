from .lars import LARS
from .trainable_params_constructor import (TrainableParamsOptimWrapperConstructor,
                                           select_trainable)

__all__ = ['LARS', 'TrainableParamsOptimWrapperConstructor', 'select_trainable']
