"""Sweeps and scenario discovery over plausible worlds (``phase0 sweep --parameter-sets``).

A worlds LHS sweep samples the levers and joins design row i with world i mod n; its runs carry
the worlds' values and ids, it reproduces and resumes like any sweep, and scenario discovery
over it takes the worlds' behaviour parameters as candidates beside the levers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.policy.discover import discover, parse_target
from experiments.policy.discover_report import basis, scope
from experiments.research.compare import load_worlds
from experiments.research.sweep.verify import design_failures
from simulation.parameters import names

LEVERS = names("lever")
WORLDS = 5


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> str:
    """A small network over ten years (a scenario file); it sets no behaviour parameter."""
    path = tmp_path_factory.mktemp("scenario") / "small.toml"
    path.write_text("name = 'small'\n[parameters]\nhorizon_months = 120\nn_service_users = 30\n"
                    "n_cbos = 8\n")
    return str(path)


def worlds_args(out: Path, scenario: str, *extra: str) -> list[str]:
    return ["sweep", "--method", "lhs", "--n", "12", "--replicates", "2", "--scenario", scenario,
            "--parameter-sets", "posterior", "--max-sets", str(WORLDS), "--out", str(out),
            "--quiet", "--workers", "1", "--chunk-rows", "3", *extra]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, small) -> Path:
    out = tmp_path_factory.mktemp("worlds") / "sweep"
    assert main(worlds_args(out, small)) == 0
    return out


def test_row_i_takes_world_i_mod_n_with_its_values(sweep):
    ids, sets = load_worlds("posterior", WORLDS)
    runs = pd.read_parquet(sweep / "results.parquet")
    assert len(runs) == 12 * 2 and runs["world"].dtype == np.int64
    assert (runs["world"] == np.asarray(ids)[runs["row"] % WORLDS]).all()
    behaviour = names("behaviour")
    for run in runs.itertuples(index=False):
        world = sets[run.row % WORLDS]
        for name in behaviour:  # the raw value and the one the model used are the world's
            assert getattr(run, name) == pytest.approx(world[name], rel=1e-12)
            assert getattr(run, f"{name}_used") == pytest.approx(world[name], rel=1e-12)
    # the levers are sampled over their ranges, not taken from the worlds
    rows = pd.read_parquet(sweep / "rows.parquet")
    assert all(rows[lever].nunique() > 1 for lever in LEVERS)
    assert list(rows["world"]) == [ids[i % WORLDS] for i in range(12)]
    manifest = json.loads((sweep / "manifest.json").read_text())
    w = manifest["worlds"]
    assert (w["source"], w["count"], w["ids"]) == ("posterior", WORLDS, ids)
    assert w["parameters"] == behaviour and "i mod count" in w["assignment"]
    assert manifest["problem"]["names"] == [*LEVERS, "dummy"]
    # each world runs on its own seeds (recorded), not on the same few in every world
    from experiments.research.worlds import WORLD_SEEDS, world_seeds

    assert manifest["world_seeds"] == WORLD_SEEDS
    for run in runs.itertuples(index=False):
        assert run.seed == world_seeds(manifest["run_seeds"], run.world)[run.replicate]


def test_same_seed_same_runs_and_other_seed_other_levers(sweep, small, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    assert main(worlds_args(again, small)) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "results.parquet"),
                                  pd.read_parquet(again / "results.parquet"))
    assert main(worlds_args(other, small, "--seed", "1")) == 0
    a, b = (pd.read_parquet(f / "design.parquet") for f in (sweep, other))
    assert not np.allclose(a[LEVERS], b[LEVERS])
    pd.testing.assert_frame_equal(a.drop(columns=[*LEVERS, "dummy"]),
                                  b.drop(columns=[*LEVERS, "dummy"]))


def test_a_worlds_sweep_reproduces_and_a_moved_world_is_caught(sweep, capsys):
    assert main(["reproduce", str(sweep), "--workers", "1", "--quiet"]) == 0
    assert "reproduced exactly" in capsys.readouterr().out
    manifest = json.loads((sweep / "manifest.json").read_text())
    design = pd.read_parquet(sweep / "design.parquet")
    assert design_failures(manifest, design) == []
    swapped = design.copy()
    swapped.loc[[0, 1], "trust_gain"] = swapped.loc[[1, 0], "trust_gain"].to_numpy()
    assert any("i mod count" in f for f in design_failures(manifest, swapped))


def test_a_worlds_sweep_resumes_only_what_is_missing(sweep, small, tmp_path, capsys):
    out = tmp_path / "resumed"
    assert main(worlds_args(out, small)) == 0
    for name in ("chunk-000001.parquet", "chunk-000003.parquet"):
        (out / "chunks" / name).unlink()
    (out / "results.parquet").unlink()
    assert main(worlds_args(out, small)) == 2  # not without --resume
    capsys.readouterr()
    assert main(worlds_args(out, small, "--resume")) == 0
    assert "ran 12 runs in 2 of 4 chunks" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "results.parquet"),
                                  pd.read_parquet(out / "results.parquet"))
    # other worlds make another sweep: refused, not resumed into
    assert main(worlds_args(out, small, "--max-sets", "4", "--resume")) == 2
    assert "holds a different sweep" in capsys.readouterr().err


@pytest.mark.parametrize("extra, fragment", [
    (["--method", "sobol"], "--parameter-sets goes with --method lhs only"),
    (["--method", "grid", "--values", "kpi_tied=0,1"], "--parameter-sets goes with --method lhs"),
    (["--method", "morris"], "--parameter-sets goes with --method lhs only"),
    (["--params", "core_funding,trust_gain"], "--params names trust_gain, which every world"),
    (["--params", "world"], "'world' is the plausible world of a row"),
    (["--model", "experiments.research.models:ishigami"], "--model has none"),
    (["--parameter-sets", "nowhere.csv"], "'nowhere.csv' does not exist"),
])
def test_combinations_that_cannot_join_worlds_are_refused_in_one_line(tmp_path, capsys, small,
                                                                      extra, fragment):
    out = tmp_path / "refused"
    args = worlds_args(out, small)
    if extra[0] == "--method":
        args[args.index("lhs")], extra = extra[1], extra[2:]
    assert main(args + extra) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_discovery_over_worlds_takes_their_behaviour_as_candidates(tmp_path, small):
    # two kinds of world, trust building slow or fast: PRIM must find it among the candidates
    sets = tmp_path / "worlds.csv"
    pd.DataFrame({"world": range(10), "trust_gain": [0.005, 0.08] * 5,
                  "su_learning": [0.02, 0.05, 0.03, 0.04, 0.06] * 2}).to_csv(sets, index=False)
    out = tmp_path / "sweep"
    assert main(["sweep", "--method", "lhs", "--n", "120", "--replicates", "1", "--scenario",
                 small, "--parameter-sets", str(sets), "--params",
                 "venue_community_share,contract_months,core_funding", "--seed", "1",
                 "--workers", "1", "--quiet", "--out", str(out)]) == 0
    result = discover(out, parse_target("trust_cbo_statutory >= 0.45"), out=tmp_path / "d")
    record = result["record"]
    assert record["parameters"] == ["venue_community_share", "contract_months", "core_funding",
                                    "trust_gain", "su_learning"]
    assert record["worlds"] == {"source": str(sets.resolve()), "count": 10}
    first = result["boxes"][result["boxes"].box == 1].set_index("parameter")
    assert "trust_gain" in first.index and first.loc["trust_gain", "min"] > 0.005
    assert "over 10 plausible worlds x the ranges of 3 levers" in result["text"]
    assert "12 runs a world" in record["basis"] and "not the parameters' prior" in record["basis"]


def test_what_a_discovery_rests_on_is_read_from_its_manifest():
    prior = {"runs": 16384, "replicates": 1, "parameters": ["a"] * 94}
    assert basis(prior) == ("16,384 runs, one at each point of the sweep, over ranges of the "
                            "parameters (not the plausible worlds)")
    assert "94 lever and behaviour parameters over their prior ranges" in scope(prior)
    worlds = {"runs": 16384, "replicates": 1, "sampled": ["a", "b"],
              "parameters": ["a", "b", "c"], "worlds": {"source": "posterior", "count": 1000}}
    assert "one of 1,000 plausible worlds (the calibration's ensemble; 16 or 17 runs a world)" \
        in basis(worlds)
    assert scope(worlds).startswith("an LHS sweep of 2 levers in 1,000 plausible worlds")
