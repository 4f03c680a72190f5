"""The initial state of a replicate (ODD section 5), drawn from its initial-state stream.

One fixed-size block of uniforms (:func:`simulation.state.block_sizes`, ``"init"``) is split by
what it initialises: the network's statutory culture and community history, each CBO, each
statutory official and each service user. Then the first contract, the champion, the outcomes'
clocks, the money and month 0's network means.
"""

from __future__ import annotations

import numpy as np

from simulation import engagement, heterogeneity, outcomes, turnover
from simulation.arrays import clip01, mean
from simulation.compiled import jit
from simulation.contracts import update_money
from simulation.interventions import SENIOR
from simulation.service_users import count_engaged
from simulation.state import Shape, State
from simulation.tracking import summarise


@jit
def initialise(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, u: np.ndarray,
               r: int) -> None:
    """Replicate ``r``'s initial state from its initial-state uniforms ``u`` (ODD section 5)."""
    C, S, U = shape.C, shape.S, shape.U
    q = p[r]
    # One fixed-size draw, split by what it initialises: 2, C, C, C, C, S, S, C, U x 5.
    o_stand = 2
    o_level = o_stand + C
    o_ts = o_level + C
    o_tb = o_ts + C
    o_olevel = o_tb + C
    o_rec = o_olevel + S
    o_cc = o_rec + S
    o_member = o_cc + C
    o_first = o_member + U
    o_second = o_first + U
    o_harm = o_second + U
    o_threshold = o_harm + U

    # network-level effects: this place's statutory culture and its community's history
    culture = heterogeneity.centred(u[0], q.culture_spread)
    history = heterogeneity.centred(u[1], q.history_spread)
    s.statutory_culture[r] = culture
    s.community_history[r] = history
    spread = q.initial_trust_spread
    for c in range(C):
        faith = c < shape.n_faith
        s.faith[r, c] = faith
        bonus = q.faith_standing_bonus if faith else 0.0 * q.faith_standing_bonus  # as ported
        s.standing[r, c] = clip01(q.standing_mean
                                  + heterogeneity.centred(u[o_stand + c], q.standing_spread)
                                  + bonus)
        # leader standing is fixed for the run, so what it amplifies is computed once
        s.standing_amp[r, c] = engagement.standing_factor(s.standing[r, c], q.standing_weight)
        s.cbo_level[r, c] = heterogeneity.centred(u[o_level + c], q.cbo_level_spread)
        s.trust_statutory[r, c] = heterogeneity.around(q.initial_trust_statutory - history,
                                                       u[o_ts + c], spread)
        s.trust_broker[r, c] = heterogeneity.around(q.initial_trust_broker, u[o_tb + c], spread)
        # each CBO's trust toward the other CBOs as a group: its solidarity
        s.solidarity[r, c] = heterogeneity.around(q.initial_trust_cbo, u[o_cc + c], spread)
        s.skill[r, c] = clip01(q.initial_skill + s.cbo_level[r, c])
        # baselines that trust drifts back to without contact: where history left it
        s.base_statutory[r, c] = s.trust_statutory[r, c]
        s.base_broker[r, c] = s.trust_broker[r, c]
        s.base_solidarity[r, c] = s.solidarity[r, c]
    s.mean_standing[r] = mean(s.standing[r])
    for j in range(S):
        s.official_level[r, j] = culture + heterogeneity.centred(u[o_olevel + j],
                                                                 q.official_level_spread)
        # an open statutory culture also starts officials closer to recognising CBOs
        s.recognition[r, j] = heterogeneity.around(q.initial_recognition + culture,
                                                   u[o_rec + j], spread)
        s.endorsement[r, j] = s.recognition[r, j]
        s.base_recognition[r, j] = s.recognition[r, j]
        rate = (q.turnover_executive if j < shape.n_exec else
                q.turnover_senior if j < shape.n_senior_tier else q.turnover_frontline)
        s.leave_probability[r, j] = turnover.monthly_leaving_probability(rate)

    # service users: their CBOs (none, one or two), history of harm, trust and threshold
    n_linked = 0
    for i in range(U):
        first = min(int(u[o_first + i] * C), C - 1)
        other = (first + 1 + min(int(u[o_second + i] * (C - 1)), C - 2)) % C
        member = u[o_member + i]
        s.first_cbo[r, i] = -1 if member < shape.share_no_cbo else first
        two = member >= 1.0 - shape.share_two_cbos and C > 1
        s.second_cbo[r, i] = other if two and s.first_cbo[r, i] >= 0 else -1
        s.linked[r, i] = s.first_cbo[r, i] >= 0
        s.first_slot[r, i] = s.first_cbo[r, i] if s.first_cbo[r, i] >= 0 else C
        s.second_slot[r, i] = s.second_cbo[r, i] if s.second_cbo[r, i] >= 0 else C
        if s.linked[r, i]:
            n_linked += 1
            s.members[r, s.first_cbo[r, i]] += 1.0
            if s.second_cbo[r, i] >= 0:
                s.members[r, s.second_cbo[r, i]] += 1.0
        h = clip01(u[o_harm + i] + history)
        s.harm[r, i] = h
        s.user_trust[r, i] = q.su_initial_trust * (1.0 - q.harm_weight * h)
        s.user_learning[r, i] = q.su_learning * (1.0 - q.harm_weight * h)
        s.threshold[r, i] = clip01(q.su_threshold_mean
                                   + heterogeneity.centred(u[o_threshold + i],
                                                           q.su_threshold_spread))
        s.engaged[r, i] = engagement.is_engaged(s.user_trust[r, i], s.threshold[r, i])
        if s.engaged[r, i]:
            count_engaged(s, r, i)
    s.n_linked[r] = n_linked

    s.project_active[r] = True
    s.contract_left[r] = int(q.contract_months)
    s.decision_month[r] = outcomes.NOT_REACHED
    for a in range(shape.A):
        s.activity_host[r, a] = -1
    # senior officials engage while a champion is in post (ODD 7.13)
    s.champion[r] = lv[r, 0, SENIOR] > 0.5
    for k in range(4):
        s.run_start[r, k] = outcomes.NOT_REACHED
        s.reached[r, k] = outcomes.NOT_REACHED
    update_money(s, p, lv, r, 0, mean(s.recognition[r]))
    summarise(s, p, lv, shape, r, 0)

