"""What the engine records: the outcomes it tracks and the quantities of every month.

The names here are the columns of a run's timeseries and the keys of its summary; the integer
constants are their positions in the compiled engine's arrays (numba reads module constants as
compile-time values).
"""

from __future__ import annotations

#: Outcomes tracked as sustained runs of a condition.
OUTCOMES: tuple[str, ...] = ("phase_zero", "engagement", "engagement_linked",
                             "engagement_unlinked")

#: Quantities recorded every month (month 0 is the initial state).
METRICS: tuple[str, ...] = (
    "trust_cbo_statutory",
    "recognition",
    "trust_cbo_broker",
    "trust_cbo_cbo",
    "senior_endorsement",
    "acknowledgement",
    "symbolic",
    "relational",
    "material",
    "funding_level",
    "project_funded",
    "kpi_pressure",
    "payment",
    "meetings_community",
    "meetings_statutory",
    "tokenistic_share",
    "fatigue",
    "brokerage_skill",
    "user_trust",
    "engaged_share",
    "engaged_share_linked",
    "engaged_share_unlinked",
    "harmful_encounters",
    "phase_zero_over",
    "engagement_reached",
    "readiness",
    "activities_running",
    "senior_champion",
    "harm_history",
)

#: Network means computed once a month (the engine's ``summary`` columns, in this order).
SUMMARY: tuple[str, ...] = ("trust_cbo_statutory", "recognition", "trust_cbo_broker",
                            "trust_cbo_cbo", "readiness", "senior_endorsement", "relational",
                            "engaged_share", "engaged_share_linked", "engaged_share_unlinked")
(TRUST_CBO_STATUTORY, RECOGNITION, TRUST_CBO_BROKER, TRUST_CBO_CBO, READINESS,
 SENIOR_ENDORSEMENT, RELATIONAL, ENGAGED_SHARE, ENGAGED_SHARE_LINKED,
 ENGAGED_SHARE_UNLINKED) = range(len(SUMMARY))
N_SUMMARY = len(SUMMARY)

#: The month's counts (the engine's ``monthly`` columns, in this order).
COUNTS: tuple[str, ...] = ("meetings_community", "meetings_statutory", "tokenistic_share",
                           "harmful_encounters")

#: Column of METRICS for each summary and each monthly count.
METRIC: tuple[int, ...] = tuple(METRICS.index(k) for k in SUMMARY)
MONTHLY: tuple[int, ...] = tuple(METRICS.index(k) for k in COUNTS)

METRIC_ACK = METRICS.index("acknowledgement")
METRIC_SYMBOLIC = METRICS.index("symbolic")
METRIC_MATERIAL = METRICS.index("material")
METRIC_FUNDING = METRICS.index("funding_level")
METRIC_PROJECT = METRICS.index("project_funded")
METRIC_KPI = METRICS.index("kpi_pressure")
METRIC_PAYMENT = METRICS.index("payment")
METRIC_FATIGUE = METRICS.index("fatigue")
METRIC_SKILL = METRICS.index("brokerage_skill")
METRIC_USER_TRUST = METRICS.index("user_trust")
METRIC_PZ_OVER = METRICS.index("phase_zero_over")
METRIC_ENGAGED = METRICS.index("engagement_reached")
METRIC_ACTIVITIES = METRICS.index("activities_running")
METRIC_CHAMPION = METRICS.index("senior_champion")
METRIC_HARM = METRICS.index("harm_history")
