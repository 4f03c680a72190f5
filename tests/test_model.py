import mesa
import numpy as np
import pandas as pd
import pytest

import simulation
from simulation import ParameterError, PhaseZeroModel, run, run_batch
from simulation.agents import Broker, CommunityOrganisation, ServiceUser, StatutoryOfficial
from simulation.network import METRICS, Network
from simulation.parameters import resolve

SHORT = {"horizon_months": 36}


def test_model_is_a_mesa_model_with_its_agents():
    m = PhaseZeroModel(rng=1, **SHORT)
    assert isinstance(m, mesa.Model)
    by_type = m.agents_by_type
    assert len(by_type[CommunityOrganisation]) == 20
    assert len(by_type[StatutoryOfficial]) == 18
    assert len(by_type[ServiceUser]) == 300
    assert len(by_type[Broker]) == 1
    ranks = [a.rank for a in by_type[StatutoryOfficial]]
    assert ranks.count("executive") == 2 and ranks.count("frontline") == 10
    assert PhaseZeroModel(rng=1, broker_present=False, **SHORT).agents_by_type.get(Broker) is None


def test_agents_show_the_networks_state_as_it_moves():
    m = PhaseZeroModel(rng=2, **SHORT)
    cbo = m.agents_by_type[CommunityOrganisation][0]
    before = cbo.trust_in_statutory
    for _ in range(24):
        m.step()
    assert cbo.trust_in_statutory == pytest.approx(m.network.trust_statutory[0, cbo.index])
    assert cbo.trust_in_statutory != before
    user = m.agents_by_type[ServiceUser][0]
    assert user.engaged == (user.trust >= m.network.threshold[0, 0])
    assert all(0 <= c < 20 for c in user.cbos)


def test_step_is_one_month_and_the_run_stops_at_the_horizon():
    m = PhaseZeroModel(rng=3, horizon_months=5)
    m.step()
    assert m.month == 1 and m.steps == 1
    while m.running:
        m.step()
    assert m.month == 5
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 6 and list(df.columns) == list(METRICS)


def test_model_validates_its_parameters():
    with pytest.raises(ParameterError, match="nonsense"):
        PhaseZeroModel(rng=0, nonsense=1)
    with pytest.raises(ParameterError, match="n_cbos"):
        PhaseZeroModel(rng=0, n_cbos=1)


def test_run_result_shape():
    r = run(SHORT, seed=4)
    assert isinstance(r.timeseries, pd.DataFrame) and len(r.timeseries) == 37
    assert r.timeseries["month"].tolist() == list(range(37))
    for key in ("phase_zero", "engagement"):
        assert f"{key}_months" in r.summary and f"{key}_censored" in r.summary
    assert run(SHORT, seed=4, timeseries=False).timeseries is None


def test_censored_outcomes_never_carry_a_number():
    r = run({"horizon_months": 12}, seed=0, timeseries=False)
    assert r.summary["phase_zero_censored"] and r.summary["phase_zero_months"] is None


def test_same_seed_same_result_and_different_seeds_differ():
    a, b, c = run(seed=11), run(seed=11), run(seed=12)
    assert a.summary == b.summary and a.timeseries.equals(b.timeseries)
    assert not a.timeseries.equals(c.timeseries)


def test_run_batch_equals_run_seed_by_seed():
    seeds = [5, 6, 7, 8]
    batch = run_batch({}, seeds, timeseries=True)
    for s, b in zip(seeds, batch, strict=True):
        single = run({}, seed=s)
        assert b.summary == single.summary
        pd.testing.assert_frame_equal(b.timeseries, single.timeseries)


def test_run_batch_with_different_parameters_and_structures():
    params = [{"venue_community_share": 0.0}, {}, {"n_cbos": 12}, {"kpi_tied": True}]
    seeds = [1, 2, 3, 4]
    batch = run_batch(params, seeds)
    for p, s, b in zip(params, seeds, batch, strict=True):
        assert b.summary == run(p, seed=s, timeseries=False).summary
        assert b.params == resolve(p)


def test_run_batch_refuses_mismatched_lengths_and_bad_seeds():
    with pytest.raises(ValueError, match="2 parameter dicts for 3 seeds"):
        run_batch([{}, {}], [1, 2, 3])
    with pytest.raises(ValueError, match="seed"):
        run_batch({}, [-1])


def test_switching_a_lever_leaves_other_mechanisms_random_numbers_alone():
    # Fixed-size monthly blocks: every stream has consumed the same numbers after a year,
    # whatever the levers, so scenarios share their random numbers mechanism by mechanism.
    nets = [Network([resolve(p)], [9], record="none")
            for p in ({}, {"broker_present": False, "kpi_tied": True, "core_funding": False})]
    for n in nets:
        for _ in range(12):
            n.step()
    # each stream's PCG64 state (STREAMS order), the initial-state stream included
    states = [n.stream_states[0] for n in nets]
    assert np.array_equal(states[0], states[1])
    assert not np.array_equal(nets[0].trust_statutory, nets[1].trust_statutory)


NO_CONTACT = {"broker_present": False, "statutory_meetings_per_month": 0.0,
              "self_contact_rate": 0.0}


def test_no_contact_ever_reaches_nothing():
    for r in run_batch(NO_CONTACT, range(10), timeseries=True):
        assert r.summary["phase_zero_censored"] and r.summary["engagement_censored"]
        ts = r.timeseries
        assert ts["meetings_community"].sum() == 0 and ts["meetings_statutory"].sum() == 0
        assert ts["trust_cbo_statutory"].max() <= ts["trust_cbo_statutory"].iloc[0] + 1e-12
        assert ts["engaged_share"].max() == 0


PERFECT = {"initial_trust_broker": 1.0, "initial_trust_statutory": 0.35,
           "initial_recognition": 0.35, "trust_gain": 0.1, "quality_base": 0.7,
           "endorsement_rate": 0.5, "turnover_executive": 0.0, "turnover_senior": 0.0,
           "turnover_frontline": 0.0, "su_threshold_mean": 0.25, "su_learning": 0.3,
           "acknowledgement_conference_gain": 1.0, "commissioning_interval_months": 1.0,
           "commissioning_rate": 1.0, "champion_leave_rate": 0.0}


def test_perfect_conditions_reach_both_outcomes_early():
    for r in run_batch(PERFECT, range(10)):
        assert not r.summary["phase_zero_censored"] and r.summary["phase_zero_months"] <= 24
        assert not r.summary["engagement_censored"] and r.summary["engagement_months"] <= 36


def test_public_api():
    assert set(simulation.__all__) >= {"PhaseZeroModel", "run", "run_batch", "RunResult"}


def test_core_funding_belongs_to_the_broker():
    with_broker = run_batch({"horizon_months": 3}, [1], timeseries=True)[0].timeseries
    without = run_batch({"horizon_months": 3, "broker_present": False}, [1],
                        timeseries=True)[0].timeseries
    assert with_broker["funding_level"].iloc[0] == 1.0
    # only the statutory project contract is left: its share of capacity
    assert without["funding_level"].iloc[0] == pytest.approx(resolve({})["project_capacity"])


@pytest.mark.parametrize("seed", [0, 7, 2**32, 2**63 + 5, 2**70])
def test_engine_streams_are_numpys_generators(seed):
    # The engine seeds and draws its PCG64 streams itself; they must be exactly the numbers
    # numpy.random.Generator(PCG64(child)).random() gives for each mechanism's child seed.
    from simulation.streams import STREAMS, draw, generator_states, mechanism_generators

    states = generator_states(seed)
    gens = mechanism_generators(seed)
    for k, name in enumerate(STREAMS):
        ref = gens[name].random(1003)
        got = np.concatenate([draw(states[k], n) for n in (1, 2, 3, 4, 5, 988)])
        assert np.array_equal(got, ref), name
