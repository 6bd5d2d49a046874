"""The sweep's table: one block per selection rule (``table.md``, ``.csv``, ``.tex``, ``.png``).

Per rule, per (dataset, modality subset): rows = method and method + MER-DG
(titles from the registry), columns = shifts (targets) and their mean. An
entry is the target top-1 (%) of the trial the rule chose, per seed, as
``mean ± std (n)`` over seeds; a + MER-DG entry carries the paired t-test
against the method alone under the same rule on the same seeds (flagged when
fewer than 3 pairs), and every row names the hyper-parameters chosen.
"""
import csv
import os
import os.path as osp
from typing import Dict, List, Sequence

from mmaction_merdg.methods import METHODS as REGISTRY
from .grid import MER_WEIGHT
from .model_selection import RULES, get_rules

#: Fewer paired seeds than this: the test is shown but flagged.
MIN_PAIRS = 3
_SHORT = {MER_WEIGHT: 'λ', 'optim_wrapper.optimizer.lr': 'lr'}


def short_name(path: str) -> str:
    """Table name of a config path (``λ`` for MER-DG's weight, ``lr``, else the last part)."""
    return _SHORT.get(path, path.split('.')[-1])


def row_title(method: str, mer: bool) -> str:
    title = REGISTRY[method].title if method in REGISTRY else method
    return f'{title} + MER-DG' if mer else title


def groups(records: Sequence[Dict]) -> Dict[tuple, Dict]:
    """``(dataset, shift, subset, method, mer, seed) -> {'sources', 'trials', 'row_trials'}``."""
    out = {}
    for r in records:
        key = (r['dataset'], r['shift'], r['subset'], r['method'], bool(r['mer']),
               int(r['seed']))
        g = out.setdefault(key, dict(sources=list(r.get('sources') or []), trials={},
                                     row_trials=r.get('row_trials')))
        t = g['trials'].setdefault(int(r.get('trial', 0)), dict(full=None, heldout={}))
        if r.get('holdout') is None:
            t['full'] = r
        else:
            t['heldout'][r['holdout']] = r
    return out


def summarise(records: Sequence[Dict], rules: Sequence[str] = ('training-domain', )) -> List[Dict]:
    """Table entries of every rule.

    Returns:
        list[dict]: ``rule, dataset, subset, column, method, mer, n, mean,
        std, seeds, values`` (%), ``chosen`` (per seed and shift: trial,
        params, score), and for + MER-DG entries paired with the method
        alone: ``n_pairs`` and, with >= 2 pairs, ``delta`` (mean paired
        difference, points) and ``p`` (paired t-test).
    """
    from mmaction_merdg.evaluation.analysis import mean_std, paired_ttest
    grouped = groups(records)
    out = []
    for rule in get_rules(rules):
        acc, chosen, shifts = {}, {}, {}
        for (d, sh, sub, m, mer, seed), g in grouped.items():
            c = rule.select(g['trials'], g['sources'], g['row_trials'])
            if c is None:
                continue
            acc.setdefault((d, sub, m, mer), {}).setdefault(sh, {})[seed] = 100 * c['target_acc']
            chosen.setdefault((d, sub, m, mer), []).append(dict(c, shift=sh, seed=seed))
            lst = shifts.setdefault((d, sub), [])
            if sh not in lst:
                lst.append(sh)
        per_col = {}
        for (d, sub, m, mer), by_shift in acc.items():
            cols = {sh: dict(by_shift.get(sh, {})) for sh in shifts[(d, sub)]}
            common = set.intersection(*[set(v) for v in cols.values()])
            cols['mean'] = {s: sum(cols[sh][s] for sh in shifts[(d, sub)]) / len(cols)
                            for s in sorted(common)}
            for col, vals in cols.items():
                per_col[(d, sub, col, m, mer)] = vals
        for (d, sub, col, m, mer), vals in per_col.items():
            if not vals:
                continue
            seeds = sorted(vals)
            picks = [c for c in chosen[(d, sub, m, mer)] if col in ('mean', c['shift'])]
            e = dict(rule=rule.name, dataset=d, subset=sub, column=col, method=m, mer=mer,
                     seeds=seeds, values=[vals[s] for s in seeds], chosen=picks,
                     **mean_std([vals[s] for s in seeds]))
            alone = per_col.get((d, sub, col, m, False))
            if mer and alone:
                paired = sorted(set(vals) & set(alone))
                e['n_pairs'] = len(paired)
                if len(paired) >= 2:
                    t = paired_ttest([vals[s] for s in paired], [alone[s] for s in paired])
                    e.update(delta=t['mean_diff'], p=t['p'])
            out.append(e)
    return out


def chosen_text(picks: Sequence[Dict]) -> str:
    """``t0 (defaults) ×3, t2 (λ 10.4) ×2``: the trials chosen over seeds (and shifts)."""
    counts = {}
    for c in picks:
        counts.setdefault(c['trial'], [0, c['params']])[0] += 1
    parts = []
    for t in sorted(counts, key=lambda t: (-counts[t][0], t)):
        n, params = counts[t]
        vals = ', '.join(f'{short_name(k)} {v:.3g}' if isinstance(v, float) else
                         f'{short_name(k)} {v}' for k, v in sorted(params.items()))
        parts.append(f't{t} ({vals or "defaults"}) ×{n}')
    return ', '.join(parts)


def _fmt_entry(e: Dict) -> str:
    text = f"{e['mean']:.2f} ± {e['std']:.2f} ({e['n']})" if e['n'] > 1 \
        else f"{e['mean']:.2f} (1)"
    if e['mer']:
        if 'p' in e:
            text += f" Δ {e['delta']:+.2f}, p={e['p']:.2g}"
            if e['n_pairs'] < MIN_PAIRS:
                text += f' (n={e["n_pairs"]} < {MIN_PAIRS}: weak)'
        elif 'n_pairs' in e:
            text += f" (n_pairs={e['n_pairs']}: no test)"
    return text


def _blocks(entries):
    blocks = {}
    for e in entries:
        blocks.setdefault((e['rule'], e['dataset'], e['subset']), []).append(e)
    return blocks


def _rows(es):
    rows = list(dict.fromkeys((e['method'], e['mer']) for e in es))
    order = list(REGISTRY)
    return sorted(rows, key=lambda r: (order.index(r[0]) if r[0] in order else 99, r[1]))


def to_markdown(entries: Sequence[Dict], title: str = '', costs: Dict = None) -> str:
    """The markdown table: one ``##`` section per rule."""
    lines = [f'# {title or "Method x MER-DG sweep"}', '',
             'Target top-1 (%) of the trial each rule chose, per seed: mean ± std (n seeds). '
             'Within a run the checkpoint is the best on the trained sources\' validation '
             'split. "+ MER-DG" rows: Δ = mean paired difference to the method alone under '
             'the same rule over the same seeds (points), p = two-sided paired t-test. '
             '"chosen": the trials picked over seeds and shifts (t0 = the defaults).', '']
    blocks = _blocks(entries)
    for rule_name, rule in RULES.items():
        keys = [k for k in blocks if k[0] == rule_name]
        if not keys:
            continue
        lines += [f'## Selection: {rule.title}', '']
        if costs and rule_name in costs:
            lines += [costs[rule_name], '']
        for k in keys:
            es = blocks[k]
            cols = [c for c in dict.fromkeys(e['column'] for e in es) if c != 'mean'] + ['mean']
            by = {(e['method'], e['mer'], e['column']): e for e in es}
            lines += [f'### {k[1]} / {k[2]}', '', '| Method | ' + ' | '.join(cols) +
                      ' | chosen |', '|---|' + '---|' * (len(cols) + 1)]
            for m, mer in _rows(es):
                cells = [_fmt_entry(by[(m, mer, c)]) if (m, mer, c) in by else '—'
                         for c in cols]
                picks = by[(m, mer, 'mean')]['chosen'] if (m, mer, 'mean') in by else []
                lines.append(f'| {row_title(m, mer)} | ' + ' | '.join(cells) +
                             f' | {chosen_text(picks)} |')
            seeds = sorted({s for e in es for s in e['seeds']})
            lines += ['', f'Seeds: {seeds}.', '']
    return '\n'.join(lines)


def to_latex(entries: Sequence[Dict]) -> str:
    """One ``tabular`` per rule and block (booktabs)."""
    out = []
    for (rule, d, sub), es in _blocks(entries).items():
        cols = [c for c in dict.fromkeys(e['column'] for e in es) if c != 'mean'] + ['mean']
        by = {(e['method'], e['mer'], e['column']): e for e in es}
        out += [f'% {RULES[rule].title}: {d} / {sub}',
                '\\begin{tabular}{l' + 'c' * len(cols) + '}', '\\toprule',
                'Method & ' + ' & '.join(c.replace('_', '\\_') for c in cols) + ' \\\\',
                '\\midrule']
        for m, mer in _rows(es):
            cells = []
            for c in cols:
                e = by.get((m, mer, c))
                if e is None:
                    cells.append('--')
                    continue
                text = f"{e['mean']:.1f} $\\pm$ {e['std']:.1f}"
                if 'p' in e:
                    text += f" ($p$={e['p']:.2g})"
                cells.append(text)
            out.append(f'{row_title(m, mer)} & ' + ' & '.join(cells) + ' \\\\')
        out += ['\\bottomrule', '\\end{tabular}', '']
    return '\n'.join(out)


def render(records: Sequence[Dict], work_dir: str, title: str = '',
           rules: Sequence[str] = ('training-domain', ), costs: Dict = None) -> Dict[str, str]:
    """Write ``table.md``, ``table.csv``, ``table.tex`` and ``table.png``; return their paths."""
    entries = summarise(records, rules)
    paths = {ext: osp.join(work_dir, f'table.{ext}') for ext in ('md', 'csv', 'tex', 'png')}
    os.makedirs(work_dir, exist_ok=True)
    with open(paths['md'], 'w') as f:
        f.write(to_markdown(entries, title, costs))
    with open(paths['tex'], 'w') as f:
        f.write(to_latex(entries))
    fields = ['rule', 'dataset', 'subset', 'column', 'method', 'mer', 'n', 'mean', 'std',
              'delta', 'p', 'n_pairs', 'seeds', 'values', 'chosen']
    with open(paths['csv'], 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction='ignore')
        w.writeheader()
        for e in entries:
            row = {k: e.get(k) for k in fields}
            row['seeds'] = ' '.join(str(s) for s in e['seeds'])
            row['values'] = ' '.join(f'{v:.4f}' for v in e['values'])
            row['chosen'] = chosen_text(e['chosen'])
            w.writerow(row)
    _plot(_blocks(entries), paths['png'])
    return paths


def _plot(blocks: Dict, path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, max(1, len(blocks)), figsize=(5 * max(1, len(blocks)), 3.5),
                             squeeze=False)
    for ax, ((rule, d, sub), es) in zip(axes[0], blocks.items()):
        means = {(e['method'], e['mer']): e for e in es if e['column'] == 'mean'}
        methods = [m for m in REGISTRY if any(k[0] == m for k in means)]
        for j, mer in enumerate((False, True)):
            xs = [i + (j - 0.5) * 0.38 for i, m in enumerate(methods) if (m, mer) in means]
            ys = [means[(m, mer)]['mean'] for m in methods if (m, mer) in means]
            err = [means[(m, mer)]['std'] for m in methods if (m, mer) in means]
            if xs:
                ax.bar(xs, ys, width=0.38, yerr=err, capsize=3,
                       label='+ MER-DG' if mer else 'alone')
        for i, m in enumerate(methods):
            e = means.get((m, True))
            if e and 'p' in e:
                ax.annotate(f"p={e['p']:.2g}", (i, e['mean'] + e['std']), ha='center',
                            va='bottom', fontsize=7)
        ax.set_xticks(range(len(methods)), [REGISTRY[m].title for m in methods])
        ax.set_ylabel('target top-1 (%), mean over shifts')
        ax.set_title(f'{rule}: {d} / {sub}', fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
