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
from typing import Dict, Optional, Sequence, Tuple

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


# ---- batched over modalities: z of shape [M, N, D], one value per modality ----
# The same formulas as the single-modality functions above (which the analysis
# code and the reference tests call); ``tests/models/losses`` checks that both
# agree. One launch per op for all M modalities instead of M.
def marginal_terms(z: Tensor, eps: float) -> Tensor:
    """:func:`marginal_term` of every ``z[m]``.

    Args:
        z (Tensor): Features, shape ``[M, N, D]``, float32.
        eps (float): Added to the unbiased variance before the square root.

    Returns:
        Tensor: ``[M]``.
    """
    std = torch.sqrt(z.var(dim=1, unbiased=True) + eps)  # [M, D]
    return torch.relu(1.0 - std).mean(dim=1)


def _logdet_identity_plus_batched(a: Tensor, scale: float) -> Tensor:
    """``logdet(I + scale * a[m]^T a[m])`` for ``a`` of shape ``[M, N, D]``.

    The ``N x N`` Gram form when ``N < D`` (Sylvester), else ``D x D``.

    Returns:
        Tensor: ``[M]``.
    """
    m, n, d = a.shape
    k = min(n, d)
    gram_lhs, gram_rhs = (a, a.mT) if n < d else (a.mT, a)
    eye = torch.eye(k, dtype=a.dtype, device=a.device).expand(m, k, k)
    # I + scale * A A^T in one op: [M, K, K]
    mat = torch.baddbmm(eye, gram_lhs, gram_rhs, alpha=scale)
    chol = torch.linalg.cholesky_ex(mat)[0]  # [M, K, K]
    return chol.diagonal(dim1=-2, dim2=-1).log().sum(dim=-1) * 2


def logdet_terms(z: Tensor, eps: float, use_gram: bool = True) -> Tensor:
    """:func:`logdet_term` of every ``z[m]``.

    Args:
        z (Tensor): Features, shape ``[M, N, D]``, float32.
        eps (float): Ridge on ``C`` and on the std denominator.
        use_gram (bool): Allow the ``N x N`` form when ``N < D``.
            Defaults to True.

    Returns:
        Tensor: ``[M]``.
    """
    _, n, d = z.shape
    mean = z.mean(dim=1, keepdim=True)  # [M, 1, D]
    std = z.var(dim=1, unbiased=False, keepdim=True).clamp_min(1e-12).sqrt()
    x = (z - mean) / (std + eps)  # [M, N, D]
    scale = 1.0 / ((n - 1) * eps)
    if use_gram:
        inner = _logdet_identity_plus_batched(x, scale)
    else:
        eye = torch.eye(d, dtype=z.dtype, device=z.device).expand(z.shape[0], d, d)
        chol = torch.linalg.cholesky_ex(torch.baddbmm(eye, x.mT, x, alpha=scale))[0]
        inner = chol.diagonal(dim1=-2, dim2=-1).log().sum(dim=-1) * 2
    return -(d * math.log(eps) + inner) / d


class MargLogdetTerms(torch.autograd.Function):
    """:func:`marginal_terms` and :func:`logdet_terms` in one pass, with a
    hand-written backward.

    Autograd through the two functions dispatches ~120 ops per step (the
    backward of ``var``, ``sqrt``, ``clamp_min``, the standardisation and
    ``cholesky``); this computes the same values and gradients with about a
    third of them, which is what bounds MER-DG's host-side cost on a GPU.
    ``tests/models/losses`` checks values and gradients against autograd.

    Gradients, per modality (``c = z - mean``, ``s = sqrt(var_unbiased + eps)``,
    ``sig = sqrt(max(var_pop, 1e-12))``, ``r = 1 / (sig + eps)``, ``x = c r``,
    ``a = 1 / ((N - 1) eps)``)::

        d marg / dz = -[s < 1] c / (D s (N - 1))
        d spec / dx = -(2 a / D) (I + a x x^T)^-1 x          # = x (I + a x^T x)^-1
        d spec / dz = g r - mean_n(g r)
                      - c r^2 [var_pop >= 1e-12] sum_n(g c) / (N sig)   # g = d spec / dx
    """

    @staticmethod
    def forward(ctx, z: Tensor, eps: float, use_gram: bool = True):
        m, n, d = z.shape
        # The single-modality functions' op sequence (torch.var, a division,
        # I + scale * Gram), so that float32 values match them closely.
        mean = z.mean(dim=1, keepdim=True)  # [M, 1, D]
        c = z - mean  # [M, N, D]
        s = torch.sqrt(z.var(dim=1, unbiased=True, keepdim=True) + eps)
        marg = torch.relu(1.0 - s).mean(dim=(1, 2))  # [M, 1, D] -> [M]
        var_pop = z.var(dim=1, unbiased=False, keepdim=True)
        sig = var_pop.clamp_min(1e-12).sqrt()
        r = 1.0 / (sig + eps)  # [M, 1, D]
        x = c / (sig + eps)  # [M, N, D]
        scale = 1.0 / ((n - 1) * eps)
        gram = use_gram and n < d
        k = n if gram else d
        lhs, rhs = (x, x.mT) if gram else (x.mT, x)
        eye = torch.eye(k, dtype=z.dtype, device=z.device).expand(m, k, k)
        chol = torch.linalg.cholesky_ex(eye + scale * (lhs @ rhs))[0]
        inner = chol.diagonal(dim1=-2, dim2=-1).log().sum(dim=-1) * 2  # [M]
        spec = -(d * math.log(eps) + inner) / d
        ctx.save_for_backward(c, s, var_pop, sig, r, x, chol)
        ctx.scale, ctx.gram = scale, gram
        return marg, spec

    @staticmethod
    def backward(ctx, grad_marg: Tensor, grad_spec: Tensor):
        return MargLogdetTerms.grad_z(ctx, grad_marg, grad_spec), None, None

    @staticmethod
    def grad_z(ctx, grad_marg: Tensor, grad_spec: Tensor) -> Tensor:
        """``dL/dz`` from ``dL/dmarg`` and ``dL/dspec`` (``[M]`` or scalars)."""
        c, s, var_pop, sig, r, x, chol = ctx.saved_tensors
        _, n, d = c.shape
        grad_marg = torch.as_tensor(grad_marg, dtype=c.dtype, device=c.device)
        grad_spec = torch.as_tensor(grad_spec, dtype=c.dtype, device=c.device)
        if grad_marg.dim():
            grad_marg, grad_spec = grad_marg[:, None, None], grad_spec[:, None, None]
        # marginal: [M, 1, D] coefficient times c
        # (mask products, not where(): no scalar tensors dispatched)
        coef = -grad_marg / (d * (n - 1) * s) * (s < 1)
        # spectral: g = d spec / dx, [M, N, D]
        if ctx.gram:  # (I_N + a x x^T)^-1 x
            kinv_x = torch.cholesky_solve(x, chol)
        else:  # x (I_D + a x^T x)^-1
            kinv_x = torch.cholesky_solve(x.mT, chol).mT
        g = kinv_x * (grad_spec * (-2 * ctx.scale / d))
        gr = g * r
        coef = coef - r * r / (n * sig) * (var_pop >= 1e-12) * \
            (g * c).sum(dim=1, keepdim=True)
        return gr - gr.mean(dim=1, keepdim=True) + coef * c


def _per_modality(terms: Dict[str, Tensor], modalities: Sequence[str]
                  ) -> Dict[str, Dict[str, Tensor]]:
    """``{term: [M]}`` -> ``{modality: {term: scalar}}``, one unbind per term
    for all modalities (not M indexing ops)."""
    split = {k: v.unbind(0) for k, v in terms.items()}
    return {m: {k: split[k][i] for k in split} for i, m in enumerate(modalities)}


class WeightedMargLogdetLoss(torch.autograd.Function):
    """``sum_m (w_marg * marg[m] + w_spec * spec[m])`` of :class:`MargLogdetTerms`.

    Returns the scalar loss and, for logging, the ``[M]`` terms (not
    differentiable); folding the weights and the sum over modalities into the
    same backward saves the ops of a separate weighted sum.
    """

    @staticmethod
    def forward(ctx, z: Tensor, eps: float, use_gram: bool, w_marg: float,
                w_spec: float):
        marg, spec = MargLogdetTerms.forward(ctx, z, eps, use_gram)
        # the logged terms get no gradient: do not build zeros for them
        ctx.set_materialize_grads(False)
        ctx.w_marg, ctx.w_spec = w_marg, w_spec
        loss = (marg * w_marg + spec * w_spec).sum()
        ctx.mark_non_differentiable(marg, spec)
        return loss, marg, spec

    @staticmethod
    def backward(ctx, grad_loss: Tensor, _marg, _spec):
        grad = MargLogdetTerms.grad_z(ctx, grad_loss * ctx.w_marg, grad_loss * ctx.w_spec)
        return grad, None, None, None, None


def vne_terms(z: Tensor) -> Tensor:
    """:func:`vne_term` of every ``z[m]``, without its data-dependent masking.

    Eigenvalues ``<= 1e-12`` are zeroed out of ``sum l log l`` with ``where``
    (their contribution is below 3e-11) instead of being dropped by boolean
    indexing, which would need a host sync.

    Returns:
        Tensor: ``[M]``.
    """
    zn = nn.functional.normalize(z, dim=2)  # [M, N, D], unit rows
    eig = torch.linalg.svdvals(zn / math.sqrt(z.shape[1])).pow(2)  # [M, min(N, D)]
    keep = eig > 1e-12
    safe = torch.where(keep, eig, torch.ones_like(eig))
    return torch.where(keep, eig * safe.log(), torch.zeros_like(eig)).sum(dim=1)


def coding_rate_terms(z: Tensor, eps_cr: float) -> Tensor:
    """:func:`coding_rate_term` of every ``z[m]``.

    Returns:
        Tensor: ``[M]``.
    """
    _, n, d = z.shape
    zn = nn.functional.normalize(z, dim=2)
    return -_logdet_identity_plus_batched(zn, d / (n * eps_cr**2)) / d


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
        check_finite (bool): Check the features for NaN/Inf. The
            single-modality API (:meth:`forward`, :meth:`terms`) raises a
            ValueError, at the price of one host sync per call; the batched
            training API (:meth:`forward_multi`, :meth:`terms_multi`) asserts
            on the device (``torch._assert_async``): no host sync on a GPU, where
            a non-finite feature then stops the run with a device-side
            assertion at the next synchronisation (on the CPU it raises at
            once). Defaults to True.

    The recognizer calls :meth:`forward_multi` with every modality's
    projections at once: when they share their shape ``[N, D]`` (the usual
    case: one projector width), the terms of all modalities are computed in
    one batched pass on ``[M, N, D]``; otherwise modality by modality.
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

    def _stack(self, zs: Dict[str, Tensor]) -> Optional[Tensor]:
        """``[M, N, D]`` float32 from ``{modality: [N, D]}``, or None if shapes differ."""
        for m, z in zs.items():
            if not isinstance(z, Tensor) or z.dim() != 2:
                shape = tuple(z.shape) if isinstance(z, Tensor) else type(z)
                raise ValueError(f'ModalityEntropyLoss expects features of shape '
                                 f'[N, D] per modality; got {shape} for {m!r}.')
        if len({tuple(z.shape) for z in zs.values()}) != 1:
            return None
        # M x [N, D] -> [M, N, D]
        return self._prepare_stacked(torch.stack(list(zs.values())), list(zs))

    def _prepare_stacked(self, z: Tensor, names: Optional[Sequence[str]] = None) -> Tensor:
        """Gather across ranks (if set), check and cast stacked ``[M, N, D]``."""
        if self.gather and dist.is_available() and dist.is_initialized() \
                and dist.get_world_size() > 1:
            m, n, d = z.shape
            # One collective for all modalities: gather rows of [N, M*D].
            flat = z.transpose(0, 1).reshape(n, m * d)  # [M, N, D] -> [N, M*D]
            flat = GatherWithGrad.apply(flat)  # [N_local, M*D] -> [N, M*D]
            z = flat.view(-1, m, d).transpose(0, 1)  # -> [M, N, D]
        if z.shape[1] < 2:
            raise ValueError('ModalityEntropyLoss needs at least 2 samples '
                             f'(variance and covariance); got N={z.shape[1]}.')
        z = z.float()
        if self.check_finite:
            names = list(names) if names is not None else list(range(z.shape[0]))
            finite = torch.isfinite(z)
            try:
                # Device-side: no host sync (see the class docstring).
                torch._assert_async(finite.all(),
                                    'ModalityEntropyLoss got non-finite projected features '
                                    f'(NaN or Inf) of one of the modalities {names}; check '
                                    'the encoder and the lr.')
            except RuntimeError as err:  # on the CPU it fires at once: name the modality
                bad = [m for m, ok in zip(names, finite.flatten(1).all(1).tolist()) if not ok]
                raise RuntimeError(
                    f'ModalityEntropyLoss got non-finite projected features (NaN or Inf) of '
                    f'the modality(ies) {bad}; check their projector and encoder, and the '
                    'lr.') from err
        return z

    def terms_multi(self, zs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Unweighted terms of every modality, batched when the shapes agree.

        Args:
            zs (dict): ``modality -> [N, D]`` features (any float dtype).

        Returns:
            dict: ``'marg'`` and ``'spec'``, each of shape ``[M]`` (float32), in
            the order of ``zs``.
        """
        if not zs:
            raise ValueError('ModalityEntropyLoss.terms_multi got no modalities.')
        device = next(iter(zs.values())).device
        with torch.autocast(device_type=device.type, enabled=False):
            z = self._stack(zs)
            if z is None:  # different D (or N): one modality at a time
                per = [self.terms(v) for v in zs.values()]
                return {k: torch.stack([t[k] for t in per]) for k in ('marg', 'spec')}
            if self.estimator == 'logdet':
                marg, spec = MargLogdetTerms.apply(z, self.eps, self.use_gram)
                return dict(marg=marg, spec=spec)
            marg = marginal_terms(z, self.eps)
            if self.estimator == 'vne':
                spec = vne_terms(z)
            else:
                spec = coding_rate_terms(z, self.coding_rate_eps)
        return dict(marg=marg, spec=spec)

    def forward_multi(self, zs: Dict[str, Tensor]
                      ) -> Tuple[Tensor, Dict[str, Dict[str, Tensor]]]:
        """Loss summed over modalities, and each modality's terms for logging.

        Args:
            zs (dict): ``modality -> [N, D]`` projected features.

        Returns:
            tuple: the scalar loss ``sum_m combine(terms[m])`` (with gradients),
            and ``{modality: {'marg': scalar, 'spec': scalar}}`` detached.
        """
        if not zs:
            raise ValueError('ModalityEntropyLoss.forward_multi got no modalities.')
        z = None
        if self.estimator == 'logdet':
            device = next(iter(zs.values())).device
            with torch.autocast(device_type=device.type, enabled=False):
                z = self._stack(zs)
                if z is not None:  # the usual case: one fused pass
                    loss, terms = self._fused(z)
        if z is None:
            terms = self.terms_multi(zs)
            loss = self.combine(terms).sum()
            terms = {k: v.detach() for k, v in terms.items()}
        return loss, _per_modality(terms, list(zs))

    def forward_stacked(self, z: Tensor, modalities: Sequence[str]
                        ) -> Tuple[Tensor, Dict[str, Dict[str, Tensor]]]:
        """:meth:`forward_multi` for projections already stacked ``[M, N, D]``.

        Saves the stacking (and its backward) when the projections come out
        of one batched head (:class:`MERProjectorBank`).

        Args:
            z (Tensor): ``[M, N, D]`` projected features, modality ``i`` at ``z[i]``.
            modalities (Sequence[str]): The ``M`` modality names, in order.

        Returns:
            tuple: as :meth:`forward_multi`.
        """
        if not isinstance(z, Tensor) or z.dim() != 3 or z.shape[0] != len(modalities):
            shape = tuple(z.shape) if isinstance(z, Tensor) else type(z)
            raise ValueError(f'ModalityEntropyLoss.forward_stacked expects [M, N, D] with '
                             f'M = {len(modalities)} ({list(modalities)}); got {shape}.')
        if self.estimator != 'logdet':
            return self.forward_multi(dict(zip(modalities, z.unbind(0))))
        with torch.autocast(device_type=z.device.type, enabled=False):
            loss, terms = self._fused(self._prepare_stacked(z, modalities))
        return loss, _per_modality(terms, modalities)

    def _fused(self, z: Tensor) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Weighted loss and detached ``[M]`` terms of prepared ``[M, N, D]``, one pass."""
        loss, marg, spec = WeightedMargLogdetLoss.apply(
            z, self.eps, self.use_gram, self.loss_weight * self.alpha_marg,
            self.loss_weight * self.alpha_spec)
        return loss, dict(marg=marg, spec=spec)

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
