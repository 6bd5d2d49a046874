"""The main job's 2 x 2 table: {Fusion, MER-DG} x {no co-occurrence, co-occurrences}."""
from typing import Dict

METRICS = (('source_val_acc', 'source val'), ('target_acc', 'target'),
           ('oracle_target_acc', 'oracle target'))
METHODS = (('fusion', 'Fusion'), ('merdg', 'MER-DG'))


def cooccurrence_table(results: Dict[str, Dict]) -> Dict:
    """Accuracies of both methods at both co-occurrence settings, and contrasts.

    Args:
        results (dict): ``run_experiment`` results (accuracies as fractions,
            each with its ``cooccurrence``) under the keys ``fusion`` and
            ``merdg`` (co-occurrences present) and ``fusion_cooccurrence0``
            and ``merdg_cooccurrence0`` (randomised control).

    Returns:
        dict: ``cells`` (``method -> 'cooccurrence=<v>' -> metric -> %``),
        ``fusion_drop`` (metric -> Fusion with co-occurrences minus without,
        points), ``merdg_minus_fusion`` (``'cooccurrence=<v>' -> metric ->``
        points) and ``markdown`` (the table as printed).
    """
    missing = [k for m, _ in METHODS for k in (m, f'{m}_cooccurrence0') if k not in results]
    if missing:
        raise KeyError(f'cooccurrence_table: results lack {missing}.')
    high = float(results['fusion']['cooccurrence'])

    def pct(key, metric):
        v = results[key].get(metric)
        return None if v is None else 100.0 * float(v)

    def diff(a, b):
        return None if a is None or b is None else a - b

    cols = {0.0: 'cooccurrence0', high: None}
    cells = {}
    for m, _ in METHODS:
        cells[m] = {}
        for c, suffix in cols.items():
            key = m if suffix is None else f'{m}_{suffix}'
            cells[m][f'cooccurrence={c:g}'] = {k: pct(key, k) for k, _ in METRICS}
    lo, hi = 'cooccurrence=0', f'cooccurrence={high:g}'
    fusion_drop = {k: diff(cells['fusion'][hi][k], cells['fusion'][lo][k]) for k, _ in METRICS}
    merdg_minus = {c: {k: diff(cells['merdg'][c][k], cells['fusion'][c][k]) for k, _ in METRICS}
                   for c in (lo, hi)}

    def fmt(v, sign=False):
        return 'n/a' if v is None else (f'{v:+.2f}' if sign else f'{v:.2f}')

    lines = ['| method | cooccurrence | ' + ' | '.join(t for _, t in METRICS) + ' |',
             '|---|---|' + '---|' * len(METRICS)]
    for m, title in METHODS:
        for c in (lo, hi):
            lines.append(f'| {title} | {c.split("=")[1]} | '
                         + ' | '.join(fmt(cells[m][c][k]) for k, _ in METRICS) + ' |')
    lines.append(f'| Fusion drop | {high:g} - 0 | '
                 + ' | '.join(fmt(fusion_drop[k], True) for k, _ in METRICS) + ' |')
    for c in (lo, hi):
        lines.append(f'| MER-DG - Fusion | {c.split("=")[1]} | '
                     + ' | '.join(fmt(merdg_minus[c][k], True) for k, _ in METRICS) + ' |')
    return dict(cells=cells, fusion_drop=fusion_drop, merdg_minus_fusion=merdg_minus,
                markdown='\n'.join(lines) + '\n')
