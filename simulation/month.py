"""One month of the network, compiled: the phases of ODD section 3 as loops over the agents.

:func:`advance` runs a batch of replicates through some months, one replicate at a time (each
replicate's state, a few tens of kilobytes, stays in the processor's small caches).
:func:`month_step` is one month of one replicate: the submodels of ODD section 3 in its order,
each a short function in the module of its domain (:mod:`~simulation.meetings` for steps 1 to 4,
:mod:`~simulation.statutory` for 5 and 7, :mod:`~simulation.service_users` for 6,
:mod:`~simulation.tracking` for the month's means and the outcomes, :mod:`~simulation.contracts`
for the levers in force and the contract clock). Each loops over meetings, attendees, officials
or service users and calls the mechanisms of the domain modules (``contact``, ``trust``,
``engagement``, ...), which are compiled too. The same submodels, one at a time over every
replicate, make the month when a user changes it (:mod:`simulation.submodels`).

All of a month's meetings read the state at the start of the month; their effects are added up
in :class:`~simulation.state.Month` and applied together, so meeting order never matters. Sums
over many values are added in NumPy's order (:func:`simulation.arrays.pairwise_sum`): the
compiled step was ported from a vectorised NumPy step and reproduced it bit for bit.

The state lives in :class:`~simulation.state.State`, a named tuple of arrays whose first axis is
the replicate (:mod:`simulation.state` lays it out, :mod:`simulation.initial` fills it);
parameters in a NumPy record array with one record per replicate (``p[r].trust_gain``); the
levers in force in a table (:func:`simulation.interventions.lever_table`); each replicate's
mechanism streams as PCG64 states (:mod:`simulation.streams`), from which every month draws one
block per mechanism into the scratch space.

A few expressions keep the exact form of the NumPy step they were ported from (``0.0 * x`` where
it multiplied by a false mask, ``* 1.0`` by a true one), so the engine reproduces it bit for bit,
signed zeros included.
"""

from __future__ import annotations

import numpy as np

from simulation import resources, streams
from simulation.arrays import mean
from simulation.compiled import borrowed, jit, phase
from simulation.contracts import contract_clock, timed_levers
from simulation.initial import initialise
from simulation.meetings import meetings
from simulation.records import (
    METRIC,
    METRIC_ACK,
    METRIC_ACTIVITIES,
    METRIC_CHAMPION,
    METRIC_ENGAGED,
    METRIC_FATIGUE,
    METRIC_FUNDING,
    METRIC_HARM,
    METRIC_KPI,
    METRIC_MATERIAL,
    METRIC_PAYMENT,
    METRIC_PROJECT,
    METRIC_PZ_OVER,
    METRIC_SKILL,
    METRIC_SYMBOLIC,
    METRIC_USER_TRUST,
    MONTHLY,
    N_SUMMARY,
    RECOGNITION,
    SENIOR_ENDORSEMENT,
)
from simulation.service_users import service_users
from simulation.state import (
    ENGAGEMENT,
    PHASE_ZERO,
    SUMS,
    Month,
    Shape,
    State,
    allocate,
    block_sizes,
    lever_row,
    scratch,
)
from simulation.statutory import commission, statutory_side
from simulation.tracking import summarise, track_outcomes

# The state's layout is used through this module (month.State, month.allocate, ...).
__all__ = ["SUMS", "Month", "Shape", "State", "advance", "allocate", "block_sizes",
           "end_records", "month_step", "scratch", "start", "write_record"]


@jit
def start(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, rng: np.ndarray,
          history: np.ndarray, record: int) -> None:
    """Every replicate's initial state (and, unless ``record`` is 0, its month-0 record)."""
    s, p, lv = borrowed(s), borrowed(p), borrowed(lv)
    work, history = borrowed(work), borrowed(history)
    for r in range(s.trust_statutory.shape[0]):
        streams.fill(rng[r, streams.INIT], work.u_init)
        initialise(s, p, lv, shape, work.u_init, r)
        if record > 0:
            write_record(s, shape, r, history[r, 0])


@jit
def end_records(s: State, shape: Shape, out: np.ndarray) -> None:
    """Every replicate's current record (:func:`write_record`) into ``out``, shape (R, METRICS).

    The end-of-run indices a summary reports come from here, so they are computed by the same
    code as the timeseries.
    """
    s, out = borrowed(s), borrowed(out)
    for r in range(s.trust_statutory.shape[0]):
        write_record(s, shape, r, out[r])


@jit
def advance(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, rng: np.ndarray,
            first_month: int, months: int, history: np.ndarray, record: int) -> None:
    """Months ``first_month + 1`` to ``first_month + months`` of every replicate.

    ``rng`` holds each replicate's mechanism streams (:mod:`simulation.streams`), shape
    (R, len(STREAMS), 4); each month draws one block from each. ``record``: 0 keeps no
    history, 1 the current month (``history`` row 0), 2 every month (row = month);
    ``history`` has shape (R, rows, len(METRICS)).
    """
    s, p, lv = borrowed(s), borrowed(p), borrowed(lv)
    work, history = borrowed(work), borrowed(history)
    for r in range(s.trust_statutory.shape[0]):
        g = rng[r]
        for k in range(months):
            month = first_month + 1 + k
            streams.fill(g[streams.CONTACT], work.u_contact)
            streams.fill(g[streams.FUNDING], work.u_funding)
            streams.fill(g[streams.TURNOVER], work.u_turnover)
            streams.fill(g[streams.ENGAGEMENT], work.u_engagement)
            streams.fill(g[streams.COMMISSIONING], work.u_commission)
            streams.fill(g[streams.SHOCKS], work.u_shocks)
            month_step(s, p, lv, shape, work, r, month, work.u_contact, work.u_funding,
                       work.u_turnover, work.u_engagement, work.u_commission, work.u_shocks)
            if record > 0:
                write_record(s, shape, r, history[r, month if record == 2 else 0])


@phase
def month_step(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, r: int,
               month: int, u_contact: np.ndarray, u_funding: np.ndarray, u_turnover: np.ndarray,
               u_engagement: np.ndarray, u_commission: np.ndarray, u_shocks: np.ndarray) -> None:
    """One month of replicate ``r``, in the order of ODD section 3.

    One line per submodel of :data:`simulation.submodels.DEFAULT_SUBMODELS`, in its order.
    """
    t = lever_row(lv, month)
    timed_levers(s, p, lv, r, t, month)                                 # levers (ODD 7.9)
    meetings(s, p, lv, shape, work, r, t, month, u_contact)             # 1-4 meetings
    statutory_side(s, p, shape, r, u_turnover)                          # 5 statutory side
    service_users(s, p, lv, shape, work, r, month, u_engagement)        # 6 service users
    summarise(s, p, lv, shape, r, t)                                    # the month's means
    commission(s, p, lv, shape, r, t, month, u_commission)              # 7 commissioning
    track_outcomes(s, p, r, month)                                      # 8 outcomes
    contract_clock(s, p, lv, r, t, u_funding, u_shocks)                 # 8 contract clock


@phase
def write_record(s: State, shape: Shape, r: int, row: np.ndarray) -> None:
    """The current month's values of :data:`simulation.records.METRICS` into ``row``."""
    m = s.summary[r]
    for k in range(N_SUMMARY):
        row[METRIC[k]] = m[k]
    for k in range(len(MONTHLY)):
        row[MONTHLY[k]] = s.monthly[r, k]
    ack = s.ack[r]
    row[METRIC_ACK] = ack
    row[METRIC_SYMBOLIC] = resources.symbolic_index(m[SENIOR_ENDORSEMENT], ack,
                                                    s.mean_standing[r] * m[RECOGNITION])
    row[METRIC_MATERIAL] = resources.material_index(s.funding_level[r], s.payment[r])
    row[METRIC_FUNDING] = s.funding_level[r]
    row[METRIC_PROJECT] = 1.0 if s.project_active[r] else 0.0
    row[METRIC_KPI] = s.kpi_pressure[r]
    row[METRIC_PAYMENT] = s.payment[r]
    row[METRIC_FATIGUE] = mean(s.fatigue[r])
    row[METRIC_SKILL] = mean(s.skill[r])
    row[METRIC_USER_TRUST] = mean(s.user_trust[r])
    row[METRIC_PZ_OVER] = 1.0 if s.reached[r, PHASE_ZERO] >= 0 else 0.0
    row[METRIC_ENGAGED] = 1.0 if s.reached[r, ENGAGEMENT] >= 0 else 0.0
    running = 0
    for a in range(shape.A):
        if s.activity_host[r, a] >= 0:
            running += 1
    row[METRIC_ACTIVITIES] = running
    row[METRIC_CHAMPION] = 1.0 if s.champion[r] else 0.0
    row[METRIC_HARM] = mean(s.harm[r])

