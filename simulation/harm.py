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

from simulation.compiled import jit


@jit
def everyday_rate(base_rate: float, acknowledgement: float, protection: float) -> float:
    """Monthly probability of an everyday harmful encounter.

    ``base_rate``, falling by a share ``protection`` as acknowledgement of harm grows to 1.
    """
    return base_rate * (1.0 - protection * acknowledgement)


@jit
def recruitment_rate(direct: float, kpi_pressure: float, kpi_recruitment: float,
                     acknowledgement: float, safe: float) -> float:
    """Monthly probability of a harmful approach by services.

    Recruitment to meet targets (KPI pressure x ``kpi_recruitment``) is harmful whatever the
    acknowledgement: people 'used to meet statutory aims'. A direct approach as policy
    (``direct``) is harmful only while acknowledgement is below ``safe``.
    """
    return kpi_pressure * kpi_recruitment + (direct if acknowledgement < safe else 0.0)


@jit
def harmed(u: float, routes: float, engaged: bool, encounter_rate: float,
           tokenistic_share: float) -> bool:
    """Whether a service user meets harm this month, from one uniform ``u``.

    ``routes`` is the everyday plus the recruitment probability; an engaged user adds
    ``encounter_rate x tokenistic_share``.
    """
    if engaged:
        return u < routes + encounter_rate * tokenistic_share
    return u < routes


@jit
def grow_history(harm: float, growth: float) -> float:
    """History of harm after a harmful encounter: it moves a share ``growth`` toward 1."""
    return harm + growth * (1.0 - harm)


@jit
def learning_rate(su_learning: float, harm_weight: float, harm: float) -> float:
    """How fast a user learns that the space is safe, slowed by their history of harm."""
    return su_learning * (1.0 - harm_weight * harm)
