"""Where the shipped configs are, for pip and mim users.

mmengine 0.10 resolves ``pkg::path`` in ``_base_`` only for the OpenMMLab
packages it lists (``mmengine.config.utils.MODULE2PACKAGE``), so
``mmaction_merdg::...`` is not available. The supported ways to reuse a
shipped config are (see docs/packaging.md):

* ``Config.fromfile(get_config_path('merdg_synthetic.py'))`` in Python;
* ``mmaction-merdg-config path merdg_synthetic.py`` (or
  ``python -m mmaction_merdg.apis.config_paths path ...``) prints the absolute
  path, which a user's own config names in ``_base_`` (mmengine accepts an
  absolute ``_base_`` path; the shipped config's relative ``_base_`` then
  resolve inside the package);
* ``mmaction-merdg-config copy merdg_synthetic.py DEST`` writes a
  self-contained (fully resolved) copy to edit;
* ``mmaction-merdg-config compose FAMILY DEST --method M --mer --shift S:T
  --modalities rgb,audio`` writes a self-contained config of a composed
  experiment (:func:`mmaction_merdg.apis.compose_experiment`; also
  ``tools/misc/write_config.py``);
* ``mim train mmaction_merdg merdg_synthetic.py`` finds it by name.

The configs live in ``mmaction_merdg/.mim/configs`` in an installed wheel
and in the repository's ``configs/`` in a source checkout (editable install
or ``PYTHONPATH``), which takes precedence when present.
"""
import argparse
import glob
import os.path as osp
import sys
from typing import List, Optional

_PKG_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _find_dir(name: str) -> str:
    repo = osp.dirname(_PKG_DIR)
    candidates = [
        osp.join(repo, name),  # source checkout (recognised by its setup.py)
        osp.join(_PKG_DIR, '.mim', name),  # installed wheel
    ]
    if osp.isfile(osp.join(repo, 'setup.py')) and osp.isdir(candidates[0]):
        return candidates[0]
    if osp.isdir(candidates[1]):
        return candidates[1]
    raise FileNotFoundError(
        f'mmaction_merdg ships no {name}/ here: looked in {candidates}. '
        'Reinstall from a wheel built by `python -m build --wheel` or '
        '`pip install -e .`, which populate mmaction_merdg/.mim.')


def config_dir() -> str:
    """Absolute path of the directory holding the shipped configs."""
    return _find_dir('configs')


def tools_dir() -> str:
    """Absolute path of the directory holding the shipped tools."""
    return _find_dir('tools')


def list_configs() -> List[str]:
    """Every shipped config, relative to :func:`config_dir`, sorted."""
    root = config_dir()
    return sorted(
        osp.relpath(p, root)
        for p in glob.glob(osp.join(root, '**', '*.py'), recursive=True))


def get_config_path(name: str) -> str:
    """Absolute path of a shipped config.

    Args:
        name (str): A path relative to the configs directory
            (``'synthetic/merdg_tiny-..._synthetic-source0-source1-to-target-rgb-flow-audio.py'``)
            or a file name that is unique among the shipped configs
            (``'merdg_synthetic.py'``); ``.py`` may be left out.

    Returns:
        str: The absolute path.

    Raises:
        FileNotFoundError: ``name`` matches no shipped config, or a bare file
            name matches several.
    """
    if not name.endswith('.py'):
        name = name + '.py'
    root = config_dir()
    path = osp.join(root, name)
    if osp.isfile(path):
        return osp.abspath(path)
    matches = [c for c in list_configs() if osp.basename(c) == osp.basename(name)]
    if len(matches) == 1:
        return osp.join(root, matches[0])
    if not matches:
        raise FileNotFoundError(
            f'No shipped config {name!r} under {root}; '
            '`mmaction-merdg-config list` prints them all.')
    raise FileNotFoundError(f'Config name {name!r} is ambiguous: {matches}; '
                            'give the path relative to the configs directory.')


def add_compose_args(parser: argparse.ArgumentParser) -> None:
    """Arguments of a composed experiment: FAMILY DEST and the experiment options."""
    from ..methods import FAMILIES, METHODS
    parser.add_argument('family', choices=list(FAMILIES), help='dataset family')
    parser.add_argument('dest', help='config file to write (.py)')
    parser.add_argument('--method', default='fusion', choices=list(METHODS),
                        help='method (default: fusion)')
    parser.add_argument('--mer', action='store_true', help='add MER-DG')
    parser.add_argument('--shift', metavar='SOURCES:TARGETS',
                        help="e.g. 'D1,D2:D3' or 'D1:D2,D3' (default: the family's canonical)")
    parser.add_argument('--modalities', metavar='M1,M2',
                        help="e.g. 'rgb,audio' (default: the family's)")
    parser.add_argument('--cfg-options', nargs='+', default=None, metavar='KEY=VALUE',
                        help='override config entries (as tools/train.py)')


def write_composed(args: argparse.Namespace) -> str:
    """Compose the experiment ``args`` names and dump it to ``args.dest``."""
    from mmengine.config import DictAction

    from .composition import compose_experiment, parse_shift
    sources, targets = parse_shift(args.shift) if args.shift else (None, None)
    options = None
    if args.cfg_options:
        options = {}
        for kv in args.cfg_options:
            key, _, value = kv.partition('=')
            if not _:
                raise ValueError(f'--cfg-options {kv!r}: expected KEY=VALUE.')
            options[key] = DictAction._parse_iterable(value)
    cfg = compose_experiment(args.family, args.method, args.mer, sources, targets,
                             args.modalities, options)
    if not args.dest.endswith('.py'):
        raise ValueError(f'dest {args.dest!r}: write a .py config.')
    cfg.dump(args.dest)
    return args.dest


def main(argv: Optional[List[str]] = None) -> int:
    """``mmaction-merdg-config {dir,list,path NAME,copy NAME DEST,compose FAMILY DEST ...}``."""
    parser = argparse.ArgumentParser(
        prog='mmaction-merdg-config', description='Locate the configs shipped with mmaction_merdg.')
    sub = parser.add_subparsers(dest='cmd', required=True)
    sub.add_parser('dir', help='print the configs directory')
    sub.add_parser('list', help='print every shipped config (relative paths)')
    p = sub.add_parser('path', help='print the absolute path of one config')
    p.add_argument('name')
    c = sub.add_parser('copy', help='write a fully resolved copy of one config')
    c.add_argument('name')
    c.add_argument('dest')
    add_compose_args(sub.add_parser(
        'compose', help='write a self-contained config of a composed experiment'))
    args = parser.parse_args(argv)
    if args.cmd == 'dir':
        print(config_dir())
    elif args.cmd == 'list':
        print('\n'.join(list_configs()))
    elif args.cmd == 'path':
        print(get_config_path(args.name))
    elif args.cmd == 'compose':
        print(write_composed(args))
    else:
        from mmengine.config import Config
        Config.fromfile(get_config_path(args.name)).dump(args.dest)
        print(args.dest)
    return 0


if __name__ == '__main__':
    sys.exit(main())
