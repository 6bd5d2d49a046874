"""Helpers shared by the scripts in ``tools/analysis`` (not part of the package).

Holds the ``run_seeds`` JSON format, run loading, seed-pair matching, number
formatting and the config dry-run check. The scripts put their own folder on
``sys.path`` and import this module.
"""
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

RUN_FORMAT = 'mmaction_merdg.run_seeds/1'
SEEDS_FILE = 'seeds.json'
# The three figures of `mmaction_merdg.apis.run_experiment`; target first, it is the reported one.
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
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return 'n/a'
    if isinstance(v, float) and math.isinf(v):
        return '+inf' if v > 0 else '-inf'
    return f'{v:+.{digits}f}' if sign else f'{v:.{digits}f}'


def fmt_p(p: Optional[float]) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return 'n/a'
    return '<0.001' if p < 1e-3 else f'{p:.3f}'


def parse_value(text: str):
    """Parse a command-line value the way ``--cfg-options`` does (int, float, bool, None, str)."""
    low = text.lower()
    if low in ('none', 'null'):
        return None
    if low in ('true', 'false'):
        return low == 'true'
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if text.startswith(('[', '(', '{')):
        import ast
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            pass
    return text


def slug(value) -> str:
    """A folder-safe name for a parameter value (``0.3`` -> ``0.3``, ``'vne'`` -> ``vne``)."""
    s = str(value)
    return ''.join(c if c.isalnum() or c in '.-_' else '_' for c in s) or 'value'


def dry_run_check(cfg) -> Dict:
    """Build what can be built from ``cfg`` without training or reading data.

    Builds the model (every backbone, neck, head and loss) and checks that the
    train/val/test dataloaders and evaluators are configured. Dataset objects are
    built only when their annotation file (if any) exists, so EPIC-Kitchens or
    HAC configs can be checked on a machine without the data.

    Returns:
        dict: ``model`` (type and parameter count), ``datasets`` (per split:
        ``built``, ``skipped: <reason>`` or ``error: <message>``).
    """
    import mmaction_merdg  # noqa: F401  (registers the plugin; makes mmaction.models importable)
    from mmengine.registry import init_default_scope

    from mmaction.registry import DATASETS, MODELS
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    report = dict(model=dict(type=cfg.model['type'],
                             params=int(sum(p.numel() for p in model.parameters()))))
    mer = getattr(model, 'mer_loss', None)
    report['model']['mer_loss'] = (None if mer is None else
                                   f'{type(mer).__name__}({mer.extra_repr()})')
    missing = [k for k in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                           'val_evaluator', 'test_evaluator', 'train_cfg', 'optim_wrapper')
               if cfg.get(k) is None]
    if missing:
        raise ValueError(f'config lacks {missing}')
    report['datasets'] = {}
    errors = []
    for split in ('train', 'val', 'test'):
        ds_cfg = cfg[f'{split}_dataloader']['dataset']
        for t in _dataset_types(ds_cfg):
            if DATASETS.get(t) is None:
                errors.append(f'{split}: dataset type {t!r} is not registered')
        absent = [f for f in _data_paths(ds_cfg) if not osp.exists(f)]
        if absent:
            report['datasets'][split] = f'skipped: data absent ({absent[0]})'
            continue
        try:
            ds = DATASETS.build(ds_cfg)
            report['datasets'][split] = f'built ({len(ds)} samples)'
        except FileNotFoundError as e:
            report['datasets'][split] = f'skipped: data absent ({e})'
        except Exception as e:  # noqa: BLE001 - collected, raised below
            errors.append(f'{split}: {type(e).__name__}: {e}')
            report['datasets'][split] = f'error: {type(e).__name__}: {e}'
    if errors:
        raise ValueError('dry run found problems:\n  ' + '\n  '.join(errors))
    return report


def _children(ds_cfg) -> List[dict]:
    out = []
    for key in ('datasets', 'dataset'):
        sub = ds_cfg.get(key)
        if isinstance(sub, (list, tuple)):
            out += [s for s in sub if isinstance(s, dict)]
        elif isinstance(sub, dict):
            out.append(sub)
    return out


def _dataset_types(ds_cfg) -> List[str]:
    """Registered names of a dataset config and of the datasets it wraps."""
    if not isinstance(ds_cfg, dict):
        return []
    own = [ds_cfg['type']] if isinstance(ds_cfg.get('type'), str) else []
    return own + [t for c in _children(ds_cfg) for t in _dataset_types(c)]


def _data_paths(ds_cfg) -> List[str]:
    """Files/folders a dataset config reads (``ann_file``, ``ann_root``, ``data_root``)."""
    if not isinstance(ds_cfg, dict):
        return []
    out = []
    root = ds_cfg.get('data_root') or ''
    if root:
        out.append(root)
    for key in ('ann_file', 'ann_root'):
        p = ds_cfg.get(key)
        if p:
            out.append(p if osp.isabs(p) or not root else osp.join(root, p))
    return out + [p for c in _children(ds_cfg) for p in _data_paths(c)]
