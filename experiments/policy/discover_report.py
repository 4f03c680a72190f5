"""The reading and figures of a scenario discovery, and what it rests on in plain words.

A discovery rests either on a sweep over plausible worlds (the levers sampled over their ranges,
each run in one world of the calibration's ensemble: ``phase0 sweep --parameter-sets``) or on a
sweep over the parameters' prior ranges; :func:`scope` and :func:`basis` say which, from the
discovery's manifest, for its reading and for the brief.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.policy.discover import Target, _selected


def scope(record: dict[str, Any]) -> str:
    """What a discovery searched, from its manifest: the design, its parameters and runs."""
    names, runs = record.get("parameters", []), record.get("runs", 0)
    if not record.get("worlds"):
        return (f"an LHS sweep of {len(names)} lever and behaviour parameters over their prior "
                f"ranges ({runs:,} runs)")
    levers, behaviour = _split(record)
    return (f"an LHS sweep of {len(record.get('sampled', []))} levers in "
            f"{record['worlds']['count']:,} plausible worlds ({len(names)} candidate "
            f"parameters: {levers} levers and the {behaviour} behaviour parameters that differ "
            f"between worlds; {runs:,} runs)")


def basis(record: dict[str, Any]) -> str:
    """What a discovery's numbers rest on, in plain words, from its manifest."""
    runs, reps = record.get("runs", 0), record.get("replicates") or 1
    each = "one" if reps == 1 else f"{reps}"
    worlds = record.get("worlds")
    if not worlds:
        return (f"{runs:,} runs, {each} at each point of the sweep, over ranges of the "
                "parameters (not the plausible worlds)")
    return (f"{runs:,} runs, {each} at each point of the sweep: the levers over their ranges, "
            f"each point in one of {worlds['count']:,} plausible worlds ({_per_world(record)}), "
            "not the parameters' prior ranges")


def _split(record: dict[str, Any]) -> tuple[int, int]:
    """How many candidate parameters are sampled levers, and how many come from the worlds."""
    sampled = set(record.get("sampled", []))
    names = record.get("parameters", [])
    return len([n for n in names if n in sampled]), len([n for n in names if n not in sampled])


def _per_world(record: dict[str, Any]) -> str:
    """The worlds' source and how many runs each world has."""
    runs, reps, worlds = record["runs"], record.get("replicates") or 1, record["worlds"]
    low, extra = divmod(runs // reps, worlds["count"])
    per = f"{low * reps}" + (f" or {(low + 1) * reps}" if extra else "")
    source = ("the calibration's ensemble" if worlds["source"] == "posterior"
              else worlds["source"])
    return f"{source}; {per} runs a world"


def reading(target: Target, manifest: dict[str, Any], n: int, share: float, readings: list,
            scores: pd.DataFrame, names: list[str]) -> str:
    """The plain-words reading of a discovery (discovery.md)."""
    worlds = manifest.get("worlds")
    if worlds:
        record = {"parameters": names, "runs": n, "replicates": manifest.get("replicates"),
                  "sampled": [p for p in manifest["problem"]["names"] if p != "dummy"],
                  "worlds": worlds}
        levers, behaviour = _split(record)
        sweep = (f"Sweep: {manifest.get('method')} design from scenario "
                 f"{manifest.get('scenario')}, {n:,} runs over {worlds['count']:,} plausible "
                 f"worlds x the ranges of {len(record['sampled'])} levers, not over prior "
                 f"ranges: design row i is in world i mod {worlds['count']:,} "
                 f"({_per_world(record)}). Candidate parameters: {levers} levers and the "
                 f"{behaviour} behaviour parameters that differ between worlds.")
    else:
        sweep = (f"Sweep: {manifest.get('method')} design over "
                 f"{len(manifest['problem']['names']) - 1} parameters from scenario "
                 f"{manifest.get('scenario')}, {n} runs, each parameter over its prior range "
                 "(not the plausible worlds).")
    lines = [f"# Scenario discovery: {target}", "",
             f"{sweep} The target is met in {share:.1%} of runs (censored runs never meet an "
             "upper bound on a month).", ""]
    region = ("the lever ranges and of the worlds' behaviour values" if worlds
              else "the swept ranges")
    for k, stats, conditions in readings:
        lines.append(f"**Box {k}** (coverage {stats['coverage']:.0%}: the share of all runs "
                     f"meeting the target that fall in the box; density {stats['density']:.0%}: "
                     f"the share of runs in the box that meet it; mass {stats['mass']:.0%} of "
                     "all runs):")
        lines.append("")
        if conditions:
            lines.append(f"{target} needed " + "; ".join(conditions) + ".")
        else:
            lines.append("no restriction.")
        lines.append("")
    top = ", ".join(f"{r.parameter} ({r.score:.2f})" for r in scores.head(5).itertuples())
    lines += [f"Feature scores (extra trees; what matters most for the target): {top}.", "",
              f"How to read it: a box is a region of {region} where the target is met "
              "most of the time. Coverage and density trade off: a larger box covers more of "
              "the runs that succeed but includes more that fail (see tradeoff.png). A box is "
              "a description of the simulated runs, not a guarantee.", ""]
    return "\n".join(lines)


def figures(boxes: list, readings: list, scores: pd.DataFrame, target: Target,
             out: Path) -> None:
    """tradeoff.png, box_K.png for each box, and feature_scores.png, into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 5), constrained_layout=True)
    for k, box in enumerate(boxes, start=1):
        t = box.peeling_trajectory
        ax.plot(t["coverage"], t["density"], marker=".", ms=4, lw=1, label=f"box {k}")
        i = _selected(box)
        ax.scatter([t["coverage"].iloc[i]], [t["density"].iloc[i]], s=80, marker="*",
                   zorder=5, color=ax.lines[-1].get_color())
    ax.set(xlabel="coverage (share of successful runs inside the box)",
           ylabel="density (share of runs in the box that succeed)", xlim=(0, 1.02),
           ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"PRIM peeling trajectory: {target}\n(star: the box reported)", fontsize=10)
    fig.savefig(out / "tradeoff.png", dpi=110)
    plt.close(fig)

    for k, box in enumerate(boxes, start=1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            figs = box.inspect(_selected(box), style="graph")
        fig = figs[0] if isinstance(figs, list | tuple) else figs
        fig = fig.figure if hasattr(fig, "figure") and not hasattr(fig, "savefig") else fig
        fig.set_size_inches(8, max(2.5, 0.6 * (len(readings[k - 1][2]) + 2)))
        fig.suptitle(f"Box {k} for {target}: restricted ranges (bars) within the swept ranges",
                     fontsize=10)
        fig.savefig(out / f"box_{k}.png", dpi=110, bbox_inches="tight")
        plt.close(fig)

    top = scores.head(15)[::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(top) + 1.2), constrained_layout=True)
    ax.barh(top["parameter"], top["score"], color="#2c7fb8")
    ax.set_xlabel("feature score (extra trees)")
    ax.set_title(f"What matters most for {target}", fontsize=10)
    fig.savefig(out / "feature_scores.png", dpi=110)
    plt.close(fig)
