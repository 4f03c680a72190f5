"""The statutory side of the month (ODD section 3): its officials (step 5) and its decision (7).

Recognition spreads within the statutory side, endorsement follows recognition, officials leave
and newcomers inherit part of the organisation's recognition; a statutory body may commission
coproduction, which ends phase zero, and the activities it commissions run their months.
"""

from __future__ import annotations

import numpy as np

from simulation import commissioning, heterogeneity, trust, turnover
from simulation.arrays import clip01, mean
from simulation.compiled import phase
from simulation.interventions import ALLOWED
from simulation.records import READINESS
from simulation.state import Shape, State


@phase
def statutory_side(s: State, p: np.ndarray, shape: Shape, r: int, u: np.ndarray) -> None:
    """Step 5: learning spreads, endorsement follows recognition, officials leave."""
    q = p[r]
    S = shape.S
    org_mean = mean(s.recognition[r])
    for j in range(S):
        s.recognition[r, j] = trust.drift_toward(s.recognition[r, j], org_mean, q.org_diffusion)
        s.endorsement[r, j] += q.endorsement_rate * (s.recognition[r, j] - s.endorsement[r, j])
    anyone = False
    for j in range(S):
        if turnover.leaves(u[j], s.leave_probability[r, j]):
            anyone = True
    if not anyone:
        return
    memory = trust.organisational_memory(q.memory_base, senior_endorsement(s, shape, r))
    # a newcomer starts as a stranger of this place's culture would
    start = clip01(q.initial_recognition + s.statutory_culture[r])
    newcomer = trust.inherited_level(mean(s.recognition[r]), start, memory)
    for j in range(S):
        if turnover.leaves(u[j], s.leave_probability[r, j]):
            s.recognition[r, j] = newcomer
            s.endorsement[r, j] = memory * newcomer
            s.base_recognition[r, j] = start
            s.official_level[r, j] = s.statutory_culture[r] + heterogeneity.centred(
                u[S + j], q.official_level_spread)



@phase
def senior_endorsement(s: State, shape: Shape, r: int) -> float:
    """Mean endorsement of executives and senior managers (0 without any)."""
    if shape.n_senior_tier == 0:
        return 0.0
    return mean(s.endorsement[r, :shape.n_senior_tier])



@phase
def commission(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, r: int, t: int, month: int,
               u: np.ndarray) -> None:
    """Step 7: the commissioning decision, and the activities that run after it (ODD 7.13)."""
    q = p[r]
    for a in range(shape.A):
        s.activity_left[r, a] = max(s.activity_left[r, a] - 1, 0)
        if s.activity_left[r, a] <= 0:
            s.activity_host[r, a] = -1
    open_round = commissioning.round_opens(u[0], q.commissioning_interval_months,
                                           lv[r, t, ALLOWED] > 0.5)
    commissions = u[1] < commissioning.decision_probability(
        s.summary[r, READINESS], open_round, q.commissioning_rate, q.commissioning_threshold,
        q.commissioning_width)
    if commissions:
        if not s.commissioned[r]:
            s.decision_month[r] = month
        s.commissioned[r] = True
        # a commissioning round fills every activity slot that is free, each with a new host
        for a in range(int(q.coproduction_activities)):
            if s.activity_host[r, a] < 0:
                s.activity_host[r, a] = commissioning.pick_host(u[2 + a], shape.C)
                s.activity_left[r, a] = int(q.activity_months)
    for c in range(shape.C):
        s.hosting[r, c] = 0.0
    for a in range(shape.A):
        if s.activity_host[r, a] >= 0:
            s.hosting[r, s.activity_host[r, a]] = 1.0

