"""tools/analysis/benchmark_pipeline.py runs and prints both ratios."""
import importlib.util
import os.path as osp
import re

from ..conftest import load_tool

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


def test_floor_mode_stage_table(capsys):
    bench = load_tool('analysis/benchmark_pipeline.py')
    prof = bench.main(['--floor', '--samples', '1', '--frames', '16', '--height', '32',
                       '--width', '48', '--repeats', '1', '--clock', 'cpu'])
    assert prof['clock'] == 'cpu'
    names = list(prof['stages'])
    assert names[0].endswith('SampleMultiModalFrames') and len(names) >= 8
    # distinct files only: a 16-frame segment loops the 32-frame clip
    assert prof['floor_ms'] > 0 and 0 < prof['files_per_sample'] <= 48
    assert abs(prof['ratio'] - prof['total_ms'] / prof['floor_ms']) < 1e-9
    out = capsys.readouterr().out
    assert '48x32 frames' in out and 'ratio pipeline / floor' in out
    assert 'cpu clock' in out and 'CPU ms/sample' in out


def test_writer_frame_size(tmp_path):
    import cv2

    from mmaction_merdg.datasets.writers import write_synthetic_epic_tree
    roots = write_synthetic_epic_tree(str(tmp_path), samples_per_domain=1, domains=('D1', ),
                                      rgb_shape=(4, 8, 8), frame_size=(40, 24))
    img = cv2.imread(str(tmp_path / 'rgb' / 'train' / 'D1' / 'P08_01' / 'frame_0000000001.jpg'))
    assert img.shape == (24, 40, 3)
    assert roots['data_root'] == str(tmp_path)
