"""The dataset families of the plugin, declared once.

An experiment is *family x shift x modality subset x method x +-MER-DG*
(:func:`mmaction_merdg.apis.compose_experiment`). A family is one dataset
with its domains: ``FAMILIES['epic_kitchens']`` says which domains exist, the
canonical shift (the one its family config trains), the shifts of its
benchmark table, the modality subsets the benchmarks use and which config
holds the family (Fusion at the canonical shift, every modality). Any
non-empty set of source domains with a disjoint, non-empty set of target
domains is a valid shift, single-source ones included.
"""
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

from ..modalities import MODALITIES, MODALITY_ALIASES

Shift = Tuple[Tuple[str, ...], Tuple[str, ...]]

_SHORT = {key: short for short, key in MODALITY_ALIASES.items()}


@dataclass(frozen=True)
class FamilySpec:
    """One dataset family.

    Args:
        name (str): Registry key (``'epic_kitchens'``).
        title (str): Name as papers print it.
        dataset_type (str): Registered dataset class of its configs; tells a
            config's family (:func:`family_of_dataset`).
        domains (tuple[str]): Every domain, in the order tables list them.
        shifts (tuple[Shift]): The benchmark's ``(sources, targets)``; the
            first is the canonical shift, the one :attr:`config` trains.
        modalities (tuple[str]): Modality keys of the family config.
        modality_subsets (tuple[tuple[str]]): Subsets composition accepts
            (canonical order; two modalities at least: the methods are
            multimodal).
        benchmark_subsets (tuple[tuple[str]], optional): Subsets the
            benchmark table runs (the grid's default). None: all of
            :attr:`modality_subsets`.
        config (str): The family config, relative to ``configs/``.
        tag (str): Short name in shift and cell names.
        views (str): How a method's ``train_views`` reach the training set:
            ``'dataset'`` (the dataset renders ``num_views`` views) or
            ``'pipeline'`` (the train pipeline runs once per view, wrapped in
            ``MultiModalViews``).
        compact_shift_names (bool): Shift names join the domains without a
            separator (``d1d2-to-d3``) instead of with ``-``.
    """
    name: str
    title: str
    dataset_type: str
    domains: Tuple[str, ...]
    shifts: Tuple[Shift, ...]
    config: str
    tag: str
    views: str
    modalities: Tuple[str, ...] = MODALITIES
    modality_subsets: Tuple[Tuple[str, ...], ...] = (
        MODALITIES, ('imgs', 'flow_imgs'), ('imgs', 'audios'), ('flow_imgs', 'audios'))
    benchmark_subsets: Optional[Tuple[Tuple[str, ...], ...]] = None
    compact_shift_names: bool = False

    @property
    def canonical_shift(self) -> Shift:
        return self.shifts[0]

    def shift_name(self, sources: Sequence[str], targets: Sequence[str]) -> str:
        """``(['D1', 'D2'], ['D3'])`` -> ``'d1d2-to-d3'`` (grid cells, file names)."""
        if self.compact_shift_names:
            return f'{"".join(sources).lower()}-to-{"".join(targets).lower()}'
        return f'{"-".join(sources)}-to-{"-".join(targets)}'

    @property
    def shift_names(self) -> Tuple[str, ...]:
        return tuple(self.shift_name(s, t) for s, t in self.shifts)

    @property
    def subset_names(self) -> Tuple[str, ...]:
        """Names of the benchmark's subsets (``'rgb-flow-audio'``, ...)."""
        return tuple(subset_name(s) for s in (self.benchmark_subsets or self.modality_subsets))


def subset_name(modalities: Sequence[str]) -> str:
    """``('imgs', 'audios')`` -> ``'rgb-audio'``."""
    return '-'.join(_SHORT[m] for m in modalities)


def _lodo(domains: Sequence[str], order: Sequence[str]) -> Tuple[Shift, ...]:
    """Leave-one-domain-out shifts, one per target in ``order``."""
    return tuple((tuple(d for d in domains if d != t), (t, )) for t in order)


FAMILIES: Dict[str, FamilySpec] = {}


def register_family(spec: FamilySpec) -> FamilySpec:
    """Add ``spec`` to :data:`FAMILIES`; a name is registered once."""
    if spec.name in FAMILIES:
        raise KeyError(f'family {spec.name!r} is already registered.')
    FAMILIES[spec.name] = spec
    return spec


def get_family(name: str) -> FamilySpec:
    """The spec of ``name``, or a ValueError listing the valid names."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f'unknown dataset family {name!r}; valid families: '
                         f'{list(FAMILIES)}.') from None


def family_of_dataset(dataset_type: str):
    """The family whose configs use ``dataset_type``, or None."""
    for spec in FAMILIES.values():
        if spec.dataset_type == dataset_type:
            return spec
    return None


_SYNTHETIC = ('source0', 'source1', 'target')
register_family(FamilySpec(
    name='synthetic', title='synthetic benchmark (clip level)',
    dataset_type='SyntheticMMDGDataset', domains=_SYNTHETIC,
    shifts=((('source0', 'source1'), ('target', )), ),
    config='fusion_synthetic.py', tag='synthetic', views='dataset',
    benchmark_subsets=(MODALITIES, )))
register_family(FamilySpec(
    name='synthetic_vector', title='synthetic benchmark (vector level)',
    dataset_type='SyntheticMMDGVectorDataset', domains=_SYNTHETIC,
    shifts=((('source0', 'source1'), ('target', )), ),
    config='fusion_synthetic_vector.py', tag='synthetic-vector', views='dataset',
    benchmark_subsets=(MODALITIES, )))
register_family(FamilySpec(
    name='epic_kitchens', title='EPIC-Kitchens',
    dataset_type='EpicKitchensMMDataset', domains=('D1', 'D2', 'D3'),
    shifts=_lodo(('D1', 'D2', 'D3'), ('D3', 'D1', 'D2')),
    config='epic_kitchens/fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_'
    '1xb16-20e_epic-d1d2-to-d3-rgb-flow-audio.py',
    tag='epic', views='pipeline', compact_shift_names=True))
register_family(FamilySpec(
    name='hac', title='HAC',
    dataset_type='HACMMDataset', domains=('human', 'animal', 'cartoon'),
    shifts=_lodo(('human', 'animal', 'cartoon'), ('cartoon', 'human', 'animal')),
    config='hac/fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_'
    '1xb16-20e_hac-human-animal-to-cartoon-rgb-flow-audio.py',
    tag='hac', views='pipeline'))
