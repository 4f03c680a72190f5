"""What each month is measured by (ODD section 3): the network's means, and the outcomes (step 8).

:func:`summarise` computes the network-level means once a month, for the outcomes, the records
and contract renewal; :func:`track_outcomes` says which outcome conditions hold, and for how
long they have held.
"""

from __future__ import annotations

import numpy as np

from simulation import commissioning, outcomes, resources
from simulation.arrays import mean
from simulation.compiled import phase
from simulation.interventions import BROKER
from simulation.records import (
    ENGAGED_SHARE,
    ENGAGED_SHARE_LINKED,
    ENGAGED_SHARE_UNLINKED,
    READINESS,
    RECOGNITION,
    RELATIONAL,
    SENIOR_ENDORSEMENT,
    TRUST_CBO_BROKER,
    TRUST_CBO_CBO,
    TRUST_CBO_STATUTORY,
)
from simulation.state import PHASE_ZERO, Shape, State
from simulation.statutory import senior_endorsement


@phase
def summarise(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, r: int, t: int) -> None:
    """Network-level means of the month, computed once for outcomes, records and renewal."""
    m = s.summary[r]
    m[TRUST_CBO_STATUTORY] = mean(s.trust_statutory[r])
    m[RECOGNITION] = mean(s.recognition[r])
    m[TRUST_CBO_BROKER] = mean(s.trust_broker[r])
    m[TRUST_CBO_CBO] = mean(s.solidarity[r])
    m[SENIOR_ENDORSEMENT] = senior_endorsement(s, shape, r)
    m[RELATIONAL] = resources.relational_index(
        m[TRUST_CBO_STATUTORY], m[RECOGNITION], m[TRUST_CBO_BROKER], m[TRUST_CBO_CBO],
        lv[r, t, BROKER])
    m[READINESS] = commissioning.readiness(m[TRUST_CBO_STATUTORY], m[RECOGNITION],
                                           m[SENIOR_ENDORSEMENT])
    n_engaged, n_linked = s.n_engaged[r], s.n_engaged_linked[r]
    m[ENGAGED_SHARE] = n_engaged / shape.U
    m[ENGAGED_SHARE_LINKED] = n_linked / max(s.n_linked[r], 1)
    m[ENGAGED_SHARE_UNLINKED] = (n_engaged - n_linked) / max(shape.U - s.n_linked[r], 1)


@phase
def track_outcomes(s: State, p: np.ndarray, r: int, month: int) -> None:
    """Step 8: which outcome conditions hold, and for how long."""
    q = p[r]
    m = s.summary[r]
    threshold = q.engagement_threshold
    phase_zero = (m[TRUST_CBO_STATUTORY] >= q.pz_trust_threshold
                  and m[RECOGNITION] >= q.pz_recognition_threshold
                  and m[SENIOR_ENDORSEMENT] >= q.pz_endorsement_threshold)
    conditions = (phase_zero, m[ENGAGED_SHARE] >= threshold,
                  m[ENGAGED_SHARE_LINKED] >= threshold, m[ENGAGED_SHARE_UNLINKED] >= threshold)
    for k in range(4):
        hold = q.pz_hold_months if k == PHASE_ZERO else q.engagement_hold_months
        s.run_start[r, k], s.reached[r, k] = outcomes.update_sustained(
            conditions[k], s.run_start[r, k], s.reached[r, k], month, hold)
    # By default phase zero ends with the commissioning decision; the threshold rule above is
    # the measurement option pz_by_threshold.
    if not q.pz_by_threshold > 0.5:
        s.reached[r, PHASE_ZERO] = s.decision_month[r]

