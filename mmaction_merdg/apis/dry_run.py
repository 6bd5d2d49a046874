"""Check a config without training or reading data."""
import os.path as osp
from typing import Dict

from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS, MODELS
from .dataset_options import data_paths, dataset_types


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
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    report = dict(model=dict(type=cfg.model['type'],
                             params=int(sum(p.numel() for p in model.parameters()))))
    regs = getattr(model, 'regularizers', None) or {}
    mer = regs['mer'].loss if 'mer' in regs else None
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
        for t in dataset_types(ds_cfg):
            if DATASETS.get(t) is None:
                errors.append(f'{split}: dataset type {t!r} is not registered')
        absent = [f for f in data_paths(ds_cfg) if not osp.exists(f)]
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
