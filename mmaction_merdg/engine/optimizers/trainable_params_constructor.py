"""An optimizer-wrapper constructor that trains only the named parts of a model."""
import fnmatch
from typing import List, Sequence, Set

from mmengine.optim import DefaultOptimWrapperConstructor
from torch import nn

from mmaction.registry import OPTIM_WRAPPER_CONSTRUCTORS


def select_trainable(model: nn.Module, patterns: Sequence[str]) -> Set[str]:
    """Names of the parameters under the modules ``patterns`` name.

    A pattern is a module (or parameter) name of ``model``, with ``fnmatch``
    wildcards: ``'cls_head'``, ``'regularizers'``, ``'backbones.*.layer4'``
    (``*`` also matches dots: SlowFast's ``slow_path.layer4`` and
    ``fast_path.layer4``). A pattern ``'backbones.*.<rest>'`` must match inside
    every backbone.

    Raises:
        ValueError: naming a pattern that matches nothing, or the backbone
            (and its layers) in which a ``backbones.*`` pattern matches nothing.
    """
    modules = dict(model.named_modules())
    params = dict(model.named_parameters())
    names = [n for n in list(modules) + list(params) if n]
    matched: List[str] = []
    for pattern in patterns:
        hits = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if pattern.startswith('backbones.*.') and 'backbones' in modules:
            for m, backbone in modules['backbones'].named_children():
                if not any(h.startswith(f'backbones.{m}.') for h in hits):
                    layers = [n for n, _ in backbone.named_children()]
                    raise ValueError(
                        f'optim_wrapper.paramwise_cfg.trainable: {pattern!r} names a layer '
                        f"that backbones['{m}'] ({type(backbone).__name__}) lacks; its "
                        f'layers are {layers}.')
        if not hits:
            raise ValueError(
                f'optim_wrapper.paramwise_cfg.trainable: {pattern!r} matches no module or '
                f'parameter of {type(model).__name__}; its top-level modules are '
                f'{[n for n, _ in model.named_children()]}.')
        matched += hits
    return {p for p in params
            if any(p == h or p.startswith(h + '.') for h in matched)}


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class TrainableParamsOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's default constructor, for the parameters of named parts only.

    ``paramwise_cfg.trainable`` lists module-name patterns (see
    :func:`select_trainable`); every other parameter is frozen
    (``requires_grad=False``, so it gets no gradient and no update; in
    particular no weight decay). The rest of ``paramwise_cfg`` is mmengine's.
    MER-DG's official recipe (``train_mer_dg.py``: ``layer4`` of every encoder,
    the heads and the projection heads)::

        optim_wrapper = dict(
            constructor='TrainableParamsOptimWrapperConstructor',
            optimizer=dict(type='LARS', lr=1e-4, weight_decay=1e-6, momentum=0.9, eta=1e-3),
            paramwise_cfg=dict(trainable=['backbones.*.layer4', 'cls_head', 'regularizers']))

    The earlier stages are also the backbones' ``frozen_stages`` (in eval
    mode); freezing them at build time as well keeps multi-GPU training valid
    (DDP registers its parameters before the optimizer is built: a parameter
    frozen only here needs ``find_unused_parameters=True``).

    Args:
        optim_wrapper_cfg (dict): As mmengine's.
        paramwise_cfg (dict): ``trainable`` (list of str, required) and
            mmengine's keys.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: dict = None) -> None:
        paramwise_cfg = dict(paramwise_cfg or {})
        trainable = paramwise_cfg.pop('trainable', None)
        if not trainable or isinstance(trainable, str):
            raise ValueError('TrainableParamsOptimWrapperConstructor needs '
                             'optim_wrapper.paramwise_cfg.trainable: a list of module names, '
                             f"e.g. ['backbones.*.layer4', 'cls_head']; got {trainable!r}.")
        self.trainable = list(trainable)
        super().__init__(optim_wrapper_cfg, paramwise_cfg or None)

    def __call__(self, model: nn.Module):
        inner = model.module if hasattr(model, 'module') else model
        keep = select_trainable(inner, self.trainable)
        for name, p in inner.named_parameters():
            if name not in keep:
                p.requires_grad_(False)
        return super().__call__(model)
