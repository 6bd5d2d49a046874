"""The generated model-zoo pages are current and readable by the model-index tooling."""
import os.path as osp

import pytest

from mmaction_merdg.apis.model_zoo import MEASURED, generated_files, stale_files

from ..conftest import REPO


def test_pages_are_not_stale():
    stale = stale_files(REPO)
    assert not stale, f'run `python tools/misc/generate_model_zoo.py`; stale: {stale}'


def test_measured_results_name_existing_configs_and_sources():
    for rel, (_, source) in MEASURED.items():
        assert osp.isfile(osp.join(REPO, 'configs', rel)), rel
        assert osp.isfile(osp.join(REPO, source.split(',')[0])), source


def test_model_index_loads_and_lists_every_config():
    pytest.importorskip('modelindex', reason='model-index comes with openmim')
    from modelindex.load_model_index import load
    index = load(osp.join(REPO, 'model-index.yml'))
    index.build_models_with_collections()
    configs = {m.config for m in index.models}
    files = generated_files(REPO)
    n_readme_rows = sum(text.count('\n| [') for rel, text in files.items()
                        if rel.endswith('README.md'))
    assert len(configs) == len(index.models) == n_readme_rows
    assert all(osp.isfile(osp.join(REPO, c)) for c in configs)


def test_method_column_names_the_method_and_mer_dg():
    from mmaction_merdg.apis.model_zoo import _entry
    root = osp.join(REPO, 'configs')
    assert _entry(root, 'fusion_synthetic.py')['method'] == 'Fusion'
    assert _entry(root, 'merdg_synthetic.py')['method'] == 'MER-DG'
    assert _entry(root, 'simmmdg_synthetic_vector.py')['method'] == 'SimMMDG'
    assert _entry(root, 'rnanet_merdg_synthetic.py')['method'] == 'RNA-Net + MER-DG'


def test_method_table_is_one_row_per_registered_method():
    from mmaction_merdg.apis.model_zoo import _with_method_table, render_method_table
    from mmaction_merdg.methods import METHODS
    table = render_method_table(osp.join(REPO, 'configs'))
    rows = [r for r in table.splitlines()[2:]]
    assert [r.split(' | ')[0].lstrip('| ') for r in rows] == \
        [s.title for s in METHODS.values()] + ['MER-DG']
    assert '`MBCDRecognizer` + `MBCDRegularizer` + `AveragedTeacherHook`' in table
    with pytest.raises(ValueError, match='markers'):
        _with_method_table('# no table here', table)
