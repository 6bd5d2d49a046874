"""Stand-in cell runners (``--runner tests.apis.grid_fakes:<name>``) for sweep tests.

They import the standard library only, so a submitit subprocess running one
starts in a fraction of a second. Accuracies are simple functions of the
cell's resolved config, so that the three selection rules choose different
trials:

- source validation prefers MER-DG's weight closest to its default 3,
- a held-out source (leave-one-domain-out run) prefers the largest weight,
- the target prefers the smallest weight; every seed adds ``0.01 * seed``.
"""
import json
import math
import os
import os.path as osp
import signal

FIRST_KILL = 'kill_once'  # in the sweep's work dir: the first cell to start is killed


def mer_weight(cfg: dict) -> float:
    model = cfg['model']
    for reg in (model.get('regularizers') or {}).values():
        if isinstance(reg, dict) and 'loss' in reg:
            return float(reg['loss']['loss_weight'])
    return 0.0


def accuracies(cfg: dict, seed: int) -> dict:
    lam = mer_weight(cfg)
    log_lam = math.log(lam) if lam > 0 else 0.0
    heldout = list(cfg['test_dataloader']['dataset']['domains']) != ['target']
    base = 0.5 + 0.01 * seed
    source_val = 0.9 - 0.01 * abs(log_lam - math.log(3.0)) if lam else 0.85
    target = (0.6 + 0.02 * log_lam) if heldout else base + 0.05 * (lam > 0) - 0.01 * log_lam
    return dict(source_val_acc=source_val, target_acc=target, oracle_target_acc=target,
                seconds=0.0, seed=seed)


def run_fake_cell(spec_path: str) -> dict:
    """Write ``result.json`` as ``run_cell`` does; SIGKILL itself once if asked."""
    with open(spec_path) as f:
        spec = json.load(f)
    work_dir = spec['work_dir']
    root = work_dir.split(osp.sep + 'cells' + osp.sep)[0]
    marker = osp.join(root, FIRST_KILL)
    try:
        os.rename(marker, marker + '.taken')  # atomic: one cell wins
        os.kill(os.getpid(), signal.SIGKILL)  # a worker killed mid-cell
    except FileNotFoundError:
        pass
    with open(osp.join(root, 'calls.log'), 'a') as f:
        f.write(work_dir + '\n')
    res = accuracies(spec['config'], spec['seed'])
    with open(osp.join(work_dir, 'result.json'), 'w') as f:
        json.dump(res, f)
    return res


def run_failing_cell(spec_path: str) -> dict:
    raise RuntimeError('this cell always fails')
