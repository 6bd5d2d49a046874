#!/usr/bin/env python
"""Summarise probe_features.py results of several seeds, and compare two methods.

A CLI over :func:`mmaction_merdg.apis.summarise_probes`.

Each ``--group LABEL FILE [FILE ...]`` names the ``probe.json`` files of one
method (one per seed). The table gives, per statistic, the mean ± std over the
group's files; with exactly two groups of equal size, the files are paired in
the order given (pass them in seed order) and the difference B - A gets a
paired t-test. Statistics: raw linear CKA and held-out top canonical
correlation between modalities, the same on class-residual features (debiased
CKA), RankMe and log-det entropy of encoder features, and the domain probe's
balanced accuracy (chance 1/K). All on the source samples unless the row says
target.

Example:
    python tools/analysis/probe_summary.py \
        --group Fusion work_dirs/probe/fusion_seed{0,1,2}/probe.json \
        --group MER-DG work_dirs/probe/merdg_seed{0,1,2}/probe.json --work-dir work_dirs/probe
"""
import argparse
import os.path as osp

from mmaction_merdg.apis import probe_summary_to_markdown, summarise_probes, write_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--group', nargs='+', action='append', required=True,
                        metavar=('LABEL', 'FILE'), help='a label, then its probe.json files')
    parser.add_argument('--work-dir', help='write probe_summary.md and .json here')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        res = summarise_probes(args.group)
    except ValueError as err:
        raise SystemExit(str(err))
    md = probe_summary_to_markdown(res)
    print(md)
    if args.work_dir:
        write_json(osp.join(args.work_dir, 'probe_summary.json'), res)
        with open(osp.join(args.work_dir, 'probe_summary.md'), 'w') as f:
            f.write(md)
    return res


if __name__ == '__main__':
    main()
