"""Where each step of the calibration and its checks draws its random numbers.

Every step's root seed is the calibration's seed plus its own offset, so no two steps share
runs: ``set_seeds`` reads one stream per root seed, and a longer stream begins with a shorter
one, so two steps on one root would rerun each other's first runs (a check would then see the
very runs that selected what it checks). The chains take the offsets 0, 1, ... one a chain;
the screening's common runs use offset 0 too, but from ``set_seeds``' stream, where a chain's
runs come from pyabc's NumPy generator seeded with its seed, so they share no runs either.
"""

from __future__ import annotations

#: offset of each step's root seed from the calibration's seed
OFFSETS: dict[str, int] = {
    "chains": 0,
    "posterior_check": 100,
    "prior_draws": 200,
    "prior_check": 300,
    "confirmation": 400,
    "patterns": 500,
    "point_check": 600,
}
#: most chains a calibration runs (the chains' offsets must stay below the next step's)
MOST_CHAINS = 100


def seed_of(step: str, seed: int) -> int:
    """The root seed of ``step`` for a calibration with root ``seed``."""
    return seed + OFFSETS[step]
