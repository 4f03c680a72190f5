"""Timed interventions: exact before their month, effective from it; scenario files; sweeps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.support.outputs import UserError
from experiments.support.scenarios import load_scenario
from simulation import run, run_batch
from simulation.agents import Broker
from simulation.interventions import EVENTS, latest, levers_at
from simulation.model import PhaseZeroModel
from simulation.parameters import ParameterError, defaults, names, resolve

MONTH = 40

#: Each event, with the setting that makes it bite (e.g. a champion can only arrive where senior
#: officials were not engaged).
CASES = {
    "broker_loses_core_funding": {},
    "broker_leaves": {},
    "funding_cut": {},
    "funding_restored": {"funding_cut_month": 20},
    "venue_policy_change": {"venue_share_after": 0.0},
    "harmful_incident": {},
    # champions also come and go at random: switched off here so the timed one is what acts
    "senior_champion_arrives": {"senior_engagement": False, "champion_arrival_rate": 0.0},
    "senior_champion_leaves": {"champion_leave_rate": 0.0},
}


def test_every_event_type_is_tested():
    assert set(CASES) == set(EVENTS)


def _series(params, seed):
    return run(params, seed=seed, timeseries=True).timeseries.drop(columns="month").to_numpy()


@pytest.mark.parametrize("event", sorted(CASES))
@pytest.mark.parametrize("seed", [3, 11])
def test_event_is_exact_before_its_month_and_changes_it_from_then(event, seed):
    base = {**load_scenario("tpn_baseline").overrides, **CASES[event]}
    without = _series(base, seed)
    with_event = _series({**base, EVENTS[event][0]: MONTH}, seed)
    # number for number before the event: the per-mechanism streams make this exact
    np.testing.assert_array_equal(with_event[:MONTH], without[:MONTH])
    differs = np.flatnonzero((with_event != without).any(axis=1))
    # From its month on (within a year: whether a senior official happens to be at a meeting in
    # the very month a champion arrives is chance).
    assert len(differs) and MONTH <= differs[0] <= MONTH + 12


def test_events_act_in_a_vectorised_batch_as_alone():
    params = [{"harmful_incident_month": 30}, {}, {"broker_leaves_month": 50}, {}]
    seeds = [1, 2, 3, 4]
    for result, p, s in zip(run_batch(params, seeds), params, seeds, strict=True):
        assert result.summary == run(p, seed=s, timeseries=False).summary


def test_events_have_the_effects_they_name():
    base = load_scenario("tpn_baseline").overrides
    ts = run({**base, "broker_leaves_month": 24}, seed=2).timeseries
    # no broker, no core funding (project money still flows); statutory bodies convene at
    # their own sites instead
    project = defaults()["project_capacity"]
    assert (ts.loc[ts.month < 24, "funding_level"] > project).all()
    assert (ts.loc[ts.month >= 24, "funding_level"] <= project).all()
    assert ts.loc[ts.month < 24, "meetings_statutory"].sum() == 0
    assert ts.loc[ts.month >= 24, "meetings_statutory"].sum() > 0
    ts = run({**base, "funding_cut_month": 24, "funding_restored_month": 48}, seed=2).timeseries
    assert (ts.loc[(ts.month >= 24) & (ts.month < 47), "funding_level"] == 0).all()
    assert (ts.loc[ts.month >= 48, "funding_level"] > 0).all()
    before = run(base, seed=2).timeseries
    ts = run({**base, "harmful_incident_month": 60, "harmful_incident_size": 0.3},
             seed=2).timeseries
    drop = before.loc[60, "trust_cbo_statutory"] - ts.loc[60, "trust_cbo_statutory"]
    assert drop > 0.2
    assert ts.loc[60, "user_trust"] < before.loc[60, "user_trust"]


def test_runway_is_flexible_core_funding_then_the_regime():
    regime = load_scenario("short_kpi_contracts").overrides
    ts = run({**regime, "flexible_runway_months": 24}, seed=4).timeseries
    full = min(1.0, defaults()["core_capacity"] + defaults()["project_capacity"])
    # a month's record holds the funding its levers give (for the next month's meetings)
    runway = ts[ts.month <= 24]
    assert np.allclose(runway["funding_level"], full) and (runway["kpi_pressure"] == 0).all()
    after = ts[ts.month > 24]
    # the regime: KPI-tied project money, and no core funding
    assert after["kpi_pressure"].max() == 1.0
    assert after["funding_level"].max() <= defaults()["project_capacity"] + 1e-12


def test_latest_event_wins():
    base = np.array([1.0, 1.0, 0.0])
    off, on = np.array([10, 30, 0]), np.array([20, 20, 5])
    assert list(latest(base, 4, (off, 0.0), (on, 1.0))) == [1.0, 1.0, 0.0]
    assert list(latest(base, 15, (off, 0.0), (on, 1.0))) == [0.0, 1.0, 1.0]
    assert list(latest(base, 35, (off, 0.0), (on, 1.0))) == [1.0, 0.0, 1.0]
    p = {n: np.array([float(v)]) for n, v in resolve({"core_funding": False,
                                                      "funding_restored_month": 12}).items()
         if not isinstance(v, str)}
    assert levers_at(11, p).core_funding[0] == 0.0
    assert levers_at(12, p).core_funding[0] == 1.0


def test_the_mesa_broker_leaves_with_the_broker():
    model = PhaseZeroModel(rng=1, broker_leaves_month=3)
    model.step()
    model.step()
    assert len(model.agents_by_type.get(Broker, [])) == 1
    model.step()
    assert len(model.agents_by_type.get(Broker, [])) == 0


def test_event_parameters_are_validated():
    with pytest.raises(ParameterError, match="harmful_incident_month"):
        resolve({"harmful_incident_month": -1})
    assert set(names("event")) >= {m for m, _ in EVENTS.values()}


def _scenario(tmp_path, events: str, extra: str = "") -> str:
    path = tmp_path / "s.toml"
    path.write_text('name = "s"\ndescription = "test"\n[parameters]\n' + extra + events)
    return str(path)


def test_scenario_events_become_parameters(tmp_path):
    path = _scenario(tmp_path, '[[events]]\nevent = "harmful_incident"\nmonth = 60\nsize = 0.3\n'
                     '[[events]]\nevent = "venue_policy_change"\nmonth = 24\n'
                     'venue_community_share = 0.5\n')
    s = load_scenario(path)
    assert s.params["harmful_incident_month"] == 60
    assert s.params["harmful_incident_size"] == 0.3
    assert s.params["venue_change_month"] == 24 and s.params["venue_share_after"] == 0.5


@pytest.mark.parametrize("events, message", [
    ('[[events]]\nevent = "earthquake"\nmonth = 3\n', "must be one of"),
    ('[[events]]\nevent = "broker_leaves"\nmonth = 0\n', "'month' must be"),
    ('[[events]]\nevent = "broker_leaves"\nmonth = 12\ncolour = 1\n', "unknown key"),
    ('[[events]]\nevent = "broker_leaves"\nmonth = 5\n[[events]]\nevent = "broker_leaves"\n'
     'month = 9\n', "scheduled twice"),
    ('[[events]]\nevent = "harmful_incident"\nmonth = 5\nsize = 3\n', "harmful_incident_size"),
])
def test_broken_events_are_refused_by_name(tmp_path, events, message):
    with pytest.raises(UserError, match=message):
        load_scenario(_scenario(tmp_path, events))


def test_run_and_compare_accept_scenarios_with_events(tmp_path, capsys):
    path = _scenario(tmp_path, '[[events]]\nevent = "broker_leaves"\nmonth = 24\n')
    assert main(["run", "--scenario", path, "--out", str(tmp_path / "run")]) == 0
    ts = pd.read_csv(tmp_path / "run" / "timeseries.csv")
    assert (ts.loc[ts.month >= 24, "meetings_statutory"] > 0).any()
    assert main(["compare", "--scenarios", f"tpn_baseline,{path}", "--replicates", "4",
                 "--parameter-sets", "defaults", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "cmp")]) == 0
    runs = pd.read_csv(tmp_path / "cmp" / "runs.csv")
    assert set(runs["scenario"]) == {"tpn_baseline", "s"}


def test_an_event_month_can_be_swept(tmp_path):
    path = _scenario(tmp_path, '[[events]]\nevent = "broker_leaves"\nmonth = 24\n')
    out = tmp_path / "sweep"
    assert main(["sweep", "--method", "grid", "--params", "broker_leaves_month",
                 "--values", "broker_leaves_month=12,60,170", "--scenario", path,
                 "--replicates", "4", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    runs = pd.read_parquet(out / "results.parquet")
    reached = runs.groupby("broker_leaves_month")["phase_zero_censored"].mean()
    assert reached.index.tolist() == [12, 60, 170]
    assert reached[12] >= reached[170]
