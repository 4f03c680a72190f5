"""The month as a list of submodels: stepped one at a time, changed by a user, in a Mesa model."""

import numpy as np
import pytest

from simulation import PhaseZeroModel
from simulation.network import Network
from simulation.parameters import resolve
from simulation.submodels import DEFAULT_SUBMODELS, Submodel, Submodels

# experiments/scenarios/interv_funding_gap.toml: tpn_baseline's parameters, the broker's funding
# cut at month 24 and restored at month 36
FUNDING_GAP = {"broker_present": True, "initial_trust_broker": 0.6, "venue_community_share": 1.0,
               "core_funding": True, "kpi_tied": False, "senior_engagement": True,
               "pay_contributions": True, "annual_conference": True,
               "funding_cut_month": 24, "funding_restored_month": 36}
# every other timed branch of the month: an incident, a champion who leaves, a runway, KPIs
OTHER_EVENTS = {"kpi_tied": True, "harmful_incident_month": 30, "champion_leaves_month": 20,
                "flexible_runway_months": 12, "venue_change_month": 40}


def noop(network):
    """Does nothing (forces the month to be stepped submodel by submodel)."""


STEPPED = DEFAULT_SUBMODELS.insert("noop", noop, after="service_users")


def _bits(a):
    return np.ascontiguousarray(a).tobytes()


def _assert_same_run(a: Network, b: Network):
    assert a.month == b.month
    for name, x, y in zip(a.state._fields, a.state, b.state, strict=True):
        assert _bits(x) == _bits(y), name
    assert _bits(a._history) == _bits(b._history)
    assert _bits(a.stream_states) == _bits(b.stream_states)
    fa, fb = a.final_state(), b.final_state()
    for k in fa:
        assert _bits(fa[k]) == _bits(fb[k]), k


@pytest.mark.parametrize("overrides", [{}, FUNDING_GAP, OTHER_EVENTS],
                         ids=["default", "funding_gap", "other_events"])
@pytest.mark.parametrize("R", [1, 3])
def test_the_default_submodels_stepped_give_the_compiled_month_bit_for_bit(R, overrides):
    params = [resolve(dict(overrides, horizon_months=96, trust_gain=0.02 + 0.01 * r))
              for r in range(R)]
    seeds = [11 + r for r in range(R)]
    fast = Network(params, seeds, record="full")
    stepped = Network(params, seeds, record="full", submodels=STEPPED)
    assert fast._draws is None and stepped._draws is not None
    fast.advance(30)
    for _ in range(30):
        stepped.step()
    _assert_same_run(fast, stepped)
    fast.run()
    stepped.run()
    _assert_same_run(fast, stepped)
    # 'current' records the same month in row 0
    current = Network(params, seeds, record="current", submodels=STEPPED)
    current.run()
    assert _bits(current._history[:, 0]) == _bits(fast._history[:, -1])


def test_the_default_list_is_the_compiled_month():
    p = resolve({"horizon_months": 6})
    assert Network([p], [0])._draws is None
    assert Network([p], [0], submodels=DEFAULT_SUBMODELS)._draws is None
    assert Network([p], [0], submodels=list(DEFAULT_SUBMODELS))._draws is None
    assert PhaseZeroModel(rng=0, collect=False, horizon_months=6).network._draws is None
    assert DEFAULT_SUBMODELS.names == ("levers", "meetings", "statutory_side", "service_users",
                                       "summarise", "commissioning", "outcomes",
                                       "contract_clock")
    assert all(s.compiled and s.doc and s.section for s in DEFAULT_SUBMODELS)


def test_a_user_submodel_sees_the_month_and_every_replicate_and_changes_the_outcome():
    seen = []

    def trusting(network):
        """Every service user's trust rises a little each month."""
        seen.append((network.month, network.state.user_trust.shape[0]))
        s = network.state
        s.user_trust[:] = np.minimum(s.user_trust + 0.02, 1.0)
        assert network.p["trust_gain"].shape == (network.R,)

    R = 6
    params = [resolve({"horizon_months": 60})] * R
    base = Network(params, list(range(R)), record="none")
    base.run()
    warm = Network(params, list(range(R)), record="none",
                   submodels=DEFAULT_SUBMODELS.insert("trusting", trusting,
                                                      after="service_users"))
    warm.run()
    assert seen == [(m, R) for m in range(1, 61)]
    assert warm.state.user_trust.mean() > base.state.user_trust.mean()
    assert warm.summary["engaged_share"].mean() > base.summary["engaged_share"].mean()
    # the engine's streams drew the same numbers (common random numbers)
    assert _bits(warm.stream_states) == _bits(base.stream_states)


def test_removing_or_replacing_a_builtin_submodel():
    p = [resolve({"horizon_months": 120})] * 3
    without = Network(p, [0, 1, 2], record="none",
                      submodels=DEFAULT_SUBMODELS.remove("commissioning"))
    without.run()
    assert not without.state.commissioned.any()
    assert (without.reached[0] == -1).all()          # phase zero ends with commissioning
    with_it = Network(p, [0, 1, 2], record="none")
    with_it.run()
    assert with_it.state.commissioned.any()

    levels = Network(p, [0, 1, 2], record="none",
                     submodels=DEFAULT_SUBMODELS.replace("statutory_side", noop))
    start = levels.state.official_level.copy()
    levels.run()
    assert _bits(levels.state.official_level) == _bits(start)     # nobody ever left
    assert not np.array_equal(with_it.state.official_level, start)


def test_submodels_insert_replace_remove_and_their_errors():
    d = DEFAULT_SUBMODELS
    after = d.insert("x", noop, after="meetings")
    before = d.insert("x", noop, before="meetings")
    assert after.names[:3] == ("levers", "meetings", "x")
    assert before.names[:3] == ("levers", "x", "meetings")
    assert after["x"] == Submodel("x", noop, "user", False,
                                  "Does nothing (forces the month to be stepped submodel by "
                                  "submodel).")
    assert d.insert("y", noop, after="contract_clock", doc="mine").names[-1] == "y"
    assert d.insert("y", noop, after="contract_clock", doc="mine")["y"].doc == "mine"
    assert len(d) == 8 and "x" not in d                          # the default never changes
    replaced = d.replace("service_users", noop)
    assert replaced.names == d.names
    assert replaced["service_users"].function is noop
    assert not replaced["service_users"].compiled
    assert replaced["service_users"].section == d["service_users"].section
    assert d.remove("levers").names == d.names[1:]
    again = d.insert("meetings_again", d["meetings"], after="contract_clock")
    assert again["meetings_again"].compiled and again["meetings_again"].function is \
        d["meetings"].function
    assert d.replace("levers", d["levers"]) == d                 # the same list: compiled month
    assert Submodels(list(d)) == d and hash(Submodels(list(d))) == hash(d)
    assert repr(d).startswith("Submodels(levers, meetings,")

    for call in (lambda: d.insert("x", noop, after="nope"),
                 lambda: d.insert("x", noop, before="nope"),
                 lambda: d.replace("nope", noop), lambda: d.remove("nope"), lambda: d["nope"]):
        with pytest.raises(ValueError, match="nope.*levers, meetings, statutory_side"):
            call()
    with pytest.raises(ValueError, match="already"):
        d.insert("meetings", noop, after="levers")
    with pytest.raises(ValueError, match="exactly one"):
        d.insert("x", noop)
    with pytest.raises(ValueError, match="exactly one"):
        d.insert("x", noop, after="levers", before="meetings")
    with pytest.raises(TypeError):
        d.insert("x", 42, after="levers")
    with pytest.raises(ValueError, match="two submodels"):
        Submodels([d["levers"], d["levers"]])
    with pytest.raises(TypeError):
        Submodels([noop])


def peer_support(network):
    """Engaged users bring others along: every service user's trust rises a little."""
    s = network.state
    s.user_trust[:] = np.minimum(s.user_trust + 0.01, 1.0)
    network.model.peer_months.append(network.month)


class PeerSupportModel(PhaseZeroModel):
    submodels = PhaseZeroModel.submodels.insert("peer_support", peer_support,
                                                after="service_users")

    def __init__(self, **kwargs):
        self.peer_months = []
        super().__init__(**kwargs)


def test_a_mesa_subclass_with_its_own_submodels_steps_and_runs_to_the_horizon():
    stepped = PeerSupportModel(rng=3, horizon_months=48)        # collects with DataCollector
    assert stepped.network.model is stepped
    assert stepped.network.submodels.names[4] == "peer_support"
    while stepped.running:
        stepped.step()
    assert stepped.peer_months == list(range(1, 49))
    frame = stepped.datacollector.get_model_vars_dataframe()
    assert len(frame) == 49

    at_once = PeerSupportModel(rng=3, horizon_months=48, collect=False, record="full")
    at_once.run_to_horizon()
    assert not at_once.running and at_once.steps == 48
    assert at_once.peer_months == list(range(1, 49))
    history = at_once.network.history
    for k in frame.columns:
        assert np.array_equal(frame[k].to_numpy(), history[k][:, 0]), k
    assert stepped.outcome_months() == at_once.outcome_months()

    plain = PhaseZeroModel(rng=3, horizon_months=48, collect=False, record="full")
    plain.run_to_horizon()
    assert history["user_trust"][-1, 0] > plain.network.history["user_trust"][-1, 0]
    # up to the first month the peer support runs, the two models are the same
    assert history["user_trust"][0, 0] == plain.network.history["user_trust"][0, 0]
