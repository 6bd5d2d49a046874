"""What the plugin needs to know about one MMDG method, declared once.

A :class:`MethodSpec` says how a method is added to a model (its regularizer
fragment, a recognizer extension, hooks), what it needs from the data (domain
labels, several views per sample, a teacher), its defaults per dataset family
with the source of each value, and its hyper-parameter search space. The
registry (:mod:`mmaction_merdg.methods.zoo`) holds one spec per method; config
composition, the grid and sweeps, the tests and the docs read it, and no other
module lists methods.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from .search_space import Distribution


@dataclass(frozen=True)
class Default:
    """A default hyper-parameter value and where it comes from."""
    value: Any
    source: str


@dataclass(frozen=True)
class MethodSpec:
    """One method of the registry.

    Args:
        name (str): Registry key, also the CLI / grid spelling (lower case).
        title (str): Name as papers print it (``'SimMMDG'``).
        paper (str): Citation (venue, year).
        official_code (str): ``owner/repo`` of the official release, or ``''``.
        fragment (str, optional): File stem of ``configs/_base_/methods/``
            that defines the method's config variables. None for Fusion.
        regularizer_key (str, optional): Key in ``model.regularizers``.
        regularizer_var (str, optional): Variable of the fragment holding the
            regularizer config.
        model_var (str, optional): Variable of the fragment holding model
            fields applied before the regularizer (a recognizer extension,
            ``train_cfg``).
        hooks_var (str, optional): Variable of the fragment holding
            ``custom_hooks`` to add.
        needs_domains (bool): The regularizer takes the source domains
            (``domains=``) and the training data must carry domain labels.
        train_views (int): Views (clips) per training sample (NEL: 2).
        needs_teacher (bool): Trains against an averaged copy of the model.
        defaults (dict): ``family -> {config path -> Default}``; ``'*'``
            applies to every family, a family entry overrides it.
        search_space (dict): ``config path -> Distribution`` for sweeps.
        schedules (dict): ``family -> Default(schedule stem)``: the official
            training recipe (a ``configs/_base_/schedules/`` file) of the
            method trained alone on Fusion, where it differs from the family
            config's (MER-DG: LARS on EPIC-Kitchens and HAC). A method
            composed with another keeps the family config's schedule.
    """
    name: str
    title: str
    paper: str = ''
    official_code: str = ''
    fragment: Optional[str] = None
    regularizer_key: Optional[str] = None
    regularizer_var: Optional[str] = None
    model_var: Optional[str] = None
    hooks_var: Optional[str] = None
    needs_domains: bool = False
    train_views: int = 1
    needs_teacher: bool = False
    defaults: Dict[str, Dict[str, Default]] = field(default_factory=dict)
    search_space: Dict[str, Distribution] = field(default_factory=dict)
    schedules: Dict[str, Default] = field(default_factory=dict)

    def defaults_for(self, family: str) -> Dict[str, Default]:
        """``'*'`` defaults updated by ``family``'s."""
        out = dict(self.defaults.get('*', {}))
        out.update(self.defaults.get(family, {}))
        return out

    @property
    def requirements(self) -> Tuple[str, ...]:
        """Readable list of what the method needs (for docs and errors)."""
        out = []
        if self.needs_domains:
            out.append('domain labels')
        if self.train_views > 1:
            out.append(f'{self.train_views} views per training sample')
        if self.needs_teacher:
            out.append('an averaged teacher')
        return tuple(out)
