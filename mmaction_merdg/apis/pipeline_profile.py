"""Per-stage cost of a dataset's pipeline against its JPEG decode floor.

The floor is what a loader cannot avoid: one ``cv2.imread`` of every distinct
frame file the sample needs (RGB in colour, each flow direction in grey). The
ratio ``pipeline / floor`` says how much the loader spends beyond decoding;
both are measured in the same run on the same files.

Two clocks: ``'wall'`` (``time.perf_counter``, what a free core shows) and
``'cpu'`` (``time.thread_time``, the CPU seconds the measuring thread itself
spends, user + system). On a machine shared with other jobs the wall clock
also counts the time the thread waits for a core, which varies by tens of
percent between runs; the CPU clock does not, so a ratio on a loaded machine
is best read from it.
"""
import os.path as osp
import time
from collections import OrderedDict
from typing import Dict, List

import cv2
import numpy as np


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
