"""Global sensitivity analysis of a finished sweep folder, with SALib's analysers.

Reads ``rows.parquet`` (one row per design point, in design order, which is all SALib uses) and
writes tidy CSV tables and figures:

- Sobol sweeps: first-order, total and (when sampled) second-order indices with bootstrap
  intervals. An index whose interval overlaps the dummy parameter's is marked non-influential.
- Morris sweeps: mu, mu*, sigma and mu*'s interval, and the mu*-sigma plot, with the same rule.
- Indices of the replicate variance (``var_*`` targets): which parameters drive the
  unpredictability of an outcome, apart from its expected value. They need at least 20
  replicates per design row; with fewer the summary says so.
- Convergence: the indices recomputed on growing subsets of the sample.
- Seed robustness (``against``): the same design run with another set of seeds; how far each
  index moves.
- One factor at a time (``oat``): response curves of both outcomes (median and 10-90% spread)
  across each top parameter's range, the others at the scenario's values (ten Broeke et al.
  2016's first step).

Estimators are SALib's (``analyze_sobol``, ``analyze_morris``) read through ``to_df()``; nothing
here re-implements them.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.oat import one_at_a_time
from experiments.research.sweep.design import DUMMY
from experiments.support.outputs import UserError, check_writable_target, write_results
from simulation.outcome_registry import HEADLINE

#: Targets of a phase0 sweep: the outcomes' restricted mean time and probability of reaching
#: them, and the replicate variance of their time.
PHASE0_TARGETS = tuple(f"{kind}_{o}" for o in HEADLINE for kind in ("rmst", "p"))
VARIANCE_TARGETS = tuple(f"var_{o}" for o in HEADLINE)
MIN_REPLICATES_FOR_VARIANCE = 20
SUBSETS = (0.125, 0.25, 0.5, 1.0)


def load_sweep(path: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """The manifest and per-row table of a finished sweep, or a clear refusal."""
    from experiments.research.sweep.storage import ROWS, SweepFolder

    manifest, rows = SweepFolder(Path(path)).read_finished(ROWS)
    if manifest.get("method") not in ("sobol", "morris"):
        raise UserError(f"'{path}' is a {manifest.get('method')} sweep; analyze reads Sobol and "
                        "Morris sweeps (their designs are what the estimators need)")
    return manifest, rows.sort_values("row").reset_index(drop=True)


def targets(manifest: dict[str, Any], rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Mean-value targets and replicate-variance targets present in ``rows``."""
    if manifest.get("model") is None:
        return [t for t in PHASE0_TARGETS if t in rows], [t for t in VARIANCE_TARGETS
                                                           if t in rows]
    # another model's outputs; for its times to event, restricted mean time and probability
    means = [c for c in rows if c.startswith(("mean_", "rmst_", "p_"))]
    return means, [c for c in rows if c.startswith("var_")]


def _spec(manifest: dict[str, Any], x: np.ndarray, y: np.ndarray):
    from SALib import ProblemSpec

    sp = ProblemSpec({"names": manifest["problem"]["names"],
                      "bounds": manifest["problem"]["bounds"]})
    sp.samples = x
    sp.set_results(y)
    return sp


def _mark(df: pd.DataFrame, index: str, conf: str) -> pd.Series:
    """True where the interval of ``index`` does not overlap the dummy's interval."""
    d_hi = df.loc[DUMMY, index] + df.loc[DUMMY, conf]
    return (df[index] - df[conf]) > d_hi


def sobol(manifest: dict[str, Any], rows: pd.DataFrame, target: str, seed: int = 0,
          resamples: int = 1000, n_rows: int | None = None) -> dict[str, pd.DataFrame]:
    """First, total (and second) order Sobol indices of ``target``, tidy, with influence flags."""
    names = manifest["problem"]["names"]
    use = rows.iloc[:n_rows] if n_rows else rows
    y = use[target].to_numpy(float)
    _check(y, target, use)
    sp = _spec(manifest, use[names].to_numpy(), y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sp.analyze_sobol(calc_second_order=manifest["second_order"], num_resamples=resamples,
                         conf_level=0.95, seed=seed, print_to_console=False)
    frames = sp.to_df()
    total, first = frames[0], frames[1]
    table = first.join(total)
    table["influential_S1"] = _mark(table, "S1", "S1_conf")
    table["influential_ST"] = _mark(table, "ST", "ST_conf")
    table = table.rename_axis("parameter").reset_index()
    table.insert(0, "target", target)
    out = {"sobol": table}
    if manifest["second_order"] and len(frames) > 2:
        s2 = frames[2].copy()
        pairs = list(s2.index)  # SALib indexes S2 by (name, name) tuples
        s2.index = pd.RangeIndex(len(s2))
        s2.insert(0, "parameter_1", [a for a, _ in pairs])
        s2.insert(1, "parameter_2", [b for _, b in pairs])
        s2.insert(0, "target", target)
        out["sobol_second_order"] = s2
    return out


def morris(manifest: dict[str, Any], rows: pd.DataFrame, target: str, seed: int = 0,
           resamples: int = 1000, n_rows: int | None = None) -> pd.DataFrame:
    """Morris mu, mu*, sigma and mu*'s interval of ``target``, tidy, with influence flags."""
    names = manifest["problem"]["names"]
    use = rows.iloc[:n_rows] if n_rows else rows
    y = use[target].to_numpy(float)
    _check(y, target, use)
    sp = _spec(manifest, use[names].to_numpy(), y)
    sp.analyze_morris(num_levels=manifest["levels"], num_resamples=resamples,
                      conf_level=0.95, seed=seed, print_to_console=False)
    table = sp.to_df()
    table["influential"] = _mark(table, "mu_star", "mu_star_conf")
    table = table.rename_axis("parameter").reset_index()
    table.insert(0, "target", target)
    return table


def _check(y: np.ndarray, target: str, rows: pd.DataFrame) -> None:
    bad = rows.loc[~np.isfinite(y), "row"].tolist()
    if bad:
        raise UserError(f"target '{target}' is not finite for design rows {bad[:20]}")


def convergence(manifest: dict[str, Any], rows: pd.DataFrame, target: str,
                seed: int = 0) -> pd.DataFrame:
    """The indices recomputed on growing subsets of the sample (whole base samples)."""
    d = len(manifest["problem"]["names"])
    if manifest["method"] == "sobol":
        block = 2 * d + 2 if manifest["second_order"] else d + 2
    else:
        block = d + 1  # one Morris trajectory
    n_blocks = len(rows) // block
    out = []
    for share in SUBSETS:
        k = max(2, int(round(share * n_blocks)))
        if manifest["method"] == "sobol":
            t = sobol(manifest, rows, target, seed, resamples=200, n_rows=k * block)["sobol"]
            t = t[["target", "parameter", "S1", "S1_conf", "ST", "ST_conf"]]
        else:
            t = morris(manifest, rows, target, seed, resamples=200, n_rows=k * block)
            t = t[["target", "parameter", "mu_star", "mu_star_conf", "sigma"]]
        t.insert(1, "base_samples", k)
        out.append(t)
    return pd.concat(out, ignore_index=True)


def _constant(rows: pd.DataFrame, target: str) -> bool:
    """Whether ``target`` varies only by floating-point rounding over the design.

    Sobol and Morris estimators turn rounding noise into large, meaningless indices (with
    common random numbers a replicate variance can be the same number in every row, up to the
    last bits), so variation below a relative 1e-9 counts as none.
    """
    y = rows[target].to_numpy(float)
    return float(np.std(y)) <= 1e-9 * max(1.0, float(np.abs(y).mean()))


def _indices(manifest: dict[str, Any], rows: pd.DataFrame, target: str, seed: int,
             resamples: int) -> pd.DataFrame:
    if manifest["method"] == "sobol":
        return sobol(manifest, rows, target, seed, resamples)["sobol"]
    return morris(manifest, rows, target, seed, resamples)


def seed_robustness(manifest: dict[str, Any], rows: pd.DataFrame, other: Path, seed: int,
                    resamples: int) -> pd.DataFrame:
    """Indices of the same design under two seed sets, and how far they move."""
    other_manifest, other_rows = load_sweep(other)
    if other_manifest["design_sha256"] != manifest["design_sha256"]:
        raise UserError(f"'{other}' holds a different design; seed robustness compares the same "
                        "design run with another --seed-set")
    if other_manifest["run_seeds"] == manifest["run_seeds"]:
        raise UserError(f"'{other}' used the same run seeds; run it with another --seed-set")
    value = ["S1", "ST"] if manifest["method"] == "sobol" else ["mu_star"]
    out = []
    means, variances = targets(manifest, rows)
    for target in means + variances:
        if _constant(rows, target) or _constant(other_rows, target):
            continue
        a = _indices(manifest, rows, target, seed, resamples).set_index("parameter")[value]
        b = _indices(other_manifest, other_rows, target, seed, resamples).set_index(
            "parameter")[value]
        for v in value:
            t = pd.DataFrame({"target": target, "index": v, "seed_set_a": a[v],
                              "seed_set_b": b[v]})
            t["change"] = (t["seed_set_b"] - t["seed_set_a"]).abs()
            out.append(t.rename_axis("parameter").reset_index())
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def analyze(path: Path, output: str = "analysis", seed: int = 0, resamples: int = 1000,
            against: Path | None = None, oat: int = 0,
            overwrite: bool = False) -> dict[str, Any]:
    """Write every table and figure of a sweep's analysis into ``path/output``.

    An existing analysis is replaced only with ``overwrite`` (and only one phase0 wrote).
    """
    manifest, rows = load_sweep(path)
    out, reads = Path(path) / output, [path, *([against] if against else [])]
    check_writable_target(out, overwrite, reads)  # before the work, not after it
    mean_targets, var_targets = targets(manifest, rows)
    replicates = int(manifest["replicates"])
    notes: list[str] = []
    if replicates < MIN_REPLICATES_FOR_VARIANCE:
        notes.append(f"Indices of the replicate variance need at least "
                     f"{MIN_REPLICATES_FOR_VARIANCE} replicates per design row; this sweep has "
                     f"{replicates}, so those indices (var_* targets) are not reliable.")
    tables: dict[str, list[pd.DataFrame]] = {}
    skipped = []
    for target in mean_targets + var_targets:
        if _constant(rows, target):
            skipped.append(target)
            continue
        if manifest["method"] == "sobol":
            for name, t in sobol(manifest, rows, target, seed, resamples).items():
                tables.setdefault(name, []).append(t)
        else:
            tables.setdefault("morris", []).append(
                morris(manifest, rows, target, seed, resamples))
        tables.setdefault("convergence", []).append(convergence(manifest, rows, target, seed))
    if skipped:
        notes.append("Constant over the whole design, so no parameter can influence it: "
                     + ", ".join(skipped) + ".")
    merged = {k: pd.concat(v, ignore_index=True) for k, v in tables.items()}
    if against is not None:
        merged["seed_robustness"] = seed_robustness(manifest, rows, Path(against), seed,
                                                    resamples)
    if oat:
        key, score = ("sobol", "ST") if "sobol" in merged else ("morris", "mu_star")
        if key in merged:
            ranked = merged[key][merged[key]["target"].isin(mean_targets)]
            merged["oat"] = one_at_a_time(manifest, ranked.rename(columns={score: "score"}),
                                          oat, seed)
    write_results(out, {**{f"{name}.csv": table for name, table in merged.items()},
                        ".": lambda folder: _figures(manifest, merged, folder),
                        "summary.md": _summary(manifest, merged, notes)},
                  overwrite=overwrite, inputs=reads)
    return {"tables": sorted(merged), "notes": notes, "out": str(out)}


def _figures(manifest: dict[str, Any], tables: dict[str, pd.DataFrame], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if "sobol" in tables:
        for target, t in tables["sobol"].groupby("target", sort=False):
            t = t.sort_values("ST", ascending=True).tail(20)
            fig, ax = plt.subplots(figsize=(8, 0.35 * len(t) + 1.5), constrained_layout=True)
            y = np.arange(len(t))
            ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total (ST)",
                    color=np.where(t["influential_ST"], "#762a83", "0.75"))
            ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order (S1)",
                    color=np.where(t["influential_S1"], "#1b7837", "0.85"))
            ax.set_yticks(y, t["parameter"])
            ax.set_xlabel("Sobol index (95% bootstrap interval)")
            ax.set_title(f"{target}: the 20 largest total indices")
            ax.legend(handles=[Patch(color="#762a83", label="total (ST)"),
                               Patch(color="#1b7837", label="first order (S1)"),
                               Patch(color="0.75", label="overlaps the dummy")],
                      loc="lower right", fontsize=8)
            fig.savefig(out / f"sobol_{target}.png", dpi=110)
            plt.close(fig)
    if "morris" in tables:
        for target, t in tables["morris"].groupby("target", sort=False):
            fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
            ax.errorbar(t["mu_star"], t["sigma"], xerr=t["mu_star_conf"], fmt="none",
                        ecolor="0.7")
            ax.scatter(t["mu_star"], t["sigma"],
                       c=np.where(t["influential"], "#762a83", "0.6"), zorder=3)
            for _, r in t.nlargest(8, "mu_star").iterrows():
                ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=7,
                            xytext=(3, 3), textcoords="offset points")
            ax.set_xlabel("mu* (mean absolute elementary effect, 95% interval)")
            ax.set_ylabel("sigma (spread of elementary effects)")
            ax.set_title(f"Morris screening: {target}")
            fig.savefig(out / f"morris_{target}.png", dpi=110)
            plt.close(fig)
    if "oat" in tables and len(tables["oat"]):
        t = tables["oat"]
        params = list(dict.fromkeys(t["parameter"]))
        fig, axes = plt.subplots(len(params), 2, figsize=(9, 2.4 * len(params)), squeeze=False,
                                 constrained_layout=True)
        for i, name in enumerate(params):
            for j, outcome in enumerate(HEADLINE):
                s_ = t[(t["parameter"] == name) & (t["outcome"] == outcome)]
                ax = axes[i, j]
                ax.fill_between(s_["value"], s_["q10"], s_["q90"], alpha=0.25)
                ax.plot(s_["value"], s_["median_months_capped"], marker="o")
                ax.axhline(s_["horizon_months"].iloc[0], color="0.6", ls=":", lw=1)
                ax.set_xlabel(name)
                if j == 0:
                    ax.set_ylabel("months (horizon: not reached)")
                if i == 0:
                    ax.set_title(outcome.replace("_", " "))
        fig.suptitle("One factor at a time: median and 10-90% of runs; others at the scenario")
        fig.savefig(out / "oat.png", dpi=110)
        plt.close(fig)
    if "convergence" in tables:
        value = "ST" if manifest["method"] == "sobol" else "mu_star"
        for target, t in tables["convergence"].groupby("target", sort=False):
            full = t[t["base_samples"] == t["base_samples"].max()]
            top = full.nlargest(6, value)["parameter"].tolist()
            fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
            for name in top:
                s = t[t["parameter"] == name]
                ax.errorbar(s["base_samples"], s[value], yerr=s[f"{value}_conf"], marker="o",
                            capsize=3, label=name)
            ax.set_xscale("log", base=2)
            ax.set_xlabel("base samples used")
            ax.set_ylabel(value)
            ax.set_title(f"Convergence: {target}")
            ax.legend(fontsize=7)
            fig.savefig(out / f"convergence_{target}.png", dpi=110)
            plt.close(fig)


def _summary(manifest: dict[str, Any], tables: dict[str, pd.DataFrame], notes: list[str]) -> str:
    lines = [f"# Sensitivity analysis of a {manifest['method']} sweep",
             "", f"{manifest['design_rows']} design rows x {manifest['replicates']} replicates; "
             f"{len(manifest['problem']['names'])} parameters including the dummy.", ""]
    lines += [f"- {n}" for n in notes]
    if "sobol" in tables:
        for target, t in tables["sobol"].groupby("target", sort=False):
            lines += ["", f"## {target}: five largest total indices", "",
                      "| parameter | ST (95% CI) | S1 (95% CI) | influential |",
                      "|---|---|---|---|"]
            for _, r in t.nlargest(5, "ST").iterrows():
                lines.append(f"| {r['parameter']} | {r['ST']:.3f} ± {r['ST_conf']:.3f} | "
                             f"{r['S1']:.3f} ± {r['S1_conf']:.3f} | "
                             f"{'yes' if r['influential_ST'] else 'no'} |")
    if "morris" in tables:
        for target, t in tables["morris"].groupby("target", sort=False):
            lines += ["", f"## {target}: five largest mu*", "",
                      "| parameter | mu* (95% CI) | sigma | influential |", "|---|---|---|---|"]
            for _, r in t.nlargest(5, "mu_star").iterrows():
                lines.append(f"| {r['parameter']} | {r['mu_star']:.3f} ± "
                             f"{r['mu_star_conf']:.3f} | {r['sigma']:.3f} | "
                             f"{'yes' if r['influential'] else 'no'} |")
    if "seed_robustness" in tables and len(tables["seed_robustness"]):
        t = tables["seed_robustness"]
        lines += ["", "## Seed robustness", "",
                  "Largest change of any index between the two seed sets, per target:", ""]
        for (target, index), g in t.groupby(["target", "index"], sort=False):
            worst = g.loc[g["change"].idxmax()]
            lines.append(f"- {target} {index}: {worst['change']:.3f} ({worst['parameter']})")
    if "oat" in tables and len(tables["oat"]):
        params = ", ".join(dict.fromkeys(tables["oat"]["parameter"]))
        lines += ["", f"One-factor-at-a-time curves (oat.png, oat.csv) for: {params}."]
    return "\n".join(lines) + "\n"
