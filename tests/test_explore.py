"""The funding-cycle explorer over plausible worlds: designs, world times, the minimum runway
rule, outputs, resumption."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import experiments.policy.explore as explore
from experiments.cli import main
from experiments.policy.explore import (
    CONTRACT_MONTHS,
    GAP_MONTHS,
    REGIMES,
    RUNWAYS,
    grid_design,
    runway_design,
    runway_words,
    summarise_runway,
)
from experiments.research.worlds import world_time
from experiments.support.outputs import UserError


def test_designs_cross_every_setting_with_every_world():
    sets = pd.DataFrame({"trust_gain": [0.03, 0.05, 0.07], "kpi_tied": [1, 1, 1]})
    grid = grid_design(sets, horizon=360)
    assert len(grid) == len(CONTRACT_MONTHS) * 2 * len(GAP_MONTHS) * 2 * 3
    assert grid.groupby(["contract_months", "kpi_tied", "contract_gap_months",
                         "core_funding"]).size().eq(3).all()
    # worlds vary fastest (row i is world i % 3); a world's lever gives way to the grid's
    assert grid["trust_gain"].tolist()[:6] == [0.03, 0.05, 0.07] * 2
    assert set(grid["kpi_tied"]) == {0.0, 1.0} and set(grid["horizon_months"]) == {360.0}
    runway = runway_design(sets)
    assert len(runway) == len(REGIMES) * len(RUNWAYS) * 3
    assert sorted(runway["trust_gain"].unique()) == [0.03, 0.05, 0.07]
    assert "horizon_months" not in runway


def _fake_times(share_by_runway: dict[int, float], n: int = 25) -> pd.DataFrame:
    """World times of every regime where engagement comes at month 100 in the given share of
    ``n`` worlds (never, in the others), by runway."""
    rows = []
    for regime in REGIMES:
        for runway, share in share_by_runway.items():
            for w in range(n):
                hit = w < round(share * n)
                for outcome, reached in (("engagement", hit), ("phase_zero", True)):
                    rows.append({**{k: float(v) for k, v in regime.parameters().items()},
                                 "flexible_runway_months": float(runway), "world": w,
                                 "outcome": outcome, "runs": 4,
                                 "time_months": 100.0 if reached else np.nan,
                                 "censored": not reached})
    return pd.DataFrame(rows)


def test_minimum_runway_is_the_first_whose_share_of_worlds_reaches_the_target():
    curves, minimum = summarise_runway(_fake_times({0: 0.2, 12: 0.76, 24: 0.8, 36: 0.92}), 180)
    # 19 of 25 worlds fall short; 20 of 25 (80%) meet the target
    assert set(minimum["minimum_runway_months"]) == {24}
    assert set(minimum["previous_runway_months"]) == {12}
    assert minimum["holds_for_longer_runways"].all() and not minimum["too_few_worlds"].any()
    assert set(minimum["worlds"]) == {25} and set(minimum["runs_per_world"]) == {4}
    row = curves[(curves.regime == REGIMES[0].key) & (curves.runway_months == 12)].iloc[0]
    assert row.share_engagement == pytest.approx(0.76) and row.share_phase_zero == 1.0
    assert not any("lo" in c.split("_") or "hi" in c.split("_") or "wilson" in c
                   for c in [*curves.columns, *minimum.columns])
    assert runway_words(next(minimum.itertuples()), 360) == "between 12 and 24 months"
    # a dip after the first success is said
    _, dipping = summarise_runway(_fake_times({0: 0.2, 12: 0.96, 24: 0.5, 36: 0.96}), 180)
    assert set(dipping["minimum_runway_months"]) == {12}
    assert not dipping["holds_for_longer_runways"].any()
    assert "not at every longer runway" in runway_words(next(dipping.itertuples()), 360)
    # engagement after the window does not count
    _, late = summarise_runway(_fake_times({0: 0.2, 12: 0.96}), within=99)
    assert late["minimum_runway_months"].isna().all()
    assert runway_words(next(late.itertuples()), 360).startswith("not reached")
    # fewer than 20 worlds: no verdict
    _, few = summarise_runway(_fake_times({0: 1.0, 12: 1.0}, n=19), 180)
    assert few["too_few_worlds"].all() and few["minimum_runway_months"].isna().all()
    assert runway_words(next(few.itertuples()), 360) == "too few worlds for a verdict"


def test_runway_words_read_a_table_written_before_worlds():
    old = SimpleNamespace(minimum_runway_months=24.0, holds_for_longer_runways=True,
                          at_runway_months=24)
    assert runway_words(old, 180) == "between 18 and 24 months"
    assert runway_words(SimpleNamespace(minimum_runway_months=0, holds_for_longer_runways=True,
                                        at_runway_months=0), 180) == "none needed"


@pytest.fixture()
def tiny(monkeypatch, tmp_path):
    """A shrunken design, and three worlds (ids 7, 8, 9) in a parameter-set file."""
    monkeypatch.setattr(explore, "CONTRACT_MONTHS", (12, 36))
    monkeypatch.setattr(explore, "GAP_MONTHS", (0, 6))
    monkeypatch.setattr(explore, "RUNWAYS", (0, 24))
    path = tmp_path / "worlds.csv"
    pd.DataFrame({"world": [7, 8, 9], "particle": [0, 1, 2],
                  "meetings_per_staff": [1.0, 2.0, 3.0],
                  "trust_gain": [0.02, 0.04, 0.08]}).to_csv(path, index=False)
    return path


def _argv(tmp_path, sets, *extra):
    return ["explore", "funding", "--scenario", "tpn_baseline", "--parameter-sets", str(sets),
            "--replicates", "2", "--horizon", "120", "--within", "96", "--workers", "1",
            "--work", str(tmp_path / "work"), "--quiet", "--out", str(tmp_path / "out"), *extra]


def test_explorer_gives_shares_of_worlds_and_resumes(tiny, tmp_path, capsys):
    out, work = tmp_path / "out", tmp_path / "work"
    assert main(_argv(tmp_path, tiny)) == 0
    assert "too few worlds for a verdict" in capsys.readouterr().out.lower()
    for name in ("funding_grid.csv", "funding_grid.md", "grid_worlds.csv", "runway_worlds.csv",
                 "runway_curves.csv", "minimum_runway.csv", "minimum_runway.md",
                 "heatmap_phase_zero.png", "heatmap_engagement.png", "runway.png",
                 "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    grid = pd.read_csv(out / "funding_grid.csv")
    assert len(grid) == 2 * 2 * 2 * 2 * 2
    assert set(grid["worlds"]) == {3} and set(grid["runs_per_world"]) == {2}
    assert not [c for c in grid.columns if c.endswith(("_lo", "_hi")) or "wilson" in c
                or c.startswith("p_within") or "rmst" in c]
    # 5 years within the 10-year horizon; 15 and 30 years are past it: no share
    assert grid["share_within_60"].between(0, 1).all()
    assert grid["share_within_180"].isna().all() and grid["share_within_360"].isna().all()
    # each world's time is the median of its own runs, and the shares are of those times
    worlds = pd.read_csv(out / "grid_worlds.csv")
    assert list(worlds.columns) == ["core_funding", "kpi_tied", "contract_months",
                                    "contract_gap_months", "world", "outcome", "time_months",
                                    "censored"]
    assert set(worlds["world"]) == {7, 8, 9} and len(worlds) == 16 * 3 * 2
    runs = pd.read_parquet(work / "grid" / "results.parquet")
    # each world on its own seeds, the same in every cell of the grid
    from experiments.research.worlds import world_seeds

    run_seeds = json.loads((work / "grid" / "manifest.json").read_text())["run_seeds"]
    for world, sub in runs.groupby("world"):
        assert (sub.groupby("row")["seed"].apply(list) == pd.Series(
            [world_seeds(run_seeds, world)] * sub["row"].nunique(),
            index=sorted(sub["row"].unique()))).all()
    assert main(["reproduce", str(work / "grid"), "--workers", "1", "--quiet"]) == 0
    for world, k in ((7, 0), (9, 2)):
        mine = runs[runs["row"] % 3 == k]
        cell = mine[mine["row"] == mine["row"].min()]
        expect = world_time(cell["phase_zero_months"].astype(float), cell["phase_zero_censored"])
        got = worlds[(worlds.world == world) & (worlds.outcome == "phase_zero")].iloc[0]
        assert got.censored == np.isinf(expect)
        assert np.isinf(expect) or got.time_months == pytest.approx(expect)
    keys = ["core_funding", "kpi_tied", "contract_months", "contract_gap_months", "outcome"]
    t = worlds.assign(t=worlds.time_months.where(~worlds.censored, np.inf))
    share = t.groupby(keys)["t"].apply(lambda s: float(np.mean(s <= 60))).rename("expect")
    both = grid.join(share, on=keys)
    assert np.allclose(both["share_within_60"], both["expect"], atol=1e-4)
    assert np.allclose(grid["share_beyond_horizon"],
                       t.groupby(keys)["t"].apply(lambda s: float(np.mean(np.isinf(s))))
                       .reindex(pd.MultiIndex.from_frame(grid[keys])).to_numpy(), atol=1e-4)
    runway = pd.read_csv(out / "runway_worlds.csv")
    assert list(runway.columns) == ["regime", "runway_months", "world", "outcome",
                                    "time_months", "censored"]
    assert len(runway) == len(REGIMES) * 2 * 3 * 2
    curves = pd.read_csv(out / "runway_curves.csv")
    eng = runway[runway.outcome == "engagement"].assign(
        ok=lambda d: ~d.censored & (d.time_months <= 96))
    expect = eng.groupby(["regime", "runway_months"])["ok"].mean()
    assert np.allclose(curves.set_index(["regime", "runway_months"])["share_engagement"],
                       expect.reindex(curves.set_index(["regime", "runway_months"]).index),
                       atol=1e-4)
    minimum = pd.read_csv(out / "minimum_runway.csv")
    assert minimum["too_few_worlds"].all() and minimum["minimum_runway_months"].isna().all()
    text = (out / "minimum_runway.md").read_text()
    assert "3 plausible worlds (each world's time is the median of its 2 runs)" in text
    assert all(r.words in text for r in REGIMES) and "KPI pressure" in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["worlds"] == 3 and manifest["world_ids"] == [7, 8, 9]
    assert manifest["base_parameters"]["horizon_months"] == 120 and "code_version" in manifest
    # a second time, the finished sweeps are reused (nothing runs) and the tables are the same
    stamp = (work / "grid" / "results.parquet").stat().st_mtime_ns
    assert main(_argv(tmp_path, tiny, "--overwrite")) == 0
    assert (work / "grid" / "results.parquet").stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(grid, pd.read_csv(out / "funding_grid.csv"))
    # another design (runs per world) is refused, not mixed in, until --fresh
    with pytest.raises(UserError, match="--fresh"):
        explore.explore_funding(out, scenario="tpn_baseline", replicates=1,
                                parameter_sets=str(tiny), horizon=120, within=96, work=work,
                                overwrite=True, progress=False)
    again = explore.explore_funding(out, scenario="tpn_baseline", replicates=1,
                                    parameter_sets=str(tiny), horizon=120, within=96,
                                    work=work, overwrite=True, progress=False, fresh=True)
    assert set(again["grid"]["runs_per_world"]) == {1}


@pytest.mark.parametrize("argv, message", [
    (["--within", "0"], "--within"),
    (["--within", "400"], "--within"),
    (["--horizon", "0"], "--horizon"),
    (["--scenario", "nowhere"], "unknown scenario"),
    (["--replicates", "0"], "--replicates"),
])
def test_explorer_refuses_bad_input(tmp_path, capsys, argv, message):
    code = main(["explore", "funding", "--out", str(tmp_path / "o"), "--work",
                 str(tmp_path / "w"), "--quiet", *argv])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


REGIMES_FILE = """
[[regime]]
key = "council18"
words = "18-month KPI-tied council contracts, 6-month gaps, no core funding"
core_funding = false
kpi_tied = true
contract_months = 18
contract_gap_months = 6

[[regime]]
key = "trust60"
words = "a 60-month flexible trust grant with core funding"
core_funding = true
kpi_tied = false
contract_months = 60.0
contract_gap_months = 0
"""


def test_an_analysts_regimes_replace_the_built_in_ones(tiny, tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text(REGIMES_FILE)
    out = tmp_path / "out"
    argv = _argv(tmp_path, tiny)
    argv = argv[:argv.index("--work")] + argv[argv.index("--work") + 2:]  # the default work
    assert main([*argv, "--regimes", str(path)]) == 0, capsys.readouterr().err
    minimum = pd.read_csv(out / "minimum_runway.csv")
    assert list(minimum["regime"]) == ["council18", "trust60"]
    runway = pd.read_csv(out / "runway_worlds.csv")
    assert set(runway["regime"]) == {"council18", "trust60"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert [r["contract_months"] for r in manifest["regimes"]] == [18, 60]
    assert "18-month KPI-tied council contracts" in (out / "minimum_runway.md").read_text()
    # the sweeps go beside the output folder, not into the current folder
    assert (tmp_path / "out-sweeps" / "runway" / "results.parquet").exists()
    assert manifest["sweeps"].endswith("out-sweeps")
    from experiments.policy.brief_worlds import _regimes

    assert [r.key for r in _regimes(out)] == ["council18", "trust60"]


@pytest.mark.parametrize("text, message", [
    ("", "one [[regime]] table"),
    ("regime = 3\n", "one [[regime]] table"),
    ("[[regime]]\nkey = 'a'\n", "missing"),
    (REGIMES_FILE.replace("contract_months = 18", "contract_months = 18.5"), "whole number"),
    (REGIMES_FILE.replace("contract_months = 18", "contract_months = 0"), "contract_months"),
    (REGIMES_FILE.replace("kpi_tied = true", "kpi_tied = 0.7"), "true or false"),
    (REGIMES_FILE.replace("key = \"trust60\"", "key = \"council18\""), "more than once"),
    (REGIMES_FILE.replace("key = \"trust60\"", "key = \"no spaces\""), "'key'"),
    (REGIMES_FILE.replace("words = \"a 60", "colour = 'red'\nwords = \"a 60"), "unknown"),
    (REGIMES_FILE + REGIMES_FILE.replace("council18", "c2").replace("trust60", "t2"),
     "same funding terms"),
    ("[regimes]\nkey = 'a'\n", "unknown key"),
])
def test_a_broken_regimes_file_is_refused_in_one_line(text, message, tmp_path, capsys):
    path = tmp_path / "regimes.toml"
    path.write_text(text)
    code = main(["explore", "funding", "--out", str(tmp_path / "o"), "--regimes", str(path),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["regimes.toml"]
