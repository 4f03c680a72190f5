"""Scenario files: named sets of parameter values, validated by the registry.

A scenario is a TOML file with ``name``, ``description`` and a ``[parameters]`` table (any
parameters of the registry; the rest keep their defaults), and optionally ``[[events]]``, timed
interventions (:mod:`simulation.interventions`), one table each::

    [[events]]
    event = "harmful_incident"    # or broker_loses_core_funding, broker_leaves, funding_cut,
    month = 60                    # funding_restored, venue_policy_change,
    size = 0.3                    # senior_champion_arrives, senior_champion_leaves

An event becomes the registry parameters it stands for (here ``harmful_incident_month = 60``,
``harmful_incident_size = 0.3``), so a sweep can vary its month by name. The built-in scenarios live
in ``experiments/scenarios/``; a user can pass the path of their own file anywhere a scenario name
is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.support.inputs import read_toml
from experiments.support.outputs import UserError
from simulation.interventions import EVENTS
from simulation.parameters import ParameterError, resolve

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"

#: The standard scenarios, in the order tables and figures show them.
STANDARD = ("tpn_baseline", "new_network", "statutory_venues", "no_broker",
            "short_kpi_contracts", "frontline_only", "volunteer_only", "high_turnover")

_KEYS = {"name", "description", "parameters", "events"}

#: The parameters that hold the month of a scheduled event.
EVENT_MONTHS = frozenset(month for month, _ in EVENTS.values())


@dataclass(frozen=True)
class Scenario:
    """A named, validated set of parameter values."""

    name: str
    description: str
    overrides: dict[str, Any]
    path: Path | None = None
    params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a built-in scenario by name, or a scenario file by path; raise UserError if broken."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith(".toml") or path.exists()):
        path = SCENARIO_DIR / f"{text}.toml"
        if not path.exists():
            known = ", ".join(available())
            raise UserError(f"unknown scenario '{text}'; built-in scenarios are: {known} "
                            "(or give the path of a .toml file)")
    data = read_toml(path, "scenario file")
    extra = set(data) - _KEYS
    if extra:
        raise UserError(f"scenario file '{path}': unknown key(s) {sorted(extra)}; allowed keys "
                        f"are {sorted(_KEYS)}")
    overrides = data.get("parameters", {})
    if not isinstance(overrides, dict):
        raise UserError(f"scenario file '{path}': [parameters] must be a table")
    scheduled = event_parameters(data.get("events", []), path, overrides)
    overrides = {**overrides, **scheduled}
    try:
        params = resolve(overrides)
    except ParameterError as exc:
        raise UserError(f"scenario file '{path}': {exc}") from None
    late = {k: v for k, v in scheduled.items()
            if k in EVENT_MONTHS and v > params["horizon_months"]}
    if late:
        first = min(late, key=late.get)
        raise UserError(f"scenario file '{path}': '{first}' = {late[first]} is after the end of "
                        f"the run (horizon_months = {params['horizon_months']}), so it would "
                        "never happen; schedule it within the horizon or lengthen the run")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise UserError(f"scenario file '{path}': 'name' must be a non-empty string")
    return Scenario(name, str(data.get("description", "")), dict(overrides), path, params)


def available() -> list[str]:
    """Names of the built-in scenarios (standard ones first)."""
    found = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    return [n for n in STANDARD if n in found] + [n for n in found if n not in STANDARD]


def event_parameters(events: Any, path: Path | str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The registry parameters that a scenario's ``[[events]]`` stand for; UserError if broken."""
    where = f"scenario file '{path}'"
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise UserError(f"{where}: events must be [[events]] tables")
    out: dict[str, Any] = {}
    for i, event in enumerate(events, start=1):
        kind = event.get("event")
        if not isinstance(kind, str) or kind not in EVENTS:
            raise UserError(f"{where}: event {i}: 'event' must be one of {sorted(EVENTS)}, got "
                            f"{kind!r}")
        month_param, values = EVENTS[kind]
        extra = set(event) - {"event", "month"} - set(values)
        if extra:
            allowed = sorted({"event", "month", *values})
            raise UserError(f"{where}: event {i} ({kind}): unknown key(s) {sorted(extra)}; "
                            f"allowed keys are {allowed}")
        month = event.get("month")
        if isinstance(month, bool) or not isinstance(month, int) or month < 1:
            raise UserError(f"{where}: event {i} ({kind}): 'month' must be a whole number of "
                            f"months from 1, got {month!r}")
        if month_param in out or month_param in parameters:
            raise UserError(f"{where}: event {i} ({kind}) is scheduled twice (or also set as "
                            f"parameter '{month_param}'); one of each event per run")
        out[month_param] = month
        for key, param in values.items():
            if key in event:
                if param in parameters:
                    raise UserError(f"{where}: event {i} ({kind}) sets '{key}', which "
                                    f"[parameters] also sets as '{param}'; set it in one place")
                out[param] = event[key]
    cut, restored = out.get("funding_cut_month"), out.get("funding_restored_month")
    if cut is not None and cut == restored:
        raise UserError(f"{where}: funding_cut and funding_restored are both in month {cut}, "
                        "so they would cancel out; restore funding in a later month")
    return out
