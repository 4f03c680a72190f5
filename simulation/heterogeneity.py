"""Differences between actors and between networks, drawn once at the start of a run.

Every actor brings a level of its own to a meeting's quality: a CBO its capacity and confidence to
speak, an official openness and experience of work on racism; so one month's meetings spread across
the tokenism threshold instead of sitting on one side of it. Each run also draws network-level
effects, so that the same policies give different futures in different places: the statutory
side's culture shifts every official's level, and the community's history with services shifts
every CBO's starting trust in statutory partners and every service user's history of harm.

Evidence: Discussion, 'identifying and supporting skills and resources marginalised groups already
have at their disposal'; Background, outcomes 'linked to racism in services' and 'histories of
oppression, silencing, and limited tangible outcomes from previous engagement are key factors
limiting user engagement'. Uniform spreads, and their sizes (registry parameters ``*_spread``),
are assumptions.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def centred(u: float, spread: float) -> float:
    """A uniform draw on ``[-spread, spread]`` from a uniform ``u`` on [0, 1)."""
    return spread * (2.0 * u - 1.0)


@jit
def around(level: float, u: float, spread: float) -> float:
    """An individual value spread uniformly around a network's level, limited to [0, 1]."""
    return min(max(level + centred(u, spread), 0.0), 1.0)
