"""Count the aten ops and host syncs of one MER-DG step against Fusion (CPU).

``model.loss`` + backward on the tiny synthetic config, the same model with and
without the entropy loss. Host syncs are ``aten::_local_scalar_dense`` calls
(``.item()``, ``bool(t)``, ``int(t)``). See ``docs/gpu.md``.

Examples:
    python tools/analysis/count_ops.py
    python tools/analysis/count_ops.py --modalities imgs audios --out ops.json
"""
import argparse
import json
import os.path as osp

import mmaction_merdg  # noqa: F401
from mmaction_merdg.apis.op_count import TINY_CONFIG, count_fusion_vs_merdg

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--config', default=TINY_CONFIG, help='MER-DG config (relative to the repo)')
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--modalities', nargs='+', help='subset of imgs flow_imgs audios')
    p.add_argument('--top', type=int, default=12, help='list the N ops MER-DG adds most')
    p.add_argument('--out', help='write the counts to this JSON file')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    res = count_fusion_vs_merdg(ROOT, args.config, args.batch_size, args.modalities)
    print(f"[{args.config}, batch {res['batch']}, {'+'.join(res['modalities'])}]")
    print('| variant | aten ops | compute ops | host syncs |')
    print('|---|---|---|---|')
    for name in ('fusion', 'merdg'):
        print(f"| {name} | {res[name + '_ops']} | {res[name + '_compute_ops']} | "
              f"{res[name + '_syncs']} |")
    print(f"| MER-DG adds | {res['added_ops']} | {res['added_compute_ops']} | "
          f"{res['added_syncs']} |")
    top = list(res['merdg_only_ops'].items())[:args.top]
    print('most added: ' + ', '.join(f'{k} {v}' for k, v in top))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=2)
    return res


if __name__ == '__main__':
    main()
