"""The Mesa model of phase zero: :class:`PhaseZeroModel`."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from simulation.agents import Broker, CommunityOrganisation, ServiceUser, StatutoryOfficial
from simulation.network import METRICS, OUTCOMES, Network
from simulation.parameters import resolve
from simulation.streams import check_seed
from simulation.submodels import DEFAULT_SUBMODELS, Submodels


def seed_from_rng(rng: Any) -> int:
    """The integer seed a run uses, from what was passed as ``rng=``.

    An integer is used as it is; a ``Generator`` or ``None`` yields a fresh 63-bit seed (drawn
    from it, or from the operating system), which the run then records so it can be repeated.
    """
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        return check_seed(rng)
    if rng is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    raise ValueError(f"rng must be an integer seed, a Generator or None, got {rng!r}")


class PhaseZeroModel(mesa.Model):
    """A coproduction network's phase zero, one step a month.

    Community organisations, a broker, statutory officials and service users, as Mesa agents
    whose state is held by the compiled engine, a :class:`~simulation.network.Network` with one
    replicate. The agents are created the first time they are asked for (``model.agents``,
    ``model.agents_by_type``): a run that never looks at them does not pay for several hundred
    Python objects. Keyword arguments are the model parameters of
    :data:`simulation.parameters.REGISTRY` (validated; unknown names and out-of-range values
    raise :class:`~simulation.parameters.ParameterError`).

    The month is :attr:`submodels`, named steps in the order of ODD section 3; a subclass may
    insert a Python function of its own between them, or replace or remove one
    (:mod:`simulation.submodels`)::

        class PeerSupportModel(PhaseZeroModel):
            submodels = PhaseZeroModel.submodels.insert("peer_support", peer_support,
                                                        after="service_users")

    Args:
        rng: seed (non-negative integer), ``numpy.random.Generator`` or ``None``.
        collect: record every month with Mesa's ``DataCollector``.
        record: what the engine keeps: ``"full"`` (every month, in ``network.history``),
            ``"current"`` (this month; the default when collecting) or ``"none"``.
        **params: model parameters.
    """

    #: The month's submodels, in order (the default: the compiled month, in one call).
    submodels: Submodels = DEFAULT_SUBMODELS
    #: Registered extension parameters this model's submodels read (filled in at their
    #: defaults; see simulation.parameters.register).
    parameters: tuple[str, ...] = ()
    #: The agent class of each kind of agent; a subclass may use subclasses of its own
    #: (for instance a ServiceUser with an attribute of an extension; docs/extending.md).
    agent_classes: dict[str, type] = {"cbo": CommunityOrganisation, "broker": Broker,
                                      "official": StatutoryOfficial,
                                      "service_user": ServiceUser}

    def __init__(self, *, rng: Any = None, collect: bool = True, record: str | None = None,
                 **params: Any) -> None:
        self.seed_used = seed_from_rng(rng)
        super().__init__(rng=self.seed_used)
        self.params = resolve(params, include=self.parameters)
        if record is None:
            record = "current" if collect else "none"
        if collect and record == "none":
            raise ValueError("collect=True needs record='current' or 'full'")
        self.network = Network([self.params], [self.seed_used], record=record,
                               submodels=self.submodels)
        self.network.model = self
        self.horizon = self.network.horizon
        self._agents_made = False
        self.collect = collect
        self._datacollector: mesa.DataCollector | None = None
        if collect:
            self.datacollector.collect(self)

    @property
    def datacollector(self) -> mesa.DataCollector:
        """Mesa's DataCollector of every metric (made on first use)."""
        if self._datacollector is None:
            self._datacollector = mesa.DataCollector(
                model_reporters={k: _reporter(k) for k in METRICS})
        return self._datacollector

    @datacollector.setter
    def datacollector(self, value: mesa.DataCollector) -> None:
        self._datacollector = value

    def _make_agents(self) -> None:
        """Create the agents, which read their state from the engine."""
        self._agents_made = True
        net, kinds = self.network, self.agent_classes
        kinds["cbo"].create_agents(self, net.C, index=list(range(net.C)))
        if net.has_broker[0]:
            kinds["broker"](self)
        kinds["official"].create_agents(self, net.S, index=list(range(net.S)))
        kinds["service_user"].create_agents(self, net.U, index=list(range(net.U)))

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Every agent of the model (created on first use)."""
        if not self.__dict__.get("_agents_made", True):
            self._make_agents()
        return super().agents

    @agents.setter
    def agents(self, value: Any) -> None:
        mesa.Model.agents.fset(self, value)

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.agent.AgentSet]:
        """The agents by type (created on first use)."""
        if not self.__dict__.get("_agents_made", True):
            self._make_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent types of the model (created on first use)."""
        return list(self.agents_by_type)

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.network.month

    def step(self) -> None:
        """One month: meetings, trust, acknowledgement, turnover, service users, funding."""
        self.network.step()
        self._after_months()
        if self.collect:
            self.datacollector.collect(self)

    def run_to_horizon(self) -> None:
        """Every remaining month (no ``DataCollector`` rows on the way).

        In one compiled call with the default :attr:`submodels`, month by month otherwise. With
        ``record="full"`` the months are in ``network.history``.
        """
        months = self.network.horizon - self.network.month
        self.network.run()
        # Mesa's clocks, as if step() had run each month
        self.steps += months
        if isinstance(getattr(self, "time", None), int | float):
            self.time += months
        self._after_months()

    def _after_months(self) -> None:
        if self._agents_made and not self.network.has_broker[0]:
            # a broker that leaves (a timed intervention) leaves the model's agents too
            for broker in list(self.agents_by_type.get(self.agent_classes["broker"], [])):
                broker.remove()
        if self.network.month >= self.horizon:
            self.running = False

    def outcome_months(self) -> dict[str, int | None]:
        """Month each of :data:`~simulation.network.OUTCOMES` was reached (``None``: not yet)."""
        reached = self.network.reached[:, 0]
        return {name: (int(m) if m >= 0 else None)
                for name, m in zip(OUTCOMES, reached, strict=True)}

    def current(self, metric: str) -> float:
        """Current month's value of one of :data:`~simulation.network.METRICS`."""
        history = self.network.history[metric]
        return float(history[0, 0] if history.shape[0] == 1 else history[self.month, 0])


def _reporter(metric: str):
    def report(model: PhaseZeroModel) -> float:
        return model.current(metric)

    report.__name__ = metric
    return report
