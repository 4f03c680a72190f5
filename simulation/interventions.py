"""Timed interventions: levers that change at a given month, and a harmful incident.

Each event is a pair of registry parameters of kind ``event``: the month it happens (0: never) and,
for some, a value. Because they are ordinary parameters, scenario files can schedule them, and
sweeps can vary their months like any other parameter. One event of each type per run.

Timing. An event at month ``m`` acts from month ``m``'s meetings on: every recorded month before
``m`` is exactly what it would have been without it (the per-mechanism random streams draw the
same numbers whatever the levers do), and month ``m`` is the first that can differ. When several
events set the same lever, the latest one that has happened wins.

Evidence. The paper describes what each lever did in phase zero (see the registry); it does not
describe interventions at a month. Which events exist, and their effects, are assumptions that let
a user ask the paper's question the other way round: what happens when a condition is taken away,
or arrives late.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulation.compiled import jit

#: Event types a scenario file may schedule: the parameter holding the month, and the optional
#: value each takes (scenario-file key -> registry parameter).
EVENTS: dict[str, tuple[str, dict[str, str]]] = {
    "broker_loses_core_funding": ("broker_core_funding_lost_month", {}),
    "broker_leaves": ("broker_leaves_month", {}),
    "funding_cut": ("funding_cut_month", {}),
    "funding_restored": ("funding_restored_month", {}),
    "venue_policy_change": ("venue_change_month",
                            {"venue_community_share": "venue_share_after"}),
    "harmful_incident": ("harmful_incident_month", {"size": "harmful_incident_size"}),
    "senior_champion_arrives": ("champion_arrives_month", {}),
    "senior_champion_leaves": ("champion_leaves_month", {}),
}

#: Parameters whose non-zero value makes a run's levers vary with time.
TIMED = ("flexible_runway_months",) + tuple(month for month, _ in EVENTS.values())


def has_happened(event_month: np.ndarray, month: int) -> np.ndarray:
    """Whether an event scheduled at ``event_month`` (0: never) has happened by ``month``."""
    return (event_month > 0) & (event_month <= month)


def latest(base: np.ndarray, month: int, *events: tuple[np.ndarray, float]) -> np.ndarray:
    """A lever's value at ``month``: ``base``, overridden by the latest event that has happened.

    ``events`` are (event month, value it sets) pairs; ties go to the later-listed event.
    """
    value = np.asarray(base, dtype=float).copy()
    when = np.zeros_like(value)
    for event_month, setting in events:
        now = has_happened(event_month, month) & (event_month >= when)
        value = np.where(now, setting, value)
        when = np.where(now, event_month, when)
    return value


@dataclass(frozen=True)
class Levers:
    """The levers in force in one month, one value per replicate."""

    broker_present: np.ndarray
    core_funding: np.ndarray
    kpi_tied: np.ndarray
    project_allowed: np.ndarray
    venue_community_share: np.ndarray
    senior_engagement: np.ndarray
    in_runway: np.ndarray


def levers_at(month: int, p: dict[str, np.ndarray]) -> Levers:
    """The levers in force at ``month`` from the base levers and the scheduled events.

    - In the flexible runway (months 0 to ``flexible_runway_months``) the broker is fully funded
      on flexible terms: core funding and project money, no KPI ties, no gaps. The regime's own
      first contract starts, fresh, after it.
    - Losing core funding, a funding cut and funding being restored set core funding, the latest
      winning; a cut also stops project contracts until funding is restored.
    - A broker that leaves does not come back; without a broker there is no core funding to have.
    - ``senior_engagement`` is read at month 0 only: whether a senior champion is in post at the
      start. Afterwards champions come and go at random and through timed events
      (:func:`champion_events`), which act in their own month only.
    """
    runway = (p["flexible_runway_months"] > 0) & (month <= p["flexible_runway_months"])
    broker = np.where(has_happened(p["broker_leaves_month"], month), 0.0, p["broker_present"])
    base_core = np.where(runway, 1.0, p["core_funding"])
    core = latest(base_core, month, (p["broker_core_funding_lost_month"], 0.0),
                  (p["funding_cut_month"], 0.0), (p["funding_restored_month"], 1.0))
    cut = latest(np.zeros_like(base_core), month, (p["funding_cut_month"], 1.0),
                 (p["funding_restored_month"], 0.0))
    kpi = np.where(runway, 0.0, p["kpi_tied"])
    venue = np.where(has_happened(p["venue_change_month"], month), p["venue_share_after"],
                     p["venue_community_share"])
    senior = latest(p["senior_engagement"], month, (p["champion_leaves_month"], 0.0),
                    (p["champion_arrives_month"], 1.0))
    return Levers(broker_present=broker, core_funding=core * broker, kpi_tied=kpi,
                  project_allowed=cut < 0.5, venue_community_share=venue,
                  senior_engagement=senior, in_runway=runway)


#: Columns of a lever table (:func:`lever_table`): the levers in force in one month.
LEVERS: tuple[str, ...] = ("broker_present", "core_funding", "kpi_tied", "project_allowed",
                           "venue_community_share", "senior_engagement", "in_runway")
BROKER, CORE, KPI, ALLOWED, VENUE, SENIOR, RUNWAY = range(len(LEVERS))


def lever_table(p: Mapping[str, np.ndarray] | np.ndarray, months: int) -> np.ndarray:
    """The levers in force in months 0 to ``months``, shape (R, months + 1, len(LEVERS)).

    :func:`levers_at` for every month at once (the compiled month step reads its row). ``p``
    maps parameter names to (R,) arrays (a dict, or a record array with a field per name).
    """
    if months == 0:
        # month 0 of a run without timed interventions, as levers_at(0, p) gives it
        broker = p["broker_present"]
        allowed, runway = np.ones_like(broker), np.zeros_like(broker)
        table = np.stack([broker, p["core_funding"] * broker, p["kpi_tied"], allowed,
                          p["venue_community_share"], p["senior_engagement"], runway], axis=-1)
        return np.ascontiguousarray(table[:, None, :])
    month = np.arange(months + 1)[:, None]
    names = p.dtype.names if isinstance(p, np.ndarray) else list(p)
    levers = levers_at(month, {k: np.asarray(p[k])[None, :] for k in names})
    table = np.stack([np.broadcast_to(np.asarray(getattr(levers, name), dtype=float),
                                      (months + 1, len(p["kpi_tied"])))
                      for name in LEVERS], axis=-1)
    return np.ascontiguousarray(table.transpose(1, 0, 2))


@jit
def champion_event(present: bool, month: int, arrives_month: float,
                   leaves_month: float) -> bool:
    """Whether a senior champion is in post this month, after any timed champion event.

    A champion arriving or leaving at ``month`` sets it (leaving wins a tie); otherwise it is as
    the month before, where champions also come and go at random (``turnover.champion_present``).
    """
    if leaves_month == month:
        return False
    if arrives_month == month:
        return True
    return present


@jit
def incident_shock(trust: float, month: int, incident_month: float, size: float) -> float:
    """Trust after a harmful incident at a statutory service, in the month it happens.

    Everyone in the network loses ``size`` of trust (floored at 0) that month.
    """
    if incident_month == month and incident_month > 0:
        return max(trust - size, 0.0)
    return trust
