"""The policy brief: one self-contained HTML file from the committed results.

``phase0 brief`` reads what the standard experiments wrote (the scenario comparison, the funding
explorer, the interventions, the sensitivity study and scenario discovery) and writes a single HTML
file with every figure embedded as a data URI, inline styles and no link, script or font fetched
from anywhere: it can be emailed, opened offline and archived as it is.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.support.outputs import (
    UserError,
    check_writable_target,
    portable_path,
    write_results,
)
from experiments.support.scenarios import load_scenario
from simulation.outcome_registry import HEADLINE
from simulation.outcome_registry import label as outcome_label
from simulation.provenance import provenance

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"


@dataclass(frozen=True)
class Sources:
    """Where the brief reads each part from."""

    compare: Path = RESULTS / "compare"
    policy: Path = RESULTS / "policy" / "funding"
    interventions: Path = RESULTS / "policy" / "interventions"
    sensitivity: Path = RESULTS / "sensitivity"
    discovery: Path = RESULTS / "policy" / "discovery"


_STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1.2rem; color: #1d1d1d; line-height: 1.5; }
h1 { font-size: 1.9rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.4rem;
     border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
.meta { color: #555; font-size: 0.9rem; }
.key { background: #f3f6fa; border-left: 4px solid #1f4e79; padding: 0.6rem 1rem; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.92rem; color: #333; margin-top: 0.4rem; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.8rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #eef2f6; }
.limits { background: #fff6e5; border-left: 4px solid #c77c02; padding: 0.6rem 1rem; }
"""


def _need(path: Path, what: str, how: str) -> Path:
    if not path.exists():
        raise UserError(f"the brief needs {what} at '{path}' (make it with: {how})")
    return path


def _img(path: Path, alt: str, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, border=0, escape=True, na_rep="")


def _p(text: str) -> str:
    return f"<p>{text}</p>"


def _months(v: Any) -> str:
    if v is None or pd.isna(v):
        return "not reached"
    return f"{float(v):.0f} ({float(v) / 12:.1f} y)"


def _worlds_table(df: pd.DataFrame) -> pd.DataFrame:
    """A comparison over plausible worlds: shares of worlds and their median, in years."""
    from experiments.research.worlds import format_years

    def share(v: Any) -> str:
        return "n/a" if pd.isna(v) else f"{v:.0%}"

    return pd.DataFrame({
        "scenario": df["scenario"],
        "outcome": df["outcome"].map(outcome_label),
        "median across worlds": [format_years(float("inf") if b else m, h) for m, b, h in zip(
            df["p50_months"], df["p50_beyond_horizon"], df["horizon_months"], strict=True)],
        **{f"worlds within {s // 12} years": df[f"share_within_{s}"].map(share)
           for s in (60, 120, 360) if f"share_within_{s}" in df},
    })


def _comparison_table(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    if "share_within_60" in df:
        return _worlds_table(df)
    out = pd.DataFrame({
        "scenario": df["scenario"],
        "outcome": df["outcome"].map(outcome_label),
        "median months (years)": df["median_months"].map(_months),
        "P(within 5 years)": df["p_by_60"].map(lambda v: f"{v:.0%}"),
        "P(within 10 years)": df["p_by_120"].map(lambda v: f"{v:.0%}"),
        "never within 15 years": df["censored_share"].map(lambda v: f"{v:.0%}"),
    })
    return out


def _scenario_descriptions(names: list[str]) -> pd.DataFrame:
    rows = []
    for n in names:
        try:
            rows.append({"scenario": n, "what it is": load_scenario(n).description})
        except UserError:
            rows.append({"scenario": n, "what it is": "(scenario file not found)"})
    return pd.DataFrame(rows)


def _drivers(folder: Path) -> pd.DataFrame:
    df = pd.read_csv(folder / "sobol" / "sobol.csv")
    rows = []
    for target, words in [(f"rmst_{o}", outcome_label(o)) for o in HEADLINE]:
        top = df[(df.target == target) & df.influential_ST].nlargest(5, "ST")
        rows.append({"outcome": words, "main drivers (total-order Sobol index, 95% CI)": "; ".join(
            f"{r.parameter} {r.ST:.2f} ± {r.ST_conf:.2f}" for r in top.itertuples())})
    return pd.DataFrame(rows)


def _runway_table(path: Path, horizon: int) -> pd.DataFrame:
    from experiments.policy.explore import runway_words

    df = pd.read_csv(path)
    return pd.DataFrame({
        "funding once the runway ends": df["funding"],
        "minimum runway of flexible funding": [runway_words(r, horizon)
                                               for r in df.itertuples()],
        "P(engagement) at that runway (95% CI)": [
            f"{p:.0%} ({lo:.0%} to {hi:.0%})" for p, lo, hi in zip(df.p_engagement, df.p_lo,
                                                                   df.p_hi, strict=True)],
    })


def build_brief(scenario: str = "new_network", sources: Sources | None = None) -> str:
    """The brief's HTML (UserError if a part's results are missing)."""
    src = sources or Sources()
    sc = load_scenario(scenario)
    compare = _need(src.compare / "comparison.csv", "the scenario comparison", "make run")
    policy_manifest = _need(src.policy / "manifest.json", "the funding explorer",
                            f"phase0 explore funding --scenario {scenario}")
    explorer = json.loads(policy_manifest.read_text())
    explored = explorer["scenario"]
    if explored != sc.name:
        raise UserError(f"the funding explorer in '{src.policy}' was run from '{explored}', not "
                        f"'{sc.name}': run 'phase0 explore funding --scenario {scenario} --out "
                        "DIR' and pass --policy DIR")
    interventions = _need(src.interventions / "comparison.csv", "the interventions comparison",
                          "make policy")
    sens = src.sensitivity / sc.name
    if not (sens / "sobol" / "sobol.csv").exists():
        sens = _need(src.sensitivity / "new_network", "the sensitivity study", "make sensitivity")
    discovery = _need(src.discovery / "discovery.md", "scenario discovery", "make policy")
    disc_manifest = json.loads((src.discovery / "manifest.json").read_text())
    compared = pd.read_csv(compare)["scenario"].drop_duplicates().tolist()
    tried = pd.read_csv(interventions)["scenario"].drop_duplicates().tolist()
    prov = provenance()

    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>phase0 policy brief: how long phase zero needs</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>How long must phase zero last, and what shortens or breaks it?</h1>",
        f'<p class="meta">A policy brief from the phase0 model (scenario in focus: '
        f"<b>{html.escape(sc.name)}</b>). Produced {date.today().isoformat()}; phase0 "
        f"{html.escape(str(prov.get('code_version', '')))}. Every figure and table below comes "
        "from the model's standard experiments, committed with the code.</p>",
        '<div class="key">',
        _p("<b>The question.</b> Burgess and Choudary (2021) found that coproduction between "
           "racially minoritised communities and statutory mental-health agencies became "
           "meaningful only after a long <i>phase zero</i>: about four years (2008 to 2012) of "
           "trust-building in which a broker linked groups across power levels, meetings were "
           "held in community-owned venues, senior officials endorsed the work, core funding was "
           "unconstrained by funding cycles and not tied to KPIs, community work was paid for, "
           "and quality contact had time to repeat. Service users, carrying histories of harm "
           "by services, came last. The model asks how long phase zero must last before service "
           "users engage, and what shortens, lengthens or breaks it."),
        _p(f"<b>{html.escape(sc.name)}</b>: {html.escape(sc.description)}"),
        "</div>",

        "<h2>1. Scenarios compared</h2>",
        _table(_scenario_descriptions(compared)),
        _table(_comparison_table(compare)),
        _img(src.compare / "kaplan_meier.png", "Kaplan-Meier curves of both outcomes",
             "<b>How to read it.</b> Each curve is the share of simulated networks that have "
             "reached the outcome by each month (Kaplan-Meier, 200 runs per scenario, with 95% "
             "bands): left panel, the end of phase zero; right, service-user engagement. A curve "
             "that stays at zero never gets there within 15 years. The paper dates only the end "
             "of phase zero (about 48 months in the studied network)."),

        "<h2>2. Funding cycles</h2>",
        _p("A grid of funding terms, each run over the calibration's accepted parameter sets: "
           "contract length, KPI-tied or flexible, the gap between contracts, and core funding "
           f"for the broker, starting from {html.escape(explored)}."),
        _img(src.policy / "heatmap_engagement.png", "Heatmaps for service-user engagement",
             "<b>How to read it.</b> Columns: four funding regimes (core funding or not, "
             "flexible or KPI-tied contracts). Within each panel, contract length runs left to "
             "right and the gap between contracts bottom to top. Rows: the probability that "
             "service users engage within 3, 5 and 10 years (brighter is likelier), then the "
             "restricted mean months to engagement within 15 years (darker is slower; 180 "
             "means never)."),
        _img(src.policy / "heatmap_phase_zero.png", "Heatmaps for the end of phase zero",
             "<b>How to read it.</b> The same layout for the end of phase zero."),
        "<h3>The minimum runway</h3>",
        _p("The runway is the number of months of guaranteed flexible funding from the start "
           "(the broker fully funded, no KPI ties, no gaps) before a funding regime takes over. "
           "The minimum runway is the shortest runway for which the lower 95% bound on the "
           "probability that service users engage within the horizon is at least 0.8. It is "
           "a length of funding, not a target for the network: no new KPI is proposed."),
        _table(_runway_table(src.policy / "minimum_runway.csv",
                             int(explorer["base_parameters"]["horizon_months"]))),
        _img(src.policy / "runway.png", "Probability of engagement by runway length",
             "<b>How to read it.</b> For each regime that follows the runway, the probability "
             "that service users engage within the horizon (line, with 95% band), as the runway "
             "grows. The dashed line is the 0.8 the lower bound must reach. A regime whose line "
             "only rises near the right edge undoes what the runway built once it starts."),

        "<h2>3. Main drivers</h2>",
        _p("From the sensitivity study (Sobol indices within the policies of scenario "
           f"<b>{html.escape(sens.name)}</b>, over the behaviour parameters the paper does not "
           "quantify): which uncertain parameters move the outcomes most."),
        _table(_drivers(sens)),
        _img(sens / "sobol" / "sobol_rmst_engagement.png", "Sobol indices for engagement",
             "<b>How to read it.</b> First-order (S1) and total-order (ST) Sobol indices, with "
             "95% bootstrap intervals, of the restricted mean time to service-user engagement. "
             "ST is the share of the outcome's variance a parameter accounts for, alone and in "
             "interaction; parameters whose interval overlaps the dummy's are not "
             "distinguishable from noise."),

        "<h2>4. Interventions tried</h2>",
        _p("The studied network with one timed event each: the broker loses its core funding, "
           "leaves, or has its funding cut for a year; meetings move to statutory sites; the "
           "senior champion leaves; a harmful incident at a statutory service."),
        _table(_scenario_descriptions(tried)),
        _table(_comparison_table(interventions)),
        _img(src.interventions / "kaplan_meier.png", "Kaplan-Meier curves for interventions",
             "<b>How to read it.</b> As in section 1: the share of simulated networks that have "
             "reached each outcome by each month, for the studied network with each event. "
             "Until an event's month the runs are identical to the studied network's."),

        "<h2>5. Discovered conditions</h2>",
        _p(f"Scenario discovery (PRIM) over an LHS sweep of "
           f"{len(disc_manifest['parameters'])} lever and behaviour parameters "
           f"({disc_manifest['runs']} runs): in which parameter boxes is the target "
           f"<b>{html.escape(disc_manifest['target'])}</b> met?"),
        _discovery_html(discovery),
        _img(src.discovery / "box_1.png", "The first discovered box",
             "<b>How to read it.</b> Each bar is the range of a parameter inside the box, "
             "within its swept range (grey); the number after each name is its quasi-p value "
             "(small: the data support the restriction). Coverage: the share of all runs that "
             "meet the target which fall in the box; density: the share of the box's runs that "
             "meet it."),
        _img(src.discovery / "tradeoff.png", "Peeling trade-off",
             "<b>How to read it.</b> PRIM peels the parameter space step by step; each dot is a "
             "candidate box. Moving up-left buys density (how reliably the target is met) at the "
             "price of coverage (how many of the successful runs are kept). Stars mark the "
             "boxes reported."),
        _img(src.discovery / "feature_scores.png", "Feature scores",
             "<b>How to read it.</b> Extra-trees feature scores: how much each parameter helps "
             "predict whether the target is met, whatever its box."),

        "<h2>Limits</h2>",
        '<div class="limits">',
        _p("This is a simulation built on one qualitative study of one network (Burgess and "
           "Choudary 2021): an aid to thinking about what phase zero needs, not a forecast for "
           "any real place. Where the paper gives no number, the model's values are assumptions, "
           "named as such in its parameter registry; four were calibrated to the paper's "
           "patterns (phase zero near four years; engagement after it). The paper does not date "
           "service-user engagement: the model's engagement months illustrate mechanisms, they "
           "do not predict. Mistrust of services is treated, as in the paper, as a rational "
           "response to a history of harm, not a deficit of communities."),
        "</div>",
        f'<p class="meta">Sources: {html.escape(portable_path(src.compare))}, '
        f"{html.escape(portable_path(src.policy))}, {html.escape(portable_path(sens))}, "
        f"{html.escape(portable_path(src.discovery))}. Python "
        f"{html.escape(str(prov.get('python', '')))}.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _discovery_html(path: Path) -> str:
    """The discovery's plain-words reading, from its Markdown (headings and bold only)."""
    out = []
    for block in path.read_text().split("\n\n"):
        text = html.escape(block.strip())
        if not text or text.startswith("# "):
            continue
        while "**" in text:
            text = text.replace("**", "<b>", 1).replace("**", "</b>", 1)
        out.append(_p(text))
    return "\n".join(out)


def write_brief(out: Path, scenario: str = "new_network", sources: Sources | None = None,
                overwrite: bool = True) -> Path:
    """Write ``out/brief.html`` atomically; return its path."""
    text = build_brief(scenario, sources)
    check_writable_target(out, overwrite)
    write_results(out, {"brief.html": text.encode("utf-8")}, overwrite=overwrite)
    return out / "brief.html"
