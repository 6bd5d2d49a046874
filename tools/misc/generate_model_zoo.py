"""Write configs/**/README.md, configs/**/metafile.yml and model-index.yml from the configs,
and docs/methods.md's method table from the method registry.

Run from the repository root after adding, moving or measuring configs or registering a
method; ``--check`` exits 1 when a committed page differs from what would be written.

    python tools/misc/generate_model_zoo.py [--check]
"""
import argparse
import os
import sys

from mmaction_merdg.apis.model_zoo import stale_files, write_files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--check', action='store_true', help='only report stale pages')
    args = parser.parse_args(argv)
    repo = os.getcwd()
    if args.check:
        stale = stale_files(repo)
        for rel in stale:
            print(f'stale: {rel}')
        return 1 if stale else 0
    for rel in write_files(repo):
        print(f'wrote {rel}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
