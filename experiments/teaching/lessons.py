"""Teaching: the dashboard's controls as parameters, and the lesson plan's figures.

Solara-free, so the lesson's figures and the controls' meaning can be produced and tested without
the ``viz`` extra. ``phase0 lessons`` redraws ``docs/teaching/*.png``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.compare import common_seeds
from experiments.support.scenarios import load_scenario
from simulation import run_batch
from simulation.outcome_registry import OUTCOMES
from simulation.parameters import REGISTRY

AS_SCENARIO = "as scenario"

#: Teaching controls: label, then each choice's parameter values. "as scenario" changes nothing.
CONTROLS: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {
    "venues": ("Where meetings are held", {
        "community venues (100%)": {"venue_community_share": 1.0},
        "mostly community (75%)": {"venue_community_share": 0.75},
        "half and half (50%)": {"venue_community_share": 0.5},
        "mostly statutory (25%)": {"venue_community_share": 0.25},
        "statutory sites (0%)": {"venue_community_share": 0.0},
    }),
    "broker": ("Broker organisation", {
        "present": {"broker_present": True},
        "absent": {"broker_present": False},
    }),
    "core_funding": ("Core funding of the broker", {
        "core funding (not tied to cycles)": {"core_funding": True},
        "no core funding": {"core_funding": False},
    }),
    "funding_terms": ("Project contracts", {
        "flexible (not KPI-tied)": {"kpi_tied": False},
        "KPI-tied": {"kpi_tied": True},
    }),
    "contract_months": ("Contract length", {
        f"{m} months": {"contract_months": m} for m in (6, 12, 24, 36, 60)
    }),
    "payment": ("Community contributions", {
        "paid": {"pay_contributions": True},
        "unpaid (volunteer)": {"pay_contributions": False},
    }),
    "senior": ("Senior statutory officials", {
        "engaged and endorsing": {"senior_engagement": True},
        "not engaged": {"senior_engagement": False},
    }),
    "turnover": ("Statutory staff turnover (the scenario's rates)", {
        "halved (x0.5)": {"turnover_scale": 0.5},
        "doubled (x2)": {"turnover_scale": 2.0},
        "tripled (x3)": {"turnover_scale": 3.0},
    }),
}

_TURNOVER = ("turnover_executive", "turnover_senior", "turnover_frontline")


def teaching_parameters(scenario: str, choices: Mapping[str, str]) -> dict[str, Any]:
    """Model parameters from a scenario and the dashboard's choices (pure; for tests and docs).

    Raises :class:`~experiments.support.outputs.UserError` for an unknown scenario and
    ``ValueError`` for an unknown control or choice. The turnover choice scales the scenario's
    three turnover rates.
    """
    params = dict(load_scenario(scenario).params)
    for control, choice in choices.items():
        if control not in CONTROLS:
            raise ValueError(f"unknown control {control!r}; controls are {sorted(CONTROLS)}")
        if choice == AS_SCENARIO:
            continue
        options = CONTROLS[control][1]
        if choice not in options:
            raise ValueError(f"control {control!r}: unknown choice {choice!r}; choices are "
                             f"{[AS_SCENARIO, *options]}")
        for name, value in options[choice].items():
            if name == "turnover_scale":
                for rate in _TURNOVER:
                    params[rate] = min(params[rate] * value, REGISTRY[rate].valid[1])
            else:
                params[name] = value
    return params


# ---- the lesson's figures -------------------------------------------------------------------

FIGURE_DIR = Path(__file__).resolve().parents[2] / "docs" / "teaching"
_PZ, _ENG = OUTCOMES["phase_zero"].colour, OUTCOMES["engagement"].colour
_BASELINE = "#2166ac"  # the studied network's line: not an outcome's colour


def _runs(params: Mapping[str, Any], seeds: Sequence[int]) -> tuple[dict[str, np.ndarray],
                                                                    np.ndarray, np.ndarray]:
    """Timeseries (metric -> runs x months) and the two outcome months (NaN: not reached)."""
    results = run_batch(dict(params), list(seeds), timeseries=True)
    series = {k: np.stack([r.timeseries[k].to_numpy() for r in results])
              for k in results[0].timeseries.columns if k != "month"}

    def months(key: str) -> np.ndarray:
        return np.array([np.nan if r.summary[key] is None else r.summary[key] for r in results])

    return series, months("phase_zero_months"), months("engagement_months")


def _band(ax, y: np.ndarray, label: str, color: str | None = None, ls: str = "-") -> None:
    years = np.arange(y.shape[1]) / 12
    line, = ax.plot(years, np.median(y, axis=0), label=label, color=color, ls=ls, lw=1.8)
    ax.fill_between(years, *np.percentile(y, [10, 90], axis=0), color=line.get_color(),
                    alpha=0.15, lw=0)


def _mark(ax, months: np.ndarray, text: str, color: str) -> None:
    if np.isnan(months).mean() <= 0.5:
        m = np.nanmedian(np.where(np.isnan(months), np.inf, months))
        ax.axvline(m / 12, color=color, ls="--", lw=1.2)
        ax.text(m / 12, 1.01, f"{text}\n(median {m / 12:.1f} y)", color=color, fontsize=8,
                ha="center", va="bottom", transform=ax.get_xaxis_transform())


def _reached(months: np.ndarray) -> str:
    share = 1 - np.isnan(months).mean()
    if share == 0:
        return "reached in no run within 15 years"
    med = np.nanmedian(np.where(np.isnan(months), np.inf, months))
    when = f"median {med / 12:.1f} y" if np.isfinite(med) else "median not reached"
    return f"reached in {share:.0%} of runs, {when}"


def lesson_figures(out: Path = FIGURE_DIR, replicates: int = 50, seed: int = 2008,
                   overwrite: bool = False, parameter_sets: str = "posterior",
                   world_runs: int = 8, max_sets: int | None = None, workers: int = 1,
                   progress: bool = False) -> list[Path]:
    """Draw the five figures of docs/teaching.md and write the lesson's numbers over worlds.

    The figures show medians and 10-90% bands over ``replicates`` runs at the registry's
    defaults (what the class plays); the numbers the lesson quotes are given over the plausible
    worlds (``worlds.csv``, ``worlds.md``: :mod:`experiments.teaching.lesson_worlds`), unless
    ``parameter_sets`` is 'defaults'. The folder is written whole, with a manifest, like every
    result folder: an existing one is replaced only with ``overwrite`` and only if phase0 wrote
    it.
    """
    from experiments.research.compare import uses_defaults
    from experiments.support.outputs import write_results

    names: list[str] = []
    settings: dict[str, Any] = {"replicates": replicates, "seed": seed,
                                "parameter_sets": parameter_sets}

    def write(folder: Path) -> None:
        names.extend(p.name for p in _draw(folder, replicates, seed))
        if not uses_defaults(parameter_sets):
            names.extend(_write_worlds(folder, parameter_sets, world_runs, seed, max_sets,
                                       workers, progress, settings))

    write_results(Path(out), {".": write}, settings, overwrite=overwrite)
    return [Path(out) / n for n in names]


def _write_worlds(folder: Path, parameter_sets: str, runs: int, seed: int,
                  max_sets: int | None, workers: int, progress: bool,
                  settings: dict[str, Any]) -> list[str]:
    """The lesson's numbers over the plausible worlds, beside the figures."""
    from experiments.research.compare import POSTERIOR_NAMES
    from experiments.research.worlds import WORLD_HORIZON
    from experiments.teaching import lesson_worlds as lw

    times, summary = lw.run_lesson_worlds(parameter_sets, runs, seed, WORLD_HORIZON, workers,
                                          max_sets=max_sets, progress=progress)
    delay = lw.incident_delay(times)
    source = ("the calibration's ensemble, experiments/calibration/ensemble.csv"
              if parameter_sets.strip().lower() in POSTERIOR_NAMES else "a parameter-set file")
    summary.to_csv(folder / "worlds.csv", index=False)
    (folder / "worlds.md").write_text(lw.lesson_markdown(summary, delay, runs, source))
    settings.update({"world_runs": runs, "worlds": int(summary["worlds"].max()),
                     "world_horizon_months": WORLD_HORIZON, "max_sets": max_sets,
                     "incident_delay": {k: round(v, 2) for k, v in delay.items()}})
    return ["worlds.csv", "worlds.md"]


def _draw(out: Path, replicates: int, seed: int) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seeds = common_seeds(seed, replicates)
    written: list[Path] = []

    def save(fig, name: str) -> None:
        path = out / name
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)

    # 1. Trust builds meeting by meeting, and service users come last.
    s, pz, eng = _runs(load_scenario("tpn_baseline").params, seeds)
    fig, ax = plt.subplots(figsize=(7.5, 4.2), constrained_layout=True)
    for key, label in [("trust_cbo_broker", "CBOs toward the broker"),
                       ("trust_cbo_statutory", "CBOs toward statutory partners"),
                       ("recognition", "officials' recognition of CBOs"),
                       ("user_trust", "service users: is the space safe?"),
                       ("engaged_share", "share of service users engaged")]:
        _band(ax, s[key], label)
    _mark(ax, pz, OUTCOMES["phase_zero"].label, _PZ)
    _mark(ax, eng, OUTCOMES["engagement"].label, _ENG)
    ax.set(xlabel="years", ylabel="index (0-1)", ylim=(0, 1), xlim=(0, 15))
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("1. The studied network (tpn_baseline): trust first, service users last",
                 fontsize=10, pad=28)
    save(fig, "1_trust_builds.png")

    # 2. Venues.
    fig, ax = plt.subplots(figsize=(7.5, 4.2), constrained_layout=True)
    for choice in ("community venues (100%)", "half and half (50%)", "statutory sites (0%)"):
        s, pz, eng = _runs(teaching_parameters("tpn_baseline", {"venues": choice}), seeds)
        _band(ax, s["trust_cbo_statutory"], f"{choice}: phase zero {_reached(pz)}")
    ax.axhline(REGISTRY["pz_trust_threshold"].default, color="0.4", lw=0.8, ls=":")
    ax.set(xlabel="years", ylabel="CBOs' trust toward statutory partners", ylim=(0, 1),
           xlim=(0, 15))
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("2. Where the meetings are held (tpn_baseline, venues changed)", fontsize=10)
    save(fig, "2_venues.png")

    # 3. Funding: core funding versus short KPI-tied contracts (one run each, to see stalls).
    fig, axes = plt.subplots(2, 1, figsize=(7.5, 5.2), sharex=True, constrained_layout=True)
    for name, color in [("tpn_baseline", _BASELINE), ("short_kpi_contracts", "#b2182b")]:
        s, pz, eng = _runs(load_scenario(name).params, seeds)
        years = np.arange(s["funding_level"].shape[1]) / 12
        axes[0].plot(years, s["funding_level"][0], color=color, lw=1.2, label=name)
        _band(axes[1], s["trust_cbo_statutory"], f"{name}: phase zero {_reached(pz)}", color)
    axes[0].set(ylabel="broker's funded capacity\n(one run)", ylim=(0, 1.05))
    axes[0].legend(fontsize=8, loc="lower right")
    axes[1].set(xlabel="years", ylabel="CBOs' trust toward\nstatutory partners", ylim=(0, 1),
                xlim=(0, 15))
    axes[1].legend(fontsize=8, loc="upper left")
    axes[0].set_title("3. Core funding versus 12-month KPI-tied contracts", fontsize=10)
    save(fig, "3_funding.png")

    # 4. Tokenism: meetings that feel tokenistic hold trust down.
    fig, axes = plt.subplots(2, 1, figsize=(7.5, 5.2), sharex=True, constrained_layout=True)
    for (name, choices), color in [(("tpn_baseline", {}), _BASELINE),
                                   (("tpn_baseline", {"venues": "mostly statutory (25%)"}),
                                    "#e08214"),
                                   (("no_broker", {}), "#b2182b")]:
        label = name + "".join(f", {v}" for v in choices.values())
        s, pz, eng = _runs(teaching_parameters(name, choices), seeds)
        years = np.arange(s["tokenistic_share"].shape[1]) / 12
        share = pd.Series(s["tokenistic_share"].mean(axis=0)).rolling(12, min_periods=1).mean()
        axes[0].plot(years, share, color=color, lw=1.6, label=label)
        _band(axes[1], s["trust_cbo_statutory"], f"{label}: phase zero {_reached(pz)}", color)
    axes[0].set(ylabel="share of meetings felt as\ntokenistic (12-month mean)", ylim=(0, 0.6))
    axes[0].legend(fontsize=8, loc="upper right")
    axes[1].set(xlabel="years", ylabel="CBOs' trust toward\nstatutory partners", ylim=(0, 1),
                xlim=(0, 15))
    axes[1].legend(fontsize=7, loc="upper left")
    axes[0].set_title("4. Tokenistic meetings hold trust down", fontsize=10)
    save(fig, "4_tokenism.png")

    # 5. Service users: a history of harm, linked and unlinked.
    fig, ax = plt.subplots(figsize=(7.5, 4.2), constrained_layout=True)
    base = load_scenario("tpn_baseline").params
    for harm, ls in [(0.2, ":"), (0.5, "-"), (0.8, "--")]:
        s, pz, eng = _runs({**base, "harm_weight": harm}, seeds)
        _band(ax, s["engaged_share_linked"], f"harm weight {harm}: members of a CBO", "#7b2d8e",
              ls)
        _band(ax, s["engaged_share_unlinked"], f"harm weight {harm}: not members", "#e08214",
              ls)
        if harm == 0.5:
            _mark(ax, pz, OUTCOMES["phase_zero"].label, _PZ)
    ax.set(xlabel="years", ylabel="share of service users engaged", ylim=(0, 1), xlim=(0, 15))
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    ax.set_title("5. Service users enter last, through their organisations", fontsize=10,
                 pad=28)
    save(fig, "5_service_users.png")
    return written
