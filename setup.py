"""Install mmaction_merdg.

Two requirement sets, on purpose:

* ``install_requires`` (below) states version RANGES, so installing the plugin
  into an existing MMAction2 environment keeps that environment's torch and
  OpenCV. Lower bounds are what the code needs, upper bounds the newest
  releases it was run with here (see docs/packaging.md).
* ``requirements/runtime.txt`` holds the exact pins of the reproducible
  ``.venv`` that ``tools/setup_env.sh`` installs (with ``--no-deps`` for the
  plugin itself, so these ranges never override the pins there).

Configs, tools and the demo ship inside the package as ``mmaction_merdg/.mim/{configs,
tools,demo}``, the OpenMMLab layout that ``mim train/test`` and
:func:`mmaction_merdg.apis.get_config_path` read. As in MMAction2's setup.py
they are populated at build time from the repository's ``configs/`` and
``tools/`` (the single source): copied for a wheel or sdist, symlinked for an
editable install. ``mmaction_merdg/.mim`` is git-ignored.
"""
import os
import os.path as osp
import platform
import shutil
import sys
import warnings

from setuptools import find_packages, setup

ROOT = osp.dirname(osp.abspath(__file__))
# What `mim` and the config API look for under mmaction_merdg/.mim/.
MIM_FILES = ('configs', 'tools', 'demo', 'model-index.yml')

# Known-good ranges (not pins). mmaction2 1.2 is what mmaction_merdg/__init__
# accepts; mmengine 0.10 is what mmaction2 1.2 runs with; torch >= 2.4 for
# torch.serialization.add_safe_globals (weights_only checkpoint loading);
# numpy < 2 because mmaction 1.2 still uses np.Inf / np.trapz / np.in1d.
# mmcv (full or lite, < 2.2 as mmaction2 1.2 asserts) is left to the user, as
# mmaction2's own wheel does: requiring one would replace the other.
INSTALL_REQUIRES = [
    'torch>=2.4,<2.12',
    'torchaudio>=2.4,<2.12',
    'mmengine>=0.10.0,<0.11',
    'mmaction2>=1.2.0,<1.3.0',
    'importlib_metadata',
    'numpy>=1.23,<2',
    'opencv-python>=4.5,<4.12',
    'scipy',
    'pandas',
    # statistics and probes (scikit-learn), progress (tqdm), sweep executors
    # (submitit), pandas' Markdown / LaTeX tables (tabulate, jinja2)
    'scikit-learn',
    'tqdm',
    'submitit',
    'tabulate',
    'jinja2',
    'soundfile',
    'av',
    'decord',
    'matplotlib',
]


def _version():
    scope = {}
    with open(osp.join(ROOT, 'mmaction_merdg', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def _requirements(name):
    with open(osp.join(ROOT, 'requirements', name)) as f:
        return [
            line.split('#')[0].strip() for line in f
            if line.split('#')[0].strip()
        ]


def add_mim_extension():
    """Populate ``mmaction_merdg/.mim`` from the repository (as MMAction2).

    Symlinks for an editable install (``develop`` / ``editable_wheel``),
    copies for a wheel or sdist; nothing for other commands.
    """
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'copy' if platform.system() == 'Windows' else 'symlink'
    elif any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'build', 'build_py')):
        mode = 'copy'
    else:
        return
    mim_path = osp.join(ROOT, 'mmaction_merdg', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src_path = osp.join(ROOT, name)
        if not osp.exists(src_path):
            continue
        tar_path = osp.join(mim_path, name)
        if osp.islink(tar_path) or osp.isfile(tar_path):
            os.remove(tar_path)
        elif osp.isdir(tar_path):
            shutil.rmtree(tar_path)
        if mode == 'symlink':
            os.symlink(osp.relpath(src_path, mim_path), tar_path)
        elif osp.isfile(src_path):
            shutil.copyfile(src_path, tar_path)
        elif osp.isdir(src_path):
            shutil.copytree(src_path, tar_path,
                            ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        else:
            warnings.warn(f'Cannot copy {src_path} into {mim_path}.')


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmaction-merdg',
        version=_version(),
        description='Multimodal domain generalization (MER-DG) for MMAction2 1.x',
        long_description=(open(osp.join(ROOT, 'README.md')).read()
                          if osp.exists(osp.join(ROOT, 'README.md')) else ''),
        long_description_content_type='text/markdown',
        packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
        include_package_data=True,  # mmaction_merdg/.mim via MANIFEST.in
        python_requires='>=3.9',
        install_requires=INSTALL_REQUIRES,
        extras_require=dict(tests=_requirements('tests.txt'),
                            pinned=_requirements('runtime.txt')),
        entry_points={
            'console_scripts': [
                'mmaction-merdg-config=mmaction_merdg.apis.config_paths:main',
                'mmaction-merdg-demo=mmaction_merdg.demo:main',
            ],
        },
        license='Apache-2.0',
        zip_safe=False,
    )
