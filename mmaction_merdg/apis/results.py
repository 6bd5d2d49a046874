"""The ``run_seeds`` result format and the helpers every analysis shares.

Holds the JSON format written by :func:`mmaction_merdg.apis.run_seeds`, its
loading, number formatting for tables, and atomic JSON writing.
"""
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

RUN_FORMAT = 'mmaction_merdg.run_seeds/1'
SEEDS_FILE = 'seeds.json'
# The three figures of `run_experiment`; target first, it is the reported one.
CORE_METRICS = ('target_acc', 'source_val_acc', 'oracle_target_acc')
METRIC_TITLES = {
    'target_acc': 'target (at best source-val)',
    'source_val_acc': 'source val',
    'oracle_target_acc': 'oracle target (best over epochs)',
}


def write_json(path: str, obj) -> None:
    """Write ``obj`` as JSON atomically (a crash never leaves half a file)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=2, sort_keys=False, default=_json_default)
        f.write('\n')
    os.replace(tmp, path)


def _json_default(o):
    try:
        import numpy as np
        if isinstance(o, np.generic):
            return o.item()
    except ImportError:  # pragma: no cover
        pass
    try:
        import torch
        if isinstance(o, torch.Tensor):
            return o.tolist()
    except ImportError:  # pragma: no cover
        pass
    return str(o)


def load_run(path: str) -> Dict:
    """Load a ``run_seeds`` result: the JSON file or the work dir holding it."""
    if osp.isdir(path):
        path = osp.join(path, SEEDS_FILE)
    if not osp.isfile(path):
        raise FileNotFoundError(f'no run_seeds result at {path}')
    with open(path) as f:
        run = json.load(f)
    if not isinstance(run, dict) or 'runs' not in run:
        raise ValueError(f'{path} is not a run_seeds result (no "runs" list)')
    for r in run['runs']:
        if 'seed' not in r:
            raise ValueError(f'{path}: a run has no "seed"')
    run.setdefault('name', osp.splitext(osp.basename(path))[0])
    return run


def numeric_metrics(run: Dict) -> List[str]:
    """Numeric keys present in every run of ``run`` (core metrics first)."""
    runs = run['runs']
    if not runs:
        return []
    keys = [k for k, v in runs[0].items()
            if k not in ('seed', 'seconds') and isinstance(v, (int, float))
            and not isinstance(v, bool)]
    keys = [k for k in keys if all(isinstance(r.get(k), (int, float)) for r in runs)]
    core = [k for k in CORE_METRICS if k in keys]
    return core + sorted(k for k in keys if k not in core)


def is_fraction(values: Sequence[float]) -> bool:
    """True when all values lie in [0, 1]: accuracies then get shown in %."""
    return len(values) > 0 and all(0.0 <= v <= 1.0 for v in values)


def fmt(v: Optional[float], digits: int = 2, sign: bool = False) -> str:
    """``v`` with ``digits`` decimals (``n/a`` for None/NaN, ``+inf``/``-inf``)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return 'n/a'
    if isinstance(v, float) and math.isinf(v):
        return '+inf' if v > 0 else '-inf'
    return f'{v:+.{digits}f}' if sign else f'{v:.{digits}f}'


def fmt_p(p: Optional[float]) -> str:
    """A p-value for tables: ``<0.001`` below 1e-3, else 3 decimals."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return 'n/a'
    return '<0.001' if p < 1e-3 else f'{p:.3f}'


def slug(value) -> str:
    """A folder-safe name for a parameter value (``0.3`` -> ``0.3``, ``'vne'`` -> ``vne``)."""
    s = str(value)
    return ''.join(c if c.isalnum() or c in '.-_' else '_' for c in s) or 'value'
