"""The month one submodel at a time, over every replicate: the engine's side of user submodels.

When a user changes the month's submodels (:mod:`simulation.submodels`), a
:class:`~simulation.network.Network` steps month by month: :func:`draw_month` draws every
stream's block for the month for all replicates (exactly the numbers :func:`simulation.month.
advance` draws, so common random numbers hold), then each submodel runs in turn over every
replicate (the compiled ones through the entry points here, each looping over the replicates
and calling the same phase :func:`simulation.month.month_step` calls), and :func:`record_month`
records the month. Nothing a month computes crosses from one submodel to the next except
through the state, so the default submodels stepped this way give the compiled month's results
bit for bit.

Every entry point takes ``(s, p, lv, shape, work, d, month)``: the state, the parameter records,
the lever table, the structure, the scratch space, the month's :class:`Draws` and the month
being simulated.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulation import streams
from simulation.compiled import borrowed, jit
from simulation.contracts import contract_clock, timed_levers
from simulation.meetings import meetings
from simulation.month import write_record
from simulation.service_users import service_users
from simulation.state import Month, Shape, State, block_sizes, lever_row
from simulation.statutory import commission, statutory_side
from simulation.tracking import summarise, track_outcomes


class Draws(NamedTuple):
    """One month's block of each mechanism stream, for every replicate: (R, block size)."""

    contact: np.ndarray
    funding: np.ndarray
    turnover: np.ndarray
    engagement: np.ndarray
    commissioning: np.ndarray
    shocks: np.ndarray


def draws(R: int, shape: Shape) -> Draws:
    """Room for one month's draws of ``R`` replicates."""
    sizes = block_sizes(shape)
    return Draws(*(np.zeros((R, sizes[name])) for name in Draws._fields))


@jit
def draw_month(rng: np.ndarray, d: Draws) -> None:
    """Every replicate's next block of each mechanism stream, in the order ``advance`` draws."""
    d = borrowed(d)
    for r in range(rng.shape[0]):
        g = rng[r]
        streams.fill(g[streams.CONTACT], d.contact[r])
        streams.fill(g[streams.FUNDING], d.funding[r])
        streams.fill(g[streams.TURNOVER], d.turnover[r])
        streams.fill(g[streams.ENGAGEMENT], d.engagement[r])
        streams.fill(g[streams.COMMISSIONING], d.commissioning[r])
        streams.fill(g[streams.SHOCKS], d.shocks[r])


@jit
def record_month(s: State, shape: Shape, history: np.ndarray, row: int) -> None:
    """Every replicate's record of the month into ``history[:, row]``."""
    s, history = borrowed(s), borrowed(history)
    for r in range(s.trust_statutory.shape[0]):
        write_record(s, shape, r, history[r, row])


# One entry point per submodel of simulation.submodels.DEFAULT_SUBMODELS.
@jit
def step_levers(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, d: Draws,
                month: int) -> None:
    """The levers in force (a run with timed interventions), every replicate."""
    s, p, lv = borrowed(s), borrowed(p), borrowed(lv)
    t = lever_row(lv, month)
    for r in range(s.trust_statutory.shape[0]):
        timed_levers(s, p, lv, r, t, month)


@jit
def step_meetings(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, d: Draws,
                  month: int) -> None:
    """Steps 1 to 4, every replicate."""
    s, p, lv, work, d = borrowed(s), borrowed(p), borrowed(lv), borrowed(work), borrowed(d)
    t = lever_row(lv, month)
    for r in range(s.trust_statutory.shape[0]):
        meetings(s, p, lv, shape, work, r, t, month, d.contact[r])


@jit
def step_statutory_side(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month,
                        d: Draws, month: int) -> None:
    """Step 5, every replicate."""
    s, p, d = borrowed(s), borrowed(p), borrowed(d)
    for r in range(s.trust_statutory.shape[0]):
        statutory_side(s, p, shape, r, d.turnover[r])


@jit
def step_service_users(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month,
                       d: Draws, month: int) -> None:
    """Step 6, every replicate."""
    s, p, lv, work, d = borrowed(s), borrowed(p), borrowed(lv), borrowed(work), borrowed(d)
    for r in range(s.trust_statutory.shape[0]):
        service_users(s, p, lv, shape, work, r, month, d.engagement[r])


@jit
def step_summarise(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, d: Draws,
                   month: int) -> None:
    """The month's network means, every replicate."""
    s, p, lv = borrowed(s), borrowed(p), borrowed(lv)
    t = lever_row(lv, month)
    for r in range(s.trust_statutory.shape[0]):
        summarise(s, p, lv, shape, r, t)


@jit
def step_commissioning(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month,
                       d: Draws, month: int) -> None:
    """Step 7, every replicate."""
    s, p, lv, d = borrowed(s), borrowed(p), borrowed(lv), borrowed(d)
    t = lever_row(lv, month)
    for r in range(s.trust_statutory.shape[0]):
        commission(s, p, lv, shape, r, t, month, d.commissioning[r])


@jit
def step_outcomes(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, d: Draws,
                  month: int) -> None:
    """Step 8's outcomes, every replicate."""
    s, p = borrowed(s), borrowed(p)
    for r in range(s.trust_statutory.shape[0]):
        track_outcomes(s, p, r, month)


@jit
def step_contract_clock(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month,
                        d: Draws, month: int) -> None:
    """Step 8's contract clock, every replicate."""
    s, p, lv, d = borrowed(s), borrowed(p), borrowed(lv), borrowed(d)
    t = lever_row(lv, month)
    for r in range(s.trust_statutory.shape[0]):
        contract_clock(s, p, lv, r, t, d.funding[r], d.shocks[r])
