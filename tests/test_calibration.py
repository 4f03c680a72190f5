"""The calibration: patterns on single runs, the distance, and recovery of known parameters.

The recovery test is the one that could fail for a real reason: ABC-SMC (pyabc, the chain the
committed calibration runs) is given targets made from the model's own output at known
parameter values, and must put those values inside its posterior while narrowing the prior.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.research.calibrate.ensemble import (
    effective_size,
    identifiability,
    pool,
    resample,
)
from experiments.research.calibrate.patterns import (
    PAPER,
    conditions,
    distance,
    meets,
    run_measures,
)
from experiments.research.calibrate.priors import Prior, base_parameters, priors
from simulation import run_batch
from simulation.parameters import REGISTRY


def test_every_behaviour_parameter_has_a_prior_over_its_sweep_range():
    prior = priors()
    behaviour = [n for n, p in REGISTRY.items() if p.kind == "behaviour"]
    assert set(prior) == set(behaviour)
    assert len(prior) >= 40
    for name, p in prior.items():
        assert (p.low, p.high) == tuple(map(float, REGISTRY[name].sweep))


def test_conditions_read_one_run_each():
    m = pd.DataFrame({
        "phase_zero_months": [48, 30, np.nan, 50],
        "engagement_months": [np.nan, 20, np.nan, 55],
        "fieldwork_share": [0.05, 0.05, 0.0, 0.3],
        "fieldwork_share_members": [0.1, 0.0, 0.0, 0.4],
        "fieldwork_share_others": [0.0, 0.0, 0.0, 0.2],
        "skill_at_fieldwork": [0.6, 0.6, 0.1, 0.9],
    })
    c = conditions(m)
    assert c["phase_zero_four_years"].tolist() == [True, False, False, True]
    assert c["limited_presence"].tolist() == [True, True, False, False]
    # engagement before the end of phase zero breaks the order; no end of phase zero too
    assert c["users_after_phase_zero"].tolist() == [True, False, False, True]
    assert c["cbos_build_relationships"].tolist() == [True, True, False, True]
    assert c["members_first"].tolist() == [True, False, False, True]
    assert c["studied_network"].tolist() == [True, False, False, False]


def test_the_distance_is_zero_only_when_every_required_share_is_met():
    met = dict(PAPER.required)
    assert distance(met) == 0
    assert all(meets({**met, "members_first": 0.5}).values())
    short = {**met, "phase_zero_four_years": met["phase_zero_four_years"] - 0.25}
    assert distance(short) == pytest.approx(0.25)
    assert not meets({**short, "members_first": 0.5})["phase_zero_four_years"]


def test_pool_keeps_distance_zero_and_resampling_follows_the_weights():
    a = pd.DataFrame({"weight": [0.5, 0.5], "distance": [0.0, 0.1], "x": [1.0, 2.0]})
    b = pd.DataFrame({"weight": [0.25, 0.75], "distance": [0.0, 0.0], "x": [3.0, 4.0]})
    pooled = pool([a, b])
    assert pooled["x"].tolist() == [1.0, 3.0, 4.0]
    assert pooled["weight"].tolist() == pytest.approx([0.5, 0.125, 0.375])
    worlds = resample(pooled, ["x"], 1000, seed=1)
    assert worlds["x"].value_counts(normalize=True).sort_index().tolist() == pytest.approx(
        [0.5, 0.125, 0.375], abs=0.002)
    assert effective_size(np.array([1.0, 1.0])) == pytest.approx(2.0)


def _targets_from_the_model(truth: dict[str, float], base: dict, runs: int):
    results = run_batch({**base, **truth}, list(range(10_000, 10_000 + runs)))
    m = run_measures(results)
    pz = m["phase_zero_months"].dropna()
    return PAPER.with_(
        phase_zero_window=(float(pz.quantile(0.2)), float(pz.quantile(0.8))),
        fieldwork_share=(float(m["fieldwork_share"].quantile(0.2)),
                         float(m["fieldwork_share"].quantile(0.8))),
        fitted=("phase_zero_four_years", "limited_presence"),
        required={"phase_zero_four_years": 0.5, "limited_presence": 0.5,
                  "users_after_phase_zero": 0.0, "cbos_build_relationships": 0.0,
                  "studied_network": 0.25})


def test_abc_smc_recovers_known_parameters_from_synthetic_data():
    """Synthetic data from known values; the posterior must hold them and narrow the prior."""
    from experiments.research.calibrate.smc import run_chain

    truth = {"trust_gain": 0.055, "su_threshold_mean": 0.4}
    base = base_parameters()
    targets = _targets_from_the_model(truth, base, 200)
    prior = {k: p for k, p in priors().items() if k in truth}
    chain = run_chain(7, prior, {}, base, replicates=8, population=80, generations=6,
                      max_simulations=6000, targets=targets, log=False)
    assert chain.generations["epsilon"].is_monotonic_decreasing
    assert chain.generations["epsilon"].iloc[-1] == 0
    post = pool([chain.population])
    table = identifiability(post, prior, list(truth)).set_index("parameter")
    for name, value in truth.items():
        row = table.loc[name]
        assert row["posterior_q05"] <= value <= row["posterior_q95"], (name, row.to_dict())
    # both targets inform: each posterior is narrower than its prior (runs differ by chance, so
    # from eight runs a set at a time neither is pinned down). Seed 7 gives 0.70 and 0.54; chain
    # seeds 1 to 6 gave 0.62 to 0.79 and 0.44 to 0.58, each with the truth inside its 90%
    # interval, so the bound is not fitted to the one seed the test runs
    for name in truth:
        assert table.loc[name, "sd_ratio"] < 0.8, table.loc[name].to_dict()


def test_a_chain_is_a_function_of_its_seed():
    from experiments.research.calibrate.smc import run_chain

    prior = {"trust_gain": Prior("trust_gain", 0.01, 0.08)}
    carried = {"skill_gain": Prior("skill_gain", 0.0, 0.1)}
    kwargs = dict(calibrated=prior, carried=carried, base=base_parameters(), replicates=4,
                  population=20, generations=2, max_simulations=400, log=False)
    a, b = run_chain(3, **kwargs), run_chain(3, **kwargs)
    pd.testing.assert_frame_equal(a.population, b.population)
    assert "skill_gain" in a.population  # carried parameters travel with their particle


def test_the_confirmation_margin_is_the_wilson_bound_scipy_computes():
    from scipy.stats import binomtest, norm

    from experiments.research.calibrate.ensemble import wilson_low

    for z in (0.5, 1.0, 2.0):
        level = 1 - 2 * norm.sf(z)
        for k in (0, 20, 32, 59, 64):
            expected = binomtest(k, 64).proportion_ci(level, method="wilson").low
            assert wilson_low(np.array([k / 64]), 64, z)[0] == pytest.approx(expected, abs=1e-9)
    assert wilson_low(np.array([0.5]), 64, 0.0)[0] == pytest.approx(0.5)


def test_confirmation_keeps_a_particle_only_when_its_fresh_runs_clear_the_margin():
    from experiments.research.calibrate.ensemble import confirm, confirmed

    names = list(priors())
    world = {n: float(REGISTRY[n].default) for n in names}
    pop = pd.DataFrame([{"chain": 0, "weight": w, "distance": 0.0, **world}
                        for w in (0.2, 0.6)])
    easy = PAPER.with_(required=dict.fromkeys(PAPER.required, 0.0))
    first = confirm(pop, names, 12, 5, 1, 0.0, easy, progress=False)
    assert first["confirmed"].all()
    # the first particle's seeds again (seeds go by position), each share now required
    # exactly: met with no margin, not with one
    shares = first.loc[0, [f"confirm:{k}" for k in (*PAPER.fitted, "studied_network")]]
    assert 0 < shares.min() and shares.max() <= 1
    exact = PAPER.with_(required={k.removeprefix("confirm:"): float(v)
                                  for k, v in shares.items()})
    at_share = confirm(pop.loc[[0]], names, 12, 5, 1, 0.0, exact, progress=False)
    assert bool(at_share["confirmed"].iloc[0])
    with_margin = confirm(pop.loc[[0]], names, 12, 5, 1, 1.0, exact, progress=False)
    assert not bool(with_margin["confirmed"].iloc[0])
    kept = confirmed(first.assign(confirmed=[False, True]))
    assert kept.index.tolist() == [1] and kept["weight"].tolist() == [1.0]
    with pytest.raises(ValueError, match="no pooled particle"):
        confirmed(first.assign(confirmed=False))


def test_reusing_the_chains_reruns_only_what_follows_them(tmp_path, capsys):
    """``--reuse-smc`` keeps the chains' settings and reproduces the committed confirmation."""
    from pathlib import Path

    from experiments.cli import main

    committed = Path(__file__).resolve().parents[1] / "experiments" / "calibration"
    posterior = pd.read_csv(committed / "posterior.csv")
    # the first particles up to the first confirmed one (seeds go by position, so these keep
    # their committed seeds)
    rows = max(2, int(np.argmax(posterior["confirmed"].to_numpy())) + 1)
    folder = tmp_path / "calibration"
    folder.mkdir()
    for name in ("manifest.json", "screening.csv", "generations.csv"):
        (folder / name).write_bytes((committed / name).read_bytes())
    posterior.head(rows).to_csv(folder / "posterior.csv", index=False)
    old = json.loads((committed / "manifest.json").read_text())
    assert main(["calibrate", "--reuse-smc", "--out", str(folder), "--overwrite", "--worlds",
                 "3", "--seed", "1", "--replicates", "2", "--workers", "1", "--quiet"]) == 0
    new = json.loads((folder / "manifest.json").read_text())
    # the chains' settings are the old run's, whatever the command line says of them
    assert new["settings"]["seed"] == old["settings"]["seed"]
    assert new["settings"]["replicates"] == old["settings"]["replicates"]
    assert new["settings"]["worlds"] == 3
    # where the chains first came from is passed on
    assert new["smc_reused_from"] == old.get("smc_reused_from", {
        "command": old["command"], "code_version": old["code_version"]})
    assert new["calibrated"] == old["calibrated"]
    again = pd.read_csv(folder / "posterior.csv")
    shares = [c for c in posterior.columns if c.startswith("confirm")]
    pd.testing.assert_frame_equal(again[shares], posterior.head(rows)[shares])
    assert len(pd.read_csv(folder / "ensemble.csv")) == 3
    assert "confirmed" in capsys.readouterr().out


def test_reusing_chains_that_are_not_there_is_a_clear_error(tmp_path, capsys):
    from experiments.cli import main

    assert main(["calibrate", "--reuse-smc", "--out", str(tmp_path / "none"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--reuse-smc" in err and "posterior.csv" in err and "Traceback" not in err


def test_a_whole_calibration_runs_and_its_chains_can_be_reused(tmp_path, capsys):
    """The full command, tiny: screening, chains, confirmation, worlds, checks; then
    ``--reuse-smc`` on what it wrote gives the same worlds and checks, byte for byte; and a run
    whose confirmation keeps nothing keeps its chains for ``--reuse-smc``."""
    from experiments.cli import main

    chains = ["--population", "30", "--generations", "2", "--max-simulations", "200",
              "--trajectories", "1", "--replicates", "4"]
    tiny = ["--worlds", "5", "--confirmation-runs", "2", "--workers", "1", "--quiet"]
    full, again, kept = tmp_path / "full", tmp_path / "again", tmp_path / "kept"
    assert main(["calibrate", *chains, *tiny, "--confirmation-margin", "0", "--out",
                 str(full)]) == 0
    manifest = json.loads((full / "manifest.json").read_text())
    assert "smc_reused_from" not in manifest
    assert 1 <= manifest["particles_confirmed"] <= manifest["particles_pooled"]
    assert manifest["simulations_in_kept_generations"] > 0
    assert len(set(manifest["step_seeds"].values())) == len(manifest["step_seeds"])
    again.mkdir()
    for f in full.iterdir():
        (again / f.name).write_bytes(f.read_bytes())
    assert main(["calibrate", "--reuse-smc", "--overwrite", *tiny, "--confirmation-margin",
                 "0", "--out", str(again)]) == 0
    for name in ("ensemble.csv", "posterior.csv", "predictive_worlds.csv"):
        assert (full / name).read_bytes() == (again / name).read_bytes(), name
    assert json.loads((again / "manifest.json").read_text())["smc_reused_from"]["command"]
    capsys.readouterr()
    # a margin nothing can clear on two runs: an error, and the chains are kept
    assert main(["calibrate", *chains, *tiny, "--confirmation-margin", "3", "--out",
                 str(kept)]) == 2
    err = capsys.readouterr().err
    assert "no pooled particle" in err and "--reuse-smc" in err and "Traceback" not in err
    assert not (kept / "ensemble.csv").exists()
    assert main(["calibrate", "--reuse-smc", "--overwrite", *tiny, "--confirmation-margin",
                 "0", "--out", str(kept)]) == 0
    assert (kept / "ensemble.csv").read_bytes() == (full / "ensemble.csv").read_bytes()


def test_each_step_of_the_calibration_draws_its_own_seeds():
    from experiments.research.calibrate.seeds import MOST_CHAINS, OFFSETS

    offsets = sorted(OFFSETS.values())
    assert offsets[0] == OFFSETS["chains"]
    # the chains take one offset each from theirs, so every other step is at least MOST_CHAINS on
    assert all(b - a >= MOST_CHAINS for a, b in zip(offsets, offsets[1:], strict=False))
