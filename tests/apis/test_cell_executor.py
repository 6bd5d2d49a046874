"""Cell execution through submitit: bad executors, a worker killed mid-cell, a restarted sweep."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from mmaction_merdg.apis import cell_executor, grid
from mmaction_merdg.apis.grid import make_cells, run_grid

from ..conftest import REPO

FAKE = 'tests.apis.grid_fakes:run_fake_cell'
LAMBDA = grid.MER_WEIGHT


def test_an_executor_the_machine_lacks_is_refused_before_submission(monkeypatch, tmp_path):
    monkeypatch.setattr(cell_executor.shutil, 'which', lambda name: None)
    with pytest.raises(RuntimeError, match='sbatch'):
        cell_executor.check_executor('slurm')
    cells = make_cells(['synthetic_vector'], ['fusion'], 'without', [0])
    with pytest.raises(RuntimeError, match='sbatch'):
        run_grid(cells, str(tmp_path), REPO, executor='slurm', log=lambda s: None)
    assert not os.listdir(tmp_path)  # nothing written, nothing submitted
    monkeypatch.setenv('CUDA_VISIBLE_DEVICES', '')
    with pytest.raises(RuntimeError, match='0 visible'):
        cell_executor.check_executor('local', gpus_per_cell=1)
    with pytest.raises(ValueError, match='executor'):
        cell_executor.check_executor('kubernetes')
    with pytest.raises(ValueError, match='max-parallel'):
        cell_executor.check_executor('local', max_parallel=0)


def _calls(work):
    path = osp.join(work, 'calls.log')
    return open(path).read().split() if osp.isfile(path) else []


def test_local_worker_killed_mid_cell_is_listed_and_rerun(tmp_path):
    cells = make_cells(['synthetic_vector'], ['fusion'], 'with', [0], trials=2,
                       search_keys=[LAMBDA])
    work = str(tmp_path / 'sweep')
    os.makedirs(work)
    open(osp.join(work, 'kill_once'), 'w').close()
    kw = dict(executor='local', max_parallel=2, runner=FAKE, search_keys=[LAMBDA],
              log=lambda s: None)
    records = run_grid(cells, work, REPO, **kw)
    failed = grid.failed_cells(work)
    assert len(records) == 1 and len(failed) == 1
    assert failed[0]['dir'] != records[0]['config']
    assert all(osp.isfile(p) for p in failed[0]['logs'])  # submitit's stdout / stderr
    assert not osp.isfile(osp.join(failed[0]['dir'], 'result.json'))
    records = run_grid(cells, work, REPO, **kw)  # the next call runs the killed cell only
    assert len(records) == 2 and grid.failed_cells(work) == []
    assert len(_calls(work)) == 2


def test_restarted_sweep_resumes_and_writes_the_three_rules(tmp_path):
    work = str(tmp_path / 'sweep')
    cmd = [sys.executable, osp.join(REPO, 'tools/analysis/grid.py'), '--datasets',
           'synthetic_vector', '--methods', 'fusion', '--mer', 'with', '--seeds', '0',
           '--trials', '2', '--search-keys', LAMBDA, '--selection', 'training-domain',
           'leave-one-domain-out', 'oracle', '--executor', 'local', '--max-parallel', '1',
           '--runner', FAKE, '--no-progress', '--work-dir', work]
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while len(_calls(work)) < 1 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)  # the whole sweep killed after its first cell
    proc.communicate(timeout=60)
    first = _calls(work)
    assert 1 <= len(first) < 6
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    calls = _calls(work)
    assert len(calls) == 6 and len(set(calls)) == 6  # 2 trials x (1 + 2 held-out): none twice
    md = open(osp.join(work, 'table.md')).read()
    for rule in ('training-domain validation', 'leave-one-domain-out cross-validation',
                 'oracle'):
        assert f'## Selection: {rule}' in md
