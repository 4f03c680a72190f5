"""Per-mechanism random streams with fixed-size monthly blocks.

Each run has one :class:`numpy.random.SeedSequence`. Every mechanism draws from its own child
generator, and every month it draws a block of uniforms whose size depends only on the structure
parameters, never on the state or the levers. So switching a mechanism off, changing a lever or
scheduling an event never shifts another mechanism's random numbers: scenarios compared with the
same seed share their random numbers mechanism by mechanism (common random numbers).

Blocks are drawn a chunk of months at a time for speed. Uniform doubles from a NumPy ``Generator``
are produced sequentially, so a ``(months, block)`` draw equals ``months`` draws of ``block``:
chunking changes nothing in the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Mechanisms with their own stream, in a fixed order: adding a stream at the end never changes
#: the streams before it.
STREAMS: tuple[str, ...] = ("init", "contact", "funding", "turnover", "engagement",
                            "commissioning", "shocks")

_CHUNK_MONTHS = 12


def check_seed(seed: object) -> int:
    """``seed`` as an int, or ``ValueError`` unless it is a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """The run's root seed sequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(check_seed(seed))


def mechanism_generators(
    seed: int | np.random.SeedSequence,
) -> dict[str, np.random.Generator]:
    """One independent generator per mechanism, spawned from the run's seed sequence."""
    children = seed_sequence(seed).spawn(len(STREAMS))
    return {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(
        STREAMS, children, strict=True)}


class MonthlyBlocks:
    """Fixed-size monthly blocks of uniforms for one mechanism across the replicates of a batch.

    ``next_block()`` returns an array of shape ``(R, size)``; replicate ``r``'s numbers come from
    its own generator only, so a replicate's numbers do not depend on the other seeds in the
    batch.
    """

    def __init__(self, generators: Sequence[np.random.Generator], size: int) -> None:
        self._gens = list(generators)
        self.size = int(size)
        self._chunk = np.empty((len(self._gens), _CHUNK_MONTHS, self.size))
        self._next = _CHUNK_MONTHS

    def next_block(self) -> np.ndarray:
        """Uniforms in [0, 1) for the next month, shape ``(R, size)``."""
        if self._next == _CHUNK_MONTHS:
            # A fresh buffer, so that blocks handed out earlier keep their numbers.
            self._chunk = np.empty_like(self._chunk)
            for r, g in enumerate(self._gens):
                g.random(out=self._chunk[r])
            self._next = 0
        out = self._chunk[:, self._next]
        self._next += 1
        return out
