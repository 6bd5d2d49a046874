"""tools/analysis/benchmark_pipeline.py runs and prints both ratios."""
import importlib.util
import os.path as osp
import re

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_benchmark_prints_both_ratios(capsys):
    path = osp.join(REPO, 'tools', 'analysis', 'benchmark_pipeline.py')
    spec = importlib.util.spec_from_file_location('benchmark_pipeline', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(['--samples', '2', '--frames', '8', '--height', '32',
                 '--width', '48', '--clips', '2', '--repeats', '1'])
    out = capsys.readouterr().out
    ratio = re.search(r'ratio multimodal / sum of single: ([\d.]+)', out)
    speedup = re.search(r'ratio scipy / torch per clip: ([\d.]+)x', out)
    assert ratio and speedup, out
    assert 0 < float(ratio.group(1)) < 10 and float(speedup.group(1)) > 0
    error = re.search(r'max \|torch - scipy\| after z-score ([\d.e+-]+)', out)
    assert float(error.group(1)) < 1e-3
