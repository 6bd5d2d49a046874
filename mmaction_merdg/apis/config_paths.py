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


def main(argv: Optional[List[str]] = None) -> int:
    """``mmaction-merdg-config {dir,list,path NAME,copy NAME DEST}``."""
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
    args = parser.parse_args(argv)
    if args.cmd == 'dir':
        print(config_dir())
    elif args.cmd == 'list':
        print('\n'.join(list_configs()))
    elif args.cmd == 'path':
        print(get_config_path(args.name))
    else:
        from mmengine.config import Config
        Config.fromfile(get_config_path(args.name)).dump(args.dest)
        print(args.dest)
    return 0


if __name__ == '__main__':
    sys.exit(main())
