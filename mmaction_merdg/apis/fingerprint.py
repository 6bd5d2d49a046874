"""Identify an experiment so that a resumed sweep never mixes two of them."""
import hashlib
import json
import os
import os.path as osp
import subprocess
from typing import Dict, List, Optional


def plugin_source_hash(package_dir: Optional[str] = None) -> str:
    """SHA-256 of the plugin's source: every ``.py`` file, with its path.

    A result computed by an older plugin (another loss, another sampler) is
    another experiment even when its config is byte-identical; callers that
    reuse finished runs (``apis/seeds.py``, ``apis/grid.py``) compare it.

    Args:
        package_dir (str, optional): The package folder. Defaults to the
            installed ``mmaction_merdg``.

    Returns:
        str: 64 hex digits; the same for the same files, whatever their
        mtimes or the folder's location.
    """
    if package_dir is None:
        import mmaction_merdg
        package_dir = osp.dirname(osp.abspath(mmaction_merdg.__file__))
    h = hashlib.sha256()
    for root, dirs, files in os.walk(package_dir):
        dirs.sort()
        dirs[:] = [d for d in dirs if d != '__pycache__']
        for fn in sorted(files):
            if fn.endswith('.py'):
                path = osp.join(root, fn)
                h.update(osp.relpath(path, package_dir).replace(os.sep, '/').encode())
                with open(path, 'rb') as f:
                    h.update(f.read())
    return h.hexdigest()


def fingerprint_changes(stored: Optional[Dict], current: Dict) -> List[str]:
    """What differs between a stored fingerprint and the current one.

    Returns:
        list[str]: Among ``'config'`` (the resolved config) and
        ``'plugin source'``; empty when both match. A missing stored
        fingerprint (or field) counts as changed.
    """
    stored = stored or {}
    changes = []
    if stored.get('config_sha256') != current.get('config_sha256'):
        changes.append('config')
    if stored.get('code_sha256') != current.get('code_sha256'):
        changes.append('plugin source')
    return changes


def config_fingerprint(cfg) -> Dict[str, str]:
    """Hashes of the resolved config and the plugin source, and the git commit.

    The one definition, used by the seed runner (``apis/seeds.py``) and the
    grid (``apis/grid.py``).

    Args:
        cfg (Config): The fully resolved config (options applied).

    Returns:
        dict: ``config_sha256``, ``code_sha256`` (:func:`plugin_source_hash`),
        ``git_commit`` (None outside git). Compare two with
        :func:`fingerprint_changes`.
    """
    import mmaction_merdg
    cfg_text = json.dumps(cfg.to_dict(), sort_keys=True, default=str)
    pkg = osp.dirname(osp.abspath(mmaction_merdg.__file__))
    try:
        commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=pkg, capture_output=True,
                                text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return dict(config_sha256=hashlib.sha256(cfg_text.encode()).hexdigest(),
                code_sha256=plugin_source_hash(pkg), git_commit=commit)
