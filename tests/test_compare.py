import json
import re

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.research.compare import common_seeds, run_scenarios, survival_table
from experiments.research.survival import kaplan_meier
from experiments.support.outputs import UserError
from experiments.support.scenarios import STANDARD, available, load_scenario
from simulation.parameters import defaults

SHORT = {"horizon_months": 60, "n_service_users": 60}


# ---------------------------------------------------------------- scenarios

def test_standard_scenarios_exist_and_cite_the_paper():
    assert available()[: len(STANDARD)] == list(STANDARD)
    for name in STANDARD:
        s = load_scenario(name)
        text = s.path.read_text()
        assert text.startswith("#") and s.name == name and s.description


def test_tpn_baseline_is_the_registry_default():
    # The contrast scenarios change only what they name, starting from the defaults: this
    # holds only while the defaults describe the studied network.
    assert load_scenario("tpn_baseline").params == defaults()


def test_broken_scenario_files_are_refused_clearly(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 'x'\n[parameters]\nvenue_community_share = 3\n")
    with pytest.raises(UserError, match="bad.toml.*venue_community_share.*\\[0, 1\\]"):
        load_scenario(bad)
    bad.write_text("name = 'x'\n[parameters\n")
    with pytest.raises(UserError, match="not valid TOML"):
        load_scenario(bad)
    bad.write_text("name = 'x'\ncolour = 'red'\n")
    with pytest.raises(UserError, match="unknown key"):
        load_scenario(bad)
    with pytest.raises(UserError, match="unknown scenario 'nope'.*tpn_baseline"):
        load_scenario("nope")


def test_user_scenario_file_by_path(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text("# my network\nname = 'mine'\n[parameters]\nn_cbos = 8\n")
    assert load_scenario(mine).params["n_cbos"] == 8


# ---------------------------------------------------------------- survival

def test_kaplan_meier_matches_hand_computation():
    # 5 events at 10, 20, 20, 30, 40 and 3 censored at 180: S = 7/8, 5/8, 4/8, 3/8.
    fit = kaplan_meier(np.array([10, 20, 20, 30, 40, 180, 180, 180]),
                       np.array([0, 0, 0, 0, 0, 1, 1, 1], bool), 180)
    assert fit.median == 30
    assert fit.median_low is not None and fit.median_low <= 30
    # with 8 runs the upper survival band never falls to one half: upper bound not reached
    assert fit.median_high is None
    assert fit.rmst == pytest.approx(10 * 1 + 10 * 7 / 8 + 10 * 5 / 8 + 10 * 4 / 8 + 140 * 3 / 8)
    assert fit.reached_by[36][0] == pytest.approx(4 / 8)
    assert fit.censored_share == pytest.approx(3 / 8)


def test_all_censored_is_not_reached():
    fit = kaplan_meier(np.full(10, 180.0), np.ones(10, bool), 180)
    assert fit.median is None and fit.median_high is None and fit.rmst == 180
    p, lo, hi = fit.reached_by[60]
    assert p == 0 and lo == 0 and 0 < hi < 0.35


# ---------------------------------------------------------------- compare

def test_same_seeds_for_every_scenario_and_independent_of_workers():
    scenarios = [load_scenario("tpn_baseline"), load_scenario("statutory_venues")]
    scenarios = [s.__class__(s.name, s.description, {**s.overrides, **SHORT}, s.path)
                 for s in scenarios]
    seeds = common_seeds(1, 40)
    one, series1 = run_scenarios(scenarios, seeds, workers=1, progress=False)
    two, series2 = run_scenarios(scenarios, seeds, workers=2, progress=False)
    pd.testing.assert_frame_equal(one, two)
    assert np.array_equal(series1["tpn_baseline"]["relational"],
                          series2["tpn_baseline"]["relational"])
    by = one.groupby("scenario")["seed"].apply(list)
    assert by["tpn_baseline"] == by["statutory_venues"] == seeds
    table, _ = survival_table(one, ["tpn_baseline", "statutory_venues"])
    assert len(table) == 4


def test_compare_cli_writes_tables_and_figures(tmp_path, capsys):
    scen = tmp_path / "small.toml"
    scen.write_text("# test\nname = 'small'\n[parameters]\nhorizon_months = 48\n"
                    "n_service_users = 40\n")
    scen2 = tmp_path / "small2.toml"
    scen2.write_text("# test\nname = 'small_statutory'\n[parameters]\nhorizon_months = 48\n"
                     "n_service_users = 40\nvenue_community_share = 0.0\n")
    out = tmp_path / "cmp"
    assert main(["compare", "--scenarios", f"{scen},{scen2}", "--replicates", "8",
                 "--parameter-sets", "defaults", "--workers", "1", "--out", str(out),
                 "--quiet"]) == 0
    names = {p.name for p in out.iterdir()}
    assert names >= {"comparison.csv", "comparison.md", "kaplan_meier.png", "trajectories.png",
                     "runs.csv", "runs.parquet", "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replicates"] == 8 and manifest["code_version"]
    md = (out / "comparison.md").read_text()
    assert "small_statutory" in md and "95% CI" in md and "worlds" not in md
    assert not re.search(r"\d\.\d months|\| \d+\.\d+ \|", md)  # whole months
    assert main(["compare", "--scenarios", "nope", "--out", str(tmp_path / "x")]) == 2
    assert "unknown scenario" in capsys.readouterr().err


def test_rankings_show_ties():
    from experiments.research.compare import format_ranking

    rmst = {"a": 40.0, "b": 180.0, "c": 180.0, "d": 90.0, "e": 90.4}
    assert format_ranking(rmst, list(rmst)) == "a < d = e < b = c"


def test_rankings_and_pairwise_orders_across_parameter_sets():
    from experiments.research.compare import pairwise_order_frequencies, ranking_frequencies

    rows = []
    # set 0: a fast, b slow; set 1: b fast, a slow (censored at 60)
    for k, (ma, mb) in enumerate([(10, 40), (None, 20)]):
        for name, m in (("a", ma), ("b", mb)):
            for _rep in range(3):
                rows.append({"parameter_set": k, "scenario": name, "horizon_months": 60,
                             "phase_zero_months": m, "phase_zero_censored": m is None,
                             "engagement_months": None, "engagement_censored": True})
    runs = pd.DataFrame(rows)
    ranks = ranking_frequencies(runs, ["a", "b"])
    pz = ranks[ranks["outcome"] == "phase_zero"].set_index("ranking")["share"].to_dict()
    assert pz == {"a < b": 0.5, "b < a": 0.5}
    en = ranks[ranks["outcome"] == "engagement"]
    assert en["ranking"].tolist() == ["a = b"] and en["share"].tolist() == [1.0]
    pairs = pairwise_order_frequencies(runs, ["a", "b"], "a")
    assert pairs.set_index("outcome").loc["phase_zero", "slower_than_a"] == 0.5
