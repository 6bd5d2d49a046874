"""Time the multimodal EPIC-Kitchens pipeline and the torch spectrogram.

Two measurements, side by side in one run:

1. Per-sample milliseconds of the RGB + flow + audio training pipeline of
   ``configs/_base_/datasets/epic_kitchens_mm.py`` against the sum of the three
   single-modality pipelines (the same config with one modality each) on the
   same files. A ratio near 1 means decoding all modalities in one pass costs
   no more than running three separate loaders (target <= 1.1).
2. Per-clip milliseconds of the prior recipe's log spectrogram of a 10 s,
   16 kHz clip: scipy (``scipy.signal.spectrogram`` on float64, as the prior
   code) against this package's torch version, per clip and batched.

With ``--floor`` it instead profiles the train pipeline stage by stage
against its JPEG decode floor measured in the same run
(:mod:`mmaction_merdg.apis.pipeline_profile`); ``--clock cpu`` times with the
thread's CPU time, steadier than elapsed time on a shared machine.

Without ``--data-root`` a synthetic EPIC tree is written to a temporary folder
(``--frames``, ``--height``, ``--width`` set its size). Torch runs on
``--threads`` CPU threads (1 by default: one dataloader worker's share).

    python tools/analysis/benchmark_pipeline.py
    python tools/analysis/benchmark_pipeline.py --floor --clock cpu
"""
import argparse
import copy
import json
import os.path as osp
import tempfile
import time

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from scipy import signal

import mmaction_merdg  # noqa: F401
from mmaction.registry import DATASETS
from mmaction_merdg.apis.pipeline_profile import (format_stage_table,
                                                  loader_throughput,
                                                  profile_pipeline)
from mmaction_merdg.datasets.transforms import log_spectrogram
from mmaction_merdg.datasets.writers import write_synthetic_epic_tree
from mmaction_merdg.modalities import MODALITIES

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', help='an EPIC tree (default: write a '
                        'synthetic one)')
    parser.add_argument('--ann-root', default='MM-SADA_Domain_Adaptation_'
                        'Splits')
    parser.add_argument('--domains', nargs='+', default=['D1'])
    parser.add_argument('--samples', type=int, default=6,
                        help='samples per domain of the synthetic tree')
    parser.add_argument('--frames', type=int, default=96,
                        help='RGB frames per synthetic segment')
    parser.add_argument('--height', type=int, default=256)
    parser.add_argument('--width', type=int, default=456)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--clips', type=int, default=16,
                        help='clips of the spectrogram benchmark')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--floor', action='store_true',
                        help='profile the multimodal train pipeline stage by '
                        'stage against its JPEG decode floor (cv2.imread of '
                        'every frame file) measured in the same run, and '
                        'stop there')
    parser.add_argument('--clock', choices=['wall', 'cpu'], default='wall',
                        help="with --floor: 'wall' (elapsed) or 'cpu' (the "
                        "thread's own CPU time, steadier on a shared machine)")
    parser.add_argument('--workers', type=int, default=0,
                        help='with --floor: also measure a DataLoader with this '
                        'many worker processes (samples/s)')
    parser.add_argument('--out', help='with --floor: write the figures to this JSON file')
    return parser.parse_args(argv)


def build(cfg_dataset: dict, modalities, data_root, ann_root, domains):
    ds = copy.deepcopy(cfg_dataset)
    ds.update(data_root=data_root, ann_root=ann_root, domains=domains,
              modalities=modalities, split='train')
    return DATASETS.build(ds)


def time_dataset(dataset, repeats: int) -> float:
    """Best-of-``repeats`` milliseconds per sample over the whole dataset."""
    best = float('inf')
    for _ in range(repeats):
        np.random.seed(0)
        start = time.perf_counter()
        for i in range(len(dataset)):
            dataset[i]
        best = min(best, (time.perf_counter() - start) / len(dataset))
    return best * 1e3


def scipy_log_spectrogram(x: np.ndarray, sample_rate: int) -> np.ndarray:
    _, _, spec = signal.spectrogram(x, sample_rate, nperseg=512,
                                    noverlap=353)
    spec = np.log(spec + 1e-7)
    return (spec - spec.mean()) / (spec.std() + 1e-9)


def time_spectrograms(num_clips: int, repeats: int):
    rng = np.random.RandomState(0)
    clips = rng.uniform(-0.5, 0.5, (num_clips, 160000))  # float64, 10 s
    batch = torch.from_numpy(clips.astype(np.float32))
    timings = {}
    for name, run in (
        ('scipy, per clip', lambda: [scipy_log_spectrogram(c, 16000)
                                     for c in clips]),
        ('torch, per clip', lambda: [log_spectrogram(batch[i:i + 1], 16000)
                                     for i in range(num_clips)]),
        ('torch, batched', lambda: log_spectrogram(batch, 16000)),
    ):
        run()  # warm-up (window cache, allocator)
        best = float('inf')
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
        timings[name] = best / num_clips * 1e3
    err = np.abs(
        log_spectrogram(batch[:1], 16000)[0].double().numpy() -
        scipy_log_spectrogram(clips[0].astype(np.float32).astype(np.float64),
                              16000)).max()
    return timings, err


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    init_default_scope('mmaction')
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'datasets',
                 'epic_kitchens_mm.py'))
    with tempfile.TemporaryDirectory() as tmp:
        data_root = args.data_root
        if data_root is None:
            data_root = tmp
            write_synthetic_epic_tree(
                tmp, samples_per_domain=args.samples, rgb_shape=(args.frames, 0, 0),
                frame_size=(args.width, args.height), domains=args.domains)
        ann_root = args.ann_root
        if args.floor:
            cv2.setNumThreads(1)  # one dataloader worker's share
            ds = build(cfg.train_dataloader.dataset, MODALITIES, data_root,
                       ann_root, args.domains)
            profile = profile_pipeline(ds, args.repeats, clock=args.clock)
            print(f'EPIC train pipeline, {profile["samples"]} samples, '
                  f'{args.width}x{args.height} frames, 1 cv2/torch thread, '
                  f'best of {args.repeats}, {args.clock} clock')
            print(format_stage_table(profile))
            if args.workers:
                tput = loader_throughput(ds, args.workers)
                profile['loader'] = tput
                print(f"DataLoader, {args.workers} workers: "
                      f"{tput['samples_per_s']:.1f} samples/s = "
                      f"{tput['batches_per_s']:.2f} batches of 16 per s")
            if args.out:
                with open(args.out, 'w') as f:
                    json.dump(profile, f, indent=2)
            return profile
        datasets = {
            mods: build(cfg.train_dataloader.dataset, mods, data_root,
                        ann_root, args.domains)
            for mods in [MODALITIES] + [(m, ) for m in MODALITIES]
        }
        n = len(datasets[MODALITIES])
        print(f'Pipeline: EPIC train pipeline, {n} samples, '
              f'torch threads {args.threads}, best of {args.repeats}')
        ms = {mods: time_dataset(ds, args.repeats)
              for mods, ds in datasets.items()}
    single = sum(ms[(m, )] for m in MODALITIES)
    for m in MODALITIES:
        print(f'  {m:<24s} {ms[(m, )]:8.1f} ms/sample')
    print(f'  {"sum of single-modality":<24s} {single:8.1f} ms/sample')
    print(f'  {"multimodal (one pass)":<24s} {ms[MODALITIES]:8.1f} ms/sample')
    print(f'  ratio multimodal / sum of single: '
          f'{ms[MODALITIES] / single:.3f} (target <= 1.1)')

    timings, err = time_spectrograms(args.clips, args.repeats)
    print(f'Spectrogram: 10 s at 16 kHz -> 257 x 1004, {args.clips} clips, '
          f'max |torch - scipy| after z-score {err:.1e}')
    for name, value in timings.items():
        print(f'  {name:<24s} {value:8.2f} ms/clip')
    scipy_ms = timings['scipy, per clip']
    print(f'  ratio scipy / torch per clip: '
          f'{scipy_ms / timings["torch, per clip"]:.2f}x faster')
    print(f'  ratio scipy / torch batched:  '
          f'{scipy_ms / timings["torch, batched"]:.2f}x faster')


if __name__ == '__main__':
    main()
