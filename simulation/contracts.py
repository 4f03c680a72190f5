"""The money and its clock (ODD section 3): the levers in force, contracts, champions, payment.

Before step 1, a run with timed interventions (ODD 7.9) sets this month's levers, champion
events and money (:func:`timed_levers`); after the outcomes, the contract clock advances
(renewal, gap, new contract or a funding shock), the senior champion may leave or arrive, and
funding level, KPI pressure and payment are set for the next month (:func:`contract_clock`).
"""

from __future__ import annotations

import numpy as np

from simulation import funding, interventions, turnover
from simulation.compiled import phase
from simulation.interventions import ALLOWED, CORE, KPI, RUNWAY
from simulation.records import RECOGNITION, RELATIONAL
from simulation.state import State


@phase
def timed_levers(s: State, p: np.ndarray, lv: np.ndarray, r: int, t: int, month: int) -> None:
    """Before step 1, in a run with timed interventions: champion events, and the money.

    Funding, KPI pressure and payment are recomputed from the levers in force this month (row
    ``t`` of the lever table); a run without timed interventions keeps month 0's.
    """
    if lv.shape[1] <= 1:
        return
    q = p[r]
    s.champion[r] = interventions.champion_event(s.champion[r], month,
                                                 q.champion_arrives_month,
                                                 q.champion_leaves_month)
    update_money(s, p, lv, r, t, s.money_recognition[r])


@phase
def update_money(s: State, p: np.ndarray, lv: np.ndarray, r: int, t: int,
                 mean_recognition: float) -> None:
    """Funding level, KPI pressure and payment from the levers and contracts in force."""
    q = p[r]
    s.money_recognition[r] = mean_recognition
    project = s.project_active[r] and lv[r, t, ALLOWED] > 0.5
    core = lv[r, t, CORE]
    s.funding_level[r] = funding.funding_level(core, q.core_capacity, project,
                                               q.project_capacity)
    s.kpi_pressure[r] = funding.kpi_pressure(lv[r, t, KPI], project, core, q.core_independence)
    s.payment[r] = funding.payment_level(q.pay_contributions, s.funding_level[r],
                                         q.payment_floor, mean_recognition)
    # a CBO hosting a commissioned activity is paid for it in full
    for c in range(s.hosting.shape[1]):
        s.payment_cbo[r, c] = max(s.payment[r], s.hosting[r, c])



@phase
def contract_clock(s: State, p: np.ndarray, lv: np.ndarray, r: int, t: int,
                   u_funding: np.ndarray, u_shocks: np.ndarray) -> None:
    """Step 8: contracts end, renew or gap; shocks; champions come and go; next month's money.

    A contract renews with a probability from the month's relational index (``s.summary``) and,
    under a KPI-tied funder, the attendance counted since the contract began.
    """
    q = p[r]
    p_renew = funding.renewal_probability(
        lv[r, t, KPI], s.summary[r, RELATIONAL], q.renewal_base,
        s.kpi_attended[r] / max(s.kpi_invited[r], 1.0), q.kpi_target)
    gap = int(q.contract_gap_months)
    ending = s.contract_left[r] <= 1
    active, left = funding.advance_contract(s.project_active[r], s.contract_left[r],
                                            u_funding[0], p_renew, int(q.contract_months), gap)
    still_active, left = funding.funding_shock(active, left, u_shocks[1], q.funding_shock_rate,
                                               gap)
    ending = ending or (active and not still_active)
    s.project_active[r], s.contract_left[r] = still_active, left
    s.champion[r] = turnover.champion_present(s.champion[r], u_shocks[0], q.champion_leave_rate,
                                              q.champion_arrival_rate)
    if ending:
        # a new contract (or gap) starts counting afresh
        s.kpi_invited[r] = 0.0
        s.kpi_attended[r] = 0.0
    if lv[r, t, RUNWAY] > 0.5:
        # in the flexible runway project money flows without gaps, and the regime's own first
        # contract waits, fresh, for the runway's end
        s.project_active[r] = True
        s.contract_left[r] = int(q.contract_months)
    update_money(s, p, lv, r, t, s.summary[r, RECOGNITION])

