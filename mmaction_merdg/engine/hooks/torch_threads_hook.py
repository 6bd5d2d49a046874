"""Pin torch's intra-op threads for one run.

Small models (the vector-level synthetic benchmark's MLPs) gain nothing from
several threads, and on a shared CPU they lose a lot: measured on 2 cores
under load ~9, one Adam step of a 32-64-64 MLP took 101 ms with torch's default
2 threads and 3.8 ms with 1.
"""
import torch
from mmengine.hooks import Hook

from mmaction.registry import HOOKS


@HOOKS.register_module()
class TorchThreadsHook(Hook):
    """Set ``torch.set_num_threads(num_threads)`` for the run, restore after.

    Args:
        num_threads (int): Intra-op threads during the run, >= 1. Defaults to 1.
    """

    priority = 'VERY_HIGH'

    def __init__(self, num_threads: int = 1) -> None:
        if int(num_threads) < 1:
            raise ValueError(f'TorchThreadsHook: num_threads must be >= 1, got {num_threads}.')
        self.num_threads = int(num_threads)
        self._previous = None

    def before_run(self, runner) -> None:
        self._previous = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)

    def after_run(self, runner) -> None:
        if self._previous is not None:
            torch.set_num_threads(self._previous)
            self._previous = None
