"""The method x MER-DG grid: run cells resumably, render the paper-style table.

A cell is ``(dataset, shift, modality subset, method, with/without MER-DG,
seed)``. Each cell trains its config with model selection on the source
validation split and tests the selected checkpoint on the target
(:func:`mmaction_merdg.apis.run_experiment`), in
``<work_dir>/cells/<dataset>/<shift>/<subset>/<method>[+merdg]/seed_<k>/``.

Resuming never mixes experiments: the options of the first call are stored
in ``run_options.json`` and other options are refused; a finished cell
(``result.json``) is never rerun, and is refused when its stored
``fingerprint.json`` (hash of the resolved config) differs from the current
config's (an edited config or base), unless ``force``.

The table (``table.md``, ``table.csv``, ``table.png``): one block per
dataset and modality subset, rows = method and method + MER-DG, columns =
shifts (targets) and their mean; each entry is the target top-1 (%) mean +-
std over seeds, and each + MER-DG entry carries the paired t-test against the
method alone on the same seeds.
"""
import csv
import json
import os
import os.path as osp
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Optional, Sequence

from ..methods import FAMILIES, METHODS as _METHODS
from .fingerprint import config_fingerprint

#: Methods, in table order (the registry, :data:`mmaction_merdg.methods.METHODS`).
METHODS = tuple(_METHODS)
#: Shifts and modality subsets the grid runs per dataset family (the registry,
#: :data:`mmaction_merdg.methods.FAMILIES`), as cells name them.
DATASETS = {name: dict(shifts=f.shift_names, subsets=f.subset_names)
            for name, f in FAMILIES.items()}
#: Dataset family -> its short tag (``epic``, ``synthetic-vector``).
TAGS = {name: f.tag for name, f in FAMILIES.items()}
OPTIONS_FILE = 'run_options.json'
FINGERPRINT_FILE = 'fingerprint.json'
RESULT_FILE = 'result.json'
METRIC = 'target_acc'


@dataclass(frozen=True)
class Cell:
    """One training run of the grid."""
    dataset: str
    shift: str
    subset: str
    method: str
    mer: bool
    seed: int

    @property
    def row(self) -> str:
        """Row label: ``method`` or ``method+merdg``."""
        return self.method + ('+merdg' if self.mer else '')

    def directory(self, work_dir: str) -> str:
        return osp.join(work_dir, 'cells', self.dataset, self.shift, self.subset, self.row,
                        f'seed_{self.seed}')


def config_prefix(method: str, mer: bool) -> str:
    """Leaf-config name prefix: ``fusion``/``merdg`` for Fusion, else ``m``/``m-merdg``."""
    if method == 'fusion':
        return 'merdg' if mer else 'fusion'
    return f'{method}-merdg' if mer else method


def resolve_config(repo: str, cell: Cell) -> str:
    """Path of the shipped config of a cell (:func:`~.composition.shipped_config`).

    Cells with no shipped file (other shifts, subsets, a method + MER-DG on EPIC/HAC) are
    composed: :func:`mmaction_merdg.apis.compose_experiment`.
    """
    from .composition import shipped_config
    fam = FAMILIES[cell.dataset]
    canonical = (cell.shift, cell.subset) == (fam.shift_names[0], fam.subset_names[0])
    rel = shipped_config(cell.dataset, cell.method, cell.mer) if canonical else None
    if rel is None:
        raise FileNotFoundError(
            f'grid: no shipped config for {cell}; compose it with '
            f'compose_experiment({cell.dataset!r}, {cell.method!r}, mer={cell.mer}, ...).')
    path = osp.join(repo, 'configs', rel)
    if not osp.isfile(path):
        raise FileNotFoundError(f'grid: no config {path} for {cell}.')
    return path


def make_cells(datasets: Sequence[str], methods: Sequence[str], mer: str,
               seeds: Sequence[int], shifts: Optional[Sequence[str]] = None,
               subsets: Optional[Sequence[str]] = None) -> List[Cell]:
    """All cells of the grid, in running order: seed outermost, so that an
    interrupted grid already has every method for the first seeds.

    Args:
        datasets: Keys of :data:`DATASETS`.
        methods: Keys of :data:`METHODS`.
        mer (str): ``'without'``, ``'with'`` or ``'both'``.
        seeds: Seeds.
        shifts, subsets: Restrict to these (default: all of each dataset).
    """
    if mer not in ('without', 'with', 'both'):
        raise ValueError(f"grid: mer must be 'without', 'with' or 'both', got {mer!r}.")
    bad = [d for d in datasets if d not in DATASETS] + [m for m in methods if m not in METHODS]
    if bad:
        raise ValueError(f'grid: unknown {bad}; datasets are {list(DATASETS)}, methods '
                         f'{list(METHODS)}.')
    mers = dict(without=(False, ), with_=(True, ), both=(False, True))[
        'with_' if mer == 'with' else mer]
    cells = []
    for seed in seeds:
        for d in datasets:
            d_shifts = [s for s in DATASETS[d]['shifts'] if not shifts or s in shifts]
            d_subsets = [s for s in DATASETS[d]['subsets'] if not subsets or s in subsets]
            if not d_shifts or not d_subsets:
                raise ValueError(f'grid: no shift/subset of {d} left after the filters '
                                 f'{shifts} / {subsets}; {d} has {DATASETS[d]}.')
            for sh in d_shifts:
                for sub in d_subsets:
                    for m in methods:
                        for with_mer in mers:
                            cells.append(Cell(d, sh, sub, m, with_mer, int(seed)))
    return cells


def load_config(path: str, cfg_options: Optional[Dict] = None,
                dataset_options: Optional[Dict] = None):
    """``Config.fromfile`` with ``--cfg-options`` and ``--dataset-options`` applied."""
    import mmaction_merdg  # noqa: F401
    from mmengine.config import Config

    from .dataset_options import set_dataset_options
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
    if dataset_options:
        set_dataset_options(cfg, dict(dataset_options))
    return cfg


def _read_json(path: str) -> Optional[Dict]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _write_json(path: str, obj) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=2, sort_keys=True, default=str)
    os.replace(tmp, path)


def finished_result(cell_dir: str) -> Optional[Dict]:
    """The cell's ``result.json`` if it holds a numeric target accuracy."""
    res = _read_json(osp.join(cell_dir, RESULT_FILE))
    return res if res and isinstance(res.get(METRIC), (int, float)) else None


def launcher_command(launcher: str, spec_path: str, gpus: int = 1,
                     srun_args: Sequence[str] = (), port: int = 29500) -> List[str]:
    """Command that runs one cell (:mod:`mmaction_merdg.apis.grid_cell`) on ``gpus``.

    ``pytorch``: ``torchrun``; ``slurm``: ``srun`` (one task per GPU).
    """
    cell = [sys.executable, '-m', 'mmaction_merdg.apis.grid_cell', spec_path,
            '--launcher', launcher]
    if launcher == 'pytorch':
        return [sys.executable, '-m', 'torch.distributed.run', f'--nproc_per_node={gpus}',
                f'--master_port={port}', '-m', 'mmaction_merdg.apis.grid_cell', spec_path,
                '--launcher', 'pytorch']
    if launcher == 'slurm':
        return ['srun', f'--ntasks={gpus}', f'--ntasks-per-node={gpus}', f'--gres=gpu:{gpus}',
                '--kill-on-bad-exit=1', *srun_args] + cell
    raise ValueError(f"grid: launcher must be 'none', 'pytorch' or 'slurm', got {launcher!r}.")


def run_grid(cells: Sequence[Cell], work_dir: str, repo: str,
             cfg_options: Optional[Dict] = None, dataset_options: Optional[Dict] = None,
             launcher: str = 'none', gpus: int = 1, srun_args: Sequence[str] = (),
             force: bool = False, log: Callable[[str], None] = print,
             experiment: Optional[Callable] = None, run_missing: bool = True) -> List[Dict]:
    """Run every unfinished cell, one after another; return all cells' results.

    Args:
        cells: From :func:`make_cells`.
        work_dir (str): Grid folder.
        repo (str): Repository root (``configs/`` lives there).
        cfg_options, dataset_options (dict, optional): Applied to every cell.
        launcher (str): ``'none'`` (in this process), ``'pytorch'`` or ``'slurm'``.
        gpus (int): Processes per cell with a launcher.
        srun_args: Extra ``srun`` arguments (partition, time...).
        force (bool): Accept other options / edited configs for finished cells.
        log: Progress printer.
        experiment (callable, optional): ``(cfg, work_dir, seed=..., quiet=...)
            -> result dict`` for ``launcher='none'``. Defaults to
            :func:`mmaction_merdg.apis.run_experiment`.
        run_missing (bool): False collects the finished cells only (to render
            a table while, or after, part of the grid ran). Defaults to True.

    Returns:
        list[dict]: One record per cell (the cell's fields, ``config``,
        ``reused``, and its result).
    """
    options = dict(cfg_options=dict(cfg_options or {}), dataset_options=dict(dataset_options or {}))
    opt_path = osp.join(work_dir, OPTIONS_FILE)
    stored = _read_json(opt_path)
    if stored is not None and json.loads(json.dumps(options, default=str)) != stored and not force:
        raise ValueError(f'{work_dir} was run with options {stored}, not {options}: another '
                         'experiment. Use another --work-dir, or --force.')
    if run_missing:
        _write_json(opt_path, options)
    records = []
    for i, cell in enumerate(cells):
        config = resolve_config(repo, cell)
        cfg = load_config(config, cfg_options, dataset_options)
        fp = config_fingerprint(cfg)
        cell_dir = cell.directory(work_dir)
        done = finished_result(cell_dir)
        tag = (f'[{i + 1}/{len(cells)}] {cell.dataset} {cell.shift} {cell.subset} {cell.row} '
               f'seed {cell.seed}')
        if done is not None:
            old = _read_json(osp.join(cell_dir, FINGERPRINT_FILE)) or {}
            if old.get('config_sha256') != fp['config_sha256'] and not force:
                raise ValueError(
                    f'{cell_dir} was trained with another resolved config than {config} has '
                    'now (the file or a base was edited); mixing them would compare two '
                    'experiments. Use another --work-dir, delete that cell, or --force.')
            log(f'{tag}: finished, reused ({done[METRIC]:.4f})')
            records.append(dict(asdict(cell), config=config, reused=True, **done))
            continue
        if not run_missing:
            continue
        log(f'{tag}: running {osp.relpath(config, repo)}')
        _write_json(osp.join(cell_dir, FINGERPRINT_FILE), fp)
        if launcher == 'none':
            if experiment is None:
                from .experiment import run_experiment as experiment
            result = experiment(cfg, cell_dir, seed=cell.seed, quiet=True)
        else:
            spec = osp.join(cell_dir, 'cell.json')
            _write_json(spec, dict(config=config, work_dir=cell_dir, seed=cell.seed, **options))
            subprocess.run(launcher_command(launcher, spec, gpus, srun_args), check=True)
            result = finished_result(cell_dir)
            if result is None:
                raise RuntimeError(f'{tag}: the launched run wrote no {RESULT_FILE}.')
        log(f'{tag}: {METRIC} = {result[METRIC]:.4f} ({result.get("seconds")} s)')
        records.append(dict(asdict(cell), config=config, reused=False, **result))
    if run_missing:
        _write_json(osp.join(work_dir, 'grid.json'), records)
    return records


def summarise(records: Sequence[Dict]) -> List[Dict]:
    """Table entries: mean +- std over seeds, and the paired test against the method alone.

    One entry per (dataset, subset, column, method, mer), ``column`` a shift
    or ``'mean'`` (per seed, the mean over the shifts that seed has for
    every shift of the block).

    Returns:
        list[dict]: ``dataset, subset, column, method, mer, n, mean, std,
        seeds, values`` (%), and for + MER-DG entries with >= 2 seeds paired
        with the method alone: ``delta`` (mean paired difference, points),
        ``p`` (paired t-test), ``n_pairs``.
    """
    from mmaction_merdg.evaluation.analysis import mean_std, paired_ttest
    acc = {}  # (dataset, subset, method, mer) -> {shift: {seed: value}}
    shifts = {}
    for r in records:
        key = (r['dataset'], r['subset'], r['method'], bool(r['mer']))
        acc.setdefault(key, {}).setdefault(r['shift'], {})[int(r['seed'])] = 100 * float(r[METRIC])
        shifts.setdefault((r['dataset'], r['subset']), [])
        if r['shift'] not in shifts[(r['dataset'], r['subset'])]:
            shifts[(r['dataset'], r['subset'])].append(r['shift'])
    per_col = {}
    for (d, sub, m, mer), by_shift in acc.items():
        cols = {sh: dict(by_shift.get(sh, {})) for sh in shifts[(d, sub)]}
        common = set.intersection(*[set(v) for v in cols.values()]) if cols else set()
        cols['mean'] = {s: sum(cols[sh][s] for sh in shifts[(d, sub)]) / len(shifts[(d, sub)])
                        for s in sorted(common)}
        for col, vals in cols.items():
            per_col[(d, sub, col, m, mer)] = vals
    out = []
    for (d, sub, col, m, mer), vals in per_col.items():
        if not vals:
            continue
        seeds = sorted(vals)
        entry = dict(dataset=d, subset=sub, column=col, method=m, mer=mer,
                     seeds=seeds, values=[vals[s] for s in seeds], **mean_std(list(vals.values())))
        alone = per_col.get((d, sub, col, m, False))
        if mer and alone:
            paired = sorted(set(vals) & set(alone))
            entry['n_pairs'] = len(paired)
            if len(paired) >= 2:
                t = paired_ttest([vals[s] for s in paired], [alone[s] for s in paired])
                entry.update(delta=t['mean_diff'], p=t['p'])
        out.append(entry)
    return out


def _fmt_entry(e: Dict) -> str:
    text = f"{e['mean']:.2f} ± {e['std']:.2f}" if e['n'] > 1 else f"{e['mean']:.2f}"
    if e['mer']:
        if 'p' in e:
            text += f" (Δ {e['delta']:+.2f}, p={e['p']:.2g})"
        elif 'n_pairs' in e:
            text += f" (n_pairs={e['n_pairs']}: no test)"
    return text


def render(records: Sequence[Dict], work_dir: str, title: str = '') -> Dict[str, str]:
    """Write ``table.md``, ``table.csv`` and ``table.png``; return their paths."""
    entries = summarise(records)
    blocks = {}
    for e in entries:
        blocks.setdefault((e['dataset'], e['subset']), []).append(e)
    lines = [f'# {title or "Method x MER-DG grid"}', '',
             'Target top-1 (%), mean ± std over seeds (model selected on the source '
             'validation split). "+ MER-DG" rows: Δ = mean paired difference to the method '
             'alone over the same seeds (points), p = two-sided paired t-test.', '']
    for (d, sub), es in blocks.items():
        cols = [c for c in dict.fromkeys(e['column'] for e in es) if c != 'mean'] + ['mean']
        rows = list(dict.fromkeys((e['method'], e['mer']) for e in es))
        by = {(e['method'], e['mer'], e['column']): e for e in es}
        lines += [f'## {d} / {sub}', '',
                  '| Method | ' + ' | '.join(cols) + ' |',
                  '|---|' + '---|' * len(cols)]
        for m, mer in sorted(rows, key=lambda r: (METHODS.index(r[0]), r[1])):
            label = f'{m} + MER-DG' if mer else m
            cells = [_fmt_entry(by[(m, mer, c)]) if (m, mer, c) in by else '—' for c in cols]
            lines.append(f'| {label} | ' + ' | '.join(cells) + ' |')
        seeds = sorted({s for e in es for s in e['seeds']})
        lines += ['', f'Seeds: {seeds}.', '']
    paths = dict(md=osp.join(work_dir, 'table.md'), csv=osp.join(work_dir, 'table.csv'),
                 png=osp.join(work_dir, 'table.png'))
    os.makedirs(work_dir, exist_ok=True)
    with open(paths['md'], 'w') as f:
        f.write('\n'.join(lines))
    fields = ['dataset', 'subset', 'column', 'method', 'mer', 'n', 'mean', 'std', 'delta',
              'p', 'n_pairs', 'seeds', 'values']
    with open(paths['csv'], 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction='ignore')
        w.writeheader()
        for e in entries:
            w.writerow({k: (' '.join(f'{v:.4f}' if isinstance(v, float) else str(v)
                                     for v in e[k]) if isinstance(e.get(k), list) else e.get(k))
                        for k in fields})
    _plot(blocks, paths['png'])
    return paths


def _plot(blocks: Dict, path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(blocks), figsize=(5 * len(blocks), 3.5), squeeze=False)
    for ax, ((d, sub), es) in zip(axes[0], blocks.items()):
        means = {(e['method'], e['mer']): e for e in es if e['column'] == 'mean'}
        methods = [m for m in METHODS if any(k[0] == m for k in means)]
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
        ax.set_xticks(range(len(methods)), methods)
        ax.set_ylabel('target top-1 (%), mean over shifts')
        ax.set_title(f'{d} / {sub}')
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
