#!/usr/bin/env python
"""Probe per-modality encoder features of a checkpoint: cross-modal dependence,
effective rank, entropy, and how much domain identity each modality carries.

Loads CONFIG's model with CHECKPOINT (``mmengine.runner.load_checkpoint``), runs
``model.extract_feat`` (pooled encoder feature per modality) over the config's
validation loader (source domains' held-out split + target split; the test
loader is added when the validation loader holds no target domain), and
measures on the source and on the target samples separately:

* between every pair of modalities: linear CKA (Kornblith et al. 2019; plain
  and debiased) and canonical correlations (regularised, fitted on half of the
  samples and measured on the other half, so spurious correlations at N ~ D do
  not show), on the raw features and on *class-residual* features (the mean of
  each (domain, class) cell removed), which isolate dependence between
  modalities that the label does not explain: the channel through which
  source-specific co-occurrences act;
* per modality: RankMe effective rank (Garrido et al. 2023), the log-det
  entropy and marginal std hinge (the MER-DG terms), on encoder features and,
  for MER-DG models, on the projections the loss sees;
* per modality and for the concatenated features: a linear domain probe
  (logistic regression, 5-fold held-out accuracy over all domains, with the
  chance level).

Writes ``probe.json`` and ``probe.png`` into ``--work-dir``. With
``--compare-with OTHER/probe.json`` it also draws ``probe_compare.png``, the two
checkpoints side by side (e.g. Fusion against MER-DG).

Examples:
    python tools/analysis/probe_features.py configs/merdg_synthetic.py \\
        work_dirs/seeds/merdg/seed_0/best_source_top1_epoch_6.pth --work-dir work_dirs/probe/merdg
    python tools/analysis/probe_features.py configs/fusion_synthetic.py CKPT \\
        --work-dir work_dirs/probe/fusion --compare-with work_dirs/probe/merdg/probe.json
    python tools/analysis/probe_features.py configs/merdg_epic_d1d2_d3.py none --dry-run
"""
import argparse
import itertools
import json
import os.path as osp
import sys
from collections import defaultdict
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import dry_run_check, write_json  # noqa: E402


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config the checkpoint was trained with')
    parser.add_argument('checkpoint', help='checkpoint file (ignored with --dry-run)')
    parser.add_argument('--work-dir', help='output folder (default: <checkpoint dir>/probe)')
    parser.add_argument('--label', help='name of this model in plots (default: config name)')
    parser.add_argument('--loaders', nargs='+', choices=['val', 'test'],
                        help='loaders to draw samples from (default: val, plus test when '
                        'val has no target domain)')
    parser.add_argument('--max-batches', type=int, default=None,
                        help='stop each loader after this many batches')
    parser.add_argument('--cca-components', type=int, default=10,
                        help='canonical pairs kept (default 10)')
    parser.add_argument('--cca-reg', type=float, default=0.1,
                        help='covariance shrinkage of CCA in [0, 1) (default 0.1)')
    parser.add_argument('--seed', type=int, default=0, help='seed of CCA splits and probe folds')
    parser.add_argument('--compare-with', help='probe.json of another checkpoint to plot beside')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config entries')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='set keys in every dataset (e.g. cooccurrence=1)')
    parser.add_argument('--dry-run', action='store_true',
                        help='build model and check the config; load and probe nothing')
    return parser.parse_args(argv)


def _domains_of(cfg):
    ev = cfg.get('val_evaluator') or cfg.get('test_evaluator') or {}
    if isinstance(ev, (list, tuple)):
        ev = next((e for e in ev if e.get('type') == 'DomainAccMetric'), {})
    return [str(d) for d in ev.get('source_domains', [])], \
        [str(d) for d in ev.get('target_domains', [])]


def extract(model, loader, max_batches: Optional[int] = None) -> Dict:
    """Encoder features (and projections if any) of every sample of ``loader``.

    Returns:
        dict: ``feat`` and ``proj`` (``modality -> Tensor[N, D]``, ``proj`` empty
        for models without projectors), ``domain`` (list of N str), ``label``
        (Tensor[N]).
    """
    import torch
    feats, projs = defaultdict(list), defaultdict(list)
    domains, labels = [], []
    projectors = getattr(model, 'projectors', None) or {}
    with torch.no_grad():
        for i, batch in enumerate(loader):
            if max_batches is not None and i >= max_batches:
                break
            data = model.data_preprocessor(batch, False)
            f = model.extract_feat(data['inputs'])  # modality -> [B, D_m]
            for m, v in f.items():
                feats[m].append(v.float().cpu())
                if m in projectors:
                    projs[m].append(projectors[m](v).float().cpu())  # [B, D_m] -> [B, 128]
            for ds in data['data_samples']:
                domains.append(str(ds.domain))
                labels.append(int(ds.gt_label.view(-1)[0]))
    return dict(feat={m: torch.cat(v) for m, v in feats.items()},
                proj={m: torch.cat(v) for m, v in projs.items()},
                domain=domains, label=torch.tensor(labels))


def class_residual(x, domains: List[str], labels):
    """``x`` [N, D] minus the mean of its (domain, class) cell: dependence beyond label and
    domain. Returns a Tensor [N, D]."""
    import torch
    out = x.clone()
    keys = [f'{d}|{int(y)}' for d, y in zip(domains, labels)]
    for k in set(keys):
        idx = torch.tensor([i for i, kk in enumerate(keys) if kk == k])
        out[idx] -= x[idx].mean(0, keepdim=True)
    return out


def measure(data: Dict, source: List[str], target: List[str], cca_components: int = 10,
            cca_reg: float = 0.1, seed: int = 0) -> Dict:
    """All probe statistics of :func:`extract` output (see module docstring)."""
    import torch

    from mmaction_merdg.evaluation.analysis import (domain_probe,
                                                    heldout_canonical_correlations,
                                                    linear_cka, logdet_entropy,
                                                    marginal_hinge, rankme)
    doms = data['domain']
    groups = {}
    for name, members in (('source', source), ('target', target)):
        idx = [i for i, d in enumerate(doms) if d in members]
        if len(idx) >= 8:
            groups[name] = torch.tensor(idx)
    if not groups:  # no DomainAccMetric domains: everything is one group
        groups['all'] = torch.arange(len(doms))
    mods = sorted(data['feat'])
    out = dict(modalities=mods, num_samples={g: int(len(i)) for g, i in groups.items()},
               domains=sorted(set(doms)), pairs={}, modality={}, domain_probe={})
    for g, idx in groups.items():
        d_g = [doms[i] for i in idx.tolist()]
        y_g = data['label'][idx]
        views = {'raw': {m: data['feat'][m][idx] for m in mods}}
        views['class_residual'] = {m: class_residual(v, d_g, y_g) for m, v in views['raw'].items()}
        for a, b in itertools.combinations(mods, 2):
            key = f'{a}-{b}'
            for view, fs in views.items():
                held = heldout_canonical_correlations(fs[a], fs[b], reg=cca_reg,
                                                      num_components=cca_components, seed=seed)
                out['pairs'].setdefault(key, {}).setdefault(g, {})[view] = dict(
                    cka=linear_cka(fs[a], fs[b]),
                    cka_debiased=linear_cka(fs[a], fs[b], debiased=True),
                    cca_heldout_top1=float(held[0]),
                    cca_heldout_mean=float(held.mean()))
        for m in mods:
            entry = out['modality'].setdefault(m, {}).setdefault(g, {})
            for kind in ('feat', 'proj'):
                if m not in data[kind]:
                    continue
                z = data[kind][m][idx]
                entry[kind] = dict(rankme=rankme(z), rankme_centered=rankme(z, center=True),
                                   logdet_entropy=logdet_entropy(z),
                                   marginal_hinge=marginal_hinge(z),
                                   dim=int(z.shape[1]))
    if len(set(doms)) >= 2:
        for m in mods + ['concat']:
            x = torch.cat([data['feat'][k] for k in mods], 1) if m == 'concat' else data['feat'][m]
            out['domain_probe'][m] = dict(all=domain_probe(x, doms, seed=seed))
            src_idx = [i for i, d in enumerate(doms) if d in source]
            if len({doms[i] for i in src_idx}) >= 2:
                out['domain_probe'][m]['source_only'] = domain_probe(
                    x[src_idx], [doms[i] for i in src_idx], seed=seed)
    return out


def plot_probe(results: List[Dict], labels: List[str], path: str) -> None:
    """Bars per modality pair / modality; one colour per checkpoint."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    r0 = results[0]
    groups = list(r0['num_samples'])
    pairs = list(r0['pairs'])
    mods = r0['modalities']
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.3), dpi=100)
    width = 0.8 / (len(results) * len(groups))
    panels = [
        (axes[0], pairs, lambda r, k, g: r['pairs'][k][g]['raw']['cka'], 'linear CKA (raw)'),
        (axes[1], pairs, lambda r, k, g: r['pairs'][k][g]['class_residual']['cka_debiased'],
         'debiased CKA, class-residual'),
        (axes[2], mods, lambda r, k, g: r['modality'][k][g]['feat']['rankme'],
         'RankMe of encoder features'),
    ]
    for ax, keys, get, title in panels:
        x = np.arange(len(keys))
        j = 0
        for r, lab in zip(results, labels):
            for g in groups:
                vals = [get(r, k, g) if g in r['num_samples'] else np.nan for k in keys]
                colour = f'C{len(groups) * labels.index(lab) + groups.index(g)}'
                ax.bar(x + (j - (len(results) * len(groups) - 1) / 2) * width, vals, width,
                       label=f'{lab} / {g}', color=colour)
                j += 1
        ax.set_xticks(x)
        ax.set_xticklabels([k.replace('-', '\n') for k in keys], fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.grid(axis='y', alpha=0.3)
    ax = axes[3]
    keys = [m for m in list(mods) + ['concat'] if m in r0['domain_probe']]
    x = np.arange(len(keys))
    w = 0.8 / max(1, len(results))
    for j, (r, lab) in enumerate(zip(results, labels)):
        vals = [r['domain_probe'][k]['all']['balanced_accuracy'] if k in r['domain_probe']
                else np.nan for k in keys]
        ax.bar(x + (j - (len(results) - 1) / 2) * w, vals, w, label=lab,
               color=f'C{len(groups) * j}')
    if keys:
        ax.axhline(1.0 / r0['domain_probe'][keys[0]]['all']['num_domains'], color='k', ls='--',
                   lw=1, label='chance (1/K)')
    ax.set_xticks(x)
    ax.set_xticklabels(keys, fontsize=7)
    ax.set_ylim(0, 1.02)
    ax.set_title('domain probe, balanced accuracy (held-out)', fontsize=9)
    ax.legend(fontsize=6, loc='lower right')
    axes[0].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    import mmaction_merdg  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner, load_checkpoint

    from mmaction.registry import MODELS
    from run_seeds import load_config
    cfg = load_config(args.config, args.cfg_options, args.dataset_options)
    if args.dry_run:
        report = dry_run_check(cfg)
        report.update(config=args.config, dry_run=True)
        print(json.dumps(report, indent=2))
        return report
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu', logger='current')
    model.eval()
    source, target = _domains_of(cfg)
    loaders = args.loaders or ['val']
    data = None
    for name in loaders + ([] if args.loaders else ['test']):
        if name == 'test' and data is not None and not args.loaders and (
                not target or any(d in target for d in data['domain'])):
            break  # val already holds the target split
        part = extract(model, Runner.build_dataloader(cfg[f'{name}_dataloader']),
                       args.max_batches)
        if data is None:
            data = part
        else:
            import torch
            for kind in ('feat', 'proj'):
                for m in part[kind]:
                    data[kind][m] = torch.cat([data[kind][m], part[kind][m]])
            data['domain'] += part['domain']
            data['label'] = torch.cat([data['label'], part['label']])
    result = measure(data, source, target, args.cca_components, args.cca_reg, args.seed)
    label = args.label or osp.splitext(osp.basename(args.config))[0]
    result.update(label=label, config=args.config, checkpoint=args.checkpoint,
                  cfg_options=dict(args.cfg_options), dataset_options=dict(args.dataset_options))
    work_dir = args.work_dir or osp.join(osp.dirname(osp.abspath(args.checkpoint)), 'probe')
    write_json(osp.join(work_dir, 'probe.json'), result)
    plot_probe([result], [label], osp.join(work_dir, 'probe.png'))
    if args.compare_with:
        with open(args.compare_with) as f:
            other = json.load(f)
        plot_probe([other, result], [other.get('label', 'other'), label],
                   osp.join(work_dir, 'probe_compare.png'))
    print(json.dumps(dict(label=label, num_samples=result['num_samples'],
                          cka_raw={k: {g: round(v[g]['raw']['cka'], 3) for g in v}
                                   for k, v in result['pairs'].items()},
                          domain_probe_balanced_acc={
                              k: round(v['all']['balanced_accuracy'], 3)
                              for k, v in result['domain_probe'].items()}), indent=2))
    print(f'written: {work_dir}/probe.json, probe.png')
    return result


if __name__ == '__main__':
    main()
