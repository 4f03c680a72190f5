"""Funding and commissioning: core funding, statutory contracts, KPI pressure and payment.

Evidence: Material resource contributions, 'TPN's core funding was provided through non-statutory
funding routes'; 'Funding was not linked to key performance indicators (KPIs) which allowed
flexibility'; the family therapy programme 'was supported for extension to other faith groups
after initial evaluations based largely on trusting relationships'. Discussion, 'time-bound project
outcomes may undermine the ability for coproduction efforts to gain meaning'; 'time may not be
afforded to organisations bound by contractual obligations'.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def funding_level(core_funding: float, core_capacity: float, project_active: bool,
                  project_capacity: float) -> float:
    """Share of the broker's full capacity that current funding pays for, in [0, 1].

    Core funding and an active statutory contract each pay for a share; together they cannot pay
    for more than everything. The additive form is an assumption.
    """
    project = project_capacity if project_active else 0.0
    return min(1.0, core_funding * core_capacity + project)


@jit
def kpi_pressure(kpi_tied: float, project_active: bool, core_funding: float,
                 core_independence: float) -> float:
    """KPI pressure, defined once: KPI-tied money in hand, softened by independent core funding.

    Evidence: Discussion, 'TPN's core funding, provides independence from statutory boundaries'.
    """
    tied = kpi_tied if project_active else 0.0 * kpi_tied  # as the NumPy step had it, bit for bit
    return tied * (1.0 - core_funding * core_independence)


@jit
def payment_level(pay_contributions: float, level: float, floor: float,
                  recognition: float) -> float:
    """Share of CBO contributions paid: from a policy floor up to full as recognition grows.

    Scaled by the funding in hand, so it falls in gaps. Evidence: Symbolic contexts, 'statutory
    bodies recognised that CBO contributions were actions to be appropriately and meaningfully
    compensated'; 'it's only fair ... that we commission them'.
    """
    return pay_contributions * level * (floor + (1.0 - floor) * recognition)


@jit
def renewal_probability(kpi_tied: float, relational: float, renewal_base: float,
                        attendance: float, kpi_target: float) -> float:
    """Probability that an ending contract is renewed.

    Flexible funding is renewed on relationships: from ``renewal_base`` up to 1 with the
    relational index (Material resources: extension 'after initial evaluations based largely on
    trusting relationships'). KPI-tied funding is renewed on what a funder can count during phase
    zero: attendance at the broker's meetings over the contract (the share of invited CBOs who
    came), as a fraction of ``kpi_target``. Attendance follows CBOs' trust in the broker and
    falls with fatigue, so renewal on KPIs is possible, and is a trade-off with the quality KPI
    pressure costs (an assumption).
    """
    if kpi_tied > 0.5:
        return min(1.0, attendance / kpi_target)
    return renewal_base + (1.0 - renewal_base) * relational


@jit
def advance_contract(active: bool, months_left: int, u: float, p_renew: float,
                     contract_months: int, gap_months: int) -> tuple[bool, int]:
    """One month of the contract clock: contracts end, are renewed or not, gaps end.

    A contract that ends is renewed with probability ``p_renew`` (drawn with ``u``); otherwise
    project funding stops for ``gap_months`` before a new contract is let. A zero-month gap means
    a new contract follows at once. Returns whether project money flows, and the months left.
    """
    left = months_left - 1
    if left > 0:
        return active, left
    if active and not u < p_renew and gap_months > 0:
        return False, gap_months
    return True, contract_months


@jit
def broker_capacity_factor(level: float, persistence: float) -> float:
    """Share of full capacity the broker uses: what funding pays for, or what persistence keeps.

    Evidence: Symbolic contexts, 'persistence over time was also critical'.
    """
    return max(level, persistence)


@jit
def funding_shock(active: bool, months_left: int, u: float, rate: float,
                  gap_months: int) -> tuple[bool, int]:
    """A running contract cut short by a funding shock, with probability ``rate`` a month.

    The cut starts a gap of ``gap_months`` (none when that is 0). Evidence: Discussion, 'time may
    not be afforded to organisations bound by contractual obligations'; Research context, 'small
    pots of funding from local public sector grants and contracts'. Shocks at random are an
    assumption.
    """
    if active and u < rate and gap_months > 0:
        return False, gap_months
    return active, months_left
