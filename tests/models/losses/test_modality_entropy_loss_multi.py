"""The batched (all modalities at once) API of ModalityEntropyLoss.

It must give the single-modality values and gradients (which the reference
tests pin), dispatch no host sync, and fall back when the shapes differ.
"""
import os
import socket

import pytest
import torch
import torch.multiprocessing as mp

from mmaction_merdg.models.losses import ModalityEntropyLoss
from mmaction_merdg.models.losses.modality_entropy_loss import (
    MargLogdetTerms, coding_rate_term, coding_rate_terms, logdet_term, logdet_terms,
    marginal_term, marginal_terms, vne_term, vne_terms)

from ...conftest import load_tool

OpCounter = load_tool('analysis/count_ops.py').OpCounter


def _zs(n=16, d=12, m=3, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(m, n, d, generator=g, dtype=dtype) * torch.linspace(0.2, 2.0, d, dtype=dtype)
    z[1, :, 3] = 0.7  # a constant feature (zero variance)
    return z


@pytest.mark.parametrize('n,d', [(8, 16), (32, 16)])
def test_batched_functions_equal_single(n, d):
    z = _zs(n, d, dtype=torch.float64)  # float32 log-dets differ by rounding
    for batched, single in [(lambda x: marginal_terms(x, 1e-4), lambda x: marginal_term(x, 1e-4)),
                            (lambda x: logdet_terms(x, 1e-4), lambda x: logdet_term(x, 1e-4)),
                            (lambda x: logdet_terms(x, 1e-4, False),
                             lambda x: logdet_term(x, 1e-4, False)),
                            (vne_terms, vne_term),
                            (lambda x: coding_rate_terms(x, 0.5),
                             lambda x: coding_rate_term(x, 0.5))]:
        expected = torch.stack([single(zz) for zz in z])
        assert torch.allclose(batched(z), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize('n,d,gram', [(8, 16, True), (32, 16, True), (8, 16, False)])
def test_fused_terms_values_and_gradients_equal_autograd(n, d, gram):
    z = _zs(n, d, dtype=torch.float64).requires_grad_(True)
    wm, ws = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64), \
        torch.tensor([1.5, 0.3, -0.7], dtype=torch.float64)
    marg, spec = MargLogdetTerms.apply(z, 1e-4, gram)
    grad, = torch.autograd.grad((marg * wm).sum() + (spec * ws).sum(), z)
    ref_m = torch.stack([marginal_term(zz, 1e-4) for zz in z])
    ref_s = torch.stack([logdet_term(zz, 1e-4, gram) for zz in z])
    ref_grad, = torch.autograd.grad((ref_m * wm).sum() + (ref_s * ws).sum(), z)
    assert torch.allclose(marg, ref_m, atol=1e-12)
    assert torch.allclose(spec, ref_s, rtol=1e-10, atol=1e-10)
    assert torch.allclose(grad, ref_grad, rtol=1e-8, atol=1e-10 * ref_grad.abs().max())


@pytest.mark.parametrize('estimator', ['logdet', 'vne', 'coding_rate'])
def test_forward_multi_equals_sum_of_single(estimator):
    loss = ModalityEntropyLoss(estimator=estimator, alpha_marg=0.7, alpha_spec=1.3)
    z = _zs(16, 12)
    leaves = {m: z[i].clone().requires_grad_(True) for i, m in enumerate(('imgs', 'flow_imgs', 'audios'))}
    total, terms = loss.forward_multi(leaves)
    grads = torch.autograd.grad(total, list(leaves.values()))
    ref_leaves = {m: v.detach().clone().requires_grad_(True) for m, v in leaves.items()}
    ref_total = sum(loss(v) for v in ref_leaves.values())
    ref_grads = torch.autograd.grad(ref_total, list(ref_leaves.values()))
    assert torch.allclose(total, ref_total, rtol=1e-5, atol=1e-5)
    for g, rg in zip(grads, ref_grads):
        assert torch.allclose(g, rg, rtol=1e-4, atol=1e-5)
    assert list(terms) == ['imgs', 'flow_imgs', 'audios']
    for m, v in ref_leaves.items():
        ref = loss.terms(v)
        for k in ('marg', 'spec'):
            assert not terms[m][k].requires_grad
            assert torch.allclose(terms[m][k], ref[k], rtol=1e-5, atol=1e-5)


def test_forward_multi_falls_back_when_widths_differ():
    loss = ModalityEntropyLoss()
    g = torch.Generator().manual_seed(1)
    zs = {'imgs': torch.randn(8, 16, generator=g), 'audios': torch.randn(8, 4, generator=g)}
    total, terms = loss.forward_multi(zs)
    assert torch.allclose(total, loss(zs['imgs']) + loss(zs['audios']))
    assert torch.allclose(terms['audios']['spec'], loss.terms(zs['audios'])['spec'])


def test_forward_multi_dispatches_no_host_sync():
    loss = ModalityEntropyLoss()  # check_finite=True: checked on the device
    zs = {m: v.requires_grad_(True) for m, v in zip('abc', _zs(16, 12).unbind(0))}
    with OpCounter() as counter:
        total, _ = loss.forward_multi(zs)
        total.backward()
    assert counter.counts['aten._assert_async'] == 1
    assert counter.syncs == 0, counter.counts


def test_forward_multi_non_finite():
    z = _zs(8, 6)
    z[0, 2, 1] = float('nan')
    zs = dict(zip('abc', z.unbind(0)))
    # On the CPU the device-side assertion fires at once.
    with pytest.raises(RuntimeError, match='non-finite'):
        ModalityEntropyLoss().forward_multi(zs)
    total, _ = ModalityEntropyLoss(check_finite=False).forward_multi(zs)
    assert torch.isnan(total)


@pytest.mark.parametrize('bad,match', [
    ({'a': torch.randn(4, 3, 2)}, r'\[N, D\]'),
    ({'a': torch.randn(1, 3), 'b': torch.randn(1, 3)}, 'at least 2 samples'),
    ({}, 'no modalities'),
])
def test_forward_multi_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        ModalityEntropyLoss().forward_multi(bad)


# ---- distributed: one gather for all modalities equals the full batch ----
def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _ddp_worker(rank, world, port, z_full, out_dir):
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        n = z_full.shape[1] // world
        local = z_full[:, rank * n:(rank + 1) * n].clone().requires_grad_(True)
        total, _ = ModalityEntropyLoss().forward_multi(dict(zip('abc', local.unbind(0))))
        total.backward()
        torch.save(dict(loss=total.detach(), grad=local.grad.clone()),
                   os.path.join(out_dir, f'rank{rank}.pt'))
    finally:
        dist.destroy_process_group()


def test_ddp_forward_multi_matches_single_process(tmp_path):
    z = _zs(24, 10).requires_grad_(True)
    ref, _ = ModalityEntropyLoss().forward_multi(dict(zip('abc', z.unbind(0))))
    ref.backward()
    mp.start_processes(_ddp_worker, args=(2, _free_port(), z.detach(), str(tmp_path)),
                       nprocs=2, join=True, start_method='spawn')
    for rank in range(2):
        out = torch.load(tmp_path / f'rank{rank}.pt')
        assert torch.allclose(out['loss'], ref.detach(), rtol=1e-5, atol=1e-5)
        # each rank computes the full-batch loss: its local gradient is the
        # full-batch gradient of its rows times world_size (DDP averages).
        rows = z.grad[:, rank * 12:(rank + 1) * 12]
        assert torch.allclose(out['grad'], rows * 2, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('estimator', ['logdet', 'vne'])
def test_forward_stacked_equals_forward_multi(estimator):
    """Projections already stacked [M, N, D] (MERProjectorBank's output) give
    the same loss, gradient and logged terms as the dict of [N, D]."""
    loss = ModalityEntropyLoss(estimator=estimator, alpha_marg=0.7, alpha_spec=1.3)
    mods = ('imgs', 'flow_imgs', 'audios')
    z = _zs(16, 12).requires_grad_(True)
    total, terms = loss.forward_stacked(z, mods)
    grad, = torch.autograd.grad(total, z)
    leaves = {m: z.detach()[i].clone().requires_grad_(True) for i, m in enumerate(mods)}
    ref_total, ref_terms = loss.forward_multi(leaves)
    ref_grads = torch.autograd.grad(ref_total, list(leaves.values()))
    assert torch.equal(total, ref_total)
    assert torch.equal(grad, torch.stack(ref_grads))
    assert list(terms) == list(mods)
    for m in mods:
        for k in ('marg', 'spec'):
            assert not terms[m][k].requires_grad and torch.equal(terms[m][k], ref_terms[m][k])


def test_forward_stacked_dispatches_no_host_sync_and_checks_its_input():
    loss = ModalityEntropyLoss()
    z = _zs(16, 12).requires_grad_(True)
    with OpCounter() as counter:
        total, _ = loss.forward_stacked(z, ('a', 'b', 'c'))
        total.backward()
    assert counter.syncs == 0 and counter.counts['aten._assert_async'] == 1
    assert counter.counts['aten.zeros'] == 0  # no materialised grads for the logged terms
    with pytest.raises(ValueError, match=r'\[M, N, D\] with M = 2'):
        loss.forward_stacked(z, ('a', 'b'))
    with pytest.raises(ValueError, match='at least 2 samples'):
        loss.forward_stacked(z[:, :1], ('a', 'b', 'c'))
    bad = z.detach().clone()
    bad[1, 3, 2] = float('inf')
    with pytest.raises(RuntimeError, match='non-finite'):
        loss.forward_stacked(bad, ('a', 'b', 'c'))
