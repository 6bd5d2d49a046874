"""Train one config, then test its best source-validation checkpoint."""
import copy
import json
import os
import os.path as osp
import time
from typing import Optional, Sequence

from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import load_checkpoint

from .cli_options import build_runner


def run_experiment(cfg: Config,
                   work_dir: str,
                   seed: Optional[int] = None,
                   quiet: bool = False,
                   hooks: Sequence[Hook] = ()) -> dict:
    """Train ``cfg`` in ``work_dir``, test the best source-val checkpoint.

    Model selection uses ``source/top1`` only (the config's CheckpointHook
    ``save_best``). The test split is evaluated once, with the selected
    weights.

    Args:
        cfg (Config): A training config of this plugin (train, val and test
            dataloaders with ``DomainAccMetric``).
        work_dir (str): Output folder (checkpoints, logs, ``result.json``).
        seed (int, optional): Overrides ``randomness.seed``.
        quiet (bool): Log warnings only. Defaults to False.
        hooks (Sequence[Hook]): Extra hook objects (e.g. a progress display).

    Returns:
        dict: ``source_val_acc`` (best ``source/top1``), ``target_acc``
        (test ``target/top1`` of that checkpoint), ``target_mean_class_acc``,
        ``oracle_target_acc`` (best target accuracy over validations, logged
        for comparison), ``selected_val_target_acc``, ``seconds``,
        ``best_checkpoint``, ``seed``; also written to
        ``<work_dir>/result.json``.
    """
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    if seed is not None:
        cfg.randomness = dict(cfg.get('randomness', {}), seed=int(seed))
    if quiet:
        cfg.log_level = 'WARNING'
    save_best = cfg.default_hooks.checkpoint.get('save_best')
    if save_best != 'source/top1':
        raise ValueError('run_experiment selects on the source domains: the '
                         "config's CheckpointHook must set save_best='source/top1' "
                         f'(found {save_best!r}).')
    start = time.time()
    runner = build_runner(cfg)
    for hook in hooks:
        runner.register_hook(hook, priority='LOWEST')
    runner.train()
    hub = runner.message_hub
    best_ckpt = hub.get_info('best_ckpt')
    if best_ckpt is None or not osp.isfile(best_ckpt):
        raise RuntimeError(f'No best checkpoint was saved in {work_dir}; did '
                           'validation run (val_cfg, val_interval)?')
    state = hub.get_info('merdg_domain_acc_state') or {}
    load_checkpoint(runner.model, best_ckpt, map_location='cpu', logger='current')
    test_metrics = runner.test()
    result = dict(
        source_val_acc=float(hub.get_info('best_score')),
        target_acc=float(test_metrics['target/top1']),
        target_mean_class_acc=float(test_metrics['target/mean_class_acc']),
        oracle_target_acc=state.get('oracle_target_top1'),
        selected_val_target_acc=state.get('selected_target_top1'),
        seconds=round(time.time() - start, 1),
        best_checkpoint=best_ckpt,
        seed=cfg.randomness.get('seed'),
    )
    if runner.rank == 0:
        os.makedirs(work_dir, exist_ok=True)
        with open(osp.join(work_dir, 'result.json'), 'w') as f:
            json.dump(result, f, indent=2)
    return result
