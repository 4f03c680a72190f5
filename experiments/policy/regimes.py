"""The funding terms the funding explorer tries: the grid, the regimes after a runway, the rule.

Kept apart from :mod:`experiments.policy.explore` so that its report module and the command
line can read them without importing the explorer.
"""

from __future__ import annotations

from dataclasses import dataclass
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
