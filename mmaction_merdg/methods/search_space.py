"""Hyper-parameter distributions of a method's search space.

A search space maps a *config path* (dotted, relative to the composed config,
e.g. ``'model.regularizers.mer.loss.loss_weight'`` or
``'optim_wrapper.optimizer.lr'``) to a :class:`Distribution`. Trial 0 of a
sweep is always the method's defaults; trial ``t >= 1`` draws every entry from
a generator seeded by ``(method, trial)``, so the same trial gives the same
values on every machine.
"""
import math
import zlib
from dataclasses import dataclass
from typing import Any, Dict, Sequence, Tuple

import numpy as np


class Distribution:
    """Base class: ``sample(rng)`` returns one value."""

    def sample(self, rng: np.random.Generator) -> Any:
        raise NotImplementedError

    def validate(self, name: str) -> None:
        """Raise ValueError naming ``name`` when the distribution is empty."""


@dataclass(frozen=True)
class LogUniform(Distribution):
    """``exp(U(log low, log high))``; ``low`` and ``high`` > 0."""
    low: float
    high: float

    def validate(self, name: str) -> None:
        if not (0 < self.low <= self.high):
            raise ValueError(f'search space {name!r}: LogUniform needs 0 < low <= high, '
                             f'got low={self.low}, high={self.high}.')

    def sample(self, rng: np.random.Generator) -> float:
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))


@dataclass(frozen=True)
class Uniform(Distribution):
    """``U(low, high)``."""
    low: float
    high: float

    def validate(self, name: str) -> None:
        if not self.low <= self.high:
            raise ValueError(f'search space {name!r}: Uniform needs low <= high, '
                             f'got low={self.low}, high={self.high}.')

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))


@dataclass(frozen=True)
class Choice(Distribution):
    """One of ``values``, uniformly."""
    values: Tuple[Any, ...]

    def validate(self, name: str) -> None:
        if len(self.values) == 0:
            raise ValueError(f'search space {name!r}: Choice has no values.')

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values[int(rng.integers(len(self.values)))]


def trial_seed(method: str, trial: int) -> int:
    """Machine-independent seed of ``(method, trial)`` (CRC32, not ``hash``)."""
    return zlib.crc32(f'{method}:{trial}'.encode()) & 0x7FFFFFFF


def validate_space(method: str, space: Dict[str, Distribution]) -> None:
    """Raise naming ``method`` and the entry when ``space`` cannot be drawn from.

    Args:
        method (str): Method name, for the message.
        space (dict): ``config path -> Distribution``.

    Raises:
        TypeError: A key is not a non-empty dotted string, or a value is not
            a :class:`Distribution`.
        ValueError: A distribution is empty (``Choice(())``, ``low > high``,
            a log-uniform bound <= 0, a non-finite bound).
    """
    for name, dist in space.items():
        if not isinstance(name, str) or not name or any(not p for p in name.split('.')):
            raise TypeError(f'search space of {method!r}: key {name!r} is not a dotted '
                            'config path such as "optim_wrapper.optimizer.lr".')
        if not isinstance(dist, Distribution):
            raise TypeError(f'search space of {method!r}: {name!r} maps to {dist!r}, '
                            'expected a LogUniform, Uniform or Choice.')
        for bound in (getattr(dist, 'low', 0.0), getattr(dist, 'high', 0.0)):
            if not math.isfinite(bound):
                raise ValueError(f'search space of {method!r}: {name!r} has a non-finite '
                                 f'bound: {dist!r}.')
        try:
            dist.validate(name)
        except ValueError as e:
            raise ValueError(f'search space of {method!r}: {e}') from None


def sample_trial(method: str, space: Dict[str, Distribution], trial: int,
                 keys: Sequence[str] = None) -> Dict[str, Any]:
    """Values of trial ``trial`` (``{}`` for trial 0, the defaults).

    Args:
        method (str): Method name; seeds the draw with ``trial``.
        space (dict): ``config path -> Distribution``.
        trial (int): Trial index, ``>= 0``.
        keys (Sequence[str], optional): Draw only these entries (in the
            space's order); the others keep their defaults.

    Returns:
        dict: ``config path -> value``.
    """
    if trial < 0:
        raise ValueError(f'trial must be >= 0, got {trial}.')
    validate_space(method, space)
    if trial == 0:
        return {}
    unknown = sorted(set(keys or ()) - set(space))
    if unknown:
        raise ValueError(f'search space of {method!r}: unknown keys {unknown}; '
                         f'known: {sorted(space)}.')
    rng = np.random.default_rng(trial_seed(method, trial))
    out = {}
    for name, dist in space.items():  # draw all, keep the asked ones: stable values
        value = dist.sample(rng)
        if keys is None or name in keys:
            out[name] = value
    return out
