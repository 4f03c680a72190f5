"""Step 6 of the month (ODD section 3): the service users, who may come to engage.

What members hear from their CBOs (their relay, a commissioned activity in their own space,
engaged fellow members) and acknowledgement make perceived safety; trust moves toward it;
everyday harm, harmful approaches and tokenistic contact harm; engagement (ODD 7.7).
"""

from __future__ import annotations

import numpy as np

from simulation import engagement, harm, interventions
from simulation.arrays import clip01, pairwise_sum
from simulation.compiled import phase
from simulation.state import Month, Shape, State


@phase
def service_users(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, r: int,
                  month: int, u: np.ndarray) -> None:
    """Step 6: what members hear, safety, trust, harm, and who engages.

    Reads the month's tokenistic share of contact from ``s.monthly`` (the meetings' count);
    adds the month's harmful encounters to it and to the run's total.
    """
    q = p[r]
    C, U = shape.C, shape.U
    tokenistic_share = s.monthly[r, 2]
    engaged_members = s.engaged_members[r]
    heard = work.heard
    for c in range(C):
        relay = engagement.cbo_relay(s.trust_statutory[r, c], s.standing_amp[r, c])
        heard[c] = engagement.what_members_hear(
            relay, s.hosting[r, c], q.activity_reach,
            engaged_members[c] / max(s.members[r, c], 1.0), q.word_of_mouth)
    heard[C] = 0.0          # 'no CBO' hears nothing
    mean_heard = pairwise_sum(heard[:C]) / C
    gate = engagement.acknowledgement_gate(s.ack[r], q.acknowledgement_weight)
    routes = (harm.everyday_rate(q.everyday_harm_rate, s.ack[r], q.harm_protection)
              + harm.recruitment_rate(q.direct_recruitment, s.kpi_pressure[r],
                                      q.kpi_recruitment, s.ack[r], q.acknowledgement_safe))
    timed = lv.shape[1] > 1
    n_harmed = 0
    # who is engaged is counted afresh as it is decided (for next month and the summary)
    for c in range(C + 1):
        engaged_members[c] = 0.0
    s.n_engaged[r] = 0
    s.n_engaged_linked[r] = 0
    for i in range(U):
        safety = engagement.perceived_safety(
            gate, s.linked[r, i], heard[s.first_slot[r, i]], heard[s.second_slot[r, i]],
            q.unlinked_reach, mean_heard)
        user_trust = engagement.update_user_trust(s.user_trust[r, i], safety,
                                                  s.user_learning[r, i],
                                                  q.trust_loss_asymmetry)
        hit = harm.harmed(u[i], routes, s.engaged[r, i], q.encounter_rate, tokenistic_share)
        if hit:
            n_harmed += 1
            user_trust = clip01(user_trust - q.tokenism_shock)
            s.harm[r, i] = harm.grow_history(s.harm[r, i], q.harm_growth)
        else:
            user_trust = clip01(user_trust)
        s.user_learning[r, i] = harm.learning_rate(q.su_learning, q.harm_weight, s.harm[r, i])
        if timed:
            user_trust = interventions.incident_shock(user_trust, month,
                                                      q.harmful_incident_month,
                                                      q.harmful_incident_size)
        s.user_trust[r, i] = user_trust
        engaged = engagement.is_engaged(user_trust, s.threshold[r, i])
        s.engaged[r, i] = engaged
        if engaged:
            count_engaged(s, r, i)
    if timed:
        for c in range(C):
            s.trust_statutory[r, c] = interventions.incident_shock(
                s.trust_statutory[r, c], month, q.harmful_incident_month,
                q.harmful_incident_size)
    s.monthly[r, 3] = n_harmed
    s.harmful_total[r] += n_harmed


@phase
def count_engaged(s: State, r: int, i: int) -> None:
    """Count engaged user ``i``: among the engaged, the linked, and each of their CBOs' members."""
    s.n_engaged[r] += 1
    if s.linked[r, i]:
        s.n_engaged_linked[r] += 1
    s.engaged_members[r, s.first_slot[r, i]] += 1.0
    s.engaged_members[r, s.second_slot[r, i]] += 1.0
