"""Which assumptions decide each answer: PAWN over the worlds, and the threshold in words."""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd
import pytest

from experiments.policy.assumptions import (
    decisive_parameters,
    grid_holds,
    load_ensemble,
    parameters_from_manifest,
    round_value,
    runway_holds,
    scenario_contrasts,
)


def _worlds(n: int = 400, k: int = 12, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.random((n, k)), columns=[f"p{i}" for i in range(k)],
                     index=pd.Index(range(100, 100 + n), name="world"))
    X["constant"] = 0.5
    return X


def test_a_binary_headline_names_its_one_parameter_and_the_side_where_it_fails():
    X = _worlds()
    holds = pd.Series((X["p3"] <= 0.8).astype(int), index=X.index)
    table = decisive_parameters(X, holds, top=3)
    assert list(table.columns[:3]) == ["parameter", "pawn_median", "pawn_max"]
    assert len(table) == 3
    first = table.iloc[0]
    assert first.parameter == "p3" and first.above_noise
    assert not table.iloc[1:].above_noise.any()
    assert first.side == "above" and first.threshold == pytest.approx(0.8, abs=0.06)
    # the threshold is a decile of the worlds' values, rounded in the phrase
    said = re.search(r"it fails mostly where `p3` is above ([0-9.]+) \(fails in (\d+)% of the "
                     r"worlds there, (\d+)% elsewhere\)", first.phrase)
    assert said and float(said[1]) == pytest.approx(0.8, abs=0.06), first.phrase
    assert int(said[2]) > 80 and int(said[3]) < 5
    # a constant column is skipped, whatever is asked for, and so is one that hardly varies
    X["repeated"] = np.where(np.arange(len(X)) < 0.6 * len(X), 0.3, X["p3"])
    assert not {"constant", "repeated"} & set(decisive_parameters(X, holds, top=20).parameter)


def test_the_side_below_and_a_continuous_value():
    X = _worlds(seed=2)
    fails_low = (X["p7"] > 0.3).astype(bool)      # fails where p7 is below 0.3
    row = decisive_parameters(X, fails_low).iloc[0]
    assert row.parameter == "p7" and row.side == "below"
    assert re.search(r"fails mostly where `p7` is below 0\.(2[5-9]|3[0-5]?)\b", row.phrase)
    delay = 100 * X["p5"] + np.random.default_rng(0).normal(0, 1, len(X))
    row = decisive_parameters(X, delay.to_numpy()).iloc[0]
    assert row.parameter == "p5" and row.phrase.startswith("it is largest where `p5` is above")


def test_deterministic_fast_and_tolerant_of_missing_values_and_constant_answers():
    X = _worlds(n=1000, k=76, seed=3)
    y = (X["p40"] + 0.2 * X["p2"] < 0.9).astype(float)
    y.iloc[:10] = np.nan
    started = time.perf_counter()
    a = decisive_parameters(X, y)
    assert time.perf_counter() - started < 8
    pd.testing.assert_frame_equal(a, decisive_parameters(X, y))
    assert a.iloc[0].parameter == "p40" and a.iloc[0].worlds == 990
    # a headline that holds in every world has no deciding parameter
    assert decisive_parameters(X, np.ones(len(X))).empty


def test_the_noise_level_uses_salibs_own_pawn_statistic():
    from SALib.analyze import pawn

    from experiments.policy.assumptions import _pawn_fast, slice_ids

    X = _worlds(n=300, k=5, seed=4).drop(columns="constant").to_numpy(copy=True)
    X[:, 4] = np.round(X[:, 4] * 3)  # few values: empty and tied slices
    for y in (X[:, 0] * 3 + X[:, 1], (X[:, 2] > 0.4).astype(float)):
        median, top = _pawn_fast(slice_ids(X, 10), y, 10)
        theirs = pawn.analyze({"num_vars": 5, "names": list("abcde")}, X, y, S=10)
        np.testing.assert_allclose(median, theirs["median"], atol=1e-12)
        np.testing.assert_allclose(top, theirs["maximum"], atol=1e-12)


def test_round_value_and_ensembles():
    assert [round_value(v) for v in (0.7987, 2.83, 150.4, 1234, 0.0512, 0)] == \
        ["0.8", "2.8", "150", "1200", "0.051", "0"]
    assert parameters_from_manifest({"parameter_sets": [{"a": 1, "b": 2}, {"a": 3, "b": 4}],
                                     "world_ids": [7, 9]}).loc[9, "a"] == 3
    assert parameters_from_manifest({"parameter_sets": None}) is None


def test_load_ensemble_keeps_parameters_only(tmp_path):
    path = tmp_path / "ensemble.csv"
    pd.DataFrame({"world": [3, 4], "particle": [0, 1], "a": [0.1, 0.2],
                  "tag": ["x", "y"]}).to_csv(path, index=False)
    X = load_ensemble(path)
    assert list(X.columns) == ["a"] and list(X.index) == [3, 4]


def test_values_per_world_from_the_three_inputs():
    times = pd.DataFrame({
        "scenario": ["tpn_baseline"] * 3 + ["other"] * 3, "world": [0, 1, 2] * 2,
        "outcome": "engagement", "horizon_months": 360,
        "time_months": [100, np.nan, np.nan, 130, 200, np.nan],
        "censored": [False, True, True, False, False, True]})
    c = scenario_contrasts(times)
    assert c.delay_months.tolist() == [30, -160, 0]
    assert c.later.tolist() == [True, False, False]
    assert c.earlier.tolist() == [False, True, False]
    assert c.both_beyond.tolist() == [False, False, True]
    grid = pd.DataFrame({"core_funding": [False, False, True], "kpi_tied": [True] * 3,
                         "contract_months": 12, "contract_gap_months": 3,
                         "world": [0, 1, 0], "outcome": "engagement",
                         "time_months": [50, np.nan, 400], "censored": [False, True, False]})
    cell = {"core_funding": False, "kpi_tied": True, "contract_months": 12,
            "contract_gap_months": 3}
    assert grid_holds(grid, cell).to_dict() == {0: True, 1: False}
    assert grid_holds(grid, {**cell, "core_funding": True}, within=360).to_dict() == {0: False}
    runway = pd.DataFrame({"regime": "kpi12", "runway_months": [0, 0, 12],
                           "world": [0, 1, 0], "outcome": "engagement",
                           "time_months": [170, 190, 20], "censored": False})
    assert runway_holds(runway, "kpi12", 0, within=180).to_dict() == {0: True, 1: False}
