"""The Mesa model of phase zero: :class:`PhaseZeroModel`."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from simulation.agents import Broker, CommunityOrganisation, ServiceUser, StatutoryOfficial
from simulation.network import METRICS, OUTCOMES, Network
from simulation.parameters import resolve
from simulation.streams import check_seed


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
    whose state is held in a vectorised :class:`~simulation.network.Network`. Keyword arguments
    are the model parameters of :data:`simulation.parameters.REGISTRY` (validated; unknown names
    and out-of-range values raise :class:`~simulation.parameters.ParameterError`).

    Args:
        rng: seed (non-negative integer), ``numpy.random.Generator`` or ``None``.
        collect: record every month with Mesa's ``DataCollector``.
        **params: model parameters.
    """

    def __init__(self, *, rng: Any = None, collect: bool = True, **params: Any) -> None:
        self.seed_used = seed_from_rng(rng)
        super().__init__(rng=self.seed_used)
        self.params = resolve(params)
        self.network = Network([self.params], [self.seed_used],
                               record="current" if collect else "none")
        self.horizon = self.network.horizon
        net = self.network
        CommunityOrganisation.create_agents(self, net.C, index=list(range(net.C)))
        if self.params["broker_present"]:
            Broker(self)
        StatutoryOfficial.create_agents(self, net.S, index=list(range(net.S)))
        ServiceUser.create_agents(self, net.U, index=list(range(net.U)))
        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters={k: _reporter(k) for k in METRICS}
        )
        if collect:
            self.datacollector.collect(self)

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.network.month

    def step(self) -> None:
        """One month: meetings, trust, acknowledgement, turnover, service users, funding."""
        self.network.step()
        if not self.network.has_broker[0]:
            # a broker that leaves (a timed intervention) leaves the model's agents too
            for broker in list(self.agents_by_type.get(Broker, [])):
                broker.remove()
        if self.collect:
            self.datacollector.collect(self)
        if self.network.month >= self.horizon:
            self.running = False

    def outcome_months(self) -> dict[str, int | None]:
        """Month each of :data:`~simulation.network.OUTCOMES` was reached (``None``: not yet)."""
        reached = self.network.reached[:, 0]
        return {name: (int(m) if m >= 0 else None)
                for name, m in zip(OUTCOMES, reached, strict=True)}

    def current(self, metric: str) -> float:
        """Current month's value of one of :data:`~simulation.network.METRICS`."""
        return float(self.network.history[metric][0, 0])


def _reporter(metric: str):
    def report(model: PhaseZeroModel) -> float:
        return model.current(metric)

    report.__name__ = metric
    return report
