import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from SALib import ProblemSpec

from experiments.cli import main
from experiments.research.models import ishigami_indices
from experiments.research.sweep.run import new_sweep

DATA = Path(__file__).parent / "data"
ISHIGAMI = str(DATA / "ishigami.toml")
ISH = "experiments.research.models:ishigami"
EXE = os.path.join(os.path.dirname(sys.executable), "phase0")


def sweep_args(out, scenario, *extra):
    return ["sweep", "--method", "lhs", "--n", "24", "--replicates", "3", "--params",
            "trust_gain,venue_community_share,kpi_tied,contract_months", "--scenario",
            scenario, "--out", str(out), "--quiet", "--chunk-rows", "2", *extra]


def results(folder) -> pd.DataFrame:
    return pd.read_parquet(Path(folder) / "results.parquet")


# ---------------------------------------------------------------- known answers


@pytest.mark.parametrize("model", ["ishigami", "ishigami_noisy"])
def test_ishigami_sobol_indices_are_recovered(tmp_path, model):
    out = tmp_path / model
    assert main(["sweep", "--method", "sobol", "--n", "1024", "--replicates", "4", "--model",
                 f"experiments.research.models:{model}", "--problem", ISHIGAMI, "--out",
                 str(out),
                 "--quiet", "--workers", "1"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    rows = pd.read_parquet(out / "rows.parquet")
    names = manifest["problem"]["names"]
    assert names == ["x1", "x2", "x3", "dummy"]
    sp = ProblemSpec({"names": names, "bounds": manifest["problem"]["bounds"]})
    sp.samples = rows[names].to_numpy()
    sp.set_results(rows["mean_y"].to_numpy())
    sp.analyze_sobol(calc_second_order=False, seed=1)
    total, first = sp.to_df()[0], sp.to_df()[1]
    truth = ishigami_indices()
    for x in ("x1", "x2", "x3"):
        assert abs(first.loc[x, "S1"] - truth["S1"][x]) <= first.loc[x, "S1_conf"]
        assert abs(total.loc[x, "ST"] - truth["ST"][x]) <= total.loc[x, "ST_conf"]
    assert total.loc["dummy", "ST"] < 0.01


# ---------------------------------------------------------------- storage and outputs


def test_sweep_outputs_carry_ids_parameters_seeds_and_manifest(tmp_path, small_scenario):
    out = tmp_path / "s"
    assert main(sweep_args(out, small_scenario, "--workers", "1")) == 0
    res = results(out)
    assert len(res) == 24 * 3
    assert list(res["row"].unique()) == list(range(24))
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(res["seed"]) == set(manifest["run_seeds"])  # the same seeds for every row
    assert {"trust_gain", "dummy", "phase_zero_months", "phase_zero_censored"} <= set(res)
    assert res["phase_zero_months"].isna().equals(res["phase_zero_censored"])
    chunk = next((out / "chunks").glob("chunk-*.parquet"))
    meta = pq.read_schema(chunk).metadata
    assert json.loads(meta[b"phase0_manifest"])["fingerprint"] == manifest["fingerprint"]
    assert manifest["packages"]["SALib"] and manifest["code_version"]
    rows = pd.read_parquet(out / "rows.parquet")
    assert len(rows) == 24 and not rows.select_dtypes("number").isna().any().any()
    assert ((rows["p_phase_zero"] >= 0) & (rows["p_phase_zero"] <= 1)).all()
    assert (rows["rmst_phase_zero"] <= 30).all()
    # booleans and integers of the design reach the model as booleans and integers
    design = pd.read_parquet(out / "design.parquet")
    assert design.shape == (24, 5)


def test_identical_with_one_or_two_workers_and_with_shards(tmp_path, small_scenario):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(sweep_args(one, small_scenario, "--workers", "1")) == 0
    assert main(sweep_args(two, small_scenario, "--workers", "2")) == 0
    pd.testing.assert_frame_equal(results(one), results(two))
    shards = [tmp_path / f"shard{i}" for i in (1, 2, 3)]
    for i, folder in enumerate(shards, start=1):
        assert main(sweep_args(folder, small_scenario, "--workers", "1", "--shard",
                               f"{i}/3")) == 0
        assert not (folder / "results.parquet").exists()
    merged = tmp_path / "merged"
    assert main(["sweep", "--merge", *map(str, shards), "--out", str(merged)]) == 0
    pd.testing.assert_frame_equal(results(one), results(merged))
    assert main(["reproduce", str(merged), "--workers", "1", "--quiet"]) == 0


def test_resume_after_kill_minus_9_loses_and_repeats_nothing(tmp_path, small_scenario):
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    assert main(sweep_args(reference, small_scenario, "--workers", "1")) == 0
    proc = subprocess.Popen([EXE, *sweep_args(killed, small_scenario, "--workers", "1",
                                                "--chunk-rows", "1")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            n = len(list((killed / "chunks").glob("chunk-*.parquet"))) \
                if (killed / "chunks").exists() else 0
            if n >= 3:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done_before = len(list((killed / "chunks").glob("chunk-*.parquet")))
    assert 3 <= done_before < 24 and not (killed / "results.parquet").exists()
    # a same sweep without --resume is refused, nothing touched
    assert main(sweep_args(killed, small_scenario, "--chunk-rows", "1")) == 2
    assert main(sweep_args(killed, small_scenario, "--workers", "1", "--chunk-rows", "1",
                           "--resume")) == 0
    resumed = results(killed)
    # chunk sizes differ from the reference, results do not
    pd.testing.assert_frame_equal(resumed, results(reference))
    # re-running a finished sweep runs nothing
    before = {p: p.stat().st_mtime_ns for p in (killed / "chunks").iterdir()}
    assert main(sweep_args(killed, small_scenario, "--chunk-rows", "1", "--resume")) == 0
    assert before == {p: p.stat().st_mtime_ns for p in (killed / "chunks").iterdir()}


def test_reproduce_detects_a_changed_result(tmp_path, small_scenario, capsys):
    out = tmp_path / "s"
    assert main(sweep_args(out, small_scenario, "--workers", "1")) == 0
    assert main(["reproduce", str(out), "--workers", "1", "--quiet"]) == 0
    res = results(out)
    res.loc[5, "engaged_share"] += 0.5
    res.to_parquet(out / "results.parquet", index=False)
    capsys.readouterr()
    assert main(["reproduce", str(out), "--workers", "1", "--quiet"]) == 1
    assert "1 of 24 design rows differ" in capsys.readouterr().out


# ---------------------------------------------------------------- refusals


def test_bad_designs_and_foreign_folders_are_refused(tmp_path, small_scenario, capsys):
    def refused(args, fragment):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert fragment in err and "Traceback" not in err

    refused(["sweep", "--method", "lhs", "--params", "trust_gian", "--out",
             str(tmp_path / "a")], "unknown parameter 'trust_gian'")
    bad = tmp_path / "empty.toml"
    bad.write_text("[parameters.x1]\nbounds = [1.0, 1.0]\n")
    refused(["sweep", "--method", "lhs", "--model", ISH, "--problem",
             str(bad), "--out", str(tmp_path / "b")], "empty or invalid range")
    refused(["sweep", "--method", "lhs", "--model", "nowhere:fn", "--problem", ISHIGAMI,
             "--out", str(tmp_path / "c")], "cannot load model")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    refused(sweep_args(other, small_scenario), "holds no phase0 sweep")
    assert (other / "notes.txt").read_text() == "mine"
    first = tmp_path / "first"
    assert main(sweep_args(first, small_scenario, "--workers", "1")) == 0
    refused(sweep_args(first, small_scenario, "--seed", "5", "--resume"),
            "holds a different sweep")
    (first / "manifest.json").write_text("{broken")
    refused(sweep_args(first, small_scenario, "--resume"), "corrupt")
    for name in ("a", "b", "c"):
        assert not (tmp_path / name).exists()


def test_sobol_n_not_a_power_of_two_warns_with_the_next_power(tmp_path):
    with pytest.warns(UserWarning, match="next is 128"):
        new_sweep(tmp_path / "w", method="sobol", n=100, replicates=1, seed=0,
                  params=["x1"], scenario=None, model=ISH,
                  problem_file=ISHIGAMI, second_order=False, levels=4, values=None,
                  chunk_rows=None)


def test_rows_that_produce_nan_are_named_and_runs_kept(tmp_path, capsys):
    out = tmp_path / "nan"
    assert main(["sweep", "--method", "lhs", "--n", "8", "--replicates", "2", "--model",
                 "tests.nanmodel:sometimes_nan", "--problem", ISHIGAMI, "--out", str(out),
                 "--quiet", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "produced NaN" in err and "rows" in err
    assert list((out / "chunks").glob("chunk-*.parquet"))
    assert not (out / "rows.parquet").exists()


def test_grid_and_morris_designs(tmp_path, small_scenario):
    grid = tmp_path / "grid"
    assert main(["sweep", "--method", "grid", "--values", "contract_months=12,36",
                 "--values", "kpi_tied=0,1", "--replicates", "2", "--scenario", small_scenario,
                 "--out", str(grid), "--quiet", "--workers", "1"]) == 0
    design = pd.read_parquet(grid / "design.parquet")
    assert design[["contract_months", "kpi_tied"]].values.tolist() == [
        [12, 0], [12, 1], [36, 0], [36, 1]]
    morris = tmp_path / "morris"
    assert main(["sweep", "--method", "morris", "--n", "3", "--replicates", "1", "--params",
                 "trust_gain,venue_effect", "--scenario", small_scenario, "--out", str(morris),
                 "--quiet", "--workers", "1"]) == 0
    assert len(pd.read_parquet(morris / "design.parquet")) == 3 * (3 + 1)


# ---------------------------------------------------------------- dask


def test_dask_cluster_gives_identical_results_even_when_a_worker_dies(tmp_path, small_scenario):
    import distributed  # the 'distributed' extra, which make test installs
    reference = tmp_path / "reference"
    assert main(sweep_args(reference, small_scenario, "--workers", "1", "--chunk-rows", "1")) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        out = tmp_path / "dask"
        failure: list[BaseException] = []

        def sweep() -> None:
            try:
                assert main(sweep_args(out, small_scenario, "--chunk-rows", "1",
                                       "--scheduler", cluster.scheduler_address)) == 0
            except BaseException as exc:  # reported below
                failure.append(exc)

        thread = threading.Thread(target=sweep)
        thread.start()
        deadline = time.time() + 120
        while time.time() < deadline and len(list((out / "chunks").glob("*.parquet"))
                                             if (out / "chunks").exists() else []) < 2:
            time.sleep(0.05)
        pids = client.run(os.getpid)
        os.kill(next(iter(pids.values())), signal.SIGKILL)  # a worker dies mid-sweep
        thread.join(timeout=300)
        assert not thread.is_alive() and not failure, failure
    pd.testing.assert_frame_equal(results(out), results(reference))
    assert np.array_equal(results(out)["seed"], results(reference)["seed"])


def test_result_files_are_not_private(tmp_path, small_scenario):
    out = tmp_path / "s"
    assert main(sweep_args(out, small_scenario, "--workers", "1")) == 0
    for name in ("results.parquet", "rows.parquet", "rows.csv"):
        assert (out / name).stat().st_mode & 0o044 == 0o044, name
    assert next((out / "chunks").iterdir()).stat().st_mode & 0o044 == 0o044
