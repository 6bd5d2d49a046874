"""Run one grid cell under a launcher: ``python -m mmaction_merdg.apis.grid_cell SPEC``.

``SPEC`` is the ``cell.json`` written by :func:`mmaction_merdg.apis.grid.run_grid`
(config, work_dir, seed, cfg_options, dataset_options). Started by
``torchrun`` or ``srun``; mmengine's Runner initialises the process group
from ``--launcher``.
"""
import argparse
import json


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('spec', help='cell.json')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    args = parser.parse_args(argv)
    with open(args.spec) as f:
        spec = json.load(f)
    from .experiment import run_experiment
    from .grid import load_config
    cfg = load_config(spec['config'], spec.get('cfg_options'), spec.get('dataset_options'))
    cfg.launcher = args.launcher
    return run_experiment(cfg, spec['work_dir'], seed=spec['seed'], quiet=True)


if __name__ == '__main__':
    main()
