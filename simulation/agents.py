"""Mesa agents of the phase-zero network.

The agents are the model's public face: their state is held by the compiled engine's
:class:`~simulation.network.Network` (replicate 0; the Mesa model has one replicate), and each
attribute of an agent is an :class:`EngineState`, a descriptor that reads the engine's array
element for that agent. Inspecting, collecting or drawing the agents always shows the state the
monthly step produced, and writing a writable attribute between months
(``cbo.trust_in_statutory = 0.2``) changes the engine's own array, so the next month starts from
the written value. Writes are checked against the attribute's range, which the compiled engine
does not check. The
network's means (``network.summary``, the ``DataCollector``'s row) are those of the last month
run until the next month runs.

Behaviour lives in the mechanism modules, which the compiled month step (:mod:`simulation.month`)
runs for every agent at once; an agent's methods describe it in the domain's words. The model
makes its agents the first time they are asked for.

A subclass can give its agents state of its own with :class:`EngineState` over an array the
model holds (first axis the replicate)::

    class PeerUser(ServiceUser):
        peer_support = EngineState(lambda model: model.peer_support, doc="Support from peers.",
                                   valid=UNIT)
"""

from __future__ import annotations

import inspect
import math
import numbers
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from simulation.month import State

if TYPE_CHECKING:
    from simulation.model import PhaseZeroModel

RANKS = ("executive", "senior_manager", "frontline")
#: The replicate of the engine's arrays that the Mesa model's agents show.
REPLICATE = 0
#: The range of trust-like quantities: trust, recognition, endorsement, skill, fatigue, ...
UNIT = (0.0, 1.0)


class EngineState:
    """An agent attribute that is an element of an array of the engine's state.

    Modelled on Mesa's ``PropertyDescriptor`` (cells' attributes over property layers): the
    attribute reads ``array[REPLICATE, agent.index]`` (with ``per_agent=False``,
    ``array[REPLICATE]``, one value for the whole network) as a Python ``kind`` (``float``,
    ``bool`` or ``int``), and writing it sets that element, so the next month the engine starts
    from the written value. A write outside ``valid`` (a ``(low, high)`` range, both ends
    included; ``bool``: 0 or 1; without a range: any finite number) raises ``ValueError``
    naming the attribute and the range; a read-only attribute (``writable=False``) raises
    ``AttributeError`` saying why (``why``, also added to its docstring).

    ``source`` is where the array is:

    - a field name of the engine's state, :class:`simulation.month.State` (``"user_trust"``):
      ``model.network.state.user_trust``;
    - any other name, an attribute path on the model (``"peer_support"``,
      ``"network.core_funded"``);
    - a callable taking the model (``lambda model: model.peer_support``).

    The array's first axis is the replicate. A source must give the array itself, not a copy,
    for writes to reach it. ``doc`` is the attribute's docstring (``help()`` shows it).
    """

    def __init__(self, source: str | Callable[[Any], np.ndarray], *, doc: str | None = None,
                 kind: type = float, per_agent: bool = True,
                 valid: tuple[float, float] | None = None, writable: bool = True,
                 why: str | None = None) -> None:
        if kind not in (float, bool, int):
            raise TypeError(f"kind must be float, bool or int, got {kind!r}")
        if isinstance(source, str):
            path = f"network.state.{source}" if source in State._fields else source
            self._array: Callable[[Any], np.ndarray] = operator.attrgetter(path)
        elif callable(source):
            self._array = source
        else:
            raise TypeError(f"source must be a name or a callable of the model, got {source!r}")
        if valid is not None:
            low, high = valid
            if not low <= high:
                raise ValueError(f"valid must be a (low, high) range, got {valid!r}")
            if kind is bool:
                raise ValueError("a bool state has the range 0 or 1; give no valid= range")
        self.source = source
        self.kind = kind
        self.per_agent = per_agent
        self.valid = None if valid is None else (low, high)
        self.writable = writable
        self.why = why
        self.name = "<unnamed>"
        doc = inspect.cleandoc(doc) if doc is not None else f"Engine state {source!r}."
        if not writable:
            doc += f"\n\nRead-only: {why}." if why else "\n\nRead-only."
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source!r})"

    def array(self, agent: mesa.Agent) -> np.ndarray:
        """The whole array this attribute is an element of (every replicate, every agent)."""
        return self._array(agent.model)

    def _where(self, agent: mesa.Agent) -> tuple[int, int] | int:
        return (REPLICATE, agent.index) if self.per_agent else REPLICATE

    def __get__(self, agent: mesa.Agent | None, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return self.kind(self._array(agent.model)[self._where(agent)])

    def __set__(self, agent: mesa.Agent, value: Any) -> None:
        label = f"{type(agent).__name__}.{self.name}"
        if not self.writable:
            raise AttributeError(f"{label} is read-only" + (f": {self.why}" if self.why else ""))
        self._array(agent.model)[self._where(agent)] = self.check(value, label)

    def check(self, value: Any, label: str | None = None) -> float | bool | int:
        """``value`` as this attribute's kind, or ``ValueError`` if it is outside the range."""
        label = label or self.name
        if self.kind is bool:
            if isinstance(value, bool | np.bool_) or (isinstance(value, numbers.Real)
                                                      and value in (0, 1)):
                return bool(value)
            raise ValueError(f"{label} must be True or False (1 or 0), got {value!r}")
        if not isinstance(value, numbers.Real):
            raise TypeError(f"{label} must be a number, got {value!r}")
        number = float(value)
        if self.kind is int and not number.is_integer():
            raise ValueError(f"{label} must be a whole number, got {value!r}")
        if self.valid is None:
            if not math.isfinite(number):
                raise ValueError(f"{label} must be a finite number, got {value!r}")
        else:
            low, high = self.valid
            if not low <= number <= high:
                raise ValueError(f"{label} must be in [{low:g}, {high:g}], got {value!r}")
        return int(number) if self.kind is int else number


class CommunityOrganisation(mesa.Agent):
    """A community-based organisation: a faith group or a third-sector group."""

    def __init__(self, model: PhaseZeroModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    is_faith_group = EngineState(
        "faith", kind=bool, writable=False, why="the network's structure (faith_share)",
        doc="Church, mosque or temple (the first ``faith_share`` of CBOs).")
    leader_standing = EngineState(
        "standing", valid=UNIT, writable=False,
        why="fixed for the run (the engine derives what it amplifies once, at the start)",
        doc="Symbolic power of the organisation's leader, in [0, 1].")
    level = EngineState(
        "cbo_level",
        doc="What the CBO itself brings to a meeting's quality (capacity, confidence to speak).")
    trust_in_statutory = EngineState(
        "trust_statutory", valid=UNIT, doc="Trust toward statutory partners.")
    trust_in_broker = EngineState(
        "trust_broker", valid=UNIT, doc="Trust toward the broker organisation.")
    solidarity = EngineState(
        "solidarity", valid=UNIT, doc="Trust toward the other CBOs as a group.")
    brokerage_skill = EngineState(
        "skill", valid=UNIT,
        doc="Skill at building relationships with statutory leaders directly.")
    fatigue = EngineState("fatigue", valid=UNIT, doc="Volunteer fatigue.")
    paid_share = EngineState(
        "payment", per_agent=False, valid=UNIT, writable=False,
        why="one share for the network, set by the engine from the funding in force",
        doc="Share of the full rate paid for its contributions this month.")

    def step(self) -> None:
        """Not the month: the model's submodels move every CBO at once in the compiled engine.

        ``PhaseZeroModel.step`` runs the month through the model's submodels
        (``PhaseZeroModel.submodels``) and does not call this method, so overriding ``step``
        alone does not change the month. To change a CBO's state, write its attributes between
        months (``cbo.trust_in_statutory = 0.2``).
        """


class Broker(mesa.Agent):
    """The network organisation: its director and staff."""

    @property
    def staff(self) -> int:
        """Director and staff."""
        return self.model.network.broker_staff

    credibility = EngineState(
        lambda model: model.network.params["broker_credibility"], per_agent=False,
        writable=False, why="a parameter (broker_credibility)",
        doc="Credibility on both sides, from the director's social location.")
    persistence = EngineState(
        lambda model: model.network.params["broker_persistence"], per_agent=False,
        writable=False, why="a parameter (broker_persistence)",
        doc="Share of capacity kept up without funding.")
    core_funded = EngineState(
        lambda model: model.network.core_funded > 0.5, kind=bool, per_agent=False,
        writable=False, why="a lever (core_funding and its timed interventions)",
        doc="Whether it has core non-statutory funding.")
    funded_share = EngineState(
        "funding_level", per_agent=False, valid=UNIT, writable=False,
        why="set by the engine from the funding in force",
        doc="Share of its capacity that current funding pays for.")

    def step(self) -> None:
        """Not the month: the model's submodels convene the meetings in the compiled engine.

        ``PhaseZeroModel.step`` runs the month through the model's submodels
        (``PhaseZeroModel.submodels``) and does not call this method, so overriding ``step``
        alone does not change the month.
        """


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

    level = EngineState(
        "official_level",
        doc="""What the official brings to a meeting's quality.

        Openness and experience of work on racism, including the statutory culture.
        """)
    recognition = EngineState(
        "recognition", valid=UNIT, doc="Recognition of community knowledge (trust toward CBOs).")
    endorsement = EngineState(
        "endorsement", valid=UNIT, doc="Public endorsement of the coproduction work.")
    monthly_leaving_probability = EngineState(
        "leave_probability", valid=UNIT,
        doc="Probability of leaving in a month (the seat is filled at once).")

    def step(self) -> None:
        """Not the month: the model's submodels move every official at once in the compiled engine.

        ``PhaseZeroModel.step`` runs the month through the model's submodels
        (``PhaseZeroModel.submodels``) and does not call this method, so overriding ``step``
        alone does not change the month. To change an official's state, write its attributes
        between months (``official.recognition = 0.6``).
        """


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

    harm_history = EngineState(
        "harm", valid=UNIT, writable=False,
        why="the engine keeps a learning rate derived from it, updated as harm happens",
        doc="Severity of past harm by services, in [0, 1].")
    trust = EngineState("user_trust", valid=UNIT, doc="Trust that the coproduction space is safe.")
    engaged = EngineState(
        "engaged", kind=bool, writable=False,
        why="decided each month from trust and the user's threshold (write trust instead)",
        doc="Whether they take part in the network's coproduction activity.")

    def step(self) -> None:
        """Not the month: the model's submodels move every service user at once in the engine.

        ``PhaseZeroModel.step`` runs the month through the model's submodels
        (``PhaseZeroModel.submodels``) and does not call this method, so overriding ``step``
        alone does not change the month. To change a service user's state, write its attributes
        between months (``user.trust = 0.3``).
        """
