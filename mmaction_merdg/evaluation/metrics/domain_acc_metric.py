"""Domain-aware accuracy with honest model selection."""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub

from mmaction.registry import METRICS

_STATE_KEY = 'merdg_domain_acc_state'


def _accuracies(pred: np.ndarray, gt: np.ndarray, num_classes: int) -> Dict[str, float]:
    """Top-1, mean class accuracy (over classes present) and per-class accuracy."""
    out = dict(top1=float((pred == gt).mean()))
    per_class = {}
    for k in range(num_classes):
        mask = gt == k
        if mask.any():
            per_class[k] = float((pred[mask] == k).mean())
    out['mean_class_acc'] = float(np.mean(list(per_class.values())))
    out['per_class'] = per_class
    return out


@METRICS.register_module()
class DomainAccMetric(BaseMetric):
    """Top-1, mean class, per-domain and per-class accuracy, plus selection.

    Model selection must not look at the target domain. Validate on the source
    domains' held-out split (and, optionally, on the target split to *log* its
    accuracy); select checkpoints with ``save_best='source/top1'``. When a
    validation holds both source and target samples, the metric also reports:

    * ``selected/target_top1``: target accuracy of the validation with the
      best ``source/top1`` so far (ties keep the earlier one, as
      ``CheckpointHook(rule='greater')`` does) — the honest figure;
    * ``oracle/target_top1``: the best target accuracy over all validations
      so far — what the official MER-DG/SimMMDG scripts report. It uses the
      test labels for model selection and is logged only for comparison.

    Both are kept in the MessageHub, so they survive ``--resume``.

    Reported keys (``<g>`` in ``all``, ``source``, ``target``; groups only
    when present): ``<g>/top1``, ``<g>/mean_class_acc``, ``<g>/class_acc/<k>``,
    ``domain/<name>/top1``.

    Args:
        source_domains (Sequence[str]): Training domains. Defaults to ().
        target_domains (Sequence[str]): Held-out domains. Defaults to ().
        num_classes (int, optional): Number of classes; inferred from the
            score length when None.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix (``'<prefix>/source/top1'``).
            Defaults to none: the keys start with their group already
            (``source/``, ``target/``, ``all/``, ``domain/``), which
            ``save_best='source/top1'`` and the tools read.
    """
    # '' (not None): no prefix, and no mmengine warning "The prefix is not set
    # in metric class DomainAccMetric" on every run.
    default_prefix: Optional[str] = ''

    def __init__(self,
                 source_domains: Sequence[str] = (),
                 target_domains: Sequence[str] = (),
                 num_classes: Optional[int] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        overlap = set(source_domains) & set(target_domains)
        if overlap:
            raise ValueError(f'DomainAccMetric: domains {sorted(overlap)} are '
                             'listed as both source and target.')
        self.source_domains = [str(d) for d in source_domains]
        self.target_domains = [str(d) for d in target_domains]
        self.num_classes = num_classes

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for ds in data_samples:
            if 'domain' not in ds:
                raise KeyError('DomainAccMetric: data sample has no "domain"; pack it '
                               "with PackMultiModalInputs (algorithm_keys=('domain',)).")
            score = ds['pred_score']
            self.results.append(
                dict(pred=int(score.argmax()), gt=int(ds['gt_label'].view(-1)[0]),
                     domain=str(ds['domain']), num_classes=int(score.numel())))

    def check_domain_names(self, seen: Sequence[str]) -> None:
        """Refuse source/target names the data does not know.

        The known names are the dataset's ``metainfo['domains']`` (all domains
        of the dataset family, so a test set holding only the target is fine)
        plus the domains seen in this evaluation. For a dataset that declares
        no ``domains``, only case mismatches with the seen names are caught. A name absent from them
        would otherwise drop out of its group silently (``['D1', 'D4']``
        selects checkpoints on D1 alone); a case mismatch (``'d1'``) is named
        as such.

        Raises:
            ValueError: Naming the unknown names and the known ones.
        """
        meta = getattr(self, 'dataset_meta', None) or {}
        declared = [str(d) for d in meta.get('domains', ())]
        known = list(dict.fromkeys(declared + sorted(set(seen))))
        for group, names in (('source_domains', self.source_domains),
                             ('target_domains', self.target_domains)):
            unknown = [d for d in names if d not in known]
            hints = [
                f'{d!r} -> {k!r}' for d in unknown for k in known
                if d.lower() == k.lower()
            ]
            if not unknown or not (declared or hints):
                # A dataset that does not declare its domains: only the
                # names seen can be checked, and an unseen name may be a
                # group absent from this split (a test set of the target).
                continue
            hint = (f' (case mismatch: {", ".join(hints)}; domain names are '
                    'case-sensitive)') if hints else ''
            raise ValueError(
                f'DomainAccMetric: {group} {unknown} are not domains of the '
                f'data{hint}; the known domains are {known}. An unknown name '
                'would silently leave its group and the checkpoint selection.')

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        num_classes = self.num_classes or results[0]['num_classes']
        pred = np.array([r['pred'] for r in results])
        gt = np.array([r['gt'] for r in results])
        dom = np.array([r['domain'] for r in results])
        self.check_domain_names(dom.tolist())
        groups = dict(all=np.ones(len(results), bool),
                      source=np.isin(dom, self.source_domains),
                      target=np.isin(dom, self.target_domains))
        metrics = {}
        for g, mask in groups.items():
            if not mask.any():
                continue
            acc = _accuracies(pred[mask], gt[mask], num_classes)
            metrics[f'{g}/top1'] = acc['top1']
            metrics[f'{g}/mean_class_acc'] = acc['mean_class_acc']
            for k, v in acc['per_class'].items():
                metrics[f'{g}/class_acc/{k}'] = v
        counts = defaultdict(int)
        for d in dom:
            counts[d] += 1
        for d in sorted(counts):
            metrics[f'domain/{d}/top1'] = float((pred[dom == d] == gt[dom == d]).mean())
        if groups['source'].any() and groups['target'].any():
            metrics.update(self._track_selection(metrics['source/top1'],
                                                 metrics['target/top1']))
        return metrics

    @staticmethod
    def _track_selection(source_top1: float, target_top1: float) -> Dict[str, float]:
        hub = MessageHub.get_current_instance()
        state = dict(hub.get_info(_STATE_KEY) or {})
        if source_top1 > state.get('best_source_top1', -1.0):
            state['best_source_top1'] = source_top1
            state['selected_target_top1'] = target_top1
        state['oracle_target_top1'] = max(state.get('oracle_target_top1', -1.0),
                                          target_top1)
        hub.update_info(_STATE_KEY, state)
        return {
            'selected/source_top1': state['best_source_top1'],
            'selected/target_top1': state['selected_target_top1'],
            'oracle/target_top1': state['oracle_target_top1'],
        }
