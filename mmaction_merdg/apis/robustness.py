"""Robustness evaluation of a trained checkpoint: missing modalities,
corruptions at five severities, misclassification detection.

Everything runs through mmengine's ``Runner`` and ``TestLoop`` (so the
``--launcher`` of ``tools/analysis/robustness.py`` distributes it): the clean
test split, the split with each modality missing (and each pair of modalities
for three-modality models; see ``models/recognizers/missing_modality.py``),
and the split with every corruption of
``mmaction_merdg.datasets.transforms.corruptions`` at each severity, inserted
into the test pipeline. The protocol and the reading of the numbers are in
docs/robustness.md.
"""
import copy
import functools
import itertools
import json
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dist import all_reduce, get_rank
from mmengine.runner import TestLoop

from ..datasets.transforms.corruptions import CORRUPTIONS, SEVERITIES, corruption_transform
from ..models.recognizers.missing_modality import MISSING_FILLS, save_feature_means
from .checkpoint_check import check_checkpoint_fits
from .cli_options import build_runner
from .progress import progress

ACCURACY_KEYS = ('target/top1', 'all/top1', 'top1', 'acc/top1')
RESULT_FILE = 'robustness.json'
# Where a corruption goes in a real decoding pipeline: frames before they are
# formatted (after the crop), audio before its spectrogram. Pipelines without
# these steps (the synthetic benchmark) get it just before the pack step.
_FRAME_ANCHORS = ('MultiModalFormatShape', 'FormatShape')
_AUDIO_ANCHORS = ('AudioLogSpectrogram', 'AudioLogMelSpectrogram')
_LAST = ('PackMultiModalInputs', 'PackActionInputs')


def _unwrap(model):
    return model.module if hasattr(model, 'module') else model


def _leaf_datasets(ds_cfg: dict) -> List[dict]:
    """Dataset configs that own a pipeline (ConcatDataset and wrappers unrolled)."""
    if 'datasets' in ds_cfg:
        return [leaf for child in ds_cfg['datasets'] for leaf in _leaf_datasets(child)]
    if 'dataset' in ds_cfg:
        return _leaf_datasets(ds_cfg['dataset'])
    return [ds_cfg]


def insert_corruption(pipeline: Sequence[dict], transform: dict) -> List[dict]:
    """Return ``pipeline`` with the corruption ``transform`` at its place.

    Frame corruptions go before the format step (after decoding, resizing and
    cropping), audio ones before the spectrogram; when the pipeline has none
    of these (rendered arrays, e.g. ``SyntheticMMDGDataset``), before
    ``PackActionInputs``.

    Raises:
        ValueError: The pipeline has no place for it (no ``PackActionInputs``).
    """
    steps = [dict(s) for s in pipeline]
    anchors = _AUDIO_ANCHORS if transform['type'] == 'AudioCorruption' else _FRAME_ANCHORS
    for names in (anchors, _LAST):
        for i, step in enumerate(steps):
            if step.get('type') in names:
                return steps[:i] + [dict(transform)] + steps[i:]
    raise ValueError(f'cannot place {transform["type"]} in a pipeline without any of '
                     f'{anchors + _LAST}: {[s.get("type") for s in steps]}')


def corrupted_dataloader(dataloader_cfg: dict, transform: dict) -> dict:
    """A copy of a dataloader config whose every dataset applies ``transform``."""
    cfg = copy.deepcopy(dataloader_cfg)
    for leaf in _leaf_datasets(cfg['dataset']):
        leaf['pipeline'] = insert_corruption(leaf.get('pipeline', []), transform)
    return cfg


def missing_subsets(modalities: Sequence[str]) -> List[List[str]]:
    """Each single modality, and each pair when the model has three or more."""
    subsets = [[m] for m in modalities] if len(modalities) > 1 else []
    if len(modalities) >= 3:
        subsets += [list(p) for p in itertools.combinations(modalities, 2)]
    return subsets


@torch.no_grad()
def compute_feature_means(model, dataloader) -> Dict[str, torch.Tensor]:
    """Mean pooled feature per modality over a dataloader (summed over ranks).

    Args:
        model: A ``MultiModalRecognizer`` (or a wrapper with ``.module``).
        dataloader: Yields mmengine data batches.

    Returns:
        dict: ``modality -> [D_m]`` float32 on CPU, and ``'_num_samples'``
        (a 0-d tensor).
    """
    net = _unwrap(model)
    was_training = net.training
    net.eval()
    sums: Dict[str, torch.Tensor] = {}
    count = torch.zeros(())
    for batch in dataloader:
        data = net.data_preprocessor(batch, False)
        feats = net.extract_feat(data['inputs'])
        for m, f in feats.items():
            sums[m] = sums.get(m, 0) + f.double().sum(dim=0).cpu()
        count += next(iter(feats.values())).shape[0]
    net.train(was_training)
    for m in net.modalities:
        all_reduce(sums[m])
    all_reduce(count)
    means = {m: (sums[m] / count).float() for m in net.modalities}
    means['_num_samples'] = count
    return means


def _feature_mean_loader(cfg: Config) -> dict:
    """The training split through the test pipeline, unshuffled, to average features."""
    loader = copy.deepcopy(cfg.train_dataloader)
    test_leaves = _leaf_datasets(cfg.test_dataloader['dataset'])
    for leaf in _leaf_datasets(loader['dataset']):
        leaf['pipeline'] = copy.deepcopy(test_leaves[0].get('pipeline', []))
        leaf['test_mode'] = True
    loader['sampler'] = dict(type='DefaultSampler', shuffle=False)
    loader.pop('batch_sampler', None)
    return loader


def _accuracy(metrics: Dict[str, float], key: Optional[str]) -> float:
    if key is None:
        key = next((k for k in ACCURACY_KEYS if k in metrics), None)
    if key is None or key not in metrics:
        raise KeyError(f'no accuracy among the test metrics {sorted(metrics)}; '
                       f'pass metric_key (tried {ACCURACY_KEYS}).')
    return 100.0 * float(metrics[key])  # DomainAccMetric reports fractions


def evaluate_robustness(cfg: Config,
                        checkpoint: str,
                        work_dir: str,
                        corruptions: Optional[Sequence[str]] = None,
                        severities: Sequence[int] = SEVERITIES,
                        missing_fills: Sequence[str] = ('zero', ),
                        feature_mean_file: Optional[str] = None,
                        seed: int = 0,
                        metric_key: Optional[str] = None,
                        launcher: str = 'none',
                        quiet: bool = True,
                        allow_partial_checkpoint: bool = False) -> Dict:
    """Evaluate ``checkpoint`` clean, with missing modalities and corrupted.

    Args:
        cfg (Config): The model's test config (test dataloader and evaluator).
        checkpoint (str): Weights to evaluate.
        work_dir (str): Output folder: ``robustness.json``, ``robustness.md``,
            ``robustness.png`` (and ``feature_means.json`` for mean filling).
        corruptions (Sequence[str], optional): Names among
            :data:`CORRUPTIONS`; None: every one whose modality the model has.
        severities (Sequence[int]): Severities 1..5 to evaluate.
        missing_fills (Sequence[str]): ``'zero'`` (the benchmark's protocol,
            reported as ``missing/<m>``) and/or ``'mean'`` (``missing_mean/<m>``).
        feature_mean_file (str, optional): Mean training features for
            ``'mean'``; computed from ``cfg.train_dataloader`` when None.
        seed (int): Seed of the corruptions. Defaults to 0.
        metric_key (str, optional): Accuracy key of the test metrics; by
            default the first of :data:`ACCURACY_KEYS` present.
        launcher (str): mmengine launcher. Defaults to ``'none'``.
        quiet (bool): Log warnings only. Defaults to True.
        allow_partial_checkpoint (bool): Evaluate a checkpoint whose keys do
            not all fit the model (as ``tools/test.py``); refused by default.

    Returns:
        dict: ``clean``, ``missing/<m1+m2>``, ``missing_mean/<...>``,
        ``corruption/<name>/<severity>`` (top-1 in %), ``msp`` (``aurc`` x1000,
        ``auroc`` %, ``fpr95`` %) of the clean split, and ``details`` (every
        condition's full test metrics) and ``meta``.
    """
    cfg = copy.deepcopy(cfg)
    bad = [f for f in missing_fills if f not in MISSING_FILLS]
    if bad:
        raise ValueError(f'missing_fills {bad}: expected among {MISSING_FILLS}.')
    bad = [s for s in severities if s not in SEVERITIES]
    if bad:
        raise ValueError(f'severities {bad}: expected among {SEVERITIES}.')
    cfg.work_dir = work_dir
    cfg.load_from = checkpoint
    cfg.resume = False
    cfg.launcher = launcher
    if quiet:
        cfg.log_level = 'WARNING'
    evaluator = cfg.test_evaluator
    evaluator = list(evaluator) if isinstance(evaluator, (list, tuple)) else [evaluator]
    cfg.test_evaluator = evaluator + [dict(type='MisclassificationMetric', prefix='msp')]

    runner = build_runner(cfg)
    # Another model's checkpoint loads non-strictly: chance-level results.
    check_checkpoint_fits(runner.model, checkpoint, allow_partial_checkpoint)
    model = _unwrap(runner.model)
    modalities = list(model.modalities)
    if corruptions is None:
        corruptions = [c for c, m in CORRUPTIONS.items() if m in modalities]
    unknown = [c for c in corruptions if c not in CORRUPTIONS]
    if unknown:
        raise ValueError(f'unknown corruptions {unknown}; expected among {sorted(CORRUPTIONS)}.')
    skipped = [c for c in corruptions if CORRUPTIONS[c] not in modalities]
    corruptions = [c for c in corruptions if c not in skipped]

    def run(dataloader_cfg: dict) -> Dict[str, float]:
        return TestLoop(runner, dataloader_cfg, cfg.test_evaluator).run()

    base_test_cfg = copy.deepcopy(model.test_cfg)
    mean_files: Dict[str, Optional[str]] = {}

    def run_missing(fill: str, subset: List[str]) -> Dict[str, float]:
        if fill not in mean_files:
            mean_files[fill] = _mean_file(runner, cfg, fill, feature_mean_file, work_dir,
                                          checkpoint)
        model.test_cfg = dict(base_test_cfg or {}, missing_modalities=subset,
                              missing_fill=fill, feature_mean_file=mean_files[fill])
        try:
            return run(cfg.test_dataloader)
        finally:
            model.test_cfg = base_test_cfg

    # Every condition is one pass over the test set: report each (minutes on
    # real data, silent otherwise at log_level WARNING).
    conditions = [('clean', runner.test)]
    for fill in missing_fills:
        prefix = 'missing' if fill == 'zero' else 'missing_mean'
        conditions += [(f'{prefix}/{"+".join(subset)}',
                        functools.partial(run_missing, fill, subset))
                       for subset in missing_subsets(modalities)]
    conditions += [(f'corruption/{name}/{sev}', functools.partial(
        run, corrupted_dataloader(cfg.test_dataloader, corruption_transform(name, sev, seed))))
        for name in corruptions for sev in severities]
    details: Dict[str, Dict[str, float]] = {}
    for key, evaluate in progress(conditions, 'robustness',
                                  names=[k for k, _ in conditions]):
        details[key] = evaluate()

    result = {k: _accuracy(v, metric_key) for k, v in details.items()}
    clean = details['clean']
    result['msp'] = dict(aurc=clean['msp/aurc'], auroc=clean['msp/auroc'],
                         fpr95=clean['msp/fpr95'])
    result['details'] = details
    result['meta'] = dict(checkpoint=osp.abspath(checkpoint), modalities=modalities,
                          corruptions=list(corruptions), skipped_corruptions=skipped,
                          severities=list(severities), missing_fills=list(missing_fills),
                          corruption_seed=int(seed), accuracy_unit='%',
                          num_classes=int(model.cls_head.num_classes),
                          metric_key=metric_key or next(
                              (k for k in ACCURACY_KEYS if k in clean), None))
    if runner.rank == 0:
        os.makedirs(work_dir, exist_ok=True)
        with open(osp.join(work_dir, RESULT_FILE), 'w') as f:
            json.dump(result, f, indent=2, default=float)
        with open(osp.join(work_dir, 'robustness.md'), 'w') as f:
            f.write(robustness_markdown(result))
        with open(osp.join(work_dir, 'robustness.tex'), 'w') as f:
            f.write(robustness_latex(result))
        plot_robustness(result, osp.join(work_dir, 'robustness.png'))
    return result


def _mean_file(runner, cfg: Config, fill: str, given: Optional[str], work_dir: str,
               checkpoint: str) -> Optional[str]:
    """The feature-mean file of ``fill='mean'`` (computed on the train split if not given)."""
    if fill != 'mean' or given is not None:
        return given
    path = osp.join(work_dir, 'feature_means.json')
    loader = runner.build_dataloader(_feature_mean_loader(cfg), seed=runner.seed)
    means = compute_feature_means(runner.model, loader)
    n = int(means.pop('_num_samples'))
    if get_rank() == 0:
        os.makedirs(work_dir, exist_ok=True)
        save_feature_means(path, means, n, note=f'train split of {checkpoint}')
    _barrier()
    return path


def _barrier() -> None:
    from mmengine.dist import barrier
    barrier()


#: Modality names as a paper prints them.
MODALITY_NAMES = dict(imgs='RGB', flow_imgs='Flow', audios='Audio')


def _subset_name(subset: str) -> str:
    """``'imgs+audios'`` -> ``'RGB + Audio'``."""
    return ' + '.join(MODALITY_NAMES.get(m, m) for m in subset.split('+'))


def _corruption_name(name: str) -> str:
    """``'gaussian_noise'`` -> ``'Gaussian noise'``, ``'jpeg_compression'`` -> ``'JPEG ...'``."""
    text = name.replace('_', ' ').replace('jpeg', 'JPEG').replace('gaussian', 'Gaussian')
    return text[:1].upper() + text[1:]


def robustness_tables(result: Dict) -> Dict[str, 'pandas.DataFrame']:
    """The tables of one ``robustness.json`` as DataFrames (top-1 in %).

    Returns:
        dict: ``missing`` (rows: missing modalities and fill; columns top-1
        and its drop from clean) and ``corruptions`` (rows: corruptions;
        columns: each severity and the mean over them), each present only
        when the result has such conditions.
    """
    import pandas as pd
    clean = result['clean']
    tables = {}
    missing = [k for k in result if k.startswith(('missing/', 'missing_mean/'))]
    if missing:
        rows = []
        for k in missing:
            prefix, subset = k.split('/', 1)
            rows.append({'Missing': _subset_name(subset),
                         'Fill': 'zero' if prefix == 'missing' else 'mean',
                         'Top-1 (%)': result[k], 'Drop (points)': clean - result[k]})
        tables['missing'] = pd.DataFrame(rows).set_index(['Missing', 'Fill'])
    names, sevs = _corruption_grid(result)
    if names:
        grid = pd.DataFrame(
            [[result.get(f'corruption/{n}/{s}', np.nan) for s in sevs] for n in names],
            index=pd.Index([_corruption_name(n) for n in names], name='Corruption'),
            columns=[f'Sev. {s}' for s in sevs])
        grid['Mean'] = grid.mean(axis=1)
        tables['corruptions'] = grid
    return tables


def _summary_line(result: Dict) -> str:
    msp = result['msp']
    return (f'Clean top-1: {result["clean"]:.2f} %. MSP misclassification detection (clean): '
            f'AURC x1000 {msp["aurc"]:.2f}, AUROC {msp["auroc"]:.2f} %, '
            f'FPR95 {msp["fpr95"]:.2f} %.')


def robustness_markdown(result: Dict) -> str:
    """Tables of one ``robustness.json``: missing modalities, corruptions, MSP."""
    parts = [_summary_line(result)]
    for table in robustness_tables(result).values():
        parts.append(table.reset_index().to_markdown(index=False, floatfmt='.2f'))
    return '\n\n'.join(parts) + '\n'


def robustness_latex(result: Dict) -> str:
    """The same tables as LaTeX (``booktabs`` rules: ``\\usepackage{booktabs}``)."""
    parts = ['% ' + _summary_line(result)]
    captions = dict(missing='Top-1 (\\%) with modalities missing at test time.',
                    corruptions='Top-1 (\\%) under each corruption and severity.')
    for key, table in robustness_tables(result).items():
        parts.append(table.reset_index().to_latex(
            index=False, float_format='%.2f', escape=True, caption=captions[key],
            label=f'tab:robustness-{key}'))
    return '\n'.join(parts)


def _corruption_grid(result: Dict):
    keys = [k.split('/') for k in result if k.startswith('corruption/')]
    names = list(dict.fromkeys(k[1] for k in keys))
    sevs = sorted({int(k[2]) for k in keys})
    return names, sevs


def plot_robustness(result: Dict, path: str) -> List[str]:
    """Top-1 against severity, one panel per corrupted modality.

    Severity 0 is the clean split; the dashed line is chance (1 / classes)
    when the result records its number of classes. The legend sits below
    the panels, outside the data. Writes ``path`` (PNG, 300 dpi) and the
    same figure as PDF and SVG next to it.

    Returns:
        list[str]: The files written.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names, sevs = _corruption_grid(result)
    groups = [m for m in ('imgs', 'flow_imgs', 'audios') if any(CORRUPTIONS[n] == m for n in names)]
    ncols = max(1, len(groups))
    fig, axes = plt.subplots(1, ncols, figsize=(3.6 * ncols, 3.8), squeeze=False, sharey=True)
    num_classes = result.get('meta', {}).get('num_classes')
    chance = 100.0 / num_classes if num_classes else None
    for ax, g in zip(axes[0], groups):
        for n in names:
            if CORRUPTIONS[n] != g:
                continue
            xs = [0] + [s for s in sevs if f'corruption/{n}/{s}' in result]
            ys = [result['clean']] + [result[f'corruption/{n}/{s}'] for s in xs[1:]]
            ax.plot(xs, ys, marker='o', markersize=4, label=_corruption_name(n))
        if chance is not None:
            ax.axhline(chance, color='0.4', linestyle='--', linewidth=1,
                       label=f'chance ({chance:.1f} %)')
        ax.set_title(f'{MODALITY_NAMES.get(g, g)} corruptions')
        ax.set_xlabel('severity (0 = clean)')
        ax.set_xticks([0] + list(sevs))  # integer severities only
        ax.grid(alpha=0.3)
        ax.legend(loc='upper center', bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=7,
                  frameon=False)
    axes[0][0].set_ylabel('top-1 (%)')
    fig.tight_layout()
    stem = osp.splitext(path)[0]
    written = [path, stem + '.pdf', stem + '.svg']
    fig.savefig(path, dpi=300, bbox_inches='tight')
    for extra in written[1:]:
        fig.savefig(extra, bbox_inches='tight')
    plt.close(fig)
    return written


# --------------------------------------------------------------------- #
# Pairing two methods' robustness results over seeds.
def load_robustness_runs(path: str) -> Dict[int, Dict]:
    """``seed -> robustness.json`` from ``<path>/seed_<k>/robustness.json`` files
    (or ``<path>/seed_<k>/robustness/robustness.json``)."""
    runs = {}
    if not osp.isdir(path):
        raise FileNotFoundError(f'no directory {path} (expected seed_<k>/{RESULT_FILE} in it)')
    for name in sorted(os.listdir(path)):
        if not name.startswith('seed_'):
            continue
        for cand in (osp.join(path, name, RESULT_FILE),
                     osp.join(path, name, 'robustness', RESULT_FILE)):
            if osp.isfile(cand):
                with open(cand) as f:
                    runs[int(name[len('seed_'):])] = json.load(f)
                break
    if not runs:
        raise FileNotFoundError(f'no seed_<k>/{RESULT_FILE} under {path}')
    return runs


def _condition_values(run: Dict) -> Dict[str, float]:
    """Scalar figures of one result, plus each corruption's mean over severities
    and the drop from clean of every condition."""
    vals = {k: float(v) for k, v in run.items()
            if k == 'clean' or k.startswith(('missing', 'corruption/'))}
    names, sevs = _corruption_grid(run)
    for n in names:
        sv = [run[f'corruption/{n}/{s}'] for s in sevs if f'corruption/{n}/{s}' in run]
        vals[f'corruption/{n}/mean'] = float(np.mean(sv))
    for k in list(vals):
        if k != 'clean':
            vals[f'drop:{k}'] = vals['clean'] - vals[k]
    for k, v in run.get('msp', {}).items():
        vals[f'msp/{k}'] = float(v)
    return vals


def pair_robustness(runs_a: Dict[int, Dict], runs_b: Dict[int, Dict],
                    names: Sequence[str] = ('A', 'B'), alpha: float = 0.05) -> Dict:
    """Paired comparison (by seed) of two methods' robustness results.

    Args:
        runs_a (dict): ``seed -> robustness.json`` of method A.
        runs_b (dict): Same for method B.
        names (Sequence[str]): Display names. Defaults to ``('A', 'B')``.
        alpha (float): Significance level. Defaults to 0.05.

    Returns:
        dict: ``names``, ``seeds``, ``rows``: condition -> ``a``/``b`` per-seed
        values and, with two or more seeds, the statistics of
        :func:`mmaction_merdg.evaluation.analysis.compare_paired` (A - B).
        ``drop:<condition>`` rows compare the loss from clean (lower is more
        robust).
    """
    from ..evaluation.analysis import compare_paired, mean_std
    seeds = sorted(set(runs_a) & set(runs_b))
    if not seeds:
        raise ValueError('the two methods share no seed; a paired comparison is impossible.')
    from .compare import DAGGER, MIN_SEEDS_FOR_P
    if 2 <= len(seeds) < MIN_SEEDS_FOR_P:
        warnings.warn(f'pair_robustness: only {len(seeds)} paired seeds; p-values from so few '
                      f'pairs are unreliable (the tables mark them with {DAGGER}).')
    va = {s: _condition_values(runs_a[s]) for s in seeds}
    vb = {s: _condition_values(runs_b[s]) for s in seeds}
    keys = [k for k in va[seeds[0]] if all(k in va[s] and k in vb[s] for s in seeds)]
    rows = {}
    for k in keys:
        a, b = [va[s][k] for s in seeds], [vb[s][k] for s in seeds]
        if len(seeds) >= 2:
            row = compare_paired(a, b, alpha=alpha, names=tuple(names))
        else:
            row = dict(a=mean_std(a), b=mean_std(b))
        row['values'] = dict(a=a, b=b)
        rows[k] = row
    return dict(names=list(names), seeds=seeds, alpha=alpha, rows=rows,
                unpaired=sorted(set(runs_a) ^ set(runs_b)))


_MSP_NAMES = dict(aurc='MSP AURC (x1000)', auroc='MSP AUROC (%)', fpr95='MSP FPR95 (%)')


def condition_label(key: str) -> str:
    """A result key as a paper prints it (``'drop:missing/audios'`` ->
    ``'Drop: missing Audio (zero fill)'``)."""
    if key.startswith('drop:'):
        inner = condition_label(key[len('drop:'):])
        return 'Drop: ' + inner[:1].lower() + inner[1:]
    if key == 'clean':
        return 'Clean'
    kind, _, rest = key.partition('/')
    if kind in ('missing', 'missing_mean'):
        fill = 'zero' if kind == 'missing' else 'mean'
        return f'Missing {_subset_name(rest)} ({fill} fill)'
    if kind == 'corruption':
        name, _, sev = rest.rpartition('/')
        return f'{_corruption_name(name)} ' + ('(mean over severities)' if sev == 'mean'
                                               else f'(severity {sev})')
    if kind == 'msp':
        return _MSP_NAMES.get(rest, key)
    return key


def paired_robustness_table(result: Dict, drops: bool = True) -> 'pandas.DataFrame':
    """:func:`pair_robustness` as a DataFrame, one row per condition (cells formatted).

    Per-severity corruption rows are left out (each ``robustness.md`` has
    them); p-values carry a dagger when fewer than three seeds pair up.
    """
    import pandas as pd
    from .compare import DAGGER, MIN_SEEDS_FOR_P
    na, nb = result['names']
    n = len(result['seeds'])
    flag = DAGGER if n < MIN_SEEDS_FOR_P else ''
    rows = []
    for k, r in result['rows'].items():
        if k.startswith('drop:') and not drops:
            continue
        cond = k[len('drop:'):] if k.startswith('drop:') else k
        if cond.startswith('corruption/') and not cond.endswith('/mean'):
            continue
        row = {'Condition': condition_label(k),
               na: f'{r["a"]["mean"]:.2f} ± {r["a"]["std"]:.2f}',
               nb: f'{r["b"]["mean"]:.2f} ± {r["b"]["std"]:.2f}'}
        if 'ttest' in r:
            lo, hi = r['diff']['ci']
            row[f'{na} − {nb} [95% CI]'] = f'{r["diff"]["mean"]:+.2f} [{lo:+.2f}, {hi:+.2f}]'
            row['t-test p'] = f'{r["ttest"]["p"]:.3g}{flag}'
            row['Wilcoxon p'] = f'{r["wilcoxon"]["p"]:.3g}{flag}'
        else:
            row.update({f'{na} − {nb} [95% CI]': 'n/a', 't-test p': 'n/a', 'Wilcoxon p': 'n/a'})
        row['n'] = n
        rows.append(row)
    return pd.DataFrame(rows).set_index('Condition')


def _paired_notes(result: Dict) -> List[str]:
    from .compare import paired_notes
    return paired_notes(result, unpaired='Seeds in one method only')


def paired_robustness_markdown(result: Dict, drops: bool = True) -> str:
    """A Markdown table of :func:`pair_robustness` (accuracies in %, AURC x1000)."""
    na, nb = result['names']
    head = (f'Paired over seeds {result["seeds"]} (n = {len(result["seeds"])}); '
            f'A - B with A = {na}, B = {nb}; top-1 in %, differences in points; '
            '"drop" = clean minus the condition (lower is more robust).')
    table = paired_robustness_table(result, drops).reset_index().to_markdown(
        index=False, disable_numparse=True)
    return '\n\n'.join([head, table] + _paired_notes(result)) + '\n'


def paired_robustness_latex(result: Dict, drops: bool = True) -> str:
    """The table of :func:`paired_robustness_markdown` as LaTeX (``booktabs``)."""
    from .compare import DAGGER
    na, nb = result['names']
    table = paired_robustness_table(result, drops).reset_index()
    table.columns = [c.replace('−', '$-$').replace('%', '\\%') for c in table.columns]
    table['Condition'] = table['Condition'].str.replace('%', '\\%', regex=False)
    caption = (f'Robustness of {na} against {nb}, paired over {len(result["seeds"])} seeds '
               '(mean $\\pm$ std; top-1 in \\%, differences in points).')
    body = table.to_latex(index=False, escape=False, caption=caption,
                          label='tab:compare-robustness',
                          column_format='l' + 'r' * (table.shape[1] - 1))
    body = body.replace('±', '$\\pm$').replace(DAGGER, '$^\\dagger$')
    notes = ''.join(f'\n% {note.replace(DAGGER, "dagger:")}' for note in _paired_notes(result))
    return body + notes + '\n'
