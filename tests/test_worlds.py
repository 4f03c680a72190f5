"""Answers over plausible worlds: world times, shares of worlds, words in years, and compare."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.research import compare
from experiments.research.worlds import (
    format_year_range,
    format_years,
    percentile,
    summarise_worlds,
    world_time,
    world_times,
)
from experiments.support.outputs import UserError


def _runs(worlds: dict[int, list[float | None]], horizon: int = 120,
          scenario: str = "a") -> pd.DataFrame:
    """A per-run table as run_scenarios returns it: None is a censored run."""
    rows = []
    for k, months in worlds.items():
        for rep, m in enumerate(months):
            rows.append({"scenario": scenario, "parameter_set": k, "replicate": rep,
                         "horizon_months": horizon,
                         "phase_zero_months": m, "phase_zero_censored": m is None,
                         "engagement_months": None, "engagement_censored": True})
    return pd.DataFrame(rows)


def _ensemble(path, rows=((0, 0.03, 0.04), (1, 0.05, 0.02), (7, 0.02, 0.06))):
    pd.DataFrame(rows, columns=["world", "trust_gain", "su_learning"]).assign(
        log_likelihood=-1.0).to_csv(path, index=False)
    return path


# ---------------------------------------------------------------- world times

def test_a_world_time_is_the_median_with_censored_runs_last():
    assert world_time([10, 20, 30], [False] * 3) == 20
    assert world_time([10, 20, 30, 40], [False] * 4) == 25
    # one of three censored: the median is still a time
    assert world_time([10, 20, np.nan], [False, False, True]) == 20
    # three of eight censored: the middle two are both reached
    assert world_time([1, 2, 3, 4, 5, 0, 0, 0], [False] * 5 + [True] * 3) == 4.5
    # half censored (4 of 8) or more: not within the horizon
    assert math.isinf(world_time([1, 2, 3, 4, 0, 0, 0, 0], [False] * 4 + [True] * 4))
    assert math.isinf(world_time([10, 0, 0], [False, True, True]))


def test_world_times_flag_half_censored_worlds():
    runs = _runs({0: [10, 20, 30, 40], 1: [12, 14, None, None], 2: [50, 60, 70, None]})
    t = world_times(runs).query("outcome == 'phase_zero'").set_index("parameter_set")
    assert t.loc[0, "time_months"] == 25 and not t.loc[0, "censored"]
    assert np.isnan(t.loc[1, "time_months"]) and t.loc[1, "censored"]
    assert t.loc[2, "time_months"] == 65 and t.loc[2, "reached_runs"] == 3
    assert (t["runs"] == 4).all()
    en = world_times(runs).query("outcome == 'engagement'")
    assert en["censored"].all() and en["time_months"].isna().all()


def test_shares_of_worlds_and_percentiles_with_censoring():
    # world times: 30, 70, 110, beyond (half censored), beyond; horizon 120 months
    runs = _runs({0: [30, 30], 1: [70, 70], 2: [100, 120], 3: [50, None], 4: [None, None]})
    s = summarise_worlds(world_times(runs)).set_index("outcome")
    pz = s.loc["phase_zero"]
    assert pz["worlds"] == 5 and pz["runs_per_world"] == 2 and pz["horizon_months"] == 120
    assert pz["share_within_60"] == pytest.approx(0.2)
    assert pz["share_within_120"] == pytest.approx(0.6)
    # spans longer than the horizon: the runs cannot say, so NaN, not 0
    assert np.isnan(pz["share_within_180"]) and np.isnan(pz["share_within_360"])
    assert pz["share_beyond_horizon"] == pytest.approx(0.4)
    # sorted 30, 70, 110, inf, inf: p10 = 30 + 0.4 * 40, p50 = 110, p90 among the censored
    assert pz["p10_months"] == pytest.approx(46) and not pz["p10_beyond_horizon"]
    assert pz["p50_months"] == 110 and not pz["p50_beyond_horizon"]
    assert np.isnan(pz["p90_months"]) and pz["p90_beyond_horizon"]
    en = s.loc["engagement"]
    assert en["share_within_60"] == 0 and en["share_beyond_horizon"] == 1
    assert en[["p10_beyond_horizon", "p50_beyond_horizon", "p90_beyond_horizon"]].all()
    assert np.isnan(en[["p10_months", "p50_months", "p90_months"]].astype(float)).all()


def test_percentile_interpolates_and_stops_at_the_horizon():
    assert percentile(np.array([10.0, 20.0, 30.0]), 50) == 20
    assert percentile(np.array([10.0, 20.0]), 50) == 15
    assert math.isinf(percentile(np.array([10.0, np.inf]), 50))
    assert percentile(np.array([10.0, 20.0, np.inf]), 50) == 20


# ---------------------------------------------------------------- words

def test_months_are_written_as_whole_years():
    assert format_years(48, 360) == "about 4 years"
    assert format_years(45.5, 360) == "about 4 years"
    assert format_years(13, 360) == "about 1 year"
    assert format_years(4, 360) == "less than a year"
    for beyond in (None, np.nan, np.inf, 400):
        assert format_years(beyond, 360) == "not within 30 years"
    assert format_year_range(44, 46, 360) == "about 4 years"
    assert format_year_range(46, 84, 360) == "4 to 7 years"
    assert format_year_range(3, 30, 360) == "less than a year to 3 years"
    assert format_year_range(50, np.inf, 360) == "4 to more than 30 years"
    assert format_year_range(np.nan, np.nan, 180) == "not within 15 years"
    # never month-precise
    for text in (format_years(45, 360), format_year_range(44, 46, 360)):
        assert not re.search(r"\d+ \(\d+ to \d+\)", text) and "month" not in text


# ---------------------------------------------------------------- parameter sets

def test_posterior_is_the_ensemble_and_accepted_its_alias(tmp_path, monkeypatch):
    monkeypatch.setattr(compare, "ENSEMBLE", _ensemble(tmp_path / "ensemble.csv"))
    sets = compare.load_parameter_sets("posterior")
    assert sets == [{"trust_gain": 0.03, "su_learning": 0.04},
                    {"trust_gain": 0.05, "su_learning": 0.02},
                    {"trust_gain": 0.02, "su_learning": 0.06}]  # extra columns ignored
    assert compare.load_parameter_sets("accepted") == sets
    # a limit keeps sets evenly spaced through the file: the first and the last of three
    assert compare.load_parameter_sets("posterior", 2) == [sets[0], sets[2]]
    assert compare.load_worlds("posterior")[0] == [0, 1, 7]
    for spec in ("defaults", "none", ""):
        assert compare.load_parameter_sets(spec) == []
    monkeypatch.setattr(compare, "ENSEMBLE", tmp_path / "missing" / "ensemble.csv")
    with pytest.raises(UserError, match="ensemble.csv.*make calibrate"):
        compare.load_parameter_sets("posterior")


def test_a_missing_ensemble_is_one_clear_line_from_the_cli(tmp_path):
    # the committed ensemble may not exist yet; point the command at a folder without one
    code = ("import sys; from pathlib import Path; from experiments.research import compare; "
            f"compare.ENSEMBLE = Path({str(tmp_path / 'ensemble.csv')!r}); "
            "from experiments.cli import main; "
            "sys.exit(main(['compare', '--scenarios', 'tpn_baseline', '--quiet', '--out', "
            f"{str(tmp_path / 'out')!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert "ensemble.csv" in done.stderr and "make calibrate" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_worlds_get_a_30_year_horizon_unless_one_is_given():
    from experiments.cli.compare import _settle
    from experiments.support.scenarios import load_scenario

    base, short = load_scenario("tpn_baseline"), load_scenario("tpn_baseline")
    short = short.__class__("short", "", {"horizon_months": 48}, None)
    settled = _settle([base, short], {}, 360, ())
    assert [s.params["horizon_months"] for s in settled] == [360, 48]
    given = _settle([base], {"horizon_months": "60"}, 360, ())[0]
    assert given.overrides["horizon_months"] == 60 == given.params["horizon_months"]
    assert _settle([base], {}, None, ())[0].params["horizon_months"] == 180


# ---------------------------------------------------------------- end to end

def test_compare_over_worlds_writes_the_world_table_and_no_pooled_interval(tmp_path, capsys,
                                                                           monkeypatch):
    monkeypatch.setattr(compare, "ENSEMBLE", _ensemble(tmp_path / "ensemble.csv"))
    scenarios = []
    for name, extra in (("small", ""), ("small_statutory", "venue_community_share = 0.0\n")):
        path = tmp_path / f"{name}.toml"
        path.write_text(f"name = '{name}'\n[parameters]\nn_service_users = 30\nn_cbos = 8\n"
                        + extra)
        scenarios.append(str(path))
    out = tmp_path / "cmp"
    assert main(["compare", "--scenarios", ",".join(scenarios), "--replicates", "2",
                 "--set", "horizon_months=36", "--workers", "1", "--quiet",
                 "--out", str(out)]) == 0
    worlds = pd.read_csv(out / "worlds.csv")
    assert list(worlds.columns) == [
        "scenario", "outcome", "worlds", "runs_per_world", "horizon_months",
        "share_within_60", "share_within_120", "share_within_180", "share_within_360",
        "share_beyond_horizon", "p10_months", "p10_beyond_horizon", "p50_months",
        "p50_beyond_horizon", "p90_months", "p90_beyond_horizon"]
    assert len(worlds) == 4 and (worlds["worlds"] == 3).all()
    assert (worlds["runs_per_world"] == 2).all() and (worlds["horizon_months"] == 36).all()
    assert worlds["share_within_60"].isna().all()  # 5 years is past the 3-year horizon
    pd.testing.assert_frame_equal(pd.read_csv(out / "comparison.csv"), worlds)
    times = pd.read_csv(out / "world_times.csv")
    assert set(times["world"]) == {0, 1, 7} and len(times) == 2 * 3 * 2
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 2 * 3 * 2 and set(runs["world"]) == {0, 1, 7}
    md = (out / "comparison.md").read_text()
    assert md.startswith("# Scenario comparison over plausible worlds")
    assert "median of its 2 runs" in md and "not probabilities of the future" in md
    assert "of 3 plausible worlds" in md and "small_statutory" in md
    assert not re.search(r"\(\d+(\.\d+)? to \d+(\.\d+)?\)", md)  # no pooled interval
    assert "95%" not in md and "CI" not in md
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["worlds"] == 3 and manifest["runs_per_world"] == 2
    assert manifest["world_ids"] == [0, 1, 7]
    assert {"rankings.csv", "pairwise.csv", "pooled_kaplan_meier.csv", "kaplan_meier.png",
            "trajectories.png"} <= {p.name for p in out.iterdir()}
    printed = capsys.readouterr().out
    assert "within 5 years" in printed and "spread across worlds" in printed


def test_the_policy_brief_reads_a_comparison_over_worlds():
    from experiments.policy.brief_worlds import comparison_cells

    # 30 worlds x 8 runs: a third within 5 years, a third later, a third beyond the horizon
    worlds = {k: [[30] * 8, [70] * 8, [None] * 8][k % 3] for k in range(30)}
    table = comparison_cells(summarise_worlds(world_times(_runs(worlds, horizon=360))))
    table = table.set_index("outcome")
    assert table.loc["end of phase zero", "median across worlds"] == "about 6 years"
    assert table.loc["end of phase zero", "worlds within 5 years"] == "33%"
    assert table.loc["service-user engagement", "median across worlds"] == "not within 30 years"
    # 3 worlds x 2 runs: a warning in place of the numbers
    few = comparison_cells(summarise_worlds(world_times(_runs(
        {0: [30, 30], 1: [70, 70], 2: [None, None]}, horizon=360))))
    assert few.iloc[0]["worlds within 5 years"].startswith(
        "too few worlds and runs per world for a verdict (3 worlds x 2 runs)")


def test_a_world_is_run_as_the_calibration_ran_it():
    """The studied network's own behaviour settings give way to a world's; a scenario's own
    point (new_network's cold start) does not; every tool that runs worlds uses one rule."""
    from experiments.policy.explore import load_sets
    from experiments.research.calibrate.priors import base_parameters
    from experiments.research.sweep import worlds as sweep_worlds
    from experiments.research.worlds import scenario_in_worlds, world_seeds
    from experiments.support.scenarios import load_scenario
    from simulation import run_batch

    tpn, new = load_scenario("tpn_baseline"), load_scenario("new_network")
    assert tpn.overrides["initial_trust_broker"] != new.overrides["initial_trust_broker"]
    assert "initial_trust_broker" not in scenario_in_worlds(tpn.overrides)
    assert scenario_in_worlds(new.overrides) == new.overrides
    assert scenario_in_worlds(load_scenario("high_turnover").overrides)["turnover_senior"] == 0.3
    ids, sets = compare.load_worlds("posterior", 2)
    world = {**sets[0], "initial_trust_broker": 0.15}  # far from both scenarios' values
    seeds = compare.common_seeds(3, 4)
    horizon = base_parameters()["horizon_months"]
    for sc, expected in ((tpn, 0.15), (new, new.overrides["initial_trust_broker"])):
        runs, _ = compare.run_scenarios([compare.Scenario(sc.name, "", {
            **sc.overrides, "horizon_months": horizon})], seeds, metrics=(), progress=False,
            param_sets=[world])
        direct = run_batch({**world, **sc.overrides, "horizon_months": horizon,
                            "initial_trust_broker": expected}, world_seeds(seeds, 0))
        assert runs["phase_zero_months"].tolist() == [r.summary["phase_zero_months"]
                                                     for r in direct], sc.name
    # the calibration ran the studied network the same way: its base, then the world
    calibrated = run_batch({**base_parameters(), **world}, world_seeds(seeds, 0))
    runs, _ = compare.run_scenarios([compare.Scenario("tpn", "", {**tpn.overrides,
                                                                  "horizon_months": horizon})],
                                    seeds, metrics=(), progress=False, param_sets=[world])
    assert runs["engaged_share"].tolist() == [r.summary["engaged_share"] for r in calibrated]
    # the explorer's and the sweep's world columns follow the same rule
    assert "initial_trust_broker" in load_sets("posterior", 2, tpn.overrides)[1]
    assert "initial_trust_broker" not in load_sets("posterior", 2, new.overrides)[1]
    _, table = sweep_worlds.load("posterior", 2, scenario_in_worlds(new.overrides), [])
    assert "initial_trust_broker" not in table
    _, table = sweep_worlds.load("posterior", 2, scenario_in_worlds(tpn.overrides), [])
    assert "initial_trust_broker" in table


def test_each_world_runs_on_its_own_seeds_the_same_in_every_scenario():
    """Within a world the scenarios share seeds (a contrast is theirs); across worlds the seeds
    differ, so a share of worlds does not hang on a few places shared by all of them."""
    from experiments.research.worlds import world_seeds

    seeds = compare.common_seeds(5, 8)
    assert world_seeds(seeds, 3) == world_seeds(seeds, 3)
    assert len({tuple(world_seeds(seeds, w)) for w in range(50)}) == 50
    assert not set(world_seeds(seeds, 0)) & set(seeds)
    ids, sets = compare.load_worlds("posterior", 3)
    scenarios = [compare.Scenario(n, "", {"horizon_months": 60, "venue_community_share": v})
                 for n, v in (("a", 1.0), ("b", 0.0))]
    runs, _ = compare.run_scenarios(scenarios, seeds[:2], metrics=(), progress=False,
                                    param_sets=sets, set_ids=ids)
    again, _ = compare.run_scenarios(scenarios[:1], seeds[:2], metrics=(), progress=False,
                                     param_sets=sets[1:2], set_ids=ids[1:2])
    one = runs[(runs["scenario"] == "a") & (runs["parameter_set"] == 1)]
    # a world's runs depend on its id, not on which other worlds ran beside it
    assert one["engaged_share"].tolist() == again["engaged_share"].tolist()
