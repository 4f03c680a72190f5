import pandas as pd
import pytest

from experiments.cli import main
from tests.test_sweep import ISH, ISHIGAMI

NOISY = f"{ISH}_noisy"


def test_sobol_analysis_of_ishigami_marks_influence_against_the_dummy(tmp_path, capsys):
    out = tmp_path / "ish"
    assert main(["sweep", "--method", "sobol", "--n", "512", "--replicates", "2", "--model",
                 NOISY, "--problem", ISHIGAMI, "--out", str(out),
                 "--quiet", "--workers", "1"]) == 0
    assert main(["analyze", str(out), "--resamples", "200"]) == 0
    printed = capsys.readouterr().out
    assert "at least 20 replicates" in printed          # R = 2 is said to be too few
    assert "Constant over the whole design" in printed  # common seeds: the same noise everywhere
    sobol = pd.read_csv(out / "analysis" / "sobol.csv").set_index("parameter")
    assert list(sobol["target"].unique()) == ["mean_y"]
    assert sobol.loc["x1", "influential_ST"] and sobol.loc["x2", "influential_ST"]
    assert sobol.loc["x3", "influential_ST"] and not sobol.loc["x3", "influential_S1"]
    assert not sobol.loc["dummy", "influential_ST"]
    conv = pd.read_csv(out / "analysis" / "convergence.csv")
    assert sorted(conv["base_samples"].unique()) == [64, 128, 256, 512]
    names = {p.name for p in (out / "analysis").iterdir()}
    assert {"sobol_mean_y.png", "convergence_mean_y.png", "summary.md"} <= names


def test_morris_analysis_of_a_phase0_sweep(tmp_path):
    scenario = tmp_path / "small_long.toml"
    scenario.write_text("# small network, long enough for phase zero to end\nname = 'small'\n"
                        "[parameters]\nhorizon_months = 120\nn_service_users = 30\n"
                        "n_cbos = 8\n")
    out = tmp_path / "morris"
    assert main(["sweep", "--method", "morris", "--n", "6", "--replicates", "2", "--params",
                 "trust_gain,venue_community_share,broker_present", "--scenario",
                 str(scenario), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    assert main(["analyze", str(out), "--resamples", "100"]) == 0
    morris = pd.read_csv(out / "analysis" / "morris.csv")
    assert {"mu", "mu_star", "sigma", "mu_star_conf", "influential"} <= set(morris)
    assert set(morris["parameter"]) == {"trust_gain", "venue_community_share", "broker_present",
                                        "dummy"}
    assert not morris[morris["parameter"] == "dummy"]["influential"].any()
    assert any(p.name.startswith("morris_") for p in (out / "analysis").iterdir())


def test_analyze_refuses_what_it_cannot_read(tmp_path, small_scenario, capsys):  # noqa: F811
    lhs = tmp_path / "lhs"
    assert main(["sweep", "--method", "lhs", "--n", "4", "--replicates", "1", "--params",
                 "trust_gain", "--scenario", small_scenario, "--out", str(lhs), "--quiet",
                 "--workers", "1"]) == 0
    assert main(["analyze", str(lhs)]) == 2
    assert "analyze reads Sobol and Morris sweeps" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "nothing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (lhs / "rows.parquet").unlink()
    assert main(["analyze", str(lhs)]) == 2
    assert "is not finished" in capsys.readouterr().err


@pytest.mark.parametrize("values, constant", [([1.0, 1.0 + 1e-15, 1.0], True),
                                              ([1.0, 1.1, 1.0], False)])
def test_rounding_noise_counts_as_constant(values, constant):
    from experiments.research.sensitivity import _constant

    assert _constant(pd.DataFrame({"y": values}), "y") is constant


def test_seed_robustness_and_one_factor_at_a_time(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text("# small network\nname = 'small'\n[parameters]\nhorizon_months = 120\n"
                        "n_service_users = 30\nn_cbos = 8\n")
    common = ["sweep", "--method", "morris", "--n", "6", "--replicates", "2", "--params",
              "trust_gain,venue_community_share,broker_present", "--scenario", str(scenario),
              "--quiet", "--workers", "1"]
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(common + ["--out", str(a)]) == 0
    assert main(common + ["--out", str(b), "--seed-set", "2"]) == 0
    design_a = pd.read_parquet(a / "design.parquet")
    assert design_a.equals(pd.read_parquet(b / "design.parquet"))   # same design
    seeds_a = set(pd.read_parquet(a / "results.parquet")["seed"])
    assert seeds_a.isdisjoint(set(pd.read_parquet(b / "results.parquet")["seed"]))
    assert main(["analyze", str(a), "--resamples", "100", "--against", str(b),
                 "--oat", "2"]) == 0
    robust = pd.read_csv(a / "analysis" / "seed_robustness.csv")
    assert {"seed_set_a", "seed_set_b", "change"} <= set(robust)
    assert (robust["change"] >= 0).all()
    oat = pd.read_csv(a / "analysis" / "oat.csv")
    assert oat["parameter"].nunique() == 2 and "dummy" not in set(oat["parameter"])
    assert set(oat["outcome"]) == {"phase_zero", "engagement"}
    assert ((oat["p_reached"] >= 0) & (oat["p_reached"] <= 1)).all()
    assert (oat["q10"] <= oat["median_months_capped"]).all()
    assert (a / "analysis" / "oat.png").exists()
    summary = (a / "analysis" / "summary.md").read_text()
    assert "Seed robustness" in summary and "One-factor-at-a-time" in summary
    # the same seeds are refused: there is nothing to compare
    assert main(["analyze", str(a), "--against", str(a), "--overwrite"]) == 2
    assert "same run seeds" in capsys.readouterr().err


def test_second_order_indices_when_sampled(tmp_path):
    out = tmp_path / "s2"
    assert main(["sweep", "--method", "sobol", "--n", "256", "--second-order", "--replicates",
                 "1", "--model", ISH, "--problem", ISHIGAMI, "--out",
                 str(out), "--quiet", "--workers", "1"]) == 0
    assert main(["analyze", str(out), "--resamples", "100"]) == 0
    s2 = pd.read_csv(out / "analysis" / "sobol_second_order.csv")
    pairs = s2.set_index(["parameter_1", "parameter_2"])
    # Ishigami's only interaction is x1 with x3 (analytic S13 = 0.244)
    assert pairs.loc[("x1", "x3"), "S2"] > 0.1
    assert abs(pairs.loc[("x1", "x2"), "S2"]) < pairs.loc[("x1", "x3"), "S2"]
