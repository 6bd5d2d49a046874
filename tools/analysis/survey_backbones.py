"""Print the feat_dims the recognizer infers for MMAction2 zoo backbones.

    python tools/analysis/survey_backbones.py [--names 'X3D-S' ...]
"""
import argparse

import mmaction_merdg  # noqa: F401
from mmaction_merdg.apis.backbone_survey import survey_backbones


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--names', nargs='*', help='survey only these rows')
    args = parser.parse_args(argv)
    print('| backbone | modality | type | layout | probe input | inferred feat_dim | params (M) |')
    print('|---|---|---|---|---|---|---|')
    for r in survey_backbones(args.names):
        if 'error' in r:
            print(f"| {r['name']} | {r['modality']} | {r['type']} | {r['layout']} | - | "
                  f"FAILED: {r['error']} | - |")
        else:
            print(f"| {r['name']} | {r['modality']} | {r['type']} | {r['layout']} | "
                  f"{r['probe']} | {r['feat_dim']} | {r['params_M']} |")


if __name__ == '__main__':
    main()
