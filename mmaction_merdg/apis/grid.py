"""The sweep: methods x +-MER-DG x shifts x subsets x trials x seeds, resumable.

A cell is ``(dataset, shift, modality subset, method, with/without MER-DG,
seed, trial, held-out source)``. Trial 0 is the method's defaults; trial
``t >= 1`` draws the row's search space (the method's entry in
:data:`mmaction_merdg.methods.METHODS`, plus MER-DG's when the row adds it)
from a generator seeded by ``(method, t)``, so ``method`` and ``method +
MER-DG`` share the method's own values in every trial and differ by MER-DG's
only. A row whose (restricted) space is empty runs trial 0 only.

With the leave-one-domain-out rule each trial and seed also trains, for each
of the ``k`` source domains ``h``, a run on the other ``k - 1`` sources whose
target is ``h``'s validation split (``holdout=h``): ``k + 1`` runs per trial
and seed instead of one (:mod:`mmaction_merdg.apis.model_selection`); a row
with a single trial (an empty space) needs none, every rule reports it.

Layout: ``<work_dir>/cells/<dataset>/<shift>/<subset>/<method>[+merdg]/
trial_<t>/[heldout_<h>/]seed_<k>/`` holding ``cell.json`` (the resolved config
and the trial's values), ``fingerprint.json`` and, once finished,
``result.json``.

Resuming never mixes experiments: the options of the first call are stored
in ``run_options.json`` and other options are refused; a finished cell is
never rerun, and is refused when its stored fingerprint (hash of the resolved
config) differs from the current one (an edited config or base), unless
``force``; one made with other plugin source code is reused, with a warning,
and marked ``code_changed``. A cell without ``result.json`` (never run,
failed, killed) runs on the next call.

Cells run through :mod:`mmaction_merdg.apis.cell_executor` (in this process,
local subprocesses, or a Slurm job array); the table is
:mod:`mmaction_merdg.apis.grid_table`.
"""
import copy
import json
import os
import os.path as osp
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Optional, Sequence

from mmaction_merdg.methods import (FAMILIES, MERDG, get_method, sample_trial,
                                   validate_space)
from mmaction_merdg.methods import METHODS as REGISTRY
from .fingerprint import config_fingerprint, fingerprint_changes

#: Methods of the registry, in table order.
METHODS = tuple(REGISTRY)
#: Shifts and modality subsets the grid runs per dataset family (the registry,
#: :data:`mmaction_merdg.methods.FAMILIES`), as cells name them.
DATASETS = {name: dict(shifts=f.shift_names, subsets=f.subset_names)
            for name, f in FAMILIES.items()}
#: Dataset family -> its short tag (``epic``, ``synthetic-vector``).
TAGS = {name: f.tag for name, f in FAMILIES.items()}
OPTIONS_FILE = 'run_options.json'
FINGERPRINT_FILE = 'fingerprint.json'
RESULT_FILE = 'result.json'
SPEC_FILE = 'cell.json'
FAILED_FILE = 'failed.json'
METRIC = 'target_acc'
#: MER-DG's weight, as the registry names it.
MER_WEIGHT = 'model.regularizers.mer.loss.loss_weight'


@dataclass(frozen=True)
class Cell:
    """One training run of the sweep (``holdout``: the left-out source of a LODO run)."""
    dataset: str
    shift: str
    subset: str
    method: str
    mer: bool
    seed: int
    trial: int = 0
    holdout: Optional[str] = None

    @property
    def row(self) -> str:
        """Row label: ``method`` or ``method+merdg``."""
        return self.method + ('+merdg' if self.mer else '')

    def directory(self, work_dir: str) -> str:
        parts = [work_dir, 'cells', self.dataset, self.shift, self.subset, self.row,
                 f'trial_{self.trial}']
        if self.holdout is not None:
            parts.append(f'heldout_{self.holdout}')
        return osp.join(*parts, f'seed_{self.seed}')

    @property
    def label(self) -> str:
        held = f' held-out {self.holdout}' if self.holdout else ''
        return (f'{self.dataset} {self.shift} {self.subset} {self.row} trial {self.trial}'
                f'{held} seed {self.seed}')


# --------------------------------------------------------------------------- #
# Search spaces and trials
# --------------------------------------------------------------------------- #
def row_space(method: str, mer: bool, keys: Optional[Sequence[str]] = None) -> Dict:
    """``{'method': {...}, 'merdg': {...}}``: the row's distributions (restricted to ``keys``)."""
    spec = get_method(method)
    parts = {method: dict(spec.search_space)}
    if mer:
        parts['merdg'] = dict(MERDG.search_space)
    for name, space in parts.items():
        validate_space(name, space)
    if keys is not None:
        parts = {n: {k: d for k, d in s.items() if k in keys} for n, s in parts.items()}
    return parts


def check_search_keys(methods: Sequence[str], mer: str, keys: Optional[Sequence[str]]) -> None:
    """Every key of ``keys`` must be in the space of some row of the sweep."""
    if keys is None:
        return
    known = set()
    for m in methods:
        for with_mer in _mers(mer):
            for space in row_space(m, with_mer).values():
                known |= set(space)
    bad = sorted(set(keys) - known)
    if bad:
        raise ValueError(f'--search-keys: {bad} are in no search space of {list(methods)} '
                         f'(mer={mer}); known keys: {sorted(known)}.')


def trial_params(method: str, mer: bool, trial: int,
                 keys: Optional[Sequence[str]] = None) -> Dict:
    """The hyper-parameters of a trial (``{}`` for trial 0, the defaults)."""
    out = {}
    for name, space in row_space(method, mer, keys).items():
        out.update(sample_trial(name, space, trial, keys=list(space)))
    return out


# --------------------------------------------------------------------------- #
# Cells
# --------------------------------------------------------------------------- #
def _mers(mer: str):
    if mer not in ('without', 'with', 'both'):
        raise ValueError(f"grid: mer must be 'without', 'with' or 'both', got {mer!r}.")
    return dict(without=(False, ), both=(False, True)).get(mer, (True, ))


def shift_domains(dataset: str, shift: str):
    """``(sources, targets)`` of a family's shift (``'d1d2-to-d3'`` -> ``(['D1', 'D2'], ['D3'])``).

    Raises:
        ValueError: ``shift`` is not one of the family's shift names.
    """
    fam = FAMILIES[dataset]
    for src, tgt in fam.shifts:
        if fam.shift_name(src, tgt) == shift:
            return list(src), list(tgt)
    raise ValueError(f'grid: {dataset} has shifts {list(fam.shift_names)}; got {shift!r}.')


def shift_sources(dataset: str, shift: str) -> List[str]:
    """Source domains of a family's shift (``'d1d2-to-d3'`` -> ``['D1', 'D2']``)."""
    return shift_domains(dataset, shift)[0]


def make_cells(datasets: Sequence[str], methods: Sequence[str], mer: str,
               seeds: Sequence[int], shifts: Optional[Sequence[str]] = None,
               subsets: Optional[Sequence[str]] = None, trials: int = 1,
               leave_one_out: bool = False,
               search_keys: Optional[Sequence[str]] = None) -> List[Cell]:
    """All cells of the sweep, in running order: seed outermost (an
    interrupted sweep already has every method for the first seeds), the
    full run of a trial before its held-out runs.

    Args:
        datasets: Keys of :data:`DATASETS`.
        methods: Keys of :data:`METHODS`.
        mer (str): ``'without'``, ``'with'`` or ``'both'``.
        seeds: Seeds.
        shifts, subsets: Restrict to these (default: all of each dataset).
        trials (int): Trials per row (trial 0 = defaults). Defaults to 1.
        leave_one_out (bool): Add the held-out runs of the
            leave-one-domain-out rule. Defaults to False.
        search_keys (Sequence[str], optional): Draw only these entries of
            the search spaces (the others keep their defaults).

    Raises:
        ValueError: Unknown dataset / method / search key, ``trials < 1``,
            no shift left, or leave-one-out on a shift with one source.
    """
    mers = _mers(mer)
    bad = [d for d in datasets if d not in DATASETS] + [m for m in methods if m not in METHODS]
    if bad:
        raise ValueError(f'grid: unknown {bad}; datasets are {list(DATASETS)}, methods '
                         f'{list(METHODS)}.')
    if trials < 1:
        raise ValueError(f'grid: trials must be >= 1 (trial 0 = defaults), got {trials}.')
    check_search_keys(methods, mer, search_keys)
    plan = []
    for d in datasets:
        d_shifts = [s for s in DATASETS[d]['shifts'] if not shifts or s in shifts]
        d_subsets = [s for s in DATASETS[d]['subsets'] if not subsets or s in subsets]
        if not d_shifts or not d_subsets:
            raise ValueError(f'grid: no shift/subset of {d} left after the filters '
                             f'{shifts} / {subsets}; {d} has {DATASETS[d]}.')
        for sh in d_shifts:
            sources = shift_sources(d, sh)
            if leave_one_out and len(sources) < 2:
                raise ValueError(f'grid: leave-one-domain-out needs >= 2 source domains; '
                                 f'shift {sh!r} of {d} has {sources}.')
            for sub in d_subsets:
                for m in methods:
                    for with_mer in mers:
                        space = row_space(m, with_mer, search_keys)
                        n = trials if any(space.values()) else 1
                        plan.append((d, sh, sub, m, with_mer, n, sources))
    cells = []
    for seed in seeds:
        for d, sh, sub, m, with_mer, n, sources in plan:
            for t in range(n):
                cells.append(Cell(d, sh, sub, m, with_mer, int(seed), t))
                if leave_one_out and n > 1:  # one trial: nothing to choose between
                    cells += [Cell(d, sh, sub, m, with_mer, int(seed), t, h) for h in sources]
    return cells


# --------------------------------------------------------------------------- #
# Configs of cells
# --------------------------------------------------------------------------- #
def cell_shift(cell: Cell):
    """``(sources, targets, modalities)`` of a cell, from its family's registry entry.

    Raises:
        ValueError: The cell's shift or subset is not one its family names.
    """
    fam = FAMILIES[cell.dataset]
    sources, targets = shift_domains(cell.dataset, cell.shift)
    subsets = dict(zip(fam.subset_names, fam.benchmark_subsets or fam.modality_subsets))
    if cell.subset not in subsets:
        raise ValueError(f'grid: {cell.dataset} has subsets {list(subsets)}; got {cell.subset!r}.')
    return sources, targets, list(subsets[cell.subset])


def resolve_config(repo: str, cell: Cell) -> Optional[str]:
    """The shipped config file of a cell, or None when the cell has none.

    Only the canonical shift and full modality set of a family ship as files
    (:func:`~.composition.shipped_config`); every cell's config is composed in
    memory all the same (:func:`cell_config`), this names the file a user
    can open for it.
    """
    from .composition import shipped_config
    fam = FAMILIES[cell.dataset]
    canonical = (cell.shift, cell.subset) == (fam.shift_names[0], fam.subset_names[0])
    rel = shipped_config(cell.dataset, cell.method, cell.mer) if canonical else None
    return None if rel is None else osp.join(repo, 'configs', rel)


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


def apply_params(cfg, params: Dict, name: str = 'config') -> None:
    """Set each ``config path -> value`` of ``params`` in ``cfg`` (in place).

    A path must exist in the config: a search-space key the config does not
    have is an error naming both.
    """
    from mmengine.config import Config
    root = cfg._cfg_dict if isinstance(cfg, Config) else cfg
    for path, value in params.items():
        *parents, leaf = path.split('.')
        node = root
        for p in parents:
            node = node.get(p) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict) and leaf in node:
            node[leaf] = value
        else:
            raise KeyError(f'search space key {path!r} is not a setting of {name} '
                           '(no such config path); fix the registry entry or --search-keys.')


def leave_one_domain_out(cfg, heldout: str, name: str = 'config'):
    """The config trained on its sources but ``heldout``, validated on ``heldout``.

    Training and source validation use the other ``k - 1`` sources; the
    target (the validation set's target part, the test set) is ``heldout``'s
    *validation* split, so no target-domain data is read. The world of a
    synthetic benchmark (its ``source_domains`` and rules) is unchanged.

    Raises:
        ValueError: ``heldout`` is not a source, or the config has one source.
    """
    cfg = copy.deepcopy(cfg)
    from .dataset_options import iter_dataset_cfgs
    sources = list(cfg.val_evaluator.get('source_domains', ()))
    if len(sources) < 2:
        raise ValueError(f'leave-one-domain-out: {name} has {len(sources)} source domain(s) '
                         f'{sources}; it needs >= 2.')
    if heldout not in sources:
        raise ValueError(f'leave-one-domain-out: {heldout!r} is not a source of {name} '
                         f'({sources}).')
    train = [s for s in sources if s != heldout]
    for ds in iter_dataset_cfgs(cfg.train_dataloader.dataset):
        ds['domains'] = list(train)
    val_parts = list(iter_dataset_cfgs(cfg.val_dataloader.dataset))
    src_val = [d for d in val_parts if list(d.get('domains', ())) == sources]
    if len(src_val) != 1:
        raise ValueError(f'leave-one-domain-out: {name} has no single validation dataset '
                         f'of the sources {sources} to hold {heldout!r} out of.')
    held_val = copy.deepcopy(src_val[0])
    held_val['domains'] = [heldout]
    src_val[0]['domains'] = list(train)
    val = cfg.val_dataloader.dataset
    if 'datasets' in val:
        val['datasets'] = [d for d in val['datasets'] if d is src_val[0]] + [held_val]
    else:
        cfg.val_dataloader.dataset = dict(type='ConcatDataset', datasets=[src_val[0], held_val])
    cfg.test_dataloader.dataset = copy.deepcopy(held_val)
    for key in ('val_evaluator', 'test_evaluator'):
        ev = cfg.get(key)
        for e in (ev if isinstance(ev, list) else [ev]):
            if isinstance(e, dict) and 'source_domains' in e:
                e['source_domains'], e['target_domains'] = list(train), [heldout]
    for reg in (cfg.model.get('regularizers') or {}).values():
        if isinstance(reg, dict) and list(reg.get('domains') or ()) == sources:
            reg['domains'] = list(train)
    return cfg


def cell_config(repo: str, cell: Cell, params: Optional[Dict] = None,
                cfg_options: Optional[Dict] = None, dataset_options: Optional[Dict] = None):
    """The resolved config of a cell: composed experiment, options, trial values, held-out domain.

    The one place that turns a cell into a config: the experiment is composed
    in memory from the plugin's config tree
    (:func:`mmaction_merdg.apis.compose_experiment` with the cell's family,
    method, MER-DG switch, shift and subset; the parsed files are cached per
    version of the tree, so an edited base is seen), then ``cfg_options``,
    ``dataset_options``, the trial's values and, for a leave-one-domain-out
    run, the held-out source.

    Returns:
        tuple: ``(cfg, name)``: the config and the name it is reported under
        (the shipped file of :func:`resolve_config`, relative to ``repo``, or
        the composition).
    """
    from .composition import compose_experiment
    from .dataset_options import set_dataset_options
    sources, targets, modalities = cell_shift(cell)
    cfg = compose_experiment(cell.dataset, cell.method, mer=cell.mer, sources=sources,
                             targets=targets, modalities=modalities)
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
    if dataset_options:
        set_dataset_options(cfg, dict(dataset_options))
    shipped = resolve_config(repo, cell)
    name = (osp.relpath(shipped, repo) if shipped else
            f'compose_experiment({cell.dataset!r}, {cell.method!r}, mer={cell.mer}, '
            f'shift={cell.shift!r}, subset={cell.subset!r})')
    apply_params(cfg, params or {}, name)
    if cell.holdout is not None:
        cfg = leave_one_domain_out(cfg, cell.holdout, name)
    return cfg, name


# --------------------------------------------------------------------------- #
# Running
# --------------------------------------------------------------------------- #
def _read_json(path: str) -> Optional[Dict]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _write_json(path: str, obj) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=2, sort_keys=True, default=str)
    os.replace(tmp, path)


def finished_result(cell_dir: str) -> Optional[Dict]:
    """The cell's ``result.json`` if it holds a numeric target accuracy."""
    res = _read_json(osp.join(cell_dir, RESULT_FILE))
    return res if res and isinstance(res.get(METRIC), (int, float)) else None


_SOURCE_FP: Dict = {}


def cell_fingerprint(cfg) -> Dict:
    """Hashes of the resolved config and the plugin source (see :mod:`.fingerprint`).

    The source side (a walk over the package) is computed once per process:
    a sweep's cells share it.
    """
    import hashlib
    if not _SOURCE_FP:
        _SOURCE_FP.update(config_fingerprint(cfg))
    # The config hash exactly as config_fingerprint computes it.
    text = json.dumps(cfg.to_dict(), sort_keys=True, default=str)
    return dict(_SOURCE_FP, config_sha256=hashlib.sha256(text.encode()).hexdigest())


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


def _run_launched(spec: str, launcher: str, gpus: int, srun_args: Sequence[str]) -> None:
    subprocess.run(launcher_command(launcher, spec, gpus, srun_args), check=True)
    if finished_result(osp.dirname(spec)) is None:
        raise RuntimeError(f'the launched run wrote no {RESULT_FILE} in {osp.dirname(spec)}.')


def prepare_cells(cells: Sequence[Cell], work_dir: str, repo: str,
                  cfg_options: Optional[Dict] = None, dataset_options: Optional[Dict] = None,
                  search_keys: Optional[Sequence[str]] = None, force: bool = False,
                  log: Callable[[str], None] = print) -> List[Dict]:
    """Resolve every cell's config and check finished cells, before anything runs.

    Returns:
        list[dict]: Per cell ``cell``, ``params``, ``cfg``, ``config`` (leaf
        path), ``fingerprint`` and ``done`` (its result, or None).

    Raises:
        KeyError: A search-space key is not a path of a cell's config.
        ValueError: A finished cell was made from another resolved config.
    """
    out, code_changed = [], []
    for cell in cells:
        params = trial_params(cell.method, cell.mer, cell.trial, search_keys)
        cfg, path = cell_config(repo, cell, params, cfg_options, dataset_options)
        fp = cell_fingerprint(cfg)
        cell_dir = cell.directory(work_dir)
        done = finished_result(cell_dir)
        if done is not None:
            changes = fingerprint_changes(
                _read_json(osp.join(cell_dir, FINGERPRINT_FILE)), fp)
            if 'config' in changes and not force:
                raise ValueError(
                    f'{cell_dir} was trained with another resolved config than {path} gives '
                    'now (the file or a base was edited); mixing them would compare two '
                    'experiments. Use another --work-dir, delete that cell, or --force.')
            if 'plugin source' in changes:
                done = dict(done, code_changed=True)
                code_changed.append(cell_dir)
        out.append(dict(cell=cell, params=params, cfg=cfg, config=path, fingerprint=fp,
                        done=done))
    if code_changed:
        log(f'WARNING: {len(code_changed)} finished cells were trained with other '
            'mmaction_merdg source code; they are reused and marked code_changed.')
    return out


def run_grid(cells: Sequence[Cell], work_dir: str, repo: str,
             cfg_options: Optional[Dict] = None, dataset_options: Optional[Dict] = None,
             launcher: str = 'none', gpus: int = 1, srun_args: Sequence[str] = (),
             force: bool = False, log: Callable[[str], None] = print,
             runner: Optional[str] = None, run_missing: bool = True,
             executor: str = 'none', max_parallel: int = 1, gpus_per_cell: int = 0,
             search_keys: Optional[Sequence[str]] = None, partition: Optional[str] = None,
             time_limit_min: float = 24 * 60, cpus_per_cell: Optional[int] = None,
             slurm_args: Optional[Dict] = None, progress: bool = False) -> List[Dict]:
    """Run every unfinished cell; return the records of the finished ones.

    Args:
        cells: From :func:`make_cells`.
        work_dir (str): Sweep folder.
        repo (str): Repository root (``configs/`` lives there).
        cfg_options, dataset_options (dict, optional): Applied to every cell.
        launcher (str): With ``executor='none'``: ``'none'`` (in this
            process), ``'pytorch'`` (torchrun) or ``'slurm'`` (srun) per cell.
        gpus (int): Processes per cell with a launcher.
        srun_args: Extra ``srun`` arguments.
        force (bool): Accept other options / edited configs for finished cells.
        log: Progress printer.
        runner (str, optional): ``module:function`` the executors call with
            a cell's ``cell.json`` path instead of
            :func:`mmaction_merdg.apis.grid_cell.run_cell` (a stand-in that
            trains nothing, to try an executor setup; tests).
        run_missing (bool): False collects the finished cells only.
        executor (str): ``'none'``, ``'local'`` or ``'slurm'``
            (:mod:`mmaction_merdg.apis.cell_executor`).
        max_parallel (int): Cells at once (local) / array throttle (slurm).
        gpus_per_cell (int): GPUs per cell (local: 0 = CPU slots).
        search_keys (Sequence[str], optional): Draw only these entries.
        partition, time_limit_min, cpus_per_cell, slurm_args: Slurm job
            parameters (``time_limit_min`` also bounds a local cell).
        progress (bool): Show the progress bar. Defaults to False.

    Returns:
        list[dict]: One record per finished cell: the cell's fields,
        ``config``, ``params``, ``sources``, ``row_trials`` (trials of its
        row in ``cells``), ``reused`` and its result.
        Failed cells are listed in ``<work_dir>/failed.json`` with their log
        paths (:func:`failed_cells`).
    """
    from . import cell_executor as ce
    from .grid_cell import resolve_runner
    ce.check_executor(executor, max_parallel, gpus_per_cell)
    run_cell = resolve_runner(runner)
    if executor != 'none' and launcher != 'none':
        raise ValueError('grid: --launcher runs a cell under torchrun/srun in the in-process '
                         'loop; with --executor local/slurm use --gpus-per-cell instead.')
    options = dict(cfg_options=dict(cfg_options or {}),
                   dataset_options=dict(dataset_options or {}),
                   search_keys=None if search_keys is None else sorted(search_keys))
    options = json.loads(json.dumps(options, default=str))
    opt_path = osp.join(work_dir, OPTIONS_FILE)
    stored = _read_json(opt_path)
    if stored is not None:
        stored.setdefault('search_keys', None)
    if stored is not None and stored != options and not force:
        raise ValueError(f'{work_dir} was run with options {stored}, not {options}: another '
                         'experiment. Use another --work-dir, or --force.')
    prepared = prepare_cells(cells, work_dir, repo, cfg_options, dataset_options, search_keys,
                             force, log)
    todo = [p for p in prepared if p['done'] is None]
    reused = len(prepared) - len(todo)
    if run_missing and todo:
        _write_json(opt_path, options)
        log(f'{len(prepared)} cells: {reused} finished before, {len(todo)} to run '
            f'(executor {executor}).')
        tasks = []
        for p in todo:
            cell_dir = p['cell'].directory(work_dir)
            spec = osp.join(cell_dir, SPEC_FILE)
            _write_json(osp.join(cell_dir, FINGERPRINT_FILE), p['fingerprint'])
            _write_json(spec, dict(config=p['cfg'].to_dict(), work_dir=cell_dir,
                                   seed=p['cell'].seed, params=p['params'],
                                   cell=asdict(p['cell']),
                                   config_file=osp.relpath(p['config'], repo)))
            tasks.append(ce.Task(p['cell'].label, spec, cell_dir))
        total = len(prepared)
        if executor == 'none':
            if launcher == 'none':
                fn = lambda t: run_cell(t.spec)  # noqa: E731
            else:
                fn = lambda t: _run_launched(t.spec, launcher, gpus, srun_args)  # noqa: E731
            outcomes = ce.run_in_process(tasks, fn, total, reused, progress)
        elif executor == 'local':
            outcomes = ce.run_local(tasks, run_cell, osp.join(work_dir, 'submitit'), total,
                                    reused, max_parallel, gpus_per_cell, time_limit_min,
                                    progress)
        else:
            outcomes = ce.run_slurm(tasks, run_cell, osp.join(work_dir, 'submitit'), total,
                                    reused, max_parallel, max(1, gpus_per_cell), partition,
                                    time_limit_min, cpus_per_cell, slurm_args, progress)
        by_key = {t.key: t for t in tasks}
        failed = [dict(cell=o.key, dir=by_key[o.key].cell_dir, error=o.error, logs=o.logs)
                  for o in outcomes if not o.ok]
        _write_json(osp.join(work_dir, FAILED_FILE), failed)
        for f in failed:
            log(f'FAILED {f["cell"]}: {f["error"]}\n    logs: ' + ', '.join(f['logs']))
        if failed:
            log(f'{len(failed)} cells failed; they run again on the next call.')
    row_trials = {}
    for c in cells:
        row_trials[_row_key(c)] = max(row_trials.get(_row_key(c), 0), c.trial + 1)
    records = []
    for p in prepared:
        cell = p['cell']
        res = p['done'] if p['done'] is not None else finished_result(cell.directory(work_dir))
        if res is None:
            continue
        records.append(dict(res, **asdict(cell), config=p['config'], params=p['params'],
                            sources=shift_sources(cell.dataset, cell.shift),
                            row_trials=row_trials.get(_row_key(cell)),
                            reused=p['done'] is not None))
    if run_missing:
        _write_json(osp.join(work_dir, 'grid.json'), records)
    return records


def _row_key(c: Cell) -> tuple:
    return (c.dataset, c.shift, c.subset, c.method, c.mer)


def failed_cells(work_dir: str) -> List[Dict]:
    """The failed cells of the last call (``failed.json``), with their log paths."""
    return _read_json(osp.join(work_dir, FAILED_FILE)) or []


def grid_cost(cells: Sequence[Cell]) -> Dict[str, int]:
    """Runs of a cell list: ``full`` (trained on all sources) and ``heldout``."""
    held = sum(c.holdout is not None for c in cells)
    return dict(full=len(cells) - held, heldout=held, total=len(cells))
