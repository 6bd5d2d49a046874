"""ModalityEntropyLoss against straightforward reference implementations."""
import math
import os
import socket

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

from mmaction.registry import MODELS
from mmaction_merdg.models.losses import ModalityEntropyLoss
from mmaction_merdg.models.losses.modality_entropy_loss import (coding_rate_term,
                                                                logdet_term)


# ---- plain references (float64, no tricks), written from the formulas ----
def ref_marg(z, eps=1e-4):
    z = z.double()
    return torch.relu(1 - torch.sqrt(z.var(0, unbiased=True) + eps)).mean()


def ref_spec_logdet(z, eps=1e-4):
    z = z.double()
    n, d = z.shape
    x = (z - z.mean(0)) / (z.std(0, unbiased=False) + eps)
    c = x.T @ x / (n - 1) + eps * torch.eye(d, dtype=z.dtype)
    return -torch.logdet(c) / d


def ref_spec_vne(z):
    z = torch.nn.functional.normalize(z.double(), dim=1)
    rho = z.T @ z / z.shape[0]
    lam = torch.linalg.eigvalsh(rho).clamp_min(0)
    lam = lam[lam > 1e-12]
    return (lam * lam.log()).sum()  # = -VNE


def ref_spec_coding_rate(z, eps_cr=0.5):
    z = torch.nn.functional.normalize(z.double(), dim=1)
    n, d = z.shape
    return -torch.logdet(torch.eye(d, dtype=z.dtype) + d / (n * eps_cr**2) * z.T @ z) / d


@pytest.fixture
def z():
    g = torch.Generator().manual_seed(0)
    return torch.randn(32, 16, generator=g) * torch.linspace(0.2, 2.0, 16)


def test_registry_contract_value(z):
    loss = MODELS.build(dict(type='ModalityEntropyLoss', alpha_marg=1.0, alpha_spec=1.0,
                             eps=1e-4, loss_weight=3.0))
    expected = 3.0 * (ref_marg(z) + ref_spec_logdet(z))
    assert torch.allclose(loss(z).double(), expected, rtol=1e-4, atol=1e-4)
    terms = loss.terms(z)
    assert set(terms) == {'marg', 'spec'}
    assert torch.allclose(terms['marg'].double(), ref_marg(z), atol=1e-6)
    assert torch.allclose(terms['spec'].double(), ref_spec_logdet(z), rtol=1e-4, atol=1e-4)


def test_alphas_and_weight(z):
    loss = ModalityEntropyLoss(alpha_marg=0.3, alpha_spec=2.0, loss_weight=0.5)
    expected = 0.5 * (0.3 * ref_marg(z) + 2.0 * ref_spec_logdet(z))
    assert torch.allclose(loss(z).double(), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('n,d', [(8, 128), (16, 128), (127, 128), (200, 128), (5, 3)])
def test_gram_form_equals_full_form(n, d):
    """Sylvester's identity: the N x N form gives the D x D value."""
    g = torch.Generator().manual_seed(n * 1000 + d)
    z = torch.randn(n, d, generator=g, dtype=torch.float64)
    full = logdet_term(z, 1e-4, use_gram=False)
    gram = logdet_term(z, 1e-4, use_gram=True)
    assert torch.allclose(full, gram, rtol=1e-9, atol=1e-9)
    assert torch.allclose(full, ref_spec_logdet(z), rtol=1e-9, atol=1e-9)
    z32 = z.float()  # and in float32, the dtype the loss computes in
    assert torch.allclose(logdet_term(z32, 1e-4, True).double(), full, rtol=1e-4, atol=1e-3)


def test_vne_reference(z):
    loss = ModalityEntropyLoss(estimator='vne')
    assert torch.allclose(loss.terms(z)['spec'].double(), ref_spec_vne(z), atol=1e-5)
    # A rank-1 batch has zero entropy; isotropic features have log(D).
    one = torch.ones(10, 4)
    assert abs(float(loss.terms(one)['spec'])) < 1e-5
    iso = torch.eye(8).repeat(4, 1)
    assert abs(float(loss.terms(iso)['spec']) + math.log(8)) < 1e-5


@pytest.mark.parametrize('n', [8, 64])
def test_coding_rate_reference(n):
    g = torch.Generator().manual_seed(n)
    z = torch.randn(n, 16, generator=g)
    loss = ModalityEntropyLoss(estimator='coding_rate', coding_rate_eps=0.5)
    assert torch.allclose(loss.terms(z)['spec'].double(), ref_spec_coding_rate(z),
                          rtol=1e-4, atol=1e-5)
    assert torch.allclose(coding_rate_term(z.double(), 0.5), ref_spec_coding_rate(z),
                          rtol=1e-9)


@pytest.mark.parametrize('estimator', ['logdet', 'vne', 'coding_rate'])
def test_finite_gradients_including_constant_features(estimator):
    loss = ModalityEntropyLoss(estimator=estimator)
    z = torch.randn(16, 8)
    z[:, 3] = 1.0  # a dead (zero-variance) feature
    z.requires_grad_(True)
    loss(z).backward()
    assert torch.isfinite(z.grad).all()
    dead = torch.zeros(16, 8, requires_grad=True)  # fully collapsed batch
    value = ModalityEntropyLoss(estimator=estimator)(dead + 0.5)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(dead.grad).all()


def test_entropy_loss_prefers_spread_features():
    """Lower loss for decorrelated, unit-variance features than for collapsed ones."""
    loss = ModalityEntropyLoss()
    g = torch.Generator().manual_seed(1)
    spread = torch.randn(64, 8, generator=g)
    collapsed = torch.randn(64, 1, generator=g).repeat(1, 8) * 0.1 + 0.01 * torch.randn(
        64, 8, generator=g)
    assert float(loss(spread)) < float(loss(collapsed))


def test_float32_under_bf16_autocast(z):
    loss = ModalityEntropyLoss()
    expected = loss(z)
    with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
        lin = torch.nn.Linear(16, 16).to(torch.float32)
        with torch.no_grad():
            lin.weight.copy_(torch.eye(16))
            lin.bias.zero_()
        h = lin(z)  # bf16 under autocast
        assert h.dtype == torch.bfloat16
        out = loss(h)
    assert out.dtype == torch.float32
    # Only the bf16 rounding of the input differs.
    assert torch.allclose(out, expected, rtol=2e-2)


@pytest.mark.parametrize('bad,match', [
    (torch.randn(1, 8), 'at least 2 samples'),
    (torch.randn(4, 8, 2), r'\[N, D\]'),
    (torch.tensor([[1.0, float('nan')], [0.0, 1.0]]), 'non-finite'),
    (torch.tensor([[1.0, float('inf')], [0.0, 1.0]]), 'non-finite'),
])
def test_bad_input_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        ModalityEntropyLoss()(bad)


def test_bad_args():
    with pytest.raises(ValueError, match='estimator'):
        ModalityEntropyLoss(estimator='kde')
    with pytest.raises(ValueError, match='eps'):
        ModalityEntropyLoss(eps=0)


# ---- distributed: gathered loss and gradients equal the full-batch ones ----
def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _ddp_worker(rank, world, port, x_full, w0, out_dir):
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        lin = torch.nn.Linear(w0.shape[1], w0.shape[0], bias=False)
        with torch.no_grad():
            lin.weight.copy_(w0)
        model = torch.nn.parallel.DistributedDataParallel(lin)
        n = x_full.shape[0] // world
        z = model(x_full[rank * n:(rank + 1) * n])
        loss = ModalityEntropyLoss(gather=True)(z)
        loss.backward()  # DDP averages parameter gradients over ranks
        torch.save(dict(loss=loss.detach(), grad=lin.weight.grad.clone()),
                   os.path.join(out_dir, f'rank{rank}.pt'))
    finally:
        dist.destroy_process_group()


def test_ddp_gather_matches_single_process(tmp_path):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(24, 10, generator=g)
    w0 = torch.randn(12, 10, generator=g)
    lin = torch.nn.Linear(10, 12, bias=False)
    with torch.no_grad():
        lin.weight.copy_(w0)
    ref_loss = ModalityEntropyLoss()(lin(x))
    ref_loss.backward()
    mp.start_processes(_ddp_worker, args=(2, _free_port(), x, w0, str(tmp_path)),
                       nprocs=2, join=True, start_method='spawn')
    for rank in range(2):
        out = torch.load(tmp_path / f'rank{rank}.pt')
        assert torch.allclose(out['loss'], ref_loss.detach(), rtol=1e-5, atol=1e-5)
        assert torch.allclose(out['grad'], lin.weight.grad, rtol=1e-4, atol=1e-5)


def test_no_gather_without_process_group(z):
    assert not torch.distributed.is_initialized()
    assert np.isfinite(float(ModalityEntropyLoss(gather=True)(z)))
