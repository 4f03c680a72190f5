"""Harm by services: a continuing process, not a one-off, and a history that grows with it.

Evidence: Discussion, 'For those whose marginalisation is linked to negative experiences of
violence and racism, rejection of traditional service spaces is logical'; the hesitance of
service users reflects 'previous and ongoing experiences of oppression and marginalisation at
systemic and relational levels'; a history of abuse 'is recognised as the boundary and issue
that must be acknowledged, before forcing that type of engagement'; Introduction, groups
'feeling they have been used to meet statutory aims'. Mistrust is modelled as that rational
response, not a deficit of the community.

Each month a service user may meet harm by services by one of three routes: everyday harmful
encounters, at a rate that falls as harm is acknowledged; harmful approaches (recruitment to meet
KPI targets, and direct approaches as policy while acknowledgement is below what makes them safe);
and, for the engaged, tokenistic contact in proportion to the month's tokenistic share. One uniform
decides: at most one harmful encounter a month, with probability the sum of the routes' (capped
at 1). A harmful encounter costs trust and adds to the user's history of harm, which slows their
later learning that the space is safe. The rates and forms are assumptions.
"""

from __future__ import annotations

import numpy as np


def everyday_rate(base_rate: np.ndarray, acknowledgement: np.ndarray,
                  protection: np.ndarray) -> np.ndarray:
    """Monthly probability of an everyday harmful encounter.

    ``base_rate``, falling by a share ``protection`` as acknowledgement of harm grows to 1.
    """
    return base_rate * (1.0 - protection * acknowledgement)


def recruitment_rate(direct: np.ndarray, kpi_pressure: np.ndarray, kpi_recruitment: np.ndarray,
                     acknowledgement: np.ndarray, safe: np.ndarray) -> np.ndarray:
    """Monthly probability of a harmful approach by services.

    Recruitment to meet targets (KPI pressure x ``kpi_recruitment``) is harmful whatever the
    acknowledgement: people 'used to meet statutory aims'. A direct approach as policy
    (``direct``) is harmful only while acknowledgement is below ``safe``.
    """
    return kpi_pressure * kpi_recruitment + np.where(acknowledgement < safe, direct, 0.0)


def harmful_encounters(u: np.ndarray, everyday: np.ndarray, recruitment: np.ndarray,
                       engaged: np.ndarray, encounter_rate: np.ndarray,
                       tokenistic_share: np.ndarray) -> np.ndarray:
    """Which service users meet harm this month, shape (R, U), from one uniform each.

    ``everyday`` and ``recruitment`` are per-replicate probabilities (R,); an engaged user adds
    ``encounter_rate x tokenistic_share``.
    """
    p = (everyday + recruitment)[:, None] + engaged * (encounter_rate * tokenistic_share)[:, None]
    return u < p


def grow_history(harm: np.ndarray, harmed: np.ndarray, growth: np.ndarray) -> np.ndarray:
    """History of harm after the month's encounters: each moves it a share ``growth`` toward 1."""
    return harm + harmed * growth * (1.0 - harm)


def learning_rate(su_learning: np.ndarray, harm_weight: np.ndarray,
                  harm: np.ndarray) -> np.ndarray:
    """How fast a user learns that the space is safe, slowed by their history of harm."""
    return su_learning * (1.0 - harm_weight * harm)
