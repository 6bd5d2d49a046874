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
against its JPEG decode floor measured in the same run: the floor is what a
loader cannot avoid, one ``cv2.imread`` of every distinct frame file the
sample needs (RGB in colour, each flow direction in grey); the ratio
``pipeline / floor`` says how much the loader spends beyond decoding. Two
clocks: ``wall`` (``time.perf_counter``) and ``--clock cpu``
(``time.thread_time``, the CPU seconds of the measuring thread itself). On a
machine shared with other jobs the wall clock also counts the time the thread
waits for a core, which varies by tens of percent between runs; the CPU clock
does not, so a ratio on a loaded machine is best read from it.

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
from collections import OrderedDict
from typing import Dict, List

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from scipy import signal

import mmaction_merdg  # noqa: F401
from mmaction.registry import DATASETS
from mmaction_merdg.datasets.transforms import log_spectrogram
from mmaction_merdg.datasets.writers import write_synthetic_epic_tree
from mmaction_merdg.modalities import MODALITIES


def _frame_files(results: dict) -> List[tuple]:
    """``(path, imread flag)`` of every distinct frame a sampled dict needs."""
    files = []
    mods = results.get('modalities', ())
    if 'imgs' in mods and 'frame_inds' in results:
        tmpl = osp.join(results['frame_dir'], results['filename_tmpl'])
        files += [(tmpl.format(int(i)), cv2.IMREAD_COLOR)
                  for i in dict.fromkeys(int(i) for i in results['frame_inds'])]
    if 'flow_imgs' in mods and 'flow_frame_inds' in results:
        tmpl = osp.join(results['flow_frame_dir'], results['flow_filename_tmpl'])
        for i in dict.fromkeys(int(i) for i in results['flow_frame_inds']):
            for d in results.get('flow_directions', ('x', 'y')):
                files.append((tmpl.format(d, i), cv2.IMREAD_GRAYSCALE))
    return files


CLOCKS = dict(wall=time.perf_counter, cpu=time.thread_time)


def profile_pipeline(dataset, repeats: int = 3, seed: int = 0,
                     clock: str = 'wall') -> Dict[str, object]:
    """Milliseconds per sample of every pipeline stage, and the decode floor.

    The first transform (sampling) also yields the frame list of the floor.
    Each pass seeds numpy with ``seed`` so the random draws repeat; the
    best of ``repeats`` passes is kept per stage.

    Args:
        dataset: A built dataset with a ``pipeline``.
        repeats (int): Passes over the dataset. Defaults to 3.
        seed (int): numpy seed of every pass. Defaults to 0.
        clock (str): ``'wall'`` or ``'cpu'`` (see the module docstring).
            Defaults to ``'wall'``.

    Returns:
        dict: ``stages`` (name -> ms/sample, in pipeline order), ``total_ms``,
        ``floor_ms``, ``ratio`` (total / floor), ``files_per_sample``,
        ``samples``, ``clock``.
    """
    if clock not in CLOCKS:
        raise ValueError(f'clock must be one of {list(CLOCKS)}, got {clock!r}')
    now = CLOCKS[clock]
    transforms = dataset.pipeline.transforms
    names = [f'{i}:{type(t).__name__}' for i, t in enumerate(transforms)]
    best = OrderedDict((n, float('inf')) for n in names)
    floor_best = float('inf')
    n = len(dataset)
    files_count = 0
    for _ in range(repeats):
        np.random.seed(seed)
        spent = dict.fromkeys(names, 0.0)
        floor = 0.0
        files_count = 0
        for idx in range(n):
            results = dataset.get_data_info(idx)
            for name, t in zip(names, transforms):
                start = now()
                results = t(results)
                spent[name] += now() - start
                if name == names[0]:
                    files = _frame_files(results)
                    files_count += len(files)
                    start = now()
                    for path, flag in files:
                        cv2.imread(path, flag)
                    floor += now() - start
        for name in names:
            best[name] = min(best[name], spent[name] / n * 1e3)
        floor_best = min(floor_best, floor / n * 1e3)
    total = sum(best.values())
    return dict(stages=dict(best), total_ms=total, floor_ms=floor_best,
                ratio=total / floor_best, files_per_sample=files_count / n,
                samples=n, clock=clock)


def format_stage_table(profile: Dict[str, object]) -> str:
    """The stage table of :func:`profile_pipeline` as Markdown."""
    total = profile['total_ms']
    unit = 'CPU ms/sample' if profile.get('clock') == 'cpu' else 'ms/sample'
    lines = [f'| stage | {unit} | share |', '|---|---|---|']
    for name, ms in profile['stages'].items():
        lines.append(f'| {name} | {ms:.2f} | {ms / total:.1%} |')
    lines.append(f'| **pipeline total** | {total:.2f} | 100% |')
    lines.append(f"| decode floor ({profile['files_per_sample']:.0f} cv2.imread) | "
                 f"{profile['floor_ms']:.2f} | |")
    lines.append(f"| **ratio pipeline / floor** | {profile['ratio']:.3f} | |")
    return '\n'.join(lines)


def loader_throughput(dataset, workers: int, batch_size: int = 16,
                      batches: int = 20) -> Dict[str, float]:
    """Samples per second a ``DataLoader`` with ``workers`` processes delivers.

    The first batch (worker start-up) is not timed. cv2 runs one thread per
    worker, as under mmengine's default ``opencv_num_threads=0``.

    Returns:
        dict: ``workers``, ``batch_size``, ``batches`` (timed), ``samples_per_s``,
        ``batches_per_s``.
    """
    from mmengine.dataset import pseudo_collate
    from torch.utils.data import DataLoader, RandomSampler

    def init(_):
        cv2.setNumThreads(1)

    loader = DataLoader(dataset, batch_size=batch_size, num_workers=workers,
                        collate_fn=pseudo_collate, worker_init_fn=init,
                        sampler=RandomSampler(dataset, replacement=True,
                                              num_samples=batch_size * (batches + 1)),
                        persistent_workers=False)
    it = iter(loader)
    next(it)
    start = time.perf_counter()
    count = 0
    for _ in range(batches):
        next(it)
        count += 1
    dt = time.perf_counter() - start
    return dict(workers=workers, batch_size=batch_size, batches=count,
                samples_per_s=count * batch_size / dt, batches_per_s=count / dt)


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
