"""tools/analysis/count_ops.py: OpCounter and the Fusion vs MER-DG op/sync count."""
import torch

from ..conftest import REPO, load_tool

count_ops = load_tool('analysis/count_ops.py')
OpCounter, count_fusion_vs_merdg = count_ops.OpCounter, count_ops.count_fusion_vs_merdg


def test_counter_sees_host_syncs_and_backward():
    x = torch.randn(4, requires_grad=True)
    with OpCounter() as c:
        y = (x * 2).sum()
        y.backward()
        bool(y > 0)
        float(y)
    assert c.syncs == 2
    assert c.counts['aten.mul'] >= 2  # forward and backward
    assert c.compute <= c.total


def test_merdg_adds_no_host_sync_and_few_ops():
    res = count_fusion_vs_merdg(REPO, batch=4)
    assert res['added_syncs'] == 0
    # The host-side bar (docs/gpu.md): MER-DG adds <= 160 dispatched ops per step and no host
    # sync. Measured 153 (108 compute ops) at batch 16 with the stacked heads
    # (MERProjectorBank); 243 with the heads one by one, 484 (316) and 3 syncs
    # before the batched loss (docs/gpu.md).
    assert 0 < res['added_ops'] <= 160, res
    assert res['added_compute_ops'] <= 115, res
