"""The funding terms the funding explorer tries: the grid, the regimes after a runway, the rule.

Kept apart from :mod:`experiments.policy.explore` so that its report module and the command
line can read them without importing the explorer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The grid of funding terms (months).
CONTRACT_MONTHS = (6, 12, 24, 36, 48, 60)
GAP_MONTHS = (0, 3, 6, 12)
#: Months of flexible runway tried for the minimum runway.
RUNWAYS = (0, 6, 12, 18, 24, 30, 36, 48, 60, 72, 84, 96, 120, 144, 180)
#: The share of plausible worlds in which engagement must come within the window.
TARGET = 0.8
#: Fewer worlds than this give no verdict on the minimum runway.
MIN_WORLDS = 20
#: By default: runs per world, the horizon (months: 30 years, as worlds.WORLD_HORIZON) and the
#: runway's engagement window (months: 15 years).
RUNS_PER_WORLD = 8
HORIZON = 360
WITHIN = 180


@dataclass(frozen=True)
class Regime:
    """A funding regime: what the money looks like once any runway is over."""

    key: str
    words: str
    core_funding: bool
    kpi_tied: bool
    contract_months: int
    contract_gap_months: int

    def parameters(self) -> dict[str, Any]:
        """The regime as registry parameters."""
        return {"core_funding": self.core_funding, "kpi_tied": self.kpi_tied,
                "contract_months": self.contract_months,
                "contract_gap_months": self.contract_gap_months}


REGIMES = (
    Regime("kpi12", "12-month KPI-tied contracts, 3-month gaps, no core funding",
           False, True, 12, 3),
    Regime("flex12", "12-month flexible contracts, 3-month gaps, no core funding",
           False, False, 12, 3),
    Regime("kpi36", "36-month KPI-tied contracts, 3-month gaps, no core funding",
           False, True, 36, 3),
    Regime("flex36", "36-month flexible contracts, 3-month gaps, no core funding",
           False, False, 36, 3),
    Regime("core_kpi12", "core funding, with 12-month KPI-tied contracts", True, True, 12, 3),
    Regime("core_flex36", "core funding, with 36-month flexible contracts (as the studied "
           "network)", True, False, 36, 3),
)


#: At most this many regimes from a file: each costs a full runway design in every world.
MAX_REGIMES = 12
_FIELDS = ("key", "words", "core_funding", "kpi_tied", "contract_months", "contract_gap_months")


def load_regimes(path: Path | str) -> tuple[Regime, ...]:
    """An analyst's funding regimes from a TOML file; ``UserError`` naming what is wrong.

    One ``[[regime]]`` table per regime, for example::

        [[regime]]
        key = "council18"               # a short name: letters, digits and _
        words = "18-month KPI-tied council contracts, 6-month gaps, no core funding"
        core_funding = false
        kpi_tied = true
        contract_months = 18
        contract_gap_months = 6

    Values are checked by the parameter registry like ``--set`` (``phase0 params``).
    """
    from experiments.support.inputs import read_toml
    from experiments.support.outputs import UserError

    data = read_toml(Path(path), "regimes file")
    where = f"regimes file '{path}'"
    if set(data) - {"regime"}:
        raise UserError(f"{where}: unknown key(s) {sorted(set(data) - {'regime'})}; write one "
                        "[[regime]] table per funding regime")
    tables = data.get("regime")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict)
                                                             for t in tables):
        raise UserError(f"{where}: write one [[regime]] table per funding regime")
    if len(tables) > MAX_REGIMES:
        raise UserError(f"{where}: {len(tables)} regimes; at most {MAX_REGIMES} (each is run "
                        "at every runway in every world)")
    regimes = [_regime(t, f"{where}, regime {i}") for i, t in enumerate(tables, start=1)]
    keys = [r.key for r in regimes]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise UserError(f"{where}: regime key(s) {twice} used more than once")
    settings = [tuple(r.parameters().values()) for r in regimes]
    same = [r.key for r, s in zip(regimes, settings, strict=True) if settings.count(s) > 1]
    if same:
        raise UserError(f"{where}: regimes {same} have the same funding terms; each regime "
                        "must differ in at least one")
    return tuple(regimes)


def _regime(table: dict[str, Any], where: str) -> Regime:
    from experiments.support.outputs import UserError
    from simulation.parameters import REGISTRY, ParameterError

    missing = [f for f in _FIELDS if f not in table]
    extra = sorted(set(table) - set(_FIELDS))
    if missing or extra:
        raise UserError(f"{where}: " + "; ".join(
            ([f"missing {missing}"] if missing else []) + ([f"unknown {extra}"] if extra else []))
            + f" (a regime has exactly {list(_FIELDS)})")
    key, words = table["key"], table["words"]
    if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_]{1,40}", key):
        raise UserError(f"{where}: 'key' must be a short name of letters, digits and _, got "
                        f"{key!r}")
    if not isinstance(words, str) or not words.strip():
        raise UserError(f"{where} ({key}): 'words' must describe the regime in words")
    values = {}
    for name in _FIELDS[2:]:
        value = table[name]
        if REGISTRY[name].type is int and isinstance(value, float):
            # TOML 12.0 is a float; --set would accept it, a design cell too: so here
            value = value if not value.is_integer() else int(value)
        try:
            values[name] = REGISTRY[name].coerce(value)
        except ParameterError as exc:
            raise UserError(f"{where} ({key}): {exc}") from None
    return Regime(key, " ".join(words.split()), **values)


def regimes_from_record(record: list[dict[str, Any]] | None) -> tuple[Regime, ...]:
    """The regimes a funding explorer's manifest recorded (the built-in ones if none)."""
    if not record:
        return REGIMES
    return tuple(Regime(**{f: r[f] for f in _FIELDS}) for r in record)
