"""gpu_check.sh: the dry run (what a CPU-only machine does) prints the plan and the table."""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_gpu_check_dry_run(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable, CUDA_VISIBLE_DEVICES='')
    res = subprocess.run(['bash', 'tools/analysis/gpu_check.sh', '--dry-run', '--out',
                          str(tmp_path)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert 'environment: ' in out and 'numpy=' in out
    assert 'skipped: step benchmark, loader vs GPU step rate, train/test' in out
    for expected in ('--amp-dtype float16', '--amp-dtype bfloat16 --steps 15 --warmup 3 '
                     '--modalities imgs audios', 'benchmark_pipeline.py --floor',
                     'frame_size=(456, 256)', 'tools/train.py configs/merdg_epic_d1d2_d3.py',
                     'tools/test.py configs/merdg_epic_d1d2_d3.py'):
        assert expected in out, expected
    assert '| step benchmark | skipped (no GPU / dry run) |' in out
    assert (tmp_path / 'env.json').is_file()


def test_gpu_check_rejects_bad_arguments(tmp_path):
    res = subprocess.run(['bash', 'tools/analysis/gpu_check.sh', '--wheels',
                          str(tmp_path / 'missing')], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2 and 'is not a directory' in res.stderr
