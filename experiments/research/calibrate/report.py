"""The calibration folder: tables, figures and the manifest, written in one step."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from experiments.research.calibrate.ensemble import correlation_matrix
from experiments.research.calibrate.seeds import OFFSETS
from experiments.support.outputs import write_results

if TYPE_CHECKING:
    from experiments.research.calibrate import Calibration, SMCRun

_POSTERIOR = "#762a83"


def plot_marginals(cal: Calibration, path: Path) -> None:
    """Weighted posterior histograms of the calibrated parameters over their flat priors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = cal.calibrated
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows),
                             constrained_layout=True, squeeze=False)
    w = cal.population["weight"].to_numpy(float)
    for ax, name in zip(axes.flat, names, strict=False):
        p = cal.prior[name]
        bins = np.linspace(p.low, p.high, 21)
        ax.hist(cal.population[name], bins=bins, weights=w, density=True, color=_POSTERIOR,
                alpha=0.8, label="posterior")
        ax.axhline(1.0 / (p.high - p.low), color="0.3", ls="--", lw=1, label="prior")
        ax.set_title(name, fontsize=9)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"ABC-SMC posterior of the {len(names)} calibrated parameters "
                 f"({len(cal.population)} weighted particles; the other "
                 f"{len(cal.prior) - len(names)} carried at their priors)", fontsize=10)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_correlations(cal: Calibration, path: Path) -> None:
    """The weighted posterior correlation matrix of the calibrated parameters."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = cal.calibrated
    r = correlation_matrix(cal.population, names)
    fig, ax = plt.subplots(figsize=(1 + 0.45 * len(names), 0.6 + 0.45 * len(names)),
                           constrained_layout=True)
    im = ax.imshow(r, cmap="PuOr_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    fig.colorbar(im, ax=ax, shrink=0.7, label="posterior correlation")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _posterior_table(cal: Calibration) -> pd.DataFrame:
    """Every pooled particle: its chain's weight, its confirmation and its posterior weight."""
    out = cal.pooled.copy()
    out["posterior_weight"] = cal.population["weight"].reindex(out.index).fillna(0.0)
    return out


def _csv(frame: pd.DataFrame) -> Any:
    return lambda path: frame.to_csv(path, index=False, float_format="%.6g")


def _generations(chain_seeds: list[int], generations: list[pd.DataFrame]) -> pd.DataFrame:
    gens = pd.concat([g.assign(chain=c) for c, g in zip(chain_seeds, generations, strict=True)],
                     ignore_index=True)
    return gens[["chain", *[c for c in gens.columns if c != "chain"]]]


def _exact(frame: pd.DataFrame) -> Any:
    # parameter values in full (shortest round-trip), so that a world read back, or chains
    # reused, run exactly the values the calibration ran
    return lambda path: frame.to_csv(path, index=False)


def write_chains(smc: SMCRun, out: Path, settings: dict[str, Any], overwrite: bool = False
                 ) -> Path:
    """Write only what screening and the chains found, for ``phase0 calibrate --reuse-smc``."""
    gens = _generations(smc.chain_seeds, smc.generations)
    manifest = {**settings, "calibrated": smc.calibrated, "chain_seeds": smc.chain_seeds,
                "simulations_in_kept_generations": int(gens["samples"].sum()),
                "particles_pooled": len(smc.pooled),
                "chains_only": "no particle was confirmed; rerun with --reuse-smc"}
    return write_results(out, {"posterior.csv": _exact(smc.pooled),
                               "generations.csv": _csv(gens),
                               "screening.csv": _csv(smc.screening)}, manifest,
                         overwrite=overwrite)


def write_calibration(cal: Calibration, out: Path, settings: dict[str, Any],
                      overwrite: bool = False) -> Path:
    """Write the ensemble, the weighted posterior, the checks and figures into ``out``."""
    gens = _generations(cal.chain_seeds, cal.generations)
    manifest = {**settings,
                "scenario": cal.scenario, "targets": cal.targets_record(),
                "calibrated": cal.calibrated,
                "carried_at_prior": [n for n in cal.prior if n not in cal.calibrated],
                "priors": {n: [p.low, p.high] for n, p in cal.prior.items()},
                "chain_seeds": cal.chain_seeds,
                "step_seeds": {k: settings["settings"]["seed"] + v for k, v in OFFSETS.items()},
                "simulations_in_kept_generations": int(gens["samples"].sum()),
                "particles_pooled": len(cal.pooled),
                "particles_confirmed": len(cal.population),
                "confirmation_runs_in_all": len(cal.pooled)
                * int(settings["settings"]["confirmation_runs"]),
                "effective_sample_size": cal.ess,
                "worlds": len(cal.worlds), "distinct_worlds": int(cal.worlds["particle"].nunique()),
                "point": cal.point}
    return write_results(out, {
        "ensemble.csv": _exact(cal.worlds),
        "posterior.csv": _exact(_posterior_table(cal)),
        "generations.csv": _csv(gens),
        "screening.csv": _csv(cal.screening),
        "identifiability.csv": _csv(cal.identifiability),
        "correlations.csv": _csv(cal.correlations),
        "predictive.csv": _csv(cal.predictive),
        "predictive_worlds.csv": _csv(cal.check),
        "marginals.png": lambda path: plot_marginals(cal, path),
        "correlations.png": lambda path: plot_correlations(cal, path),
    }, manifest, overwrite=overwrite)
