"""Run one sweep cell from its spec: ``python -m mmaction_merdg.apis.grid_cell SPEC``.

``SPEC`` is the ``cell.json`` written by :func:`mmaction_merdg.apis.grid.run_grid`:
the cell's fully resolved config (``config``, a dict: its hyper-parameters
and, for a leave-one-domain-out run, its domains already applied),
``work_dir`` and ``seed``. :func:`run_cell` is what submitit's executors
call (:func:`resolve_runner` names a stand-in instead); the command
line serves ``torchrun`` / ``srun`` (mmengine's Runner initialises the
process group from ``--launcher``).
"""
import argparse
import importlib
import json
from typing import Callable, Optional


def resolve_runner(name: Optional[str] = None) -> Callable[[str], dict]:
    """The function executors call per cell: :func:`run_cell`, or ``module:function``."""
    if not name:
        return run_cell
    module, _, fn = name.partition(':')
    try:
        return getattr(importlib.import_module(module), fn)
    except (ImportError, AttributeError) as e:
        raise ValueError(f'--runner {name!r}: cannot import it ({e}); expected '
                         'module:function taking a cell.json path.') from None


def run_cell(spec_path: str, launcher: Optional[str] = None) -> dict:
    """Train and test the cell of ``spec_path``; return (and write) its result."""
    import mmaction_merdg  # noqa: F401  (registers the plugin's modules)
    from mmengine.config import Config

    from .experiment import run_experiment
    with open(spec_path) as f:
        spec = json.load(f)
    cfg = Config(spec['config'])
    launcher = launcher or spec.get('launcher')
    if launcher:
        cfg.launcher = launcher
    return run_experiment(cfg, spec['work_dir'], seed=spec['seed'], quiet=True)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('spec', help='cell.json')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    args = parser.parse_args(argv)
    return run_cell(args.spec, args.launcher)


if __name__ == '__main__':
    main()
