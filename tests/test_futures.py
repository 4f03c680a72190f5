import numpy as np
import pytest

from experiments.policy.futures import SETTINGS, Futures, Situation, alternative
from experiments.support.scenarios import load_scenario
from simulation.parameters import ParameterError


@pytest.fixture(scope="module")
def futures():
    return Futures(runs=2, horizon=120)


def test_a_situation_refuses_unknown_settings_and_bad_values():
    with pytest.raises(ValueError, match="not a setting"):
        Situation({"trust_gain": 0.1})
    with pytest.raises(ParameterError, match="contract_months"):
        Situation({"contract_months": 0})


def test_a_situation_saves_as_a_scenario_the_tools_read(tmp_path):
    situation = Situation({"kpi_tied": True, "contract_months": 12, "core_funding": False})
    path = tmp_path / "mine.toml"
    path.write_text(situation.scenario_toml("mine"))
    scenario = load_scenario(str(path))
    assert scenario.name == "mine"
    assert scenario.params["kpi_tied"] is True and scenario.params["contract_months"] == 12
    assert scenario.params == load_scenario(str(path)).params


def test_every_setting_has_a_different_alternative():
    situation = Situation({})
    for setting in SETTINGS:
        assert alternative(situation, setting) != situation.value(setting.parameter)


def test_stages_add_worlds_and_share_seeds(futures):
    situation = Situation({"kpi_tied": True})
    first, full = futures.stages(situation, first=3, total=6)
    assert (first.worlds, full.worlds) == (3, 6)
    head = full.times[full.times["world"].isin(first.times["world"].unique())]
    merged = first.times.merge(head, on=["who", "world", "outcome"])
    np.testing.assert_array_equal(merged["censored_x"], merged["censored_y"])
    assert set(full.times["who"]) == {"your network", "the studied network"}


def test_shares_and_curves_agree(futures):
    answer = futures.answer(Situation({}), 6)
    shares = answer.shares().set_index(["who", "outcome"])
    for (who, outcome), row in shares.iterrows():
        months, curve = answer.curve(who, outcome)
        assert np.all(np.diff(curve) >= 0) and curve[-1] <= 1
        assert curve[60] == pytest.approx(row["within_5y"])
        assert row["within_5y"] <= row["within_10y"] <= row["within_30y"]


def test_the_same_situation_gives_the_same_answer(futures):
    one = futures.answer(Situation({"venue_community_share": 0.5}), 4, reference=False)
    two = Futures(runs=2, horizon=120).answer(Situation({"venue_community_share": 0.5}), 4,
                                               reference=False)
    assert one.times.equals(two.times)


def test_effects_try_one_change_per_setting(futures):
    effects = futures.effects(Situation({"kpi_tied": True}), 3, outcome="phase_zero", span=120)
    assert list(effects["parameter"].sort_values()) == sorted(s.parameter for s in SETTINGS)
    assert np.allclose(effects["difference"], effects["share_changed"] - effects["share_now"])
    assert effects["difference"].abs().is_monotonic_decreasing



def test_a_situation_brief_is_the_brief_of_its_scenario_file(tmp_path, monkeypatch):
    """The brief is called as ``phase0 brief --scenario FILE`` calls it (the brief itself is
    tested in test_brief.py; writing one takes about 30 s)."""
    from experiments.policy import brief
    from experiments.policy.futures import write_situation_brief

    calls = []
    monkeypatch.setattr(brief, "write_brief", lambda out, scenario, sources, overwrite, own_run:
                        calls.append((out, scenario, own_run)) or out / "brief.html")
    situation = Situation({"kpi_tied": True, "contract_months": 12})
    path = write_situation_brief(situation, tmp_path, "kpi12", worlds=2)
    assert path == tmp_path / "brief" / "brief.html"
    (out, scenario, own), = calls
    assert scenario == str(tmp_path / "kpi12.toml")
    assert load_scenario(scenario).params["contract_months"] == 12
    assert (tmp_path / "kpi12.toml").read_text() == situation.scenario_toml("kpi12")
    assert (own.worlds, own.runs, own.workers) == (2, 8, 1)
