"""Mesa agents of the phase-zero network.

The agents are the model's public face: each reads its state from the compiled engine's
:class:`~simulation.network.Network` (replicate 0), so inspecting, collecting or drawing them
always shows the state the monthly step produced. Behaviour lives in the mechanism modules,
which the compiled month step (:mod:`simulation.month`) calls agent by agent; an agent's methods
describe it in the domain's words. The model makes its agents the first time they are asked
for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from simulation.model import PhaseZeroModel

RANKS = ("executive", "senior_manager", "frontline")


class CommunityOrganisation(mesa.Agent):
    """A community-based organisation: a faith group or a third-sector group."""

    def __init__(self, model: PhaseZeroModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def is_faith_group(self) -> bool:
        """Church, mosque or temple (the first ``faith_share`` of CBOs)."""
        return bool(self.model.network.faith[0, self.index])

    @property
    def leader_standing(self) -> float:
        """Symbolic power of the organisation's leader, in [0, 1]."""
        return float(self.model.network.standing[0, self.index])

    @property
    def level(self) -> float:
        """What the CBO itself brings to a meeting's quality (capacity, confidence to speak)."""
        return float(self.model.network.cbo_level[0, self.index])

    @property
    def trust_in_statutory(self) -> float:
        """Trust toward statutory partners."""
        return float(self.model.network.trust_statutory[0, self.index])

    @property
    def trust_in_broker(self) -> float:
        """Trust toward the broker organisation."""
        return float(self.model.network.trust_broker[0, self.index])

    @property
    def solidarity(self) -> float:
        """Trust toward the other CBOs as a group."""
        return float(self.model.network.solidarity[0, self.index])

    @property
    def brokerage_skill(self) -> float:
        """Skill at building relationships with statutory leaders directly."""
        return float(self.model.network.skill[0, self.index])

    @property
    def fatigue(self) -> float:
        """Volunteer fatigue."""
        return float(self.model.network.fatigue[0, self.index])

    @property
    def paid_share(self) -> float:
        """Share of the full rate paid for its contributions this month."""
        return float(self.model.network.payment[0])

    def step(self) -> None:
        """Nothing to do alone: the network's monthly step moves every CBO at once."""


class Broker(mesa.Agent):
    """The network organisation: its director and staff."""

    @property
    def staff(self) -> int:
        """Director and staff."""
        return self.model.network.broker_staff

    @property
    def credibility(self) -> float:
        """Credibility on both sides, from the director's social location."""
        return float(self.model.network.p["broker_credibility"][0])

    @property
    def persistence(self) -> float:
        """Share of capacity kept up without funding."""
        return float(self.model.network.p["broker_persistence"][0])

    @property
    def core_funded(self) -> bool:
        """Whether it has core non-statutory funding."""
        return bool(self.model.network.core_funded[0] > 0.5)

    @property
    def funded_share(self) -> float:
        """Share of its capacity that current funding pays for."""
        return float(self.model.network.funding_level[0])

    def step(self) -> None:
        """Nothing to do alone: the network's monthly step convenes the meetings."""


class StatutoryOfficial(mesa.Agent):
    """An official of a statutory body (local authority, mental health trust, CCG)."""

    def __init__(self, model: PhaseZeroModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def rank(self) -> str:
        """``executive``, ``senior_manager`` or ``frontline`` (positional power)."""
        net = self.model.network
        if self.index < net.n_exec:
            return RANKS[0]
        return RANKS[1] if self.index < net.n_senior_tier else RANKS[2]

    @property
    def level(self) -> float:
        """What the official brings to a meeting's quality.

        Openness and experience of work on racism, including the statutory culture.
        """
        return float(self.model.network.official_level[0, self.index])

    @property
    def recognition(self) -> float:
        """Recognition of community knowledge (trust toward CBOs)."""
        return float(self.model.network.recognition[0, self.index])

    @property
    def endorsement(self) -> float:
        """Public endorsement of the coproduction work."""
        return float(self.model.network.endorsement[0, self.index])

    @property
    def monthly_leaving_probability(self) -> float:
        """Probability of leaving in a month (the seat is filled at once)."""
        return float(self.model.network.leave_probability[0, self.index])

    def step(self) -> None:
        """Nothing to do alone: the network's monthly step moves every official at once."""


class ServiceUser(mesa.Agent):
    """A service user from a racially minoritised community, with a history of harm by services.

    Low starting trust is a rational response to that history, not a deficit.
    """

    def __init__(self, model: PhaseZeroModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def cbos(self) -> tuple[int, ...]:
        """Indices of the CBOs they belong to (none, one or two)."""
        net = self.model.network
        return tuple(int(c) for c in (net.first_cbo[0, self.index], net.second_cbo[0, self.index])
                     if c >= 0)

    @property
    def harm_history(self) -> float:
        """Severity of past harm by services, in [0, 1]."""
        return float(self.model.network.harm[0, self.index])

    @property
    def trust(self) -> float:
        """Trust that the coproduction space is safe."""
        return float(self.model.network.user_trust[0, self.index])

    @property
    def engaged(self) -> bool:
        """Whether they take part in the network's coproduction activity."""
        return bool(self.model.network.engaged[0, self.index])

    def step(self) -> None:
        """Nothing to do alone: the network's monthly step moves every service user at once."""
