"""BalancedDomainSampler: per-batch balance, determinism, DDP sharding."""
from collections import Counter

import pytest

from mmaction_merdg.datasets import balanced_domain_sampler as bds
from mmaction_merdg.datasets.balanced_domain_sampler import BalancedDomainSampler


class Toy:
    """Dataset stand-in with uneven domains (like EPIC D1: 1543 vs D2: 2495)."""

    def __init__(self, sizes):
        self.labels = [d for d, n in sizes.items() for _ in range(n)]

    def __len__(self):
        return len(self.labels)

    def get_domain_labels(self):
        return list(self.labels)

    def get_data_info(self, i):
        return dict(domain=self.labels[i])


def batches(sampler, bs):
    idx = list(sampler)
    assert len(idx) == len(sampler)
    return [idx[i:i + bs] for i in range(0, len(idx), bs)]


@pytest.mark.parametrize('epoch_length', ['max', 'min'])
def test_every_batch_balanced(epoch_length):
    ds = Toy(dict(D1=37, D2=61))
    s = BalancedDomainSampler(ds, batch_size=8, seed=0, epoch_length=epoch_length)
    bs = batches(s, 8)
    assert all(len(b) == 8 for b in bs)
    for b in bs:
        assert Counter(ds.labels[i] for i in b) == Counter(D1=4, D2=4)
    if epoch_length == 'max':  # every sample of the larger domain appears
        d2 = {i for b in bs for i in b if ds.labels[i] == 'D2'}
        assert len(bs) == 16 and d2 == set(range(37, 98))
    else:  # no sample repeats within the epoch
        flat = [i for b in bs for i in b]
        assert len(bs) == 9 and len(flat) == len(set(flat))


def test_deterministic_by_seed_and_epoch():
    ds = Toy(dict(a=20, b=20, c=20))
    s1, s2 = (BalancedDomainSampler(ds, 6, seed=3) for _ in range(2))
    assert list(s1) == list(s2)
    first = list(s1)
    s1.set_epoch(1)
    assert list(s1) != first
    assert list(BalancedDomainSampler(ds, 6, seed=4)) != first


class ToyInfoOnly(Toy):
    """Only get_data_info, as a generic mmengine dataset."""
    get_domain_labels = property(lambda self: (_ for _ in ()).throw(AttributeError))


def test_works_without_get_domain_labels():
    ds = ToyInfoOnly(dict(a=8, b=8))
    assert not hasattr(ds, 'get_domain_labels')
    s = BalancedDomainSampler(ds, 4, seed=0)
    assert sorted(s) == list(range(16))


def test_ddp_ranks_get_disjoint_equal_shares(monkeypatch):
    ds = Toy(dict(D1=50, D2=30))
    per_rank = []
    for rank in range(2):
        monkeypatch.setattr(bds, 'get_dist_info', lambda r=rank: (r, 2))
        s = BalancedDomainSampler(ds, batch_size=4, seed=7)
        per_rank.append(batches(s, 4))
    assert len(per_rank[0]) == len(per_rank[1])
    seen = [tuple(sorted(b)) for r in per_rank for b in r]
    assert len(seen) == len(set(seen))  # no batch duplicated across ranks
    flat = [i for r in per_rank for b in r for i in b]
    assert {i for i in flat if ds.labels[i] == 'D1'} == set(range(50))
    for r in per_rank:
        for b in r:
            assert Counter(ds.labels[i] for i in b) == Counter(D1=2, D2=2)


def test_errors():
    with pytest.raises(ValueError, match='not divisible'):
        BalancedDomainSampler(Toy(dict(a=9, b=9, c=9)), batch_size=8, seed=0)
    with pytest.raises(ValueError, match='have no samples'):
        BalancedDomainSampler(Toy(dict(a=9)), batch_size=2, seed=0, domains=['a', 'b'])
    with pytest.raises(ValueError, match='fewer than one batch'):
        BalancedDomainSampler(Toy(dict(a=1, b=1)), batch_size=4, seed=0, epoch_length='min')
    with pytest.raises(ValueError, match='epoch_length'):
        BalancedDomainSampler(Toy(dict(a=4)), batch_size=2, seed=0, epoch_length='all')


def test_refuses_a_requested_domain_of_the_dataset_without_samples():
    ds = Toy(dict(D2=8))
    ds.domains = ['D1', 'D2']  # the dataset was asked for D1 + D2
    with pytest.raises(ValueError, match=r"requested domain\(s\) \['D1'\] "
                       r"have no samples.*holds \['D2'\]"):
        BalancedDomainSampler(ds, batch_size=2, seed=0)
    ds.allow_empty_domains = True  # the documented opt-in
    assert BalancedDomainSampler(ds, batch_size=2, seed=0).domains == ['D2']
