"""Experiments composed in memory: family x shift x modality subset x method x +-MER-DG.

:func:`compose_experiment` starts from the family config
(``FAMILIES[family].config``: Fusion at the family's canonical shift with
every modality) and applies, in this order:

1. the method (:data:`mmaction_merdg.methods.METHODS`): the variables of its
   fragment ``configs/_base_/methods/<fragment>.py`` that its
   :class:`~mmaction_merdg.methods.MethodSpec` names (``model_var`` merged
   into ``model``, ``regularizer_var`` as ``model.regularizers.<key>``, with
   ``domains=sources`` when the method needs domain labels, ``hooks_var``
   appended to ``custom_hooks``), ``train_views`` views per training sample,
   then its defaults for the family;
2. MER-DG when ``mer``: ``model.regularizers.mer = mer_regularizer`` of
   ``configs/_base_/methods/merdg.py``, then its defaults for the family;
3. the shift: the domains of the training set, of the source and target
   validation sets and of the test set, the ``DomainAccMetric`` evaluators
   and every regularizer's ``domains``;
4. the modality subset: every dataset's ``modalities`` and the model's
   backbones (and ``feat_dims``);
5. ``cfg_options`` (dotted keys, as ``--cfg-options``).

Every value is checked before anything is built: an unknown family, method,
domain or modality, or an empty or overlapping source/target set, raises a
ValueError naming the value and the valid choices. Steps 2-4 are also what
``tools/train.py`` / ``tools/test.py`` apply on top of any config
(``--mer``, ``--shift D1,D2:D3``, ``--modalities rgb,audio``), see
:func:`apply_mer`, :func:`apply_shift`, :func:`apply_modalities`.
"""
import copy
import os
import os.path as osp
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from mmengine.config import Config, ConfigDict

from ..methods import MERDG, get_family, get_method
from ..methods.families import FamilySpec, family_of_dataset, subset_name
from ..methods.method_spec import MethodSpec
from ..modalities import MODALITIES, MODALITY_ALIASES
from .config_paths import config_dir
from .dataset_options import iter_dataset_cfgs, iter_loader_datasets

__all__ = ['compose_experiment', 'parse_shift', 'parse_modalities', 'apply_method',
           'apply_mer', 'apply_schedule', 'apply_shift', 'apply_modalities', 'family_of',
           'set_config_path',
           'shipped_config', 'shipped_experiments']

_CACHE: Dict[Tuple[str, float], dict] = {}
#: The recognizer's arguments keyed by modality (MultiModalRecognizer).
_PER_MODALITY_MODEL_KEYS = ('backbones', 'feat_dims', 'input_layouts', 'probe_shapes')


_TREE_SEEN: Dict[str, Tuple[float, float]] = {}


def _tree_mtime(root: str) -> float:
    """Latest modification time of the ``.py`` files under ``root`` (a base may change),
    looked up at most once a second (a sweep composes thousands of cells)."""
    now = time.monotonic()
    checked, latest = _TREE_SEEN.get(root, (-2.0, 0.0))
    if now - checked > 1.0:
        latest = 0.0
        for folder, _, files in os.walk(root):
            for name in files:
                if name.endswith('.py'):
                    latest = max(latest, os.stat(osp.join(folder, name)).st_mtime)
        _TREE_SEEN[root] = (now, latest)
    return latest


def _load(path: str) -> Config:
    """``Config.fromfile(path)``, parsed once per version of the config tree (a fresh copy
    each call)."""
    key = (osp.abspath(path), _tree_mtime(config_dir()))
    if key not in _CACHE:
        _CACHE[key] = Config.fromfile(path).to_dict()
    return Config(copy.deepcopy(_CACHE[key]), filename=path)


def _fragment(name: str) -> Config:
    path = osp.join(config_dir(), '_base_', 'methods', f'{name}.py')
    if not osp.isfile(path):
        raise FileNotFoundError(f'method fragment {path} not found (the registry names '
                                f'fragment {name!r}).')
    return _load(path)


def _fragment_var(frag: Config, spec: MethodSpec, var: str):
    if var not in frag:
        raise KeyError(f'method {spec.name!r}: its fragment configs/_base_/methods/'
                       f'{spec.fragment}.py defines no variable {var!r} (it has '
                       f'{sorted(k for k in frag.keys() if not k.startswith("_"))}).')
    return copy.deepcopy(frag[var])


# ----------------------------------------------------------------------------- parsing
def parse_shift(text: str) -> Tuple[List[str], List[str]]:
    """``'D1,D2:D3'`` -> ``(['D1', 'D2'], ['D3'])``.

    Sources before the colon, targets after it, each comma-separated; spaces
    around names are ignored. Only the syntax is checked here (two non-empty,
    disjoint lists without duplicates); the domain names are checked against
    a family by :func:`check_shift`.
    """
    if not isinstance(text, str) or text.count(':') != 1:
        raise ValueError(f'shift {text!r}: expected SOURCES:TARGETS with comma-separated '
                         "domains, e.g. 'D1,D2:D3' or 'D1:D2,D3'.")
    src, tgt = text.split(':')
    sources = [d.strip() for d in src.split(',') if d.strip()]
    targets = [d.strip() for d in tgt.split(',') if d.strip()]
    _check_sets(sources, targets, f'shift {text!r}')
    return sources, targets


def _check_sets(sources, targets, what: str) -> None:
    for name, values in (('source', sources), ('target', targets)):
        if not values:
            raise ValueError(f'{what}: no {name} domain; a shift needs at least one source '
                             'and one target domain.')
        dup = sorted({d for d in values if list(values).count(d) > 1})
        if dup:
            raise ValueError(f'{what}: {name} domains {dup} listed twice.')
    both = sorted(set(sources) & set(targets))
    if both:
        raise ValueError(f'{what}: domains {both} are both source and target; the sets '
                         'must be disjoint.')


def check_shift(family: FamilySpec, sources: Sequence[str], targets: Sequence[str]) -> None:
    """Raise ValueError unless ``sources -> targets`` is a shift of ``family``."""
    what = f'{family.name} shift {list(sources)} -> {list(targets)}'
    unknown = [d for d in list(sources) + list(targets) if d not in family.domains]
    if unknown:
        raise ValueError(f'{what}: unknown domains {unknown}; {family.name} has domains '
                         f'{list(family.domains)}.')
    _check_sets(list(sources), list(targets), what)


def parse_modalities(modalities: Union[str, Sequence[str]],
                     family: Optional[FamilySpec] = None) -> Tuple[str, ...]:
    """``'rgb,audio'`` (or ``['imgs', 'audios']``) -> ``('imgs', 'audios')``.

    Accepts the short names (``rgb``, ``flow``, ``audio``) and the input keys
    (``imgs``, ``flow_imgs``, ``audios``), comma-separated or as a list;
    returns keys in the canonical order. With ``family``, the subset must be
    one of its :attr:`~FamilySpec.modality_subsets`.
    """
    names = modalities.split(',') if isinstance(modalities, str) else list(modalities)
    names = [n.strip() for n in names if n.strip()]
    valid = list(MODALITY_ALIASES) + list(MODALITIES)
    unknown = [n for n in names if n not in valid]
    if unknown or not names:
        raise ValueError(f'modalities {modalities!r}: unknown {unknown or "(empty)"}; valid '
                         f'names are {list(MODALITY_ALIASES)} (or the keys {list(MODALITIES)}).')
    keys = [MODALITY_ALIASES.get(n, n) for n in names]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f'modalities {modalities!r}: {dup} given twice.')
    subset = tuple(m for m in MODALITIES if m in keys)
    if family is not None and subset not in family.modality_subsets:
        raise ValueError(f'modalities {modalities!r}: {family.name} runs the subsets '
                         f'{[subset_name(s) for s in family.modality_subsets]}.')
    return subset


# ----------------------------------------------------------------------------- config edits
def set_config_path(cfg, path: str, value: Any) -> None:
    """Set the dotted ``path`` of ``cfg`` to ``value``.

    Integer parts index lists (``'custom_hooks.-1.begin_iter'``: the last
    hook). Every part but the last must exist: a path that names nothing is
    an error, not a new branch.
    """
    node = cfg._cfg_dict if isinstance(cfg, Config) else cfg
    parts = path.split('.')
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, (list, tuple)):
            try:
                idx = int(part)
                if last:
                    node[idx] = value
                else:
                    node = node[idx]
                continue
            except (ValueError, IndexError):
                raise ValueError(f'config path {path!r}: {part!r} is no index of a list of '
                                 f'{len(node)}.') from None
        if not isinstance(node, dict):
            raise ValueError(f'config path {path!r}: {".".join(parts[:i])!r} is a '
                             f'{type(node).__name__}, not a dict.')
        if last:
            node[part] = value
        elif part not in node or node[part] is None:
            raise ValueError(f'config path {path!r}: no {part!r} under '
                             f'{".".join(parts[:i]) or "the config"} (it has {sorted(node)}).')
        else:
            node = node[part]


def _apply_defaults(cfg, spec: MethodSpec, family: str) -> None:
    for path, default in spec.defaults_for(family).items():
        set_config_path(cfg, path, copy.deepcopy(default.value))


def _regularizers(cfg) -> dict:
    if cfg.model.get('regularizers') is None:
        cfg.model.regularizers = ConfigDict()
    return cfg.model.regularizers


def _train_views(cfg, family: FamilySpec, views: int) -> None:
    loader = cfg.train_dataloader
    if family.views == 'dataset':
        for ds in iter_dataset_cfgs(loader.dataset):
            ds['num_views'] = views
        return
    for ds in iter_dataset_cfgs(loader.dataset):
        pipeline = list(ds['pipeline'])
        *transforms, pack = pipeline
        # Each view runs the whole train pipeline but the packer (own clip, crop, flip, audio).
        ds['pipeline'] = [dict(type='MultiModalViews', num_views=views, transforms=transforms),
                          pack]


def family_of(cfg) -> Optional[FamilySpec]:
    """The family of a config, from its training set's dataset type (None if none matches)."""
    for ds in iter_loader_datasets(cfg, loaders=('train_dataloader', )):
        spec = family_of_dataset(ds.get('type'))
        if spec is not None:
            return spec
    return None


def _evaluators(cfg):
    out = []
    for key in ('val_evaluator', 'test_evaluator'):
        ev = cfg.get(key)
        for e in (ev if isinstance(ev, (list, tuple)) else [ev]):
            if isinstance(e, dict) and 'source_domains' in e:
                out.append(e)
    return out


def _current_shift(cfg) -> Tuple[List[str], List[str]]:
    evs = _evaluators(cfg)
    if not evs:
        raise ValueError('shift: the config has no evaluator with source_domains / '
                         'target_domains (a DomainAccMetric); cannot tell its shift.')
    return list(evs[0]['source_domains']), list(evs[0]['target_domains'])


def apply_method(cfg, method: str, family: str, sources: Optional[Sequence[str]] = None):
    """Add ``method`` (a :data:`METHODS` key) to ``cfg`` (a Fusion config of ``family``).

    Args:
        cfg (mmengine.Config): Modified in place.
        method (str): Method name.
        family (str): Family name (its defaults and how views are made).
        sources (Sequence[str], optional): Training domains, for methods
            that classify them. Defaults to the config's evaluator's.

    Returns:
        mmengine.Config: ``cfg``.
    """
    spec, fam = get_method(method), get_family(family)
    if spec.fragment is None:
        _apply_defaults(cfg, spec, family)
        return cfg
    frag = _fragment(spec.fragment)
    if spec.model_var:
        cfg.merge_from_dict(dict(model=_fragment_var(frag, spec, spec.model_var)))
    if spec.regularizer_var:
        reg = _fragment_var(frag, spec, spec.regularizer_var)
        if spec.needs_domains:
            reg['domains'] = list(sources if sources is not None else _current_shift(cfg)[0])
        _regularizers(cfg)[spec.regularizer_key] = reg
    if spec.hooks_var:
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + list(
            _fragment_var(frag, spec, spec.hooks_var))
    if spec.train_views > 1:
        _train_views(cfg, fam, spec.train_views)
    _apply_defaults(cfg, spec, family)
    return cfg


def apply_mer(cfg, family: Optional[str] = None):
    """Add MER-DG: ``model.regularizers.mer = mer_regularizer``, then its family defaults.

    ``mer_regularizer`` is the config's own variable when it has one (the
    model bases carry it at their width), else the fragment's
    (``configs/_base_/methods/merdg.py``). A config that has MER-DG already
    keeps it as it is. MER-DG alone on Fusion also takes its official
    schedule where the registry names one (``MERDG.schedules``: LARS on
    EPIC-Kitchens and HAC); added to another method, that method's schedule
    stays.

    Args:
        cfg (mmengine.Config): Modified in place.
        family (str, optional): Family whose defaults apply (e.g. the
            synthetic benchmarks' 128-wide projector). Defaults to the
            config's own (:func:`family_of`); none when it has none.
    """
    regs = _regularizers(cfg)
    if regs.get(MERDG.regularizer_key) is not None:
        return cfg
    alone = not any(v is not None for v in regs.values())
    if cfg.get(MERDG.regularizer_var) is not None:
        reg = copy.deepcopy(cfg[MERDG.regularizer_var])
    else:
        reg = _fragment_var(_fragment(MERDG.fragment), MERDG, MERDG.regularizer_var)
    regs[MERDG.regularizer_key] = reg
    if family is None:
        spec = family_of(cfg)
        family = spec.name if spec is not None else None
    if family is not None:
        _apply_defaults(cfg, MERDG, family)
        if alone and family in MERDG.schedules:
            apply_schedule(cfg, MERDG.schedules[family].value)
    return cfg


#: Top-level keys a schedule file sets; applying one replaces them whole.
SCHEDULE_KEYS = ('train_cfg', 'val_cfg', 'test_cfg', 'optim_wrapper', 'param_scheduler',
                 'auto_scale_lr')


def apply_schedule(cfg, stem: str):
    """Replace ``cfg``'s schedule by ``configs/_base_/schedules/<stem>.py``'s.

    Each of :data:`SCHEDULE_KEYS` the file sets replaces the config's whole
    (no merge: an Adam ``optim_wrapper`` must not leave its ``betas`` in a
    LARS one).
    """
    path = osp.join(config_dir(), '_base_', 'schedules', f'{stem}.py')
    if not osp.isfile(path):
        raise FileNotFoundError(f'schedule {path} not found.')
    sched = _load(path)
    for key in SCHEDULE_KEYS:
        if key in sched:
            cfg[key] = copy.deepcopy(sched[key])
    return cfg


def apply_shift(cfg, sources: Sequence[str], targets: Sequence[str],
                family: Optional[str] = None):
    """Train on ``sources``, select on their validation split, test on ``targets``.

    Sets ``domains`` of the training set and of the test set, of the
    validation sets (the one on the config's current sources gets
    ``sources``, the one on its current targets ``targets``), the
    ``source_domains`` / ``target_domains`` of the ``DomainAccMetric``
    evaluators, the ``domains`` of every regularizer that has them and the
    config's ``source_domains`` / ``target_domains`` variables. A synthetic
    world (its ``source_domains``, ``domain_names``) is left as it is: the
    shift chooses which of its domains are trained on and tested.

    Args:
        cfg (mmengine.Config): Modified in place.
        sources, targets (Sequence[str]): Disjoint, non-empty.
        family (str, optional): Checks the names against its domains.
            Defaults to the config's family (:func:`family_of`).

    Returns:
        mmengine.Config: ``cfg``.
    """
    sources, targets = list(sources), list(targets)
    fam = get_family(family) if family is not None else family_of(cfg)
    if fam is not None:
        check_shift(fam, sources, targets)
    else:
        _check_sets(sources, targets, f'shift {sources} -> {targets}')
    old_sources, old_targets = _current_shift(cfg)
    for ds in iter_loader_datasets(cfg, loaders=('train_dataloader', )):
        ds['domains'] = list(sources)
    for ds in iter_loader_datasets(cfg, loaders=('test_dataloader', )):
        ds['domains'] = list(targets)
    for ds in iter_loader_datasets(cfg, loaders=('val_dataloader', )):
        current = list(ds.get('domains') or [])
        if current == old_sources:
            ds['domains'] = list(sources)
        elif current == old_targets:
            ds['domains'] = list(targets)
        else:
            raise ValueError(f'shift: a validation dataset has domains {current}, neither the '
                             f"config's sources {old_sources} nor its targets {old_targets}; "
                             'cannot tell which side of the shift it is.')
    for ev in _evaluators(cfg):
        ev['source_domains'], ev['target_domains'] = list(sources), list(targets)
    for reg in (cfg.model.get('regularizers') or {}).values():
        if isinstance(reg, dict) and 'domains' in reg:
            reg['domains'] = list(sources)
    if 'source_domains' in cfg:
        cfg.source_domains = list(sources)
    if 'target_domains' in cfg:
        cfg.target_domains = list(targets)
    return cfg


def apply_modalities(cfg, modalities: Union[str, Sequence[str]],
                     family: Optional[str] = None):
    """Restrict ``cfg`` to a modality subset.

    Sets ``modalities`` of every dataset (the pipelines skip the absent
    modalities) and keeps only the subset's entries of the recognizer's
    per-modality fields (``backbones``, ``feat_dims``, ``input_layouts``,
    ``probe_shapes``).

    Args:
        cfg (mmengine.Config): Modified in place.
        modalities (str | Sequence[str]): As :func:`parse_modalities`.
        family (str, optional): Checks the subset against its subsets.
            Defaults to the config's family.

    Returns:
        mmengine.Config: ``cfg``.
    """
    fam = get_family(family) if family is not None else family_of(cfg)
    subset = parse_modalities(modalities, fam)
    missing = [m for m in subset if m not in cfg.model.backbones]
    if missing:
        raise ValueError(f'modalities {list(subset)}: the model has no backbone for {missing}; '
                         f'it has {list(cfg.model.backbones)}.')
    for ds in iter_loader_datasets(cfg):
        ds['modalities'] = subset
    cfg.model.backbones = ConfigDict({m: cfg.model.backbones[m] for m in subset})
    for key in _PER_MODALITY_MODEL_KEYS[1:]:
        if cfg.model.get(key):
            cfg.model[key] = ConfigDict({m: v for m, v in cfg.model[key].items() if m in subset})
    if 'modalities' in cfg:
        cfg.modalities = subset
    # A bare video path (MMAction2's inference_recognizer) becomes a sample of
    # the subset's modalities: the steps that make one carry `modalities` too.
    pipelines = [cfg.get('test_pipeline') or []] + [ds.get('pipeline') or []
                                                    for ds in iter_loader_datasets(cfg)]
    for pipeline in pipelines:
        for step in pipeline:
            if isinstance(step, dict) and step.get('type') == 'VideoFileSample' \
                    and 'modalities' in step:
                step['modalities'] = subset
    return cfg


def compose_experiment(family: str, method: str = 'fusion', mer: bool = False,
                       sources: Optional[Sequence[str]] = None,
                       targets: Optional[Sequence[str]] = None,
                       modalities: Optional[Union[str, Sequence[str]]] = None,
                       cfg_options: Optional[Dict[str, Any]] = None) -> Config:
    """The config of one experiment, built in memory (see the module docstring).

    Args:
        family (str): A :data:`~mmaction_merdg.methods.FAMILIES` key.
        method (str): A :data:`~mmaction_merdg.methods.METHODS` key.
            Defaults to ``'fusion'``.
        mer (bool): Add MER-DG. Defaults to False.
        sources (Sequence[str], optional): Source domains. None: the
            family's canonical sources, or every domain not in ``targets``
            when only ``targets`` is given.
        targets (Sequence[str], optional): Target domains. None: the
            canonical targets, or every domain not in ``sources`` when only
            ``sources`` is given.
        modalities (str | Sequence[str], optional): Modality subset (keys
            among ``imgs``/``flow_imgs``/``audios`` or ``rgb``/``flow``/
            ``audio``). None: the family's modalities.
        cfg_options (dict, optional): ``dotted.key -> value`` applied last.

    Returns:
        mmengine.Config: The experiment; ``Config.dump`` writes it as a
        standalone config.

    Raises:
        ValueError: Unknown family, method, domain or modality; empty or
            overlapping source/target sets.
    """
    fam = get_family(family)
    get_method(method)
    canon_src, canon_tgt = (list(d) for d in fam.canonical_shift)
    if sources is None and targets is None:
        sources, targets = canon_src, canon_tgt
    elif sources is None:
        targets = list(targets)
        sources = [d for d in fam.domains if d not in targets]
    elif targets is None:
        sources = list(sources)
        targets = [d for d in fam.domains if d not in sources]
    sources, targets = list(sources), list(targets)
    check_shift(fam, sources, targets)
    subset = parse_modalities(modalities, fam) if modalities is not None else None
    cfg = _load(osp.join(config_dir(), fam.config))
    apply_method(cfg, method, fam.name, sources)
    if mer:
        apply_mer(cfg, fam.name)
    if (sources, targets) != (canon_src, canon_tgt):
        apply_shift(cfg, sources, targets, fam.name)
    if subset is not None and subset != tuple(fam.modalities):
        apply_modalities(cfg, subset, fam.name)
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
    return cfg


def shipped_config(family: str, method: str = 'fusion', mer: bool = False) -> Optional[str]:
    """The shipped file holding ``family x method x +-MER-DG`` at the canonical shift.

    Relative to ``configs/``; None when none is shipped (MER-DG on a method of
    EPIC-Kitchens or HAC is one line: compose it, or ``--mer``). Each shipped
    file equals :func:`compose_experiment` of its experiment (tested).
    """
    fam, _ = get_family(family), get_method(method)
    folder, name = osp.split(fam.config)
    stem = name[len('fusion'):]  # '_synthetic.py', '_slowfast-..._epic-d1d2-to-d3-...py'
    if family in ('synthetic', 'synthetic_vector'):
        if method == 'fusion':
            return ('merdg' if mer else 'fusion') + stem
        return f'{method}{"_merdg" if mer else ""}{stem}'
    if not mer:
        return osp.join(folder, method + stem)
    if method != 'fusion':
        return None
    # Fusion + MER-DG is the paper's method; EPIC's is the entry point users name.
    return 'merdg_epic_d1d2_d3.py' if family == 'epic_kitchens' else osp.join(
        folder, 'merdg' + stem)


def shipped_experiments() -> Dict[str, Tuple[str, str, bool]]:
    """``path relative to configs/ -> (family, method, mer)`` of every shipped experiment."""
    from ..methods import FAMILIES, METHODS
    out = {}
    for family in FAMILIES:
        for method in METHODS:
            for mer in (False, True):
                rel = shipped_config(family, method, mer)
                if rel is not None:
                    out[rel] = (family, method, mer)
    return out
