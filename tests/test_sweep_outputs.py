"""What sweeps keep besides end-of-run outputs: monthly values, used values, censoring flags."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.policy.discover import Target
from experiments.research.models import EVENT_HORIZON
from simulation import run
from simulation.parameters import resolve
from tests.test_sweep import DATA

EVENT = "experiments.research.models:exponential_event"



def test_record_monthly_keeps_metrics_every_month_in_long_format(tmp_path, small_scenario):
    out = tmp_path / "m"
    assert main(["sweep", "--method", "lhs", "--n", "3", "--replicates", "2", "--params",
                 "trust_gain,kpi_tied", "--scenario", small_scenario, "--chunk-rows", "2",
                 "--record", "monthly:engaged_share,recognition", "--out", str(out),
                 "--quiet", "--workers", "1"]) == 0
    monthly = pd.read_parquet(out / "monthly.parquet")
    runs = pd.read_parquet(out / "results.parquet")
    assert list(monthly.columns) == ["row", "replicate", "seed", "month", "metric", "value"]
    assert len(monthly) == len(runs) * 31 * 2
    assert set(monthly["metric"]) == {"engaged_share", "recognition"}
    # joined chunk by chunk, in design order: rows, replicates, months
    order = monthly.sort_values(["row", "replicate", "month"], kind="stable")
    assert (order.index == monthly.index).all() and monthly["row"].nunique() == 3
    # one run again, alone: the same months
    first = runs.iloc[3]
    manifest = json.loads((out / "manifest.json").read_text())
    params = {**manifest["base"], "trust_gain": float(first["trust_gain_used"]),
              "kpi_tied": bool(first["kpi_tied_used"])}
    ts = run(resolve(params), seed=int(first["seed"])).timeseries
    mine = monthly[(monthly["row"] == first["row"]) & (monthly["replicate"] == first["replicate"])
                   & (monthly["metric"] == "recognition")]
    np.testing.assert_array_equal(mine["value"].to_numpy(), ts["recognition"].to_numpy())


def test_sweeps_keep_the_values_the_model_used_beside_the_raw_ones(tmp_path, small_scenario):
    out = tmp_path / "u"
    assert main(["sweep", "--method", "lhs", "--n", "8", "--replicates", "1", "--params",
                 "kpi_tied,contract_months,trust_gain", "--scenario", small_scenario,
                 "--out", str(out), "--quiet", "--workers", "1"]) == 0
    runs = pd.read_parquet(out / "results.parquet")
    assert list(runs.columns[3:9]) == ["kpi_tied", "kpi_tied_used", "contract_months",
                                       "contract_months_used", "trust_gain", "trust_gain_used"]
    assert ((runs["kpi_tied"] >= 0.5) == (runs["kpi_tied_used"] == 1)).all()
    assert (runs["contract_months_used"] == runs["contract_months"].round()).all()
    assert (runs["trust_gain_used"] == runs["trust_gain"]).all()
    assert not runs["kpi_tied"].isin([0.0, 1.0]).all()  # the raw values are the design's


def test_censoring_flags_of_another_model_are_honoured(tmp_path):
    out = tmp_path / "e"
    assert main(["sweep", "--method", "sobol", "--n", "64", "--replicates", "8", "--model",
                 EVENT, "--problem", str(DATA / "event.toml"), "--out", str(out), "--quiet",
                 "--workers", "1"]) == 0
    runs = pd.read_parquet(out / "results.parquet")
    rows = pd.read_parquet(out / "rows.parquet")
    assert runs["time_censored"].dtype == bool and runs["time_censored"].any()
    assert {"rmst_time", "p_time", "var_time"} <= set(rows) and "mean_time" not in rows
    # the probability of the event rises with its rate, as 1 - exp(-x1 H)
    expected = 1 - np.exp(-rows["x1"] * EVENT_HORIZON)
    assert np.corrcoef(rows["p_time"], expected)[0, 1] > 0.8
    # a censored run never meets an upper bound on the time, even at the horizon
    met = Target("time", "<=", EVENT_HORIZON).evaluate(runs)
    assert not met[runs["time_censored"].to_numpy()].any() and met[~runs["time_censored"]].all()
    assert main(["analyze", str(out), "--resamples", "100"]) == 0
    sobol = pd.read_csv(out / "analysis" / "sobol.csv")
    assert {"rmst_time", "p_time"} <= set(sobol["target"])
    top = sobol[sobol["target"] == "p_time"].set_index("parameter")["ST"]
    assert top.idxmax() == "x1"


def test_bad_record_is_refused(tmp_path, small_scenario, capsys):
    code = main(["sweep", "--method", "lhs", "--n", "2", "--scenario", small_scenario,
                 "--record", "monthly:trust_in_everything", "--out", str(tmp_path / "b")])
    assert code == 2 and "unknown metric" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("bad", ["monthy", "weekly:engaged_share"])
def test_record_needs_monthly(tmp_path, small_scenario, capsys, bad):
    code = main(["sweep", "--method", "lhs", "--n", "2", "--scenario", small_scenario,
                 "--record", bad, "--out", str(tmp_path / "b")])
    assert code == 2 and "--record must be" in capsys.readouterr().err


def test_the_experiments_table_holds_used_values(tmp_path):
    from experiments.research.perform import perform_experiments
    from experiments.support.outputs import UserError

    experiments, _ = perform_experiments(None, 4, method="lhs", params=["kpi_tied"],
                                         replicates=1, folder=tmp_path / "p")
    assert list(experiments["kpi_tied_used"]) == list((experiments["kpi_tied"] >= 0.5) * 1.0)
    assert Path(tmp_path / "p" / "results.parquet").exists()
    # a table holds the user's own values: one the model would not run as written is refused
    with pytest.raises(UserError, match="row 0 .*'kpi_tied'.*true or false"):
        perform_experiments(None, pd.DataFrame({"kpi_tied": [0.2, 0.7]}), replicates=1,
                            folder=tmp_path / "t")
    assert not (tmp_path / "t").exists()


def test_a_censored_run_meets_a_lower_bound_only_when_its_censoring_is_past_it():
    runs = pd.DataFrame({"time": [2.0, 3.0, 3.0, 6.0],
                         "time_censored": [False, True, True, False]})
    assert list(Target("time", ">=", 2.5).evaluate(runs)) == [False, True, True, True]
    assert list(Target("time", ">=", 4.0).evaluate(runs)) == [False, False, False, True]
    assert list(Target("time", "<=", 3.0).evaluate(runs)) == [True, False, False, False]
    months = pd.DataFrame({"x_months": pd.array([10, None], dtype="Int64"),
                           "x_censored": [False, True], "horizon_months": [180, 180]})
    assert list(Target("x_months", ">", 100).evaluate(months)) == [False, True]
    assert list(Target("x_months", ">", 200).evaluate(months)) == [False, False]
