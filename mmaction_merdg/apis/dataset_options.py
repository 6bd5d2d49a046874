"""Set one dataset option in every dataset of a config at once."""
from typing import Any, Dict, Iterator

_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
_WRAPPERS = ('ConcatDataset', 'RepeatDataset', 'ClassBalancedDataset')


def _datasets(ds_cfg) -> Iterator[dict]:
    """Leaf dataset configs under ``ds_cfg`` (through mmengine's wrappers)."""
    if ds_cfg is None:
        return
    if ds_cfg.get('type') in _WRAPPERS:
        inner = ds_cfg.get('datasets', None)
        inner = inner if inner is not None else [ds_cfg.get('dataset')]
        for d in inner:
            yield from _datasets(d)
    else:
        yield ds_cfg


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
    for loader in _LOADERS:
        loader_cfg = cfg.get(loader)
        if not loader_cfg:
            continue
        for ds in _datasets(loader_cfg.get('dataset')):
            if dataset_type is None or ds.get('type') == dataset_type:
                ds.update(options)
                changed += 1
    if not changed:
        raise ValueError(f'set_dataset_options: no dataset config '
                         f'{"of type " + dataset_type + " " if dataset_type else ""}'
                         f'found in {_LOADERS}.')
    return changed
