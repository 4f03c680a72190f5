"""Scenario discovery: targets, censoring, PRIM boxes on a known answer and on the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.discover import discover, parse_target
from experiments.outputs import UserError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def box_sweep(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("box") / "sweep"
    assert main(["sweep", "--model", "tests.boxmodel:box", "--problem", str(DATA / "box.toml"),
                 "--method", "lhs", "--n", "3000", "--replicates", "1", "--workers", "1",
                 "--quiet", "--out", str(out)]) == 0
    return out


def test_targets_parse_and_refuse_nonsense():
    t = parse_target(" engagement_months<=60 ")
    assert (t.output, t.op, t.value) == ("engagement_months", "<=", 60.0)
    for bad in ("engagement_months", "engagement_months ~ 3", "<= 60", "x <= sixty"):
        with pytest.raises(UserError, match="--target"):
            parse_target(bad)


def test_censored_runs_never_reach_a_month():
    runs = pd.DataFrame({"engagement_months": pd.array([30, 90, pd.NA], dtype="Int64"),
                         "engagement_censored": [False, False, True]})
    assert parse_target("engagement_months <= 60").evaluate(runs).tolist() == [True, False, False]
    assert parse_target("engagement_months > 60").evaluate(runs).tolist() == [False, True, True]
    with pytest.raises(UserError, match="outputs are"):
        parse_target("nothing <= 1").evaluate(runs)


def test_prim_finds_the_known_box(box_sweep, tmp_path):
    # inside the true box 95% of runs hit (5% noise): at density 0.9 the box is the true one
    result = discover(box_sweep, parse_target("hit >= 1"), out=tmp_path / "d", threshold=0.9)
    first = result["boxes"][result["boxes"].box == 1].set_index("parameter")
    # a > 0.6 and b < 0.4; c is irrelevant and must not be restricted
    assert set(first.index) == {"a", "b"}
    assert first.loc["a", "min"] == pytest.approx(0.6, abs=0.05)
    assert first.loc["b", "max"] == pytest.approx(0.4, abs=0.05)
    # the flips outside the box are hits no box can cover: the best coverage is about 0.78
    assert first["density"].iloc[0] > 0.9 and first["coverage"].iloc[0] > 0.7
    assert (first["qp_value"] < 0.05).all()
    scores = result["scores"].set_index("parameter")["score"]
    assert scores["c"] < min(scores["a"], scores["b"])
    for name in ("boxes.csv", "trajectory.csv", "feature_scores.csv", "discovery.md",
                 "manifest.json", "tradeoff.png", "box_1.png", "feature_scores.png"):
        assert (tmp_path / "d" / name).stat().st_size > 0
    assert "a between" in result["text"] or "a at least" in result["text"]


def test_discovery_on_the_model_names_policy_conditions(tmp_path):
    sweep = tmp_path / "sweep"
    assert main(["sweep", "--method", "lhs", "--n", "600", "--replicates", "1",
                 "--params", "broker_present,venue_community_share,quality_base,trust_gain",
                 "--scenario", "tpn_baseline", "--workers", "1", "--quiet",
                 "--out", str(sweep)]) == 0
    result = discover(sweep, parse_target("phase_zero_months <= 60"), out=tmp_path / "d")
    first = result["boxes"][result["boxes"].box == 1].set_index("parameter")
    # without a broker phase zero never ends: the first box must keep the broker
    assert first.loc["broker_present", "min"] >= 0.5
    runs = pd.read_parquet(sweep / "results.parquet")
    share = np.mean(~runs.phase_zero_censored & (runs.phase_zero_months.fillna(999) <= 60))
    assert first["density"].iloc[0] > share
    assert "broker_present on" in result["text"]


def test_discover_refuses_what_it_cannot_do(box_sweep, tmp_path, capsys):
    assert main(["discover", str(box_sweep), "--target", "hit >= 5",
                 "--out", str(tmp_path / "x")]) == 2
    assert "nothing to discover" in capsys.readouterr().err
    assert main(["discover", str(tmp_path), "--target", "hit >= 1"]) == 2
    assert "not a phase0 sweep folder" in capsys.readouterr().err
    assert main(["discover", str(box_sweep), "--target", "hit >= 1", "--density", "2"]) == 2
    assert "--density" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
