"""Write a standalone config of one composed experiment.

family x shift x modality subset x method x +-MER-DG, built as the grid and
``mmaction_merdg.apis.compose_experiment`` build it, written fully resolved
(no ``_base_``) for whoever wants a file to read, edit or archive:

    python tools/misc/write_config.py epic_kitchens work_dirs/jat_epic_d1_d2d3.py \\
        --method jat --mer --shift D1:D2,D3 --modalities rgb,audio
    python tools/train.py work_dirs/jat_epic_d1_d2d3.py

Installed packages have the same command as ``mmaction-merdg-config compose``.
"""
import argparse
import sys

from mmaction_merdg.apis.config_paths import add_compose_args, write_composed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_compose_args(parser)
    print(write_composed(parser.parse_args(argv)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
