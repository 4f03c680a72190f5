"""Agents' attributes are the engine's state: read, written, checked (simulation.agents)."""

import inspect
import math
import pydoc

import numpy as np
import pytest

from simulation import PhaseZeroModel
from simulation.agents import (
    UNIT,
    Broker,
    CommunityOrganisation,
    EngineState,
    ServiceUser,
    StatutoryOfficial,
)
from simulation.month import State

SMALL = {"n_service_users": 20}
AGENT_TYPES = (CommunityOrganisation, Broker, StatutoryOfficial, ServiceUser)


def small(seed: int = 0, **params) -> PhaseZeroModel:
    return PhaseZeroModel(rng=seed, collect=False, **{**SMALL, **params})


def first(model: PhaseZeroModel, kind: type):
    return model.agents_by_type[kind][0]


def engine_states(kind: type) -> dict[str, EngineState]:
    return {name: d for name, d in vars(kind).items() if isinstance(d, EngineState)}


def snapshot(model: PhaseZeroModel) -> dict[str, np.ndarray]:
    return {n: getattr(model.network.state, n).copy() for n in State._fields}


def differences(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each state array's elements that differ between two snapshots (as index arrays)."""
    out = {}
    for name in State._fields:
        same = a[name] == b[name]
        if a[name].dtype.kind == "f":
            same |= np.isnan(a[name]) & np.isnan(b[name])
        diff = np.argwhere(~same)
        if len(diff):
            out[name] = diff
    return out


def test_the_public_attributes_and_their_types_are_kept():
    m = small(seed=1)
    for _ in range(3):
        m.step()
    expected = {
        CommunityOrganisation: {"is_faith_group": bool, "leader_standing": float, "level": float,
                                "trust_in_statutory": float, "trust_in_broker": float,
                                "solidarity": float, "brokerage_skill": float, "fatigue": float,
                                "paid_share": float},
        Broker: {"staff": int, "credibility": float, "persistence": float, "core_funded": bool,
                 "funded_share": float},
        StatutoryOfficial: {"rank": str, "level": float, "recognition": float,
                            "endorsement": float, "monthly_leaving_probability": float},
        ServiceUser: {"cbos": tuple, "harm_history": float, "trust": float, "engaged": bool},
    }
    for kind, attributes in expected.items():
        agent = first(m, kind)
        for name, type_ in attributes.items():
            assert type(getattr(agent, name)) is type_, (kind.__name__, name)


def test_reading_equals_the_networks_arrays():
    m = small(seed=2)
    for _ in range(6):
        m.step()
    net = m.network
    for kind in AGENT_TYPES:
        states = engine_states(kind)
        assert states
        for agent in m.agents_by_type[kind]:
            for name, state in states.items():
                array = state.array(agent)
                where = (0, agent.index) if state.per_agent else 0
                assert getattr(agent, name) == state.kind(array[where])
    # and the arrays are the engine's own, by name
    for user in m.agents_by_type[ServiceUser]:
        assert user.trust == net.user_trust[0, user.index]
        assert user.harm_history == net.harm[0, user.index]
        assert user.engaged == bool(net.engaged[0, user.index])
    for cbo in m.agents_by_type[CommunityOrganisation]:
        assert cbo.trust_in_statutory == net.trust_statutory[0, cbo.index]
        assert cbo.brokerage_skill == net.skill[0, cbo.index]
        assert cbo.paid_share == net.payment[0]
    for official in m.agents_by_type[StatutoryOfficial]:
        assert official.recognition == net.recognition[0, official.index]
    broker = first(m, Broker)
    assert broker.funded_share == net.funding_level[0]
    assert broker.credibility == net.p["broker_credibility"][0]
    assert broker.persistence == net.p["broker_persistence"][0]
    assert broker.core_funded == bool(net.core_funded[0] > 0.5)
    # the users' trusts are not all one value, so the comparison above could fail
    assert len({u.trust for u in m.agents_by_type[ServiceUser]}) > 1


def test_a_write_changes_that_element_and_only_it():
    m = small(seed=3)
    user = m.agents_by_type[ServiceUser][7]
    cbo = m.agents_by_type[CommunityOrganisation][4]
    before = snapshot(m)
    user.trust = 0.875
    cbo.trust_in_statutory = 0.125
    assert user.trust == 0.875 and cbo.trust_in_statutory == 0.125
    changed = differences(before, snapshot(m))
    assert set(changed) == {"user_trust", "trust_statutory"}
    assert changed["user_trust"].tolist() == [[0, 7]]
    assert changed["trust_statutory"].tolist() == [[0, 4]]
    assert m.network.user_trust[0, 7] == 0.875 and m.network.trust_statutory[0, 4] == 0.125
    # numpy numbers and integers are taken too
    user.trust = np.float64(1)
    assert m.network.user_trust[0, 7] == 1.0 and type(user.trust) is float


def test_the_month_starts_from_the_written_value():
    written, direct, untouched = small(seed=4), small(seed=4), small(seed=4)
    for m in (written, direct, untouched):
        for _ in range(5):
            m.step()
    user = written.agents_by_type[ServiceUser][5]
    cbo = written.agents_by_type[CommunityOrganisation][2]
    official = written.agents_by_type[StatutoryOfficial][3]
    user_trust = 0.9 if user.trust < 0.5 else 0.1
    cbo_trust = 0.8 if cbo.trust_in_statutory < 0.5 else 0.2
    user.trust = user_trust
    cbo.trust_in_statutory = cbo_trust
    official.recognition = 0.95
    # the twin is written in the engine's arrays directly (its agents never made)
    direct.network.user_trust[0, 5] = user_trust
    direct.network.trust_statutory[0, 2] = cbo_trust
    direct.network.recognition[0, 3] = 0.95
    assert not differences(snapshot(written), snapshot(direct))
    for _ in range(3):
        written.step()
        direct.step()
        untouched.step()
        assert not differences(snapshot(written), snapshot(direct))
    changed = differences(snapshot(untouched), snapshot(written))
    assert {"user_trust", "trust_statutory", "recognition"} <= set(changed)
    assert user.trust != untouched.network.user_trust[0, 5]
    assert cbo.trust_in_statutory != untouched.network.trust_statutory[0, 2]


@pytest.mark.parametrize("kind, name, value", [
    (ServiceUser, "trust", 1.5),
    (ServiceUser, "trust", -0.01),
    (ServiceUser, "trust", math.nan),
    (CommunityOrganisation, "trust_in_statutory", 2),
    (CommunityOrganisation, "trust_in_broker", -1),
    (CommunityOrganisation, "solidarity", 1.0001),
    (CommunityOrganisation, "brokerage_skill", math.inf),
    (CommunityOrganisation, "fatigue", -0.5),
    (StatutoryOfficial, "recognition", 1.1),
    (StatutoryOfficial, "endorsement", -0.1),
    (StatutoryOfficial, "monthly_leaving_probability", 3),
])
def test_out_of_range_writes_raise_naming_the_attribute_and_range(kind, name, value):
    m = small(seed=5)
    agent = first(m, kind)
    before = snapshot(m)
    with pytest.raises(ValueError, match=rf"{kind.__name__}\.{name} must be in \[0, 1\]"):
        setattr(agent, name, value)
    assert not differences(before, snapshot(m))


def test_levels_take_any_finite_number_and_writes_must_be_numbers():
    m = small(seed=6)
    cbo, official = first(m, CommunityOrganisation), first(m, StatutoryOfficial)
    cbo.level = -0.3
    official.level = 0.4
    assert m.network.cbo_level[0, cbo.index] == -0.3
    assert m.network.official_level[0, official.index] == 0.4
    with pytest.raises(ValueError, match=r"CommunityOrganisation\.level must be a finite number"):
        cbo.level = math.nan
    with pytest.raises(ValueError, match=r"StatutoryOfficial\.level must be a finite number"):
        official.level = -math.inf
    with pytest.raises(TypeError, match=r"ServiceUser\.trust must be a number"):
        first(m, ServiceUser).trust = "high"
    assert m.network.cbo_level[0, cbo.index] == -0.3


@pytest.mark.parametrize("kind, name", [
    (CommunityOrganisation, "is_faith_group"),
    (CommunityOrganisation, "leader_standing"),
    (CommunityOrganisation, "paid_share"),
    (Broker, "credibility"),
    (Broker, "persistence"),
    (Broker, "core_funded"),
    (Broker, "funded_share"),
    (ServiceUser, "harm_history"),
    (ServiceUser, "engaged"),
])
def test_read_only_attributes_raise_on_write_saying_why(kind, name):
    m = small(seed=7)
    agent = first(m, kind)
    value = getattr(agent, name)
    before = snapshot(m)
    params = m.network.params.copy()
    with pytest.raises(AttributeError, match=rf"{kind.__name__}\.{name} is read-only: \w+"):
        setattr(agent, name, value)
    assert not differences(before, snapshot(m))
    assert np.array_equal(params, m.network.params)


def test_properties_outside_the_engine_state_stay_read_only():
    m = small(seed=7)
    for kind, name in ((Broker, "staff"), (StatutoryOfficial, "rank"), (ServiceUser, "cbos")):
        with pytest.raises(AttributeError):
            setattr(first(m, kind), name, getattr(first(m, kind), name))


class PeerUser(ServiceUser):
    """A service user with state the engine does not know of."""

    peer_support = EngineState(lambda model: model.peer_support, valid=UNIT,
                               doc="Support from peers who use services too.")
    peer_support_by_path = EngineState("peer_support", valid=UNIT)
    mentor = EngineState("mentors", kind=bool, doc="Whether they mentor others.")
    hours = EngineState("peer.hours", kind=int, per_agent=False, valid=(0, 40),
                        doc="Peer-support hours a week across the network.")


class Peer:
    hours = np.array([12])


def test_a_user_subclass_declares_state_of_its_own():
    m = small(seed=8)
    U = m.network.U
    m.peer_support = np.linspace(0.0, 0.5, U)[None, :]
    m.mentors = np.zeros((1, U), dtype=bool)
    m.peer = Peer()
    a, b = PeerUser(m, 3), PeerUser(m, 4)
    assert a.peer_support == pytest.approx(0.5 * 3 / (U - 1))
    assert a.peer_support_by_path == a.peer_support
    assert type(a.peer_support) is float and a.mentor is False and a.hours == 12
    a.peer_support = 0.75
    a.mentor = 1
    a.hours = 20.0
    assert m.peer_support[0, 3] == 0.75 and b.peer_support == pytest.approx(0.5 * 4 / (U - 1))
    assert m.mentors[0].tolist() == [i == 3 for i in range(U)]
    assert type(a.hours) is int and Peer.hours[0] == 20 and b.hours == 20
    with pytest.raises(ValueError, match=r"PeerUser\.peer_support must be in \[0, 1\]"):
        a.peer_support = 1.25
    with pytest.raises(ValueError, match=r"PeerUser\.mentor must be True or False"):
        a.mentor = 2
    with pytest.raises(ValueError, match=r"PeerUser\.hours must be in \[0, 40\]"):
        a.hours = 41
    with pytest.raises(ValueError, match=r"PeerUser\.hours must be a whole number"):
        a.hours = 2.5
    # the engine's state is still there, and still checked, on the subclass
    assert a.trust == m.network.user_trust[0, 3]
    with pytest.raises(ValueError, match=r"PeerUser\.trust must be in \[0, 1\]"):
        a.trust = 7


def test_the_descriptor_checks_how_it_is_declared():
    with pytest.raises(TypeError, match="kind"):
        EngineState("user_trust", kind=str)
    with pytest.raises(TypeError, match="source"):
        EngineState(42)
    with pytest.raises(ValueError, match="bool"):
        EngineState("engaged", kind=bool, valid=UNIT)
    with pytest.raises(ValueError, match="range"):
        EngineState("user_trust", valid=(1.0, 0.0))


def test_each_attribute_keeps_its_docstring():
    assert isinstance(ServiceUser.trust, EngineState)
    assert ServiceUser.trust.__doc__ == "Trust that the coproduction space is safe."
    assert inspect.getdoc(CommunityOrganisation.trust_in_statutory) == (
        "Trust toward statutory partners.")
    assert StatutoryOfficial.level.__doc__ == (
        "What the official brings to a meeting's quality.\n\n"
        "Openness and experience of work on racism, including the statutory culture.")
    assert PeerUser.peer_support.__doc__ == "Support from peers who use services too."
    for kind in AGENT_TYPES:
        for name, state in engine_states(kind).items():
            assert state.__doc__ and not state.__doc__.startswith("Engine state"), name
            assert state.name == name
    text = pydoc.render_doc(ServiceUser, renderer=pydoc.plaintext)
    assert "Trust that the coproduction space is safe." in text
    assert "Severity of past harm by services, in [0, 1]." in text
    assert ServiceUser.engaged.__doc__ == (
        "Whether they take part in the network's coproduction activity.\n\n"
        "Read-only: decided each month from trust and the user's threshold (write trust instead).")


def test_step_says_the_month_is_the_models_and_the_model_does_not_call_it(monkeypatch):
    for kind in AGENT_TYPES:
        doc = " ".join(inspect.getdoc(kind.step).split())
        assert "submodels" in doc and "overriding ``step`` alone does not change the month" in doc
    m = small(seed=9)
    assert len(m.agents) > 0  # the agents exist while the month runs

    def step(self):
        raise AssertionError("the model called an agent's step")

    for kind in AGENT_TYPES:
        monkeypatch.setattr(kind, "step", step)
    m.step()
    assert m.month == 1
