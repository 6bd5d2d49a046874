"""Install mmaction_merdg. The pinned stack lives in requirements/runtime.txt."""
import os.path as osp

from setuptools import find_packages, setup


def _version():
    scope = {}
    with open(osp.join(osp.dirname(__file__), 'mmaction_merdg', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def _requirements(name):
    path = osp.join(osp.dirname(__file__), 'requirements', name)
    with open(path) as f:
        return [
            line.split('#')[0].strip() for line in f
            if line.split('#')[0].strip()
        ]


setup(
    name='mmaction-merdg',
    version=_version(),
    description='Multimodal domain generalization (MER-DG) for MMAction2 1.x',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.9',
    install_requires=_requirements('runtime.txt'),
    extras_require=dict(tests=_requirements('tests.txt')),
    license='Apache-2.0',
)
