"""The funding-cycle explorer: designs, the minimum runway rule, outputs, resumption."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.policy.explore import (
    CONTRACT_MONTHS,
    GAP_MONTHS,
    REGIMES,
    RUNWAYS,
    explore_funding,
    grid_design,
    runway_design,
    summarise_runway,
)


def test_designs_cross_every_setting_with_every_parameter_set():
    sets = pd.DataFrame({"trust_gain": [0.03, 0.05, 0.07]})
    grid = grid_design(sets)
    assert len(grid) == len(CONTRACT_MONTHS) * 2 * len(GAP_MONTHS) * 2 * 3
    assert grid.groupby(["contract_months", "kpi_tied", "contract_gap_months",
                         "core_funding"]).size().eq(3).all()
    runway = runway_design(sets)
    assert len(runway) == len(REGIMES) * len(RUNWAYS) * 3
    assert sorted(runway["trust_gain"].unique()) == [0.03, 0.05, 0.07]


def _fake_runs(p_by_runway: dict[int, float], n: int = 400) -> pd.DataFrame:
    """Runs of every regime where engagement happens with the given probability by runway."""
    rng = np.random.default_rng(0)
    frames = []
    for regime in REGIMES:
        for runway, p in p_by_runway.items():
            hit = np.zeros(n, bool)
            hit[: round(p * n)] = True
            rng.shuffle(hit)
            frames.append(pd.DataFrame({
                **{k: float(v) for k, v in regime.parameters().items()},
                "flexible_runway_months": float(runway),
                "engagement_months": pd.array(np.where(hit, 100, 0), dtype="Int64"),
                "engagement_censored": ~hit,
                "phase_zero_months": pd.array(np.full(n, 50), dtype="Int64"),
                "phase_zero_censored": np.zeros(n, bool)}))
    runs = pd.concat(frames, ignore_index=True)
    runs.loc[runs.engagement_censored, "engagement_months"] = pd.NA
    return runs


def test_minimum_runway_is_the_first_whose_lower_bound_reaches_the_target():
    runs = _fake_runs({0: 0.2, 12: 0.79, 24: 0.83, 36: 0.9, 48: 0.99})
    curves, minimum = summarise_runway(runs, within=180)
    # 0.83 of 400: the Wilson lower bound is 0.79, short of 0.8; 0.9 clears it
    assert set(minimum["minimum_runway_months"]) == {36}
    assert minimum["holds_for_longer_runways"].all()
    row = curves[(curves.regime == REGIMES[0].key) & (curves.runway_months == 24)].iloc[0]
    assert row.p_engagement == pytest.approx(0.83) and row.p_lo < 0.8
    # a dip after the first success is said
    _, dipping = summarise_runway(_fake_runs({0: 0.2, 12: 0.95, 24: 0.5, 36: 0.97}), within=180)
    assert set(dipping["minimum_runway_months"]) == {12}
    assert not dipping["holds_for_longer_runways"].any()
    # engagement after the window does not count
    _, minimum = summarise_runway(runs, within=99)
    assert minimum["minimum_runway_months"].isna().all()


def test_explorer_writes_its_tables_and_figures_and_resumes(tmp_path, capsys):
    out, work = tmp_path / "policy", tmp_path / "work"
    kwargs = dict(scenario="tpn_baseline", replicates=1, parameter_sets="none",
                  workers=1, work=work, progress=False)
    assert main(["explore", "funding", "--scenario", "tpn_baseline", "--replicates", "1",
                 "--parameter-sets", "none", "--workers", "1", "--work", str(work),
                 "--quiet", "--out", str(out)]) == 0
    assert "Minimum runway" in capsys.readouterr().out
    result = explore_funding(out, overwrite=True, **kwargs)
    for name in ("funding_grid.csv", "runway_curves.csv", "minimum_runway.csv",
                 "minimum_runway.md", "heatmap_phase_zero.png", "heatmap_engagement.png",
                 "runway.png", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    grid = pd.read_csv(out / "funding_grid.csv")
    assert len(grid) == 2 * len(CONTRACT_MONTHS) * 2 * len(GAP_MONTHS) * 2
    assert grid["p_within_3y"].between(0, 1).all()
    assert (grid["p_within_3y"] <= grid["p_within_10y"]).all()
    text = (out / "minimum_runway.md").read_text()
    assert all(r.words in text for r in REGIMES) and "KPI" in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"] == "tpn_baseline" and "code_version" in manifest
    # a second time, the finished sweeps are reused (nothing runs) and the tables are the same
    stamp = (work / "grid" / "results.parquet").stat().st_mtime_ns
    again = explore_funding(out, overwrite=True, **kwargs)
    assert (work / "grid" / "results.parquet").stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(result["grid"], again["grid"])
    pd.testing.assert_frame_equal(result["minimum"], again["minimum"])


@pytest.mark.parametrize("argv, message", [
    (["--within", "0"], "--within"),
    (["--scenario", "nowhere"], "unknown scenario"),
    (["--replicates", "0"], "--replicates"),
])
def test_explorer_refuses_bad_input(tmp_path, capsys, argv, message):
    code = main(["explore", "funding", "--out", str(tmp_path / "o"), "--work",
                 str(tmp_path / "w"), "--quiet", *argv])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
