"""plugin_source_hash / fingerprint_changes: an edited plugin is another experiment."""
import shutil

from mmengine.config import Config

from mmaction_merdg.apis.fingerprint import (config_fingerprint,
                                             fingerprint_changes,
                                             plugin_source_hash)


def test_an_edit_of_the_source_changes_the_hash(tmp_path):
    """Before: the grid reused cells after a source edit without a word."""
    pkg = tmp_path / 'pkg'
    (pkg / 'models').mkdir(parents=True)
    (pkg / '__init__.py').write_text('')
    (pkg / 'models' / 'loss.py').write_text('WEIGHT = 3.0\n')
    before = plugin_source_hash(str(pkg))
    moved = tmp_path / 'elsewhere'
    shutil.copytree(pkg, moved)
    assert plugin_source_hash(str(moved)) == before  # location-independent
    (pkg / 'models' / 'loss.py').write_text('WEIGHT = 1.0\n')
    assert plugin_source_hash(str(pkg)) != before
    (pkg / 'models' / 'notes.txt').write_text('not source')
    after = plugin_source_hash(str(pkg))
    assert after == plugin_source_hash(str(pkg))


def test_the_fingerprint_names_what_changed():
    current = config_fingerprint(Config(dict(a=1)))
    assert current['code_sha256'] == plugin_source_hash()
    assert fingerprint_changes(current, current) == []
    edited = dict(current, code_sha256='0' * 64)
    assert fingerprint_changes(edited, current) == ['plugin source']
    assert fingerprint_changes(None, current) == ['config', 'plugin source']
    other = config_fingerprint(Config(dict(a=2)))
    assert fingerprint_changes(current, other) == ['config']
