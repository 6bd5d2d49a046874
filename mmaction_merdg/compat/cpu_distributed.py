"""CPU data-parallel training with mmengine 0.10.7.

mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device`` before
``init_process_group``, which fails on a machine without CUDA, and its default
model wrapper passes ``device_ids=[LOCAL_RANK]``, which DDP rejects for CPU
modules. :func:`setup_cpu_distributed` initialises a gloo process group from
the ``torchrun`` environment *before* the Runner is built (the Runner then
skips its own ``init_dist``) and sets a CPU-compatible model wrapper.
"""
import datetime
import os

import torch
import torch.distributed as dist


def setup_cpu_distributed(cfg, launcher: str) -> bool:
    """Prepare ``cfg`` and the process group for CPU DDP when CUDA is absent.

    Args:
        cfg (mmengine.Config): The run config; ``model_wrapper_cfg`` and
            ``env_cfg.dist_cfg`` are set in place.
        launcher (str): The ``--launcher`` value.

    Returns:
        bool: True when a gloo group was initialised here.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher != 'pytorch':
        raise ValueError(
            f'CPU distributed training supports launcher="pytorch" '
            f'(torchrun); got launcher={launcher!r}. Use tools/dist_train.sh.')
    for key in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR',
                'MASTER_PORT'):
        if key not in os.environ:
            raise RuntimeError(
                f'--launcher pytorch needs the environment variable {key} '
                'set by torchrun; start the run with tools/dist_train.sh.')
    if not dist.is_initialized():
        timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get(
            'timeout', 1800)
        dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']),
            timeout=datetime.timedelta(seconds=timeout))
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    cfg.model_wrapper_cfg = wrapper
    return True
