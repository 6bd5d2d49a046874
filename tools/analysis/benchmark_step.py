"""Train-step time of MER-DG against Fusion, measured side by side in one run.

Same model instance, same batch: the Fusion step is the MER-DG step with the
entropy loss switched off (``regularizers['mer']`` removed), so the difference is
exactly the projection heads plus the loss. Steps alternate (Fusion, MER-DG,
Fusion, ...) after a warm-up so that drift hits both alike; the ratio is
median(MER-DG) / median(Fusion).

Examples:
    python tools/analysis/benchmark_step.py                    # CPU-tiny shapes
    python tools/analysis/benchmark_step.py --paper-shapes --amp --steps 20   # on a GPU
"""
import argparse
import json
import os.path as osp
import statistics
import time

import mmaction_merdg  # noqa: F401
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = dict(config='configs/merdg_synthetic.py', batch=16,
            shapes=dict(imgs=(1, 3, 16, 32, 32), flow_imgs=(1, 2, 8, 32, 32),
                        audios=(1, 1, 64, 64)))
PAPER = dict(config='configs/merdg_epic_d1d2_d3.py', batch=16,
             shapes=dict(imgs=(1, 3, 32, 224, 224), flow_imgs=(1, 2, 8, 224, 224),
                         audios=(1, 1, 257, 1004)))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--paper-shapes', action='store_true',
                   help='SlowFast-R101 32x224x224 + SlowOnly-R50 flow + audio R18, d=128')
    p.add_argument('--config', help='override the model config')
    p.add_argument('--batch-size', type=int, help='override the batch size')
    p.add_argument('--modalities', nargs='+', help='subset of imgs flow_imgs audios')
    p.add_argument('--steps', type=int, default=10, help='timed steps per variant')
    p.add_argument('--warmup', type=int, default=2, help='untimed steps per variant')
    p.add_argument('--amp', action='store_true', help='autocast (bf16 on CPU, fp16 on GPU)')
    p.add_argument('--amp-dtype', choices=['float16', 'bfloat16'],
                   help='autocast dtype (default: bfloat16 on CPU, float16 on GPU)')
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--out', help='write the figures to this JSON file')
    return p.parse_args(argv)


def build(args):
    preset = PAPER if args.paper_shapes else TINY
    cfg = Config.fromfile(osp.join(ROOT, args.config or preset['config']))
    model_cfg = cfg.model
    if args.modalities:
        model_cfg.backbones = {m: model_cfg.backbones[m] for m in args.modalities}
    for bb in model_cfg.backbones.values():  # timing only: no checkpoint reads
        bb.pop('init_cfg', None)
        if bb.get('pretrained'):
            bb['pretrained'] = None
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(model_cfg)
    model.init_weights()
    model.to(args.device).train()
    n = args.batch_size or preset['batch']
    g = torch.Generator().manual_seed(0)
    inputs = {m: torch.randn((n, ) + preset['shapes'][m], generator=g).to(args.device)
              for m in model.modalities}
    k = model.cls_head.num_classes
    # Labels live where the model does (nll_loss refuses mixed devices on CUDA).
    samples = [ActionDataSample().set_gt_label(i % k).to(args.device) for i in range(n)]
    return model, inputs, samples, n


def step(model, optim, inputs, samples, amp, device, amp_dtype=None):
    dtype = getattr(torch, amp_dtype) if amp_dtype else (
        torch.bfloat16 if device == 'cpu' else torch.float16)
    with torch.autocast(device_type=torch.device(device).type, enabled=amp, dtype=dtype):
        losses = model.loss({m: x for m, x in inputs.items()}, samples)
        loss = sum(v for k, v in losses.items() if 'loss' in k)
    loss.backward()
    optim.step()
    optim.zero_grad(set_to_none=True)


def timed(fn, device):
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    t = time.perf_counter()
    fn()
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return time.perf_counter() - t


def main(argv=None):
    args = parse_args(argv)
    model, inputs, samples, n = build(args)
    if 'mer' not in model.regularizers:
        raise ValueError('the config has no regularizers.mer: nothing to compare')
    mer = model.regularizers['mer']  # MER-DG's regularizer, switched off for Fusion
    mer_loss = mer.loss
    optim = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    times = dict(fusion=[], merdg=[])
    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    for i in range(args.warmup + args.steps):
        for name in ('fusion', 'merdg'):
            if name == 'merdg':
                model.regularizers['mer'] = mer
            elif 'mer' in model.regularizers:
                del model.regularizers['mer']
            dt = timed(lambda: step(model, optim, inputs, samples, args.amp, args.device,
                                    args.amp_dtype),
                       args.device)
            if i >= args.warmup:
                times[name].append(dt)
    model.regularizers['mer'] = mer
    # The loss alone, on projected features of the real size.
    proj = mer.projectors  # MERProjectorBank, or a dict of custom heads
    d = proj.out_channels if hasattr(proj, 'out_channels') else \
        next(iter(proj.values())).layers[-1].out_features
    z = torch.randn(n, d, device=args.device, requires_grad=True)
    loss_only = [timed(lambda: mer_loss(z).backward(), args.device) for _ in range(args.steps)]
    med = {k: statistics.median(v) for k, v in times.items()}
    result = dict(
        device=args.device if not args.device.startswith('cuda') else torch.cuda.get_device_name(),
        shapes='paper' if args.paper_shapes else 'tiny', batch=n,
        modalities=list(model.modalities), amp=args.amp, amp_dtype=args.amp_dtype,
        steps=args.steps, clips_per_s_merdg=round(n / med['merdg'], 1),
        fusion_ms=round(med['fusion'] * 1e3, 2), merdg_ms=round(med['merdg'] * 1e3, 2),
        ratio=round(med['merdg'] / med['fusion'], 4),
        mer_overhead_ms=round((med['merdg'] - med['fusion']) * 1e3, 2),
        mer_loss_only_ms_per_modality=round(statistics.median(loss_only) * 1e3, 3))
    if args.device.startswith('cuda'):
        result['peak_memory_gib'] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    print(f"[{result['shapes']} shapes, batch {n}, {result['device']}, amp={args.amp}] "
          f"Fusion {result['fusion_ms']} ms/step, MER-DG {result['merdg_ms']} ms/step, "
          f"ratio MER-DG/Fusion = {result['ratio']:.4f} "
          f"(MER overhead {result['mer_overhead_ms']} ms; loss alone "
          f"{result['mer_loss_only_ms_per_modality']} ms per modality)")
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
