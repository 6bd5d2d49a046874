"""Per-modality feature-entropy loss of MER-DG.

Reference: the MER-DG paper ("modality entropy regularization" against Fusion
Overfitting in multimodal domain generalization) and its official code, whose
estimator this module reproduces term by term:

* marginal term (VICReg's variance term, Bardes et al., ICLR 2022)::

      marg = mean_d relu(1 - sqrt(var_d(z) + eps))          # unbiased var

* spectral term (Gaussian log-det entropy of the standardised features)::

      x = (z - mean(z)) / (std(z) + eps)                     # population std
      C = x^T x / (N - 1) + eps * I_D
      spec = -logdet(C) / D

* ``loss = loss_weight * (alpha_marg * marg + alpha_spec * spec)``.

Alternative spectral estimators for ablation (``estimator=``):

* ``'vne'``: von Neumann entropy of the autocorrelation of L2-normalised
  features (Kim et al., "VNE", CVPR 2023): ``rho = Z^T Z / N`` (trace 1),
  ``VNE = -sum_i l_i log l_i`` over its eigenvalues; ``spec = -VNE``.
* ``'coding_rate'``: coding rate of L2-normalised features as in MCR2 (Yu et
  al., NeurIPS 2020) and MEC (Liu et al., NeurIPS 2022):
  ``R = logdet(I_D + D / (N * eps_cr^2) Z^T Z)``; ``spec = -R / D``.

The loss always computes in float32 (also under bf16/fp16 autocast), and with
``gather=True`` under an initialised ``torch.distributed`` it all-gathers the
features of every rank with gradients, so that loss and gradients equal the
single-process ones on the full batch (see :class:`GatherWithGrad`).
"""
import math
from typing import Dict, Optional

import torch
import torch.distributed as dist
from torch import Tensor, nn

from mmaction.registry import MODELS

ESTIMATORS = ('logdet', 'vne', 'coding_rate')


class GatherWithGrad(torch.autograd.Function):
    """All-gather ``[n, D]`` rows from every rank, keeping gradients.

    Forward concatenates the ranks' tensors in rank order. Backward sums the
    incoming gradients over ranks (``all_reduce``) and returns this rank's
    slice: every rank computes the same loss on the full batch, so the
    gradient of the *sum over ranks* with respect to the local rows is
    ``world_size`` times the single-process gradient; DDP then averages
    parameter gradients over ranks, which restores the single-process value.
    Only ``all_gather`` and ``all_reduce`` are used, so gloo works too.
    """

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        world = dist.get_world_size()
        sizes = torch.tensor([x.shape[0]], device=x.device)
        all_sizes = [torch.zeros_like(sizes) for _ in range(world)]
        dist.all_gather(all_sizes, sizes)
        all_sizes = [int(s.item()) for s in all_sizes]
        if len(set(all_sizes)) != 1:
            raise ValueError(
                'ModalityEntropyLoss(gather=True) needs the same per-rank '
                f'batch size on every rank; got {all_sizes}. Use '
                'drop_last=True in the train dataloader.')
        out = [torch.empty_like(x) for _ in range(world)]
        dist.all_gather(out, x.contiguous())
        ctx.rank, ctx.n = dist.get_rank(), x.shape[0]
        return torch.cat(out, dim=0)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        grad = grad.contiguous()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        return grad[ctx.rank * ctx.n:(ctx.rank + 1) * ctx.n]


def marginal_term(z: Tensor, eps: float) -> Tensor:
    """VICReg variance hinge ``mean_d relu(1 - sqrt(var_d(z) + eps))``.

    Args:
        z (Tensor): Features, shape ``[N, D]``, float32.
        eps (float): Added to the unbiased variance before the square root.

    Returns:
        Tensor: Scalar.
    """
    std = torch.sqrt(z.var(dim=0, unbiased=True) + eps)  # [D]
    return torch.relu(1.0 - std).mean()


def _logdet_psd_identity_plus(a: Tensor, scale: float) -> Tensor:
    """``logdet(I + scale * a^T a)`` for ``a`` of shape ``[N, D]``.

    Uses the ``N x N`` Gram form when ``N < D`` (Sylvester's determinant
    identity ``det(I_D + s A^T A) = det(I_N + s A A^T)``), else the ``D x D``
    form; ``tests/models/losses`` checks both give the same value.
    """
    n, d = a.shape
    if n < d:
        gram = a @ a.t()  # [N, N]
        eye = torch.eye(n, dtype=a.dtype, device=a.device)
    else:
        gram = a.t() @ a  # [D, D]
        eye = torch.eye(d, dtype=a.dtype, device=a.device)
    return torch.linalg.cholesky_ex(eye + scale * gram)[0].diagonal().log().sum() * 2


def logdet_term(z: Tensor, eps: float, use_gram: bool = True) -> Tensor:
    """Spectral term of the official code: ``-logdet(C) / D``.

    ``C = x^T x / (N - 1) + eps * I`` with ``x`` the features standardised by
    their mean and population std (``std + eps`` in the denominator).

    Args:
        z (Tensor): Features, shape ``[N, D]``, float32.
        eps (float): Ridge on ``C`` and on the std denominator.
        use_gram (bool): Allow the ``N x N`` form when ``N < D``.
            Defaults to True.

    Returns:
        Tensor: Scalar.
    """
    n, d = z.shape
    mean = z.mean(dim=0, keepdim=True)  # [1, D]
    # sqrt(var) has an infinite derivative at var == 0; clamping at 1e-12 keeps
    # the gradient finite for constant features and changes the value only
    # where std < 1e-6, i.e. far below eps.
    std = z.var(dim=0, unbiased=False, keepdim=True).clamp_min(1e-12).sqrt()
    x = (z - mean) / (std + eps)  # [N, D]
    # logdet(x^T x/(N-1) + eps I) = D log eps + logdet(I + x^T x / ((N-1) eps))
    scale = 1.0 / ((n - 1) * eps)
    if use_gram:
        inner = _logdet_psd_identity_plus(x, scale)
    else:
        eye = torch.eye(d, dtype=z.dtype, device=z.device)
        inner = torch.linalg.cholesky_ex(eye + scale * (x.t() @ x))[0]
        inner = inner.diagonal().log().sum() * 2
    logdet = d * math.log(eps) + inner
    return -logdet / d


def vne_term(z: Tensor) -> Tensor:
    """Negative von Neumann entropy of L2-normalised features (Kim et al.).

    Args:
        z (Tensor): Features, shape ``[N, D]``, float32.

    Returns:
        Tensor: Scalar ``-VNE``, in ``[-log(min(N, D)), 0]``.
    """
    zn = nn.functional.normalize(z, dim=1)  # [N, D], unit rows
    # Eigenvalues of rho = Z^T Z / N are the squared singular values of Z/sqrt(N).
    sing = torch.linalg.svdvals(zn / math.sqrt(z.shape[0]))
    eig = sing.pow(2)
    eig = eig[eig > 1e-12]
    return (eig * eig.log()).sum()


def coding_rate_term(z: Tensor, eps_cr: float) -> Tensor:
    """Negative per-dimension coding rate of L2-normalised features.

    Args:
        z (Tensor): Features, shape ``[N, D]``, float32.
        eps_cr (float): Distortion ``eps`` of MCR2/MEC.

    Returns:
        Tensor: Scalar ``-logdet(I + D / (N eps^2) Z^T Z) / D``.
    """
    n, d = z.shape
    zn = nn.functional.normalize(z, dim=1)
    return -_logdet_psd_identity_plus(zn, d / (n * eps_cr**2)) / d


@MODELS.register_module()
class ModalityEntropyLoss(nn.Module):
    """MER-DG's feature-entropy regulariser for one modality's features.

    Args:
        alpha_marg (float): Weight of the marginal (variance) term.
            Defaults to 1.0.
        alpha_spec (float): Weight of the spectral (entropy) term.
            Defaults to 1.0.
        eps (float): Numerical ridge of the official estimator. Defaults to
            1e-4.
        loss_weight (float): ``lambda_mer``. Defaults to 3.0.
        estimator (str): Spectral estimator: ``'logdet'`` (official),
            ``'vne'`` or ``'coding_rate'``. Defaults to ``'logdet'``.
        coding_rate_eps (float): Distortion of the coding-rate estimator.
            Defaults to 0.5.
        gather (bool): All-gather features across ranks (with gradients) when
            ``torch.distributed`` is initialised. Defaults to True.
        use_gram (bool): Use the ``N x N`` Gram form of the log-det when
            ``N < D``. Defaults to True.
        check_finite (bool): Raise on NaN/Inf features (one device sync per
            call). Defaults to True.
    """

    def __init__(self,
                 alpha_marg: float = 1.0,
                 alpha_spec: float = 1.0,
                 eps: float = 1e-4,
                 loss_weight: float = 3.0,
                 estimator: str = 'logdet',
                 coding_rate_eps: float = 0.5,
                 gather: bool = True,
                 use_gram: bool = True,
                 check_finite: bool = True) -> None:
        super().__init__()
        if estimator not in ESTIMATORS:
            raise ValueError(f'ModalityEntropyLoss: estimator must be one of '
                             f'{ESTIMATORS}, got {estimator!r}.')
        if eps <= 0 or coding_rate_eps <= 0:
            raise ValueError('ModalityEntropyLoss: eps and coding_rate_eps '
                             f'must be > 0, got {eps}, {coding_rate_eps}.')
        self.alpha_marg = float(alpha_marg)
        self.alpha_spec = float(alpha_spec)
        self.eps = float(eps)
        self.loss_weight = float(loss_weight)
        self.estimator = estimator
        self.coding_rate_eps = float(coding_rate_eps)
        self.gather = gather
        self.use_gram = use_gram
        self.check_finite = check_finite

    def _prepare(self, z: Tensor) -> Tensor:
        if not isinstance(z, Tensor) or z.dim() != 2:
            shape = tuple(z.shape) if isinstance(z, Tensor) else type(z)
            raise ValueError('ModalityEntropyLoss expects features of shape '
                             f'[N, D]; got {shape}.')
        if self.gather and dist.is_available() and dist.is_initialized() \
                and dist.get_world_size() > 1:
            z = GatherWithGrad.apply(z)  # [N_local, D] -> [N, D]
        if z.shape[0] < 2:
            raise ValueError('ModalityEntropyLoss needs at least 2 samples '
                             f'(variance and covariance); got N={z.shape[0]}.')
        if self.check_finite and not bool(torch.isfinite(z).all()):
            raise ValueError('ModalityEntropyLoss got non-finite features '
                             '(NaN or Inf); check the encoder and the lr.')
        return z.float()

    def terms(self, z: Tensor) -> Dict[str, Tensor]:
        """Unweighted terms of the estimator.

        Args:
            z (Tensor): Features, shape ``[N, D]`` (any float dtype).

        Returns:
            dict: ``'marg'`` and ``'spec'`` scalars (float32).
        """
        with torch.autocast(device_type=z.device.type, enabled=False):
            z = self._prepare(z)
            marg = marginal_term(z, self.eps)
            if self.estimator == 'logdet':
                spec = logdet_term(z, self.eps, self.use_gram)
            elif self.estimator == 'vne':
                spec = vne_term(z)
            else:
                spec = coding_rate_term(z, self.coding_rate_eps)
        return dict(marg=marg, spec=spec)

    def combine(self, terms: Dict[str, Tensor]) -> Tensor:
        """Weighted sum of the terms returned by :meth:`terms`."""
        return self.loss_weight * (self.alpha_marg * terms['marg'] +
                                   self.alpha_spec * terms['spec'])

    def forward(self, z: Tensor) -> Tensor:
        """Weighted loss for features ``z`` of shape ``[N, D]``."""
        return self.combine(self.terms(z))

    def extra_repr(self) -> str:
        return (f'estimator={self.estimator}, loss_weight={self.loss_weight}, '
                f'alpha_marg={self.alpha_marg}, alpha_spec={self.alpha_spec}, '
                f'eps={self.eps}, gather={self.gather}')
