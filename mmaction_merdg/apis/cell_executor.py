"""Run the cells of a sweep: in this process, on this machine, or on Slurm.

Execution is submitit's (``facebookincubator/submitit``); this module only
chooses its executor, throttles it and reports:

- ``'none'``: one cell after another in this process.
- ``'local'``: :class:`submitit.LocalExecutor`, one subprocess per cell and at
  most ``max_parallel`` at once. With ``gpus_per_cell > 0`` each running cell
  gets its own GPUs (``CUDA_VISIBLE_DEVICES``), so at most
  ``visible GPUs // gpus_per_cell`` run at once; with 0 a cell takes a CPU slot.
- ``'slurm'``: :class:`submitit.AutoExecutor` on Slurm, one job array (one
  cell per array task) with partition, GPUs per cell, time limit and the
  array throttle ``%max_parallel``.

A cell is a spec file (``cell.json``) read by
:func:`mmaction_merdg.apis.grid_cell.run_cell`; a cell that raises, is killed
or times out is *failed*, reported with its log paths, and left without a
result, so that the next call runs it again. A progress bar (tqdm) counts done
/ running / failed cells and shows an ETA.
"""
import os
import os.path as osp
import shutil
import signal
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

EXECUTORS = ('none', 'local', 'slurm')


@dataclass
class Task:
    """One cell to run: ``fn(spec)`` must write the cell's result."""
    key: str
    spec: str
    cell_dir: str


@dataclass
class Outcome:
    """What became of a task."""
    key: str
    ok: bool
    error: str = ''
    logs: List[str] = field(default_factory=list)


def check_executor(kind: str, max_parallel: int = 1, gpus_per_cell: int = 0) -> None:
    """Raise before anything is submitted when ``kind`` cannot run here.

    Raises:
        ValueError: Unknown executor, ``max_parallel < 1`` or negative GPUs.
        RuntimeError: ``'slurm'`` without ``sbatch`` on the PATH, or
            ``'local'`` asking for more GPUs per cell than are visible.
    """
    if kind not in EXECUTORS:
        raise ValueError(f'executor must be one of {EXECUTORS}, got {kind!r}.')
    if max_parallel < 1:
        raise ValueError(f'--max-parallel must be >= 1, got {max_parallel}.')
    if gpus_per_cell < 0:
        raise ValueError(f'--gpus-per-cell must be >= 0, got {gpus_per_cell}.')
    if kind == 'slurm' and shutil.which('sbatch') is None:
        raise RuntimeError("executor 'slurm': this machine has no `sbatch` on the PATH; "
                           "run on a Slurm login node, or use --executor local / none.")
    if kind == 'local' and gpus_per_cell > 0:
        n = len(visible_gpus())
        if n < gpus_per_cell:
            raise RuntimeError(f"executor 'local': {gpus_per_cell} GPUs per cell asked, "
                               f'{n} visible on this machine; use --gpus-per-cell 0 '
                               '(CPU slots) or fewer GPUs.')


def visible_gpus() -> List[int]:
    """Indices of the GPUs this process may hand out (empty without CUDA)."""
    env = os.environ.get('CUDA_VISIBLE_DEVICES')
    if env is not None:
        return [int(x) for x in env.split(',') if x.strip().lstrip('-').isdigit()
                and int(x) >= 0]
    try:
        import torch
        return list(range(torch.cuda.device_count()))
    except Exception:  # noqa: BLE001  (no torch / no driver: no GPUs)
        return []


def _bar(total: int, initial: int, enabled: bool):
    """A tqdm bar on a terminal, plain lines in a log (:func:`.progress.counter`)."""
    from .progress import counter
    return counter(total, 'cells', initial=initial, unit='cell', enabled=enabled)


def _postfix(bar, done, running, failed):
    bar.set_postfix(done=done, running=running, failed=failed, refresh=True)


def run_in_process(tasks: Sequence[Task], fn: Callable[[Task], None], total: int,
                   reused: int, progress: bool = True) -> List[Outcome]:
    """``--executor none``: one task after another; an exception fails that task only."""
    out, done, failed = [], 0, 0
    bar = _bar(total, reused, progress)
    try:
        for task in tasks:
            _postfix(bar, reused + done, 1, failed)
            try:
                fn(task)
                out.append(Outcome(task.key, True))
                done += 1
            except Exception as e:  # noqa: BLE001  (listed, rerun on the next call)
                log = osp.join(task.cell_dir, 'error.log')
                os.makedirs(task.cell_dir, exist_ok=True)
                with open(log, 'w') as f:
                    f.write(traceback.format_exc())
                out.append(Outcome(task.key, False, f'{type(e).__name__}: {e}', [log]))
                failed += 1
            bar.update(1)
            _postfix(bar, reused + done, 0, failed)
    finally:
        bar.close()
    return out


def _job_outcome(task: Task, job) -> Outcome:
    logs = [str(job.paths.stdout), str(job.paths.stderr)]
    try:
        job.result()
        return Outcome(task.key, True, logs=logs)
    except Exception as e:  # noqa: BLE001  (killed, timed out or raised)
        msg = str(e).strip().splitlines()
        return Outcome(task.key, False, f'{type(e).__name__}: {msg[-1] if msg else ""}',
                       logs)


class _Stop(Exception):
    pass


def run_local(tasks: Sequence[Task], fn: Callable[[str], None], folder: str, total: int,
              reused: int, max_parallel: int = 1, gpus_per_cell: int = 0,
              timeout_min: float = 24 * 60, progress: bool = True,
              poll_s: float = 0.5) -> List[Outcome]:
    """``--executor local``: submitit subprocesses, at most ``max_parallel`` at once.

    SIGTERM / SIGINT cancel the running cells (their controllers forward the
    signal) before re-raising, so that a killed sweep leaves no orphan.
    """
    import submitit
    executor = submitit.LocalExecutor(folder=folder)
    if gpus_per_cell > 0:
        gpus = visible_gpus()
        slots = [tuple(gpus[i:i + gpus_per_cell])
                 for i in range(0, len(gpus) - gpus_per_cell + 1, gpus_per_cell)]
        slots = slots[:max_parallel]
    else:
        slots = [()] * max_parallel
    free = list(range(len(slots)))
    queue = list(tasks)
    running: Dict[int, tuple] = {}  # slot -> (task, job)
    out, done, failed = [], 0, 0
    bar = _bar(total, reused, progress)

    def stop(signum, frame):
        raise _Stop(signal.Signals(signum).name)

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while queue or running:
            while queue and free:
                slot = free.pop(0)
                task = queue.pop(0)
                executor.update_parameters(timeout_min=timeout_min,
                                           gpus_per_node=len(slots[slot]),
                                           visible_gpus=slots[slot])
                running[slot] = (task, executor.submit(fn, task.spec))
            _postfix(bar, reused + done, len(running), failed)
            time.sleep(poll_s)
            for slot in [s for s, (_, job) in running.items() if job.done()]:
                task, job = running.pop(slot)
                res = _job_outcome(task, job)
                out.append(res)
                done += res.ok
                failed += not res.ok
                free.append(slot)
                bar.update(1)
    except _Stop as e:
        for task, job in running.values():
            job.cancel(check=False)
        for task, job in running.values():
            try:
                job.wait()
            except Exception:  # noqa: BLE001
                pass
        raise KeyboardInterrupt(f'sweep stopped by {e}; {len(running)} running cells '
                                'cancelled; run the same command again to resume') from None
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        bar.close()
    return out


def run_slurm(tasks: Sequence[Task], fn: Callable[[str], None], folder: str, total: int,
              reused: int, max_parallel: int = 1, gpus_per_cell: int = 1,
              partition: Optional[str] = None, timeout_min: float = 24 * 60,
              cpus_per_cell: Optional[int] = None, slurm_args: Optional[Dict] = None,
              progress: bool = True, poll_s: float = 30.0) -> List[Outcome]:
    """``--executor slurm``: one job array, throttled to ``max_parallel`` tasks.

    Each array task runs one cell with ``gpus_per_cell`` GPUs (one process
    per GPU; the cell's config then uses mmengine's ``slurm`` launcher).
    """
    import submitit
    executor = submitit.AutoExecutor(folder=folder, cluster='slurm')
    params = dict(timeout_min=int(timeout_min), nodes=1, gpus_per_node=gpus_per_cell,
                  tasks_per_node=max(1, gpus_per_cell), slurm_array_parallelism=max_parallel,
                  name='merdg-sweep')
    if partition:
        params['slurm_partition'] = partition
    if cpus_per_cell:
        params['cpus_per_task'] = cpus_per_cell
    if slurm_args:
        params['slurm_additional_parameters'] = dict(slurm_args)
    executor.update_parameters(**params)
    jobs = executor.map_array(fn, [t.spec for t in tasks])
    pending = dict(zip(range(len(tasks)), jobs))
    out, done, failed = [], 0, 0
    bar = _bar(total, reused, progress)
    try:
        while pending:
            for i in [i for i, j in pending.items() if j.done()]:
                res = _job_outcome(tasks[i], pending.pop(i))
                out.append(res)
                done += res.ok
                failed += not res.ok
                bar.update(1)
            running = sum(j.state == 'RUNNING' for j in pending.values())
            _postfix(bar, reused + done, running, failed)
            if pending:
                time.sleep(poll_s)
    finally:
        bar.close()
    return out
