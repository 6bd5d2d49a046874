"""DomainAccMetric on known predictions, and selected/oracle tracking."""
import pytest
import torch
from mmengine.logging import MessageHub

from mmaction_merdg.evaluation.metrics import DomainAccMetric


def sample(pred, gt, domain, k=3):
    score = torch.full((k, ), 0.1)
    score[pred] = 0.8
    return dict(pred_score=score, gt_label=torch.tensor([gt]), domain=domain)


def run(metric, triples):
    metric.process(None, [sample(*t) for t in triples])
    return metric.evaluate(len(triples))


def test_known_values():
    m = DomainAccMetric(source_domains=['D1', 'D2'], target_domains=['D3'])
    MessageHub.get_instance('metric_known')  # fresh hub
    res = run(m, [(0, 0, 'D1'), (1, 1, 'D1'), (2, 1, 'D2'), (0, 0, 'D2'),
                  (0, 0, 'D3'), (1, 0, 'D3'), (2, 2, 'D3'), (0, 0, 'D3')])
    assert res['source/top1'] == pytest.approx(3 / 4)
    assert res['target/top1'] == pytest.approx(3 / 4)
    assert res['all/top1'] == pytest.approx(6 / 8)
    # target: class 0 -> 2/3 right, class 2 -> 1/1: mean over present classes.
    assert res['target/class_acc/0'] == pytest.approx(2 / 3)
    assert res['target/mean_class_acc'] == pytest.approx((2 / 3 + 1) / 2)
    assert res['domain/D1/top1'] == 1.0 and res['domain/D2/top1'] == 0.5
    assert 'target/class_acc/1' not in res


def test_selection_and_oracle_are_tracked_across_validations():
    hub = MessageHub.get_instance('metric_track')
    m = DomainAccMetric(source_domains=['s'], target_domains=['t'])
    epochs = [  # (source correct of 4, target correct of 4)
        (2, 1), (4, 2), (3, 4), (4, 3)]
    out = []
    for s_ok, t_ok in epochs:
        trip = [(0, 0 if i < s_ok else 1, 's') for i in range(4)] + \
               [(0, 0 if i < t_ok else 1, 't') for i in range(4)]
        out.append(run(m, trip))
    # best source 1.0 first reached at epoch 2 (ties keep the earlier): target 0.5.
    assert out[-1]['selected/target_top1'] == pytest.approx(0.5)
    assert out[-1]['selected/source_top1'] == pytest.approx(1.0)
    assert out[-1]['oracle/target_top1'] == pytest.approx(1.0)  # epoch 3
    assert hub.get_info('merdg_domain_acc_state')['oracle_target_top1'] == 1.0


def test_test_run_without_source_has_no_selection_keys():
    MessageHub.get_instance('metric_test_only')
    res = run(DomainAccMetric(source_domains=['s'], target_domains=['t']), [(0, 0, 't')])
    assert res['target/top1'] == 1.0
    assert not any(k.startswith(('selected/', 'oracle/', 'source/')) for k in res)


def test_errors():
    with pytest.raises(ValueError, match='both source and target'):
        DomainAccMetric(source_domains=['a'], target_domains=['a'])
    m = DomainAccMetric()
    with pytest.raises(KeyError, match='algorithm_keys'):
        m.process(None, [dict(pred_score=torch.ones(2), gt_label=torch.tensor([0]))])


def test_docs_contract_names_the_keys_the_metric_emits():
    """Every metric key docs/contract.md names is emitted, and every emitted key is named."""
    import os.path as osp
    import re
    contract = open(osp.join(osp.dirname(__file__), '..', '..', '..', 'docs', 'contract.md')).read()
    section = contract[contract.index("DomainAccMetric', source_domains"):]
    section = section[:section.index('Checkpoint selection')]
    named = set(re.findall(r'`([a-z0-9_<>]+/[a-z0-9_<>/]+)`', section))
    groups = dict(g=['all', 'source', 'target'], name=['D1', 'D3'], k=['0', '1', '2'])
    patterns = [re.compile('^' + re.sub(r'<(\w+)>', lambda m: '(' + '|'.join(groups[m.group(1)]) + ')',
                                        n) + '$') for n in named]
    MessageHub.get_instance('metric_docs')
    m = DomainAccMetric(source_domains=['D1'], target_domains=['D3'])
    res = run(m, [(0, 0, 'D1'), (1, 1, 'D1'), (2, 2, 'D1'), (0, 0, 'D3'), (1, 1, 'D3'), (2, 2, 'D3')])
    for key in res:
        assert any(p.match(key) for p in patterns), f'{key} is not named in docs/contract.md'
    for name, p in zip(named, patterns):
        assert any(p.match(key) for key in res), f'docs/contract.md names {name}, not emitted'


def test_unknown_domain_name_raises_at_first_evaluation_naming_known_ones():
    MessageHub.get_instance('metric_unknown_domain')
    m = DomainAccMetric(source_domains=['D1', 'D4'], target_domains=['D3'])
    m.dataset_meta = dict(classes=('a', 'b', 'c'), domains=('D1', 'D2', 'D3'))
    with pytest.raises(ValueError, match=r"source_domains \['D4'\].*known "
                       r"domains are \['D1', 'D2', 'D3'\]"):
        run(m, [(0, 0, 'D1'), (0, 0, 'D3')])


def test_case_mismatch_raises_even_without_declared_domains():
    MessageHub.get_instance('metric_case_mismatch')
    m = DomainAccMetric(source_domains=['d1', 'd2'], target_domains=['D3'])
    with pytest.raises(ValueError, match=r"case mismatch: 'd1' -> 'D1'"):
        run(m, [(0, 0, 'D1'), (0, 0, 'D2'), (0, 0, 'D3')])


def test_declared_domains_allow_a_test_set_of_the_target_only():
    MessageHub.get_instance('metric_declared_target_only')
    m = DomainAccMetric(source_domains=['D1', 'D2'], target_domains=['D3'])
    m.dataset_meta = dict(domains=('D1', 'D2', 'D3'))
    assert run(m, [(0, 0, 'D3')])['target/top1'] == 1.0


def test_no_prefix_warning_and_unprefixed_keys():
    """default_prefix '' silences mmengine's "prefix is not set" log line; keys stay as they were."""
    import logging

    from mmengine.logging import MMLogger

    from mmaction.registry import METRICS

    class Collect(logging.Handler):
        def __init__(self):
            super().__init__()
            self.messages = []

        def emit(self, record):
            self.messages.append(record.getMessage())

    logger, handler = MMLogger.get_current_instance(), Collect()
    logger.addHandler(handler)
    try:
        metric = METRICS.build(dict(type='DomainAccMetric', source_domains=['s'],
                                    target_domains=['t']))
        METRICS.build(dict(type='MisclassificationMetric'))  # a metric with a prefix: silent too
    finally:
        logger.removeHandler(handler)
    assert not [m for m in handler.messages if 'prefix is not set' in m]
    assert metric.prefix == ''
    assert METRICS.build(dict(type='DomainAccMetric', prefix='acc')).prefix == 'acc'
