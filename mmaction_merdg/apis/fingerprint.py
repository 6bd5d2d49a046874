"""Identify an experiment so that a resumed sweep never mixes two of them."""
import hashlib
import json
import os
import os.path as osp
import subprocess
from typing import Dict


def config_fingerprint(cfg) -> Dict[str, str]:
    """Hashes of the resolved config and the plugin source, and the git commit.

    The one definition, used by the seed runner (``apis/seeds.py``) and the
    grid (``apis/grid.py``).

    Args:
        cfg (Config): The fully resolved config (options applied).

    Returns:
        dict: ``config_sha256``, ``code_sha256``, ``git_commit`` (None outside git).
    """
    import mmaction_merdg
    cfg_text = json.dumps(cfg.to_dict(), sort_keys=True, default=str)
    pkg = osp.dirname(osp.abspath(mmaction_merdg.__file__))
    h = hashlib.sha256()
    for root, dirs, files in os.walk(pkg):
        dirs.sort()
        for fn in sorted(files):
            if fn.endswith('.py'):
                path = osp.join(root, fn)
                h.update(osp.relpath(path, pkg).encode())
                with open(path, 'rb') as f:
                    h.update(f.read())
    try:
        commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=pkg, capture_output=True,
                                text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return dict(config_sha256=hashlib.sha256(cfg_text.encode()).hexdigest(),
                code_sha256=h.hexdigest(), git_commit=commit)
