"""Model-selection rules of a sweep: which hyper-parameter trial is reported.

After Gulrajani & Lopez-Paz, "In Search of Lost Domain Generalization"
(ICLR 2021) and DomainBed's ``model_selection.py``: a sweep trains every
hyper-parameter trial of a method with several seeds; a *rule* picks, per
seed, one trial from what it is allowed to see, and the table reports the
target accuracy of the run of that trial **trained on all source domains**.

- :class:`TrainingDomainValidation` sees the source domains' held-out
  validation split of the full run (``source_val_acc``, ``source/top1``).
- :class:`LeaveOneDomainOut` sees, for each source domain ``h``, an extra run
  trained on the other ``k - 1`` sources and evaluated on ``h``'s validation
  split (the run's ``target_acc`` with ``h`` as its target); the score of a
  trial is the mean over ``h``. With ``k`` sources it costs ``k`` extra runs
  per trial and seed (``k + 1`` runs in all instead of one) and needs
  ``k >= 2``; a row with a single trial needs no extra run (there is nothing
  to choose; its ``score`` is NaN).
- :class:`Oracle` sees the target's labels (``target_acc`` of the full run):
  an upper bound, never a result.

Within a run the checkpoint is always the best on the trained sources'
validation split (the configs' ``save_best='source/top1'``); the rules choose
between trials only. Ties go to the lower trial (trial 0 are the defaults).

A *group* handed to a rule is every record of one (dataset, shift, modality
subset, method, +-MER-DG, seed): ``{trial: {'full': record, 'heldout':
{domain: record}}}``, records being the cells' ``result.json`` contents.
"""
from typing import Dict, List, Optional, Sequence


class SelectionRule:
    """Base class. Subclasses set ``name``, ``title`` and :meth:`score`."""
    #: CLI spelling.
    name = ''
    #: Heading in tables.
    title = ''
    #: Needs the leave-one-domain-out runs.
    needs_heldout_runs = False
    #: Looks at target labels.
    is_oracle = False

    def score(self, trial: Dict, sources: Sequence[str]) -> Optional[float]:
        """The validation figure of one trial (higher is better), None if missing."""
        raise NotImplementedError

    def select(self, group: Dict[int, Dict], sources: Sequence[str],
               row_trials: Optional[int] = None) -> Optional[Dict]:
        """The chosen trial of one group.

        Args:
            group (dict): ``trial -> {'full': record, 'heldout': {domain: record}}``.
            sources (Sequence[str]): The full run's source domains.
            row_trials (int, optional): Trials the row has. With 1 there is
                nothing to choose: trial 0 is reported by every rule (score
                NaN; no held-out runs exist).

        Returns:
            dict or None: ``trial``, ``score`` (what the rule saw),
            ``target_acc`` (reported, of the full run), ``n_trials`` (trials
            the rule could score), ``params`` of the chosen trial; None when
            no trial can be scored yet.
        """
        if row_trials == 1:
            full = (group.get(0) or {}).get('full')
            if full is None:
                return None
            return dict(trial=0, score=float('nan'), target_acc=float(full['target_acc']),
                        n_trials=1, params=dict(full.get('params') or {}))
        scored = []
        for t in sorted(group):
            if group[t].get('full') is None:
                continue
            s = self.score(group[t], sources)
            if s is not None:
                scored.append((s, -t))
        if not scored:
            return None
        best, neg_t = max(scored)
        full = group[-neg_t]['full']
        return dict(trial=-neg_t, score=float(best), target_acc=float(full['target_acc']),
                    n_trials=len(scored), params=dict(full.get('params') or {}))


class TrainingDomainValidation(SelectionRule):
    """The source domains' validation split of the run itself (``source/top1``)."""
    name = 'training-domain'
    title = 'training-domain validation'

    def score(self, trial, sources):
        return trial['full'].get('source_val_acc')


class LeaveOneDomainOut(SelectionRule):
    """Mean accuracy on each held-out source of a run trained on the others."""
    name = 'leave-one-domain-out'
    title = 'leave-one-domain-out cross-validation'
    needs_heldout_runs = True

    def score(self, trial, sources):
        heldout = trial.get('heldout') or {}
        if len(sources) < 2 or any(heldout.get(h) is None for h in sources):
            return None
        return sum(float(heldout[h]['target_acc']) for h in sources) / len(sources)


class Oracle(SelectionRule):
    """The target's labels (an upper bound: not a model-selection rule)."""
    name = 'oracle'
    title = 'oracle: target-domain labels (upper bound, not a result)'
    is_oracle = True

    def score(self, trial, sources):
        return trial['full'].get('target_acc')


#: CLI name -> rule, in the order tables show them.
RULES: Dict[str, SelectionRule] = {
    r.name: r for r in (TrainingDomainValidation(), LeaveOneDomainOut(), Oracle())}


def get_rules(names: Sequence[str]) -> List[SelectionRule]:
    """The rules of ``names`` (table order), or a ValueError listing the valid ones."""
    bad = [n for n in names if n not in RULES]
    if bad or not names:
        raise ValueError(f'selection: unknown rules {bad or names!r}; valid: {list(RULES)}.')
    return [r for n, r in RULES.items() if n in names]


def runs_per_trial_and_seed(rules: Sequence[SelectionRule], num_sources: int) -> int:
    """Training runs one trial costs per seed: 1, or ``1 + k`` with leave-one-out."""
    return 1 + (num_sources if any(r.needs_heldout_runs for r in rules) else 0)
