"""Dataset configs of an experiment: the one walker over them, and options set in all.

A config's datasets sit under ``train_dataloader``, ``val_dataloader`` and
``test_dataloader``, possibly inside wrappers (``ConcatDataset``,
``RepeatDataset``, ...) that hold them under ``datasets`` or ``dataset``.
:func:`iter_dataset_cfgs` is the one walk over them every helper uses.
"""
import os.path as osp
from typing import Any, Dict, Iterator, List, Optional

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def iter_dataset_cfgs(ds_cfg, wrappers: bool = False) -> Iterator[dict]:
    """Dataset configs under ``ds_cfg``, through any wrapper.

    A wrapper is a config holding its datasets under ``datasets`` (a list) or
    ``dataset`` (a dict), as mmengine's ``ConcatDataset``, ``RepeatDataset``
    and ``ClassBalancedDataset`` do.

    Args:
        ds_cfg (dict | None): A dataset config.
        wrappers (bool): Also yield the wrappers themselves (before their
            contents). Defaults to False: leaf datasets only.

    Yields:
        dict: The configs themselves (not copies): changes stick.
    """
    if not isinstance(ds_cfg, dict):
        return
    inner = ds_cfg.get('datasets')
    if inner is None and isinstance(ds_cfg.get('dataset'), dict):
        inner = [ds_cfg['dataset']]
    if inner is None:
        yield ds_cfg
        return
    if wrappers:
        yield ds_cfg
    for d in inner:
        yield from iter_dataset_cfgs(d, wrappers)


def iter_loader_datasets(cfg, loaders=LOADERS, wrappers: bool = False) -> Iterator[dict]:
    """:func:`iter_dataset_cfgs` over the ``dataset`` of each of ``loaders``."""
    for loader in loaders:
        loader_cfg = cfg.get(loader)
        if loader_cfg:
            yield from iter_dataset_cfgs(loader_cfg.get('dataset'), wrappers)


def dataset_types(ds_cfg) -> List[str]:
    """Registered names of a dataset config and of the datasets it wraps."""
    return [d['type'] for d in iter_dataset_cfgs(ds_cfg, wrappers=True)
            if isinstance(d.get('type'), str)]


def data_paths(ds_cfg) -> List[str]:
    """Files/folders the datasets under ``ds_cfg`` read (``data_root``,
    ``ann_file``, ``ann_root``; the latter two under ``data_root``)."""
    out = []
    for d in iter_dataset_cfgs(ds_cfg):
        root = d.get('data_root') or ''
        if root:
            out.append(root)
        for key in ('ann_file', 'ann_root'):
            p = d.get(key)
            if p:
                out.append(p if osp.isabs(p) or not root else osp.join(root, p))
    return out


def set_dataset_options(cfg, options: Dict[str, Any], dataset_type: str = None) -> int:
    """Set ``options`` in every (leaf) dataset config of the three dataloaders.

    A knob of the synthetic world (e.g. ``cooccurrence``) must take the same
    value in the train split and in the source validation split; this sets it
    everywhere in one call (``tools/train.py --dataset-options k=v``).

    Args:
        cfg (mmengine.Config): Config, modified in place.
        options (dict): ``key -> value``.
        dataset_type (str, optional): Only touch datasets of this ``type``.

    Returns:
        int: Number of dataset configs changed.

    Raises:
        ValueError: When no dataset config matched.
    """
    changed = 0
    for ds in iter_loader_datasets(cfg):
        if dataset_type is None or ds.get('type') == dataset_type:
            ds.update(options)
            changed += 1
    if not changed:
        raise ValueError(f'set_dataset_options: no dataset config '
                         f'{"of type " + dataset_type + " " if dataset_type else ""}'
                         f'found in {LOADERS}.')
    return changed


def load_config(config: str, cfg_options: Optional[Dict] = None,
                dataset_options: Optional[Dict] = None):
    """``Config.fromfile`` plus ``--cfg-options`` and ``--dataset-options``.

    Args:
        config (str): Config path.
        cfg_options (dict, optional): ``dotted.key -> value`` overrides.
        dataset_options (dict, optional): Keys set in every dataset
            (:func:`set_dataset_options`).

    Returns:
        mmengine.Config
    """
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
    if dataset_options:
        set_dataset_options(cfg, dict(dataset_options))
    return cfg
