"""Funding and commissioning: core funding, statutory contracts, KPI pressure and payment.

Evidence: Material resource contributions, 'TPN's core funding was provided through non-statutory
funding routes'; 'Funding was not linked to key performance indicators (KPIs) which allowed
flexibility'; the family therapy programme 'was supported for extension to other faith groups
after initial evaluations based largely on trusting relationships'. Discussion, 'time-bound project
outcomes may undermine the ability for coproduction efforts to gain meaning'; 'time may not be
afforded to organisations bound by contractual obligations'.
"""

from __future__ import annotations

import numpy as np


def funding_level(
    core_funding: np.ndarray,
    core_capacity: np.ndarray,
    project_active: np.ndarray,
    project_capacity: np.ndarray,
) -> np.ndarray:
    """Share of the broker's full capacity that current funding pays for, in [0, 1].

    Core funding and an active statutory contract each pay for a share; together they cannot pay
    for more than everything. The additive form is an assumption.
    """
    return np.minimum(1.0, core_funding * core_capacity + project_active * project_capacity)


def kpi_pressure(
    kpi_tied: np.ndarray,
    project_active: np.ndarray,
    core_funding: np.ndarray,
    core_independence: np.ndarray,
) -> np.ndarray:
    """KPI pressure, defined once: KPI-tied money in hand, softened by independent core funding.

    Evidence: Discussion, 'TPN's core funding, provides independence from statutory boundaries'.
    """
    return kpi_tied * project_active * (1.0 - core_funding * core_independence)


def payment_level(
    pay_contributions: np.ndarray,
    level: np.ndarray,
    floor: np.ndarray,
    recognition: np.ndarray,
) -> np.ndarray:
    """Share of CBO contributions paid: from a policy floor up to full as recognition grows.

    Scaled by the funding in hand, so it falls in gaps. Evidence: Symbolic contexts, 'statutory
    bodies recognised that CBO contributions were actions to be appropriately and meaningfully
    compensated'; 'it's only fair ... that we commission them'.
    """
    return pay_contributions * level * (floor + (1.0 - floor) * recognition)


def renewal_probability(
    kpi_tied: np.ndarray,
    relational: np.ndarray,
    renewal_base: np.ndarray,
    attendance: np.ndarray,
    kpi_target: np.ndarray,
) -> np.ndarray:
    """Probability that an ending contract is renewed.

    Flexible funding is renewed on relationships: from ``renewal_base`` up to 1 with the
    relational index (Material resources: extension 'after initial evaluations based largely on
    trusting relationships'). KPI-tied funding is renewed on what a funder can count during phase
    zero: attendance at the broker's meetings over the contract (the share of invited CBOs who
    came), as a fraction of ``kpi_target``. Attendance follows CBOs' trust in the broker and
    falls with fatigue, so renewal on KPIs is possible, and is a trade-off with the quality KPI
    pressure costs (an assumption).
    """
    flexible = renewal_base + (1.0 - renewal_base) * relational
    attainment = np.minimum(1.0, attendance / kpi_target)
    return np.where(kpi_tied > 0.5, attainment, flexible)


def advance_contracts(
    active: np.ndarray,
    months_left: np.ndarray,
    u: np.ndarray,
    p_renew: np.ndarray,
    contract_months: np.ndarray,
    gap_months: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One month of the contract clock: contracts end, are renewed or not, gaps end.

    A contract that ends is renewed with probability ``p_renew`` (drawn with ``u``); otherwise
    project funding stops for ``gap_months`` before a new contract is let. A zero-month gap means
    a new contract follows at once.
    """
    left = months_left - 1
    ending = left <= 0
    renewed = ending & active & (u < p_renew)
    to_gap = ending & active & ~renewed & (gap_months > 0)
    new_contract = ending & ~to_gap
    active_next = np.where(ending, ~to_gap, active)
    left_next = np.where(new_contract, contract_months, np.where(to_gap, gap_months, left))
    return active_next, left_next


def broker_capacity_factor(level: np.ndarray, persistence: np.ndarray) -> np.ndarray:
    """Share of full capacity the broker uses: what funding pays for, or what persistence keeps.

    Evidence: Symbolic contexts, 'persistence over time was also critical'.
    """
    return np.maximum(level, persistence)


def funding_shock(active: np.ndarray, months_left: np.ndarray, u: np.ndarray, rate: np.ndarray,
                  gap_months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A running contract cut short by a funding shock, with probability ``rate`` a month.

    The cut starts a gap of ``gap_months`` (none when that is 0). Evidence: Discussion, 'time may
    not be afforded to organisations bound by contractual obligations'; Research context, 'small
    pots of funding from local public sector grants and contracts'. Shocks at random are an
    assumption.
    """
    hit = active & (u < rate) & (gap_months > 0)
    return active & ~hit, np.where(hit, gap_months, months_left)
