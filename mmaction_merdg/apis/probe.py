"""Probe per-modality encoder features of a checkpoint.

:func:`probe_checkpoint` runs ``model.extract_feat`` (pooled encoder feature
per modality) over a config's validation samples and :func:`measure` gives,
on the source and on the target samples separately:

* between every pair of modalities: linear CKA (Kornblith et al. 2019; plain
  and debiased) and held-out canonical correlations (regularised CCA fitted on
  half of the samples, measured on the other half), on the raw features and on
  *class-residual* features (the mean of each (domain, class) cell removed):
  the dependence between modalities that the label does not explain;
* per modality: RankMe effective rank (Garrido et al. 2023), the log-det
  entropy and marginal std hinge (the MER-DG terms), on encoder features and,
  for models with projection necks, on the projections;
* per modality and for the concatenated features: a linear domain probe
  (5-fold held-out balanced accuracy over all domains, with chance level).

:func:`summarise_probes` aggregates several checkpoints' results (seeds) per
method and compares two methods with paired t-tests.
"""
import itertools
import json
from collections import defaultdict
from typing import Dict, List, Optional

import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint

from mmaction.registry import MODELS
from mmaction_merdg.evaluation.analysis import (domain_probe,
                                                heldout_canonical_correlations,
                                                linear_cka, logdet_entropy,
                                                marginal_hinge, mean_std,
                                                paired_ttest, rankme)
from .progress import progress
from .results import fmt, fmt_p


def domains_of(cfg):
    """``(source, target)`` domain names of the config's ``DomainAccMetric``."""
    ev = cfg.get('val_evaluator') or cfg.get('test_evaluator') or {}
    if isinstance(ev, (list, tuple)):
        ev = next((e for e in ev if e.get('type') == 'DomainAccMetric'), {})
    return [str(d) for d in ev.get('source_domains', [])], \
        [str(d) for d in ev.get('target_domains', [])]


def extract(model, loader, max_batches: Optional[int] = None, desc: str = 'probe') -> Dict:
    """Encoder features (and projections if any) of every sample of ``loader``.

    Reports its progress (:func:`mmaction_merdg.apis.progress.progress`) as
    ``desc``.

    Returns:
        dict: ``feat`` and ``proj`` (``modality -> Tensor[N, D]``, ``proj`` empty
        for models without projectors), ``domain`` (list of N str), ``label``
        (Tensor[N]).
    """
    feats, projs = defaultdict(list), defaultdict(list)
    domains, labels = [], []
    # MER-DG's projection heads (model.regularizers['mer']); in eval mode the
    # recognizer's embedding dropout is the identity, so they read the pooled features.
    regs = getattr(model, 'regularizers', None)
    mer = regs['mer'] if regs is not None and 'mer' in regs else None
    projectors = getattr(mer, 'projectors', None) or {}
    total = len(loader) if max_batches is None else min(len(loader), max_batches)
    with torch.no_grad():
        for batch in progress(itertools.islice(loader, total), desc, total=total):
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
    out = x.clone()
    keys = [f'{d}|{int(y)}' for d, y in zip(domains, labels)]
    for k in set(keys):
        idx = torch.tensor([i for i, kk in enumerate(keys) if kk == k])
        out[idx] -= x[idx].mean(0, keepdim=True)
    return out


def measure(data: Dict, source: List[str], target: List[str], cca_components: int = 10,
            cca_reg: float = 0.1, seed: int = 0) -> Dict:
    """All probe statistics of :func:`extract` output (see module docstring)."""
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
        keys = mods + ['concat']
        for m in progress(keys, 'probe domain classifiers', names=keys):
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


def probe_checkpoint(cfg, checkpoint: str, loaders: Optional[List[str]] = None,
                     max_batches: Optional[int] = None, cca_components: int = 10,
                     cca_reg: float = 0.1, seed: int = 0) -> Dict:
    """Build ``cfg``'s model with ``checkpoint``, extract features, :func:`measure`.

    Samples come from the validation loader (source held-out + target split);
    the test loader is added when validation holds no target domain, unless
    ``loaders`` names the loaders explicitly.
    """
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu', logger='current')
    model.eval()
    source, target = domains_of(cfg)
    data = None
    for name in (loaders or ['val']) + ([] if loaders else ['test']):
        if name == 'test' and data is not None and not loaders and (
                not target or any(d in target for d in data['domain'])):
            break  # val already holds the target split
        part = extract(model, Runner.build_dataloader(cfg[f'{name}_dataloader']), max_batches,
                       desc=f'probe features ({name} set)')
        if data is None:
            data = part
        else:
            for kind in ('feat', 'proj'):
                for m in part[kind]:
                    data[kind][m] = torch.cat([data[kind][m], part[kind][m]])
            data['domain'] += part['domain']
            data['label'] = torch.cat([data['label'], part['label']])
    return measure(data, source, target, cca_components, cca_reg, seed)


def probe_statistics(probe: Dict) -> Dict[str, float]:
    """The flat statistics of one probe.json (see :func:`summarise_probes`)."""
    out = {}
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    for g in ('source', 'target'):
        if g not in probe['num_samples']:
            continue
        pairs = [v[g] for v in probe['pairs'].values()]
        out[f'CKA raw, mean over pairs ({g})'] = mean([p['raw']['cka'] for p in pairs])
        out[f'CCA held-out top-1 raw, mean over pairs ({g})'] = mean(
            [p['raw']['cca_heldout_top1'] for p in pairs])
        out[f'debiased CKA class-residual, mean over pairs ({g})'] = mean(
            [p['class_residual']['cka_debiased'] for p in pairs])
        out[f'CCA held-out top-1 class-residual, mean over pairs ({g})'] = mean(
            [p['class_residual']['cca_heldout_top1'] for p in pairs])
    for m, per_group in probe['modality'].items():
        if 'source' in per_group:
            out[f'RankMe {m} (source)'] = per_group['source']['feat']['rankme']
            out[f'log-det entropy {m} (source)'] = per_group['source']['feat']['logdet_entropy']
    for m, dp in probe['domain_probe'].items():
        out[f'domain probe balanced acc {m} (all, chance 1/{dp["all"]["num_domains"]})'] = \
            dp['all']['balanced_accuracy']
    return out


def summarise_probes(groups: List[List[str]]) -> Dict:
    """Per-statistic mean ± std per group; paired t-test of B - A for two equal groups.

    Args:
        groups: one list per method: a label, then its ``probe.json`` paths.
    """
    labels, stats = [], []
    for g in groups:
        if len(g) < 2:
            raise ValueError('each group needs a label and at least one file')
        labels.append(g[0])
        per_file = []
        for path in g[1:]:
            with open(path) as f:
                per_file.append(probe_statistics(json.load(f)))
        stats.append(per_file)
    keys = [k for k in stats[0][0] if all(k in s for grp in stats for s in grp)]
    rows = []
    for k in keys:
        row = dict(stat=k, groups={lab: mean_std([s[k] for s in grp])
                                   for lab, grp in zip(labels, stats)})
        if len(stats) == 2 and len(stats[0]) == len(stats[1]) >= 2:
            t = paired_ttest([s[k] for s in stats[1]], [s[k] for s in stats[0]])
            row['diff'] = dict(mean=t['mean_diff'], p=t['p'])
        rows.append(row)
    return dict(labels=labels, files=[g[1:] for g in groups], rows=rows)


def probe_summary_to_markdown(res: Dict) -> str:
    """Markdown table of :func:`summarise_probes` output."""
    labels = res['labels']
    head = '| statistic | ' + ' | '.join(labels)
    two = len(labels) == 2 and all('diff' in r for r in res['rows'])
    head += f' | {labels[1]} - {labels[0]} | paired t p |' if two else ' |'
    lines = [head, '|---' * (len(labels) + 1 + 2 * two) + '|']
    for r in res['rows']:
        cells = [f'{fmt(r["groups"][lab]["mean"], 3)} ± {fmt(r["groups"][lab]["std"], 3)}'
                 for lab in labels]
        if two:
            cells += [fmt(r['diff']['mean'], 3, sign=True), fmt_p(r['diff']['p'])]
        lines.append(f'| {r["stat"]} | ' + ' | '.join(cells) + ' |')
    n = [len(f) for f in res['files']]
    return '\n'.join(lines) + f'\n\nmean ± std over {n} checkpoints per group.\n'
