"""The outcome registry: every outcome the model reports, defined once.

Like the parameter registry (:mod:`simulation.parameters`), this is the single source from
which the summaries, the sweep engine, comparisons, explorers, figures and the dashboard take an
outcome's name, its label in words, its colour, the condition that dates it and its censoring
rule. An outcome is a *time to event*: the first month from which its condition holds for a
sustained period (:func:`simulation.outcomes.update_sustained`); a run in which that never
happens by the horizon is right-censored at the horizon and carries no month.

The engine tracks the outcomes in the order of :data:`simulation.records.OUTCOMES` (compiled
positions); a check at import keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation import records

#: How every outcome is censored (the engine's rule; the same for all of them).
CENSORING = ("right-censored at the horizon (horizon_months): a run in which the condition "
             "has not held for its hold period by then carries no month, only the flag "
             "X_censored = true")


@dataclass(frozen=True)
class Outcome:
    """One outcome: what it means, how it is dated and how figures show it.

    Attributes:
        name: key in the engine, e.g. ``"phase_zero"``.
        label: the outcome in words, as every figure, table and page names it.
        colour: its colour in every figure and in the dashboard.
        condition: what must hold, and for how long, for the outcome to be reached.
        evidence: where the definition comes from (paper section or assumption).
        headline: one of the two outcomes of the research question.
        censoring: how a run that does not reach it is recorded.
    """

    name: str
    label: str
    colour: str
    condition: str
    evidence: str
    headline: bool = False
    censoring: str = CENSORING

    @property
    def column(self) -> str:
        """Summary key and results column of the month reached (``None``/NA when censored)."""
        return f"{self.name}_months"

    @property
    def censored_column(self) -> str:
        """Summary key and results column of the censoring flag."""
        return f"{self.name}_censored"

    def as_dict(self) -> dict[str, str | bool]:
        """Every field, for manifests and ``phase0 outcomes --json``."""
        return {"name": self.name, "label": self.label, "colour": self.colour,
                "condition": self.condition, "censoring": self.censoring,
                "evidence": self.evidence, "headline": self.headline,
                "column": self.column, "censored_column": self.censored_column}


_ENGAGEMENT = ("the share of service users engaged (trust above their own threshold and a safe "
               "space through a CBO) is at least engagement_threshold for "
               "engagement_hold_months months")

_OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "phase_zero", "end of phase zero", "#1b7837",
        "statutory commissioners commission the first official coproduction activity (by "
        "default); with pz_by_threshold, CBO trust in statutory partners, statutory "
        "recognition and senior endorsement all at least their pz_*_threshold for "
        "pz_hold_months months",
        "Discussion: resources were put in 'for 4 years before the first 'official' "
        "coproduction activity began in 2012': an institutional event.", headline=True),
    Outcome(
        "engagement", "service-user engagement", "#762a83", _ENGAGEMENT,
        "Discussion: CBOs relayed service users' views 'until, service users felt the space "
        "was safe to enter'; the paper dates no engagement: the threshold and hold are "
        "assumptions (measurement parameters).", headline=True),
    Outcome(
        "engagement_linked", "engagement of CBO members", "#9970ab",
        _ENGAGEMENT.replace("service users engaged", "CBO members engaged"),
        "As engagement, among service users who belong to at least one CBO."),
    Outcome(
        "engagement_unlinked", "engagement of users with no CBO link", "#c2a5cf",
        _ENGAGEMENT.replace("service users engaged", "service users with no CBO link engaged"),
        "As engagement, among service users who belong to no CBO (assumption: the paper "
        "describes only users reached through CBOs)."),
)

#: Every outcome by name, in the engine's order.
OUTCOMES: dict[str, Outcome] = {o.name: o for o in _OUTCOMES}
#: The two outcomes of the research question: the end of phase zero and engagement.
HEADLINE: tuple[str, ...] = tuple(o.name for o in _OUTCOMES if o.headline)

if tuple(OUTCOMES) != records.OUTCOMES:  # pragma: no cover - a developer's slip, caught at once
    raise RuntimeError("the outcome registry and the engine's records.OUTCOMES disagree: "
                       f"{tuple(OUTCOMES)} != {records.OUTCOMES}")


def outcome(name: str) -> Outcome:
    """The outcome called ``name`` (also accepts its column, e.g. ``"phase_zero_months"``)."""
    key = name.removesuffix("_months").removesuffix("_censored")
    try:
        return OUTCOMES[key]
    except KeyError:
        raise KeyError(f"unknown outcome {name!r}; outcomes: {', '.join(OUTCOMES)}") from None


def label(name: str) -> str:
    """An outcome's label in words."""
    return outcome(name).label

