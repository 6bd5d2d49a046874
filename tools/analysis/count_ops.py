"""Count the aten ops and host syncs of one MER-DG step against Fusion (CPU).

Host-side cost of a loss on a GPU is roughly one kernel launch per dispatched
op, plus a full stall at every host sync (``Tensor.item()``, ``bool(t)``,
``int(t)``: each reaches ``aten::_local_scalar_dense``). Counting them on the
CPU needs no GPU and is deterministic. ``model.loss`` + backward on the tiny
synthetic config, the same model with and without the MER-DG regularizer
(``model.regularizers['mer']``), as in ``tools/analysis/benchmark_step.py``.
See ``docs/gpu.md``.

Examples:
    python tools/analysis/count_ops.py
    python tools/analysis/count_ops.py --modalities imgs audios --out ops.json
"""
import argparse
import json
import os.path as osp
from collections import Counter
from typing import Dict, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from torch.utils._python_dispatch import TorchDispatchMode

import mmaction_merdg  # noqa: F401
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

SYNC_OPS = ('aten._local_scalar_dense', 'aten.item')
# Ops that only make a new view or handle autograd bookkeeping: no kernel runs
# on a GPU for them (they still cost host time).
METADATA_OPS = ('aten.detach', 'aten.view', 'aten._unsafe_view', 'aten.t',
                'aten.transpose', 'aten.permute', 'aten.expand', 'aten.select',
                'aten.slice', 'aten.unbind', 'aten.unsqueeze', 'aten.squeeze',
                'aten.diagonal', 'aten.alias', 'aten.as_strided', 'aten.split',
                'aten.split_with_sizes', 'aten.narrow', 'aten.reshape')
# The tiny synthetic model and its input shapes ([N, V, ...] after the batch axis).
TINY_CONFIG = 'configs/merdg_synthetic.py'
TINY_SHAPES = dict(imgs=(1, 3, 16, 32, 32), flow_imgs=(1, 2, 8, 32, 32),
                   audios=(1, 1, 64, 64))


class OpCounter(TorchDispatchMode):
    """Counts every op that reaches the dispatcher (forward and backward).

    Attributes:
        counts (Counter): ``'aten.<op>'`` (overload packet name) -> calls.
    """

    def __init__(self):
        super().__init__()
        self.counts = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[f'aten.{func.overloadpacket.__name__}'] += 1
        return func(*args, **(kwargs or {}))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def compute(self) -> int:
        """Ops other than views and autograd bookkeeping (:data:`METADATA_OPS`)."""
        return self.total - sum(self.counts[name] for name in METADATA_OPS)

    @property
    def syncs(self) -> int:
        return sum(self.counts[name] for name in SYNC_OPS)


def build_tiny_model(root: str, config: str = TINY_CONFIG,
                     modalities: Optional[Sequence[str]] = None):
    """The model of ``config`` (relative to ``root``), on the CPU, train mode."""
    cfg = Config.fromfile(osp.join(root, config))
    model_cfg = cfg.model
    if modalities:
        model_cfg.backbones = {m: model_cfg.backbones[m] for m in modalities}
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(model_cfg)
    model.init_weights()
    return model.train()


def count_step(model, inputs: Dict[str, torch.Tensor], samples) -> OpCounter:
    """Ops dispatched by ``model.loss(inputs, samples)`` + backward of the sum."""
    with OpCounter() as counter:
        losses = model.loss(inputs, samples)
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        loss.backward()
    model.zero_grad(set_to_none=True)
    return counter


def count_fusion_vs_merdg(root: str, config: str = TINY_CONFIG, batch: int = 16,
                          modalities: Optional[Sequence[str]] = None,
                          shapes: Optional[Dict[str, tuple]] = None) -> dict:
    """Op and sync counts of one step, Fusion against MER-DG, same model and batch.

    One untimed warm-up step per variant first, so that lazy initialisation
    (cuDNN/oneDNN plans, first-call caches) is not counted.

    Returns:
        dict: ``fusion_ops``, ``merdg_ops``, ``added_ops``, ``fusion_syncs``,
        ``merdg_syncs``, ``added_syncs``, the same three for ``*_compute_ops``
        (ops other than views and autograd bookkeeping), ``batch``,
        ``modalities`` and
        ``merdg_only_ops`` (op name -> extra calls, the largest first).
    """
    torch.manual_seed(0)
    model = build_tiny_model(root, config, modalities)
    if 'mer' not in (getattr(model, 'regularizers', None) or {}):
        raise ValueError(f'{config}: the model has no MER-DG regularizer '
                         "(model.regularizers['mer']); nothing to compare.")
    shapes = shapes or TINY_SHAPES
    g = torch.Generator().manual_seed(0)
    inputs = {m: torch.randn((batch, ) + tuple(shapes[m]), generator=g)
              for m in model.modalities}
    k = model.cls_head.num_classes
    samples = [ActionDataSample().set_gt_label(i % k) for i in range(batch)]
    mer = model.regularizers['mer']
    result = {}
    for name in ('fusion', 'merdg'):
        if name == 'merdg':
            model.regularizers['mer'] = mer
        else:
            del model.regularizers['mer']
        count_step(model, inputs, samples)  # warm-up
        counter = count_step(model, inputs, samples)
        result[name] = counter
    extra = result['merdg'].counts - result['fusion'].counts
    return dict(
        batch=batch, modalities=list(model.modalities),
        fusion_ops=result['fusion'].total, merdg_ops=result['merdg'].total,
        added_ops=result['merdg'].total - result['fusion'].total,
        fusion_syncs=result['fusion'].syncs, merdg_syncs=result['merdg'].syncs,
        added_syncs=result['merdg'].syncs - result['fusion'].syncs,
        fusion_compute_ops=result['fusion'].compute,
        merdg_compute_ops=result['merdg'].compute,
        added_compute_ops=result['merdg'].compute - result['fusion'].compute,
        merdg_only_ops=dict(extra.most_common()))


ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--config', default=TINY_CONFIG, help='MER-DG config (relative to the repo)')
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--modalities', nargs='+', help='subset of imgs flow_imgs audios')
    p.add_argument('--top', type=int, default=12, help='list the N ops MER-DG adds most')
    p.add_argument('--out', help='write the counts to this JSON file')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    res = count_fusion_vs_merdg(ROOT, args.config, args.batch_size, args.modalities)
    print(f"[{args.config}, batch {res['batch']}, {'+'.join(res['modalities'])}]")
    print('| variant | aten ops | compute ops | host syncs |')
    print('|---|---|---|---|')
    for name in ('fusion', 'merdg'):
        print(f"| {name} | {res[name + '_ops']} | {res[name + '_compute_ops']} | "
              f"{res[name + '_syncs']} |")
    print(f"| MER-DG adds | {res['added_ops']} | {res['added_compute_ops']} | "
          f"{res['added_syncs']} |")
    top = list(res['merdg_only_ops'].items())[:args.top]
    print('most added: ' + ', '.join(f'{k} {v}' for k, v in top))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=2)
    return res


if __name__ == '__main__':
    main()
