"""Scenario discovery: targets, censoring, PRIM boxes on a known answer and on the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.policy.discover import _prim_options, discover, meets_density_rule, parse_target
from experiments.support.outputs import UserError

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
    # outside the true box only the 5% flips hit: no second box is twice as dense as the sweep
    # (EMA Workbench 3.0 returns one anyway; the density rule must drop it)
    assert result["record"]["boxes"] == 1 and set(result["boxes"].box) == {1}
    assert_density_rule(result)
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
    assert_density_rule(result)
    assert "broker_present on" in result["text"]


def assert_density_rule(result) -> None:
    """Every box reported meets its rule: the first denser than the sweep, later ones twice."""
    share = result["record"]["share_meeting_target"]
    density = result["boxes"].groupby("box")["density"].first()
    assert list(density.index) == list(range(1, result["record"]["boxes"] + 1))
    assert density.iloc[0] > share
    assert (density.iloc[1:] >= 2 * share).all()


def test_density_rule():
    assert meets_density_rule(0.21, 0.2, first=True)
    assert not meets_density_rule(0.2, 0.2, first=True)  # the sweep itself
    assert not meets_density_rule(0.39, 0.2, first=False)
    assert meets_density_rule(0.4, 0.2, first=False)


def test_prim_gets_a_threshold_only_where_it_takes_one():
    class Prim25:  # EMA Workbench 2.5
        def __init__(self, x, y, threshold, threshold_type=1, peel_alpha=0.05, mass_min=0.05):
            pass

    class Prim30:  # EMA Workbench 3.0
        def __init__(self, x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05):
            pass

    assert _prim_options(Prim25, 0.2, 0.1, 0.04) == {"threshold": 0.2, "peel_alpha": 0.1,
                                                      "mass_min": 0.04}
    assert _prim_options(Prim30, 0.2, 0.1, 0.04) == {"peel_alpha": 0.1, "mass_min": 0.04}


def test_no_box_is_reported_where_nothing_matters(tmp_path, capsys):
    # hits at random whatever the parameters: every restriction PRIM finds is lifted as
    # insignificant, and a first box holding the whole sweep is no finding
    sweep = tmp_path / "noise"
    assert main(["sweep", "--model", "tests.boxmodel:noise", "--problem", str(DATA / "box.toml"),
                 "--method", "lhs", "--n", "3000", "--replicates", "1", "--workers", "1",
                 "--quiet", "--out", str(sweep)]) == 0
    assert main(["discover", str(sweep), "--target", "hit >= 1",
                 "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "found no box" in err and "denser than the sweep" in err and err.count("\n") == 1
    assert not (tmp_path / "d").exists()


def test_discover_refuses_what_it_cannot_do(box_sweep, tmp_path, capsys):
    assert main(["discover", str(box_sweep), "--target", "hit >= 5",
                 "--out", str(tmp_path / "x")]) == 2
    assert "nothing to discover" in capsys.readouterr().err
    assert main(["discover", str(tmp_path), "--target", "hit >= 1"]) == 2
    assert "not a phase0 sweep folder" in capsys.readouterr().err
    assert main(["discover", str(box_sweep), "--target", "hit >= 1", "--density", "2"]) == 2
    assert "--density" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
