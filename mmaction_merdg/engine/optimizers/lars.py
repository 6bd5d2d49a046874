"""LARS: layer-wise adaptive rate scaling (You et al., 2017), as VICReg-style code uses it."""
from typing import Iterable

import torch
from torch import Tensor
from torch.optim import Optimizer

from mmaction.registry import OPTIMIZERS


@OPTIMIZERS.register_module()
class LARS(Optimizer):
    """SGD with momentum and a per-tensor trust ratio.

    For each parameter tensor ``w`` with gradient ``g`` (You, Gitman and
    Ginsburg, "Large Batch Training of Convolutional Networks", 2017; the form
    of VICReg / Barlow Twins code)::

        d = g + weight_decay * w                       (weight decay)
        q = eta * |w| / |d|   if |w| > 0 and |d| > 0, else 1   (trust ratio)
        d = q * d
        mu = momentum * mu + d;   w = w - lr * mu

    With ``exclude_bias_and_norm`` (default) tensors with at most one
    dimension (biases, BatchNorm/LayerNorm affine parameters) get neither the
    weight decay nor the trust ratio: plain momentum SGD. This is the
    optimizer the official MER-DG code imports (``from optimizer import
    LARS``, whose file the release lacks), with its arguments: ``lr=1e-4,
    weight_decay=1e-6, momentum=0.9, eta=0.001, exclude_bias_n_norm=True``.

    Registered in MMAction2's ``OPTIMIZERS`` (child of mmengine's)::

        optim_wrapper = dict(optimizer=dict(type='LARS', lr=1e-4, weight_decay=1e-6,
                                            momentum=0.9, eta=1e-3))

    Args:
        params (iterable): Parameters or parameter groups.
        lr (float): Learning rate.
        weight_decay (float): Defaults to 0.
        momentum (float): Defaults to 0.9.
        eta (float): Trust coefficient. Defaults to 1e-3.
        exclude_bias_and_norm (bool): Defaults to True.
    """

    def __init__(self, params: Iterable, lr: float, weight_decay: float = 0.0,
                 momentum: float = 0.9, eta: float = 1e-3,
                 exclude_bias_and_norm: bool = True) -> None:
        for name, value in (('lr', lr), ('weight_decay', weight_decay),
                            ('momentum', momentum), ('eta', eta)):
            if value < 0:
                raise ValueError(f'LARS: {name} must be >= 0, got {value}.')
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, eta=eta,
                        exclude_bias_and_norm=exclude_bias_and_norm)
        super().__init__(params, defaults)

    @staticmethod
    def _excluded(p: Tensor, group: dict) -> bool:
        return group['exclude_bias_and_norm'] and p.ndim <= 1

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter with a gradient."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                d = p.grad
                if not self._excluded(p, group):
                    d = d.add(p, alpha=group['weight_decay'])
                    w_norm, d_norm = torch.norm(p), torch.norm(d)
                    one = torch.ones_like(w_norm)
                    q = torch.where(w_norm > 0,
                                    torch.where(d_norm > 0, group['eta'] * w_norm / d_norm, one),
                                    one)
                    d = d.mul(q)
                state = self.state[p]
                if 'mu' not in state:
                    state['mu'] = torch.zeros_like(p)
                mu = state['mu']
                mu.mul_(group['momentum']).add_(d)
                p.add_(mu, alpha=-group['lr'])
        return loss
