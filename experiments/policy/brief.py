"""The policy brief: one self-contained HTML file from the committed results.

``phase0 brief`` reads what the standard experiments wrote (the scenario comparison, the funding
explorer, the interventions, the sensitivity study and scenario discovery) and writes a single HTML
file with every figure embedded as a data URI, inline styles and no link, script or font fetched
from anywhere: it can be emailed, opened offline and archived as it is.

It is honest from the top: the caveat opens it; every table says how many plausible worlds and
runs it rests on, and too few get a warning instead of a verdict; every headline says in how many
plausible worlds it holds and which assumptions decide it (:mod:`experiments.policy.
brief_worlds`); no time is finer than a whole year and nothing is claimed for ever. A scenario
of the user's own that the comparison lacks is compared over the worlds by the brief itself
(:mod:`experiments.policy.brief_own`).
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.policy import brief_own
from experiments.policy import brief_worlds as bw
from experiments.policy.discover_report import basis as discovery_basis
from experiments.policy.discover_report import scope as discovery_scope
from experiments.research.compare import ENSEMBLE
from experiments.support.outputs import UserError, check_writable_target, write_results
from experiments.support.scenarios import Scenario, load_scenario
from simulation.outcome_registry import HEADLINE
from simulation.outcome_registry import label as outcome_label
from simulation.provenance import provenance

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
p, table = bw.p, bw.table


@dataclass(frozen=True)
class Sources:
    """Where the brief reads each part from (``ensemble``: the worlds' parameters)."""

    compare: Path = RESULTS / "compare"
    policy: Path = RESULTS / "policy" / "funding"
    interventions: Path = RESULTS / "policy" / "interventions"
    sensitivity: Path = RESULTS / "sensitivity"
    discovery: Path = RESULTS / "policy" / "discovery"
    ensemble: Path = ENSEMBLE


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
.limits, .caveat { background: #fff6e5; border-left: 4px solid #c77c02; padding: 0.6rem 1rem; }
.rests { font-size: 0.9rem; color: #333; } .warn { color: #9a3b00; font-weight: bold; }
"""

CAVEAT = (
    "<b>An aid to thinking, not a forecast.</b> This brief comes from a simulation built on one "
    "qualitative study of one network (Burgess and Choudary 2021). Its percentages are shares "
    "of plausible worlds (parameter sets that fit the study's patterns) or of simulated runs, "
    "not probabilities of what will happen in any real place; its times are in whole years, "
    "because nothing finer is supported; and where the worlds or runs behind a number are too "
    "few for a verdict, it says so instead.")

GAPS = (
    "<b>Gaps between KPI-tied contracts.</b> When a KPI-tied contract ends without renewal "
    "(renewal depends on the share of invited community organisations that attended the "
    "broker's meetings during the contract, against a target) or is cut short by a funding "
    "shock, project money stops for the gap: the broker is paid by core funding alone, if any, "
    "so it holds fewer meetings unless its persistence carries them, and community "
    "organisations are paid less. During the gap there is no KPI pressure, so meetings lose "
    "no quality to targets and services make no target-driven approaches to service users "
    "(which the model counts as harm), until the next contract, KPI-tied again, starts "
    "counting attendance afresh.")


def _need(path: Path, what: str, how: str) -> Path:
    if not path.exists():
        raise UserError(f"the brief needs {what} at '{path}' (make it with: {how})")
    return path


def where(path: Path) -> str:
    """A folder as the brief names it: inside the repository, else by its name only."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return f"{Path(path).name} (a folder given to the brief)"


def _img(path: Path, alt: str, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def _cells(df: pd.DataFrame) -> str:
    return table(df.map(lambda v: html.escape(str(v))))


def _scenario_descriptions(names: list[str], own: Scenario | None = None) -> pd.DataFrame:
    rows = []
    for n in names:
        if own is not None and n == own.name:
            rows.append({"scenario": n, "what it is": own.description})
            continue
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
        rows.append({"outcome": words, "main drivers (total-order Sobol index)": "; ".join(
            f"{r.parameter} {r.ST:.2f}" for r in top.itertuples())})
    return pd.DataFrame(rows)


def _sobol_basis(folder: Path) -> str:
    sweep = folder / "sobol" / "sweep_manifest.json"
    m = json.loads(sweep.read_text()) if sweep.exists() else {}
    rows, reps = m.get("design_rows"), m.get("replicates")
    what = (f"{rows:,} points of a Sobol design x {reps} runs each" if rows and reps
            else "a Sobol design (its size is not recorded)")
    return (f'<p class="rests">Rests on {what}, over ranges of the parameters (not the '
            "plausible worlds).</p>")


def _comparison(folder: Path, label: str, ensemble: Path, own: Scenario | None = None) -> str:
    """A comparison folder's part: what it rests on, its table, its contrasts, its curves."""
    name = "worlds.csv" if (folder / "worlds.csv").exists() else "comparison.csv"
    basis = bw.compare_basis(folder)
    df = pd.read_csv(folder / name)
    pooled = basis.worlds is not None
    km = ("pools every run of every world, so it shows run-to-run chance, not the spread "
          "across worlds" if pooled else f"shows {basis.runs} runs of one parameter set per "
          "scenario, with 95% bands")
    return "\n".join([
        _cells(_scenario_descriptions(df["scenario"].drop_duplicates().tolist(), own)),
        basis.html(), _cells(bw.comparison_cells(df, bw.compare_horizon(folder))),
        bw.contrasts_html(folder, ensemble),
        _img(folder / "kaplan_meier.png", f"Kaplan-Meier curves, {label}",
             "<b>How to read it.</b> Each curve is the share of simulated runs that have reached "
             "the outcome by each month (Kaplan-Meier): left panel, the end of phase zero; "
             f"right, service-user engagement. The figure {km}. A curve at zero has not got "
             "there within the horizon in any run. The paper dates only the end of phase zero "
             "(about four years in the studied network).")])


def _own(sc: Scenario, compared: list[str], run: brief_own.OwnRun | None,
         ensemble: Path) -> tuple[str, brief_own.OwnComparison | None]:
    """The part on the user's own scenario, when the comparison lacks it."""
    if sc.name in compared:
        return "", None
    head = f"<h3>Your scenario: {html.escape(sc.name)}</h3>"
    how = brief_own.how_to(sc, bw.REFERENCE)
    if run is None:
        return head + p(f"The comparison does not include {html.escape(sc.name)}. To compare "
                        f"it over the plausible worlds, run {how}."), None
    try:
        own = brief_own.run_own(sc, run, bw.REFERENCE)
    except UserError as exc:
        why = re.sub(r"\s*'[^']*/[^']*'", "", str(exc).split(" (")[0])  # no machine paths
        return head + p(f"The brief could not compare {html.escape(sc.name)} over the "
                        f"plausible worlds ({html.escape(why)}); run {how}."), None
    basis = bw.Basis(own.record["worlds"], own.record["runs_per_world"])
    return "\n".join([
        head,
        p(f"The comparison above does not include {html.escape(sc.name)}, so the brief "
          f"compared it with {bw.REFERENCE} itself: {basis.worlds} plausible worlds evenly "
          "spaced through the ensemble, "
          f"{basis.runs} runs each with the comparison's seeds, to a "
          f"{own.record['horizon_months'] / 12:g}-year horizon (its tables are in "
          "own_comparison/ beside the brief). For more worlds or runs, run "
          f"{how}."),
        basis.html(), _cells(bw.comparison_cells(own.summary)),
        bw.contrasts_html(Path("."), ensemble, times=own.times, parameters=pd.DataFrame(
            own.record["parameter_sets"], index=own.record["world_ids"]).astype(float))]), own


def _funding(src: Sources, sc: Scenario, explorer: dict[str, Any]) -> str:
    X = bw.ensemble_parameters(src.ensemble)
    explored = str(explorer.get("scenario", ""))
    other = "" if explored == sc.name else p(
        f'<span class="warn">This part was run from {html.escape(explored)}, not from '
        f"{html.escape(sc.name)}.</span> For {html.escape(sc.name)}, run <code>phase0 explore "
        "funding --scenario SCENARIO --out DIR</code> and pass <code>--policy DIR</code>.")
    rests = bw.funding_basis(src.policy, "grid_worlds.csv").html()
    rests_runway, runway = bw.runway_table(src.policy, X)
    target = explorer.get("target")
    return "\n".join([
        other,
        p("A grid of funding terms, each run in plausible worlds: contract length, KPI-tied or "
          "flexible, the gap between contracts, and core funding for the broker, starting from "
          f"{html.escape(explored)}."), rests,
        _img(src.policy / "heatmap_engagement.png", "Heatmaps for service-user engagement",
             "<b>How to read it.</b> The explorer's heatmaps, as it drew them. Columns: funding "
             "regimes (core funding or not, flexible or KPI-tied contracts); within each panel, "
             "contract length runs left to right and the gap between contracts bottom to top. "
             "Each row shows one quantity, named on its colour bar."),
        _img(src.policy / "heatmap_phase_zero.png", "Heatmaps for the end of phase zero",
             "<b>How to read it.</b> The same layout for the end of phase zero."),
        bw.regimes_html(src.policy, X), p(GAPS),
        "<h3>The minimum runway</h3>",
        p("The runway is the number of months of guaranteed flexible funding from the start "
          "(the broker fully funded, no KPI ties, no gaps) before a funding regime takes over. "
          "The minimum runway is the shortest runway tried that meets the explorer's target "
          + (f"({target:.0%}; its minimum_runway.md gives the rule)" if target else "")
          + ". It is a length of funding, not a target for the network: no new KPI is "
          "proposed."),
        rests_runway, table(runway),
        _img(src.policy / "runway.png", "Engagement by runway length",
             "<b>How to read it.</b> The explorer's figure, as it drew it: for each regime that "
             "follows the runway, how often service users engage within the horizon as the "
             "runway grows, against the explorer's target (dashed). A regime whose line rises "
             "only near the right edge undoes what the runway built once it starts.")])


def compose(scenario: str = "new_network", sources: Sources | None = None,
            own_run: brief_own.OwnRun | None = None) -> tuple[str, dict[str, Any]]:
    """The brief's HTML and the files to write beside it (UserError if a part is missing)."""
    src = sources or Sources()
    sc = load_scenario(scenario)
    _need(src.compare / "comparison.csv", "the scenario comparison", "make run")
    manifest = _need(src.policy / "manifest.json", "the funding explorer",
                     f"phase0 explore funding --scenario {scenario}")
    explorer = bw.read_manifest(manifest.parent)
    _need(src.interventions / "comparison.csv", "the interventions comparison", "make policy")
    sens = src.sensitivity / sc.name
    if not (sens / "sobol" / "sobol.csv").exists():
        sens = _need(src.sensitivity / "new_network", "the sensitivity study", "make sensitivity")
    discovery = _need(src.discovery / "discovery.md", "scenario discovery", "make policy")
    disc = bw.read_manifest(src.discovery)
    own_part, own = _own(sc, brief_own.compared_in(src.compare), own_run, src.ensemble)
    prov = provenance()

    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>phase0 policy brief: how long phase zero needs</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>How long must phase zero last, and what shortens or breaks it?</h1>",
        f'<p class="caveat">{CAVEAT}</p>',
        f'<p class="meta">A policy brief from the phase0 model (scenario in focus: '
        f"<b>{html.escape(sc.name)}</b>). Produced {date.today().isoformat()}; phase0 "
        f"{html.escape(str(prov.get('code_version', '')))}. Every figure and table below comes "
        "from the result folders listed at the end"
        + (", and from a comparison the brief ran itself" if own else "") + ".</p>",
        '<div class="key">',
        p("<b>The question.</b> Burgess and Choudary (2021) found that coproduction between "
          "racially minoritised communities and statutory mental-health agencies became "
          "meaningful only after a long <i>phase zero</i>: about four years (2008 to 2012) of "
          "trust-building in which a broker linked groups across power levels, meetings were "
          "held in community-owned venues, senior officials endorsed the work, core funding was "
          "unconstrained by funding cycles and not tied to KPIs, community work was paid for, "
          "and quality contact had time to repeat. Service users, carrying histories of harm "
          "by services, came last. The model asks how long phase zero must last before service "
          "users engage, and what shortens, lengthens or breaks it."),
        p(f"<b>{html.escape(sc.name)}</b>: {html.escape(sc.description)}"),
        "</div>",

        "<h2>1. Scenarios compared</h2>",
        _comparison(src.compare, "scenarios", src.ensemble, sc), own_part,

        "<h2>2. Funding cycles</h2>",
        _funding(src, sc, explorer),

        "<h2>3. Main drivers</h2>",
        p("From the sensitivity study (Sobol indices within the policies of scenario "
          f"<b>{html.escape(sens.name)}</b>, over the behaviour parameters the paper does not "
          "quantify): which uncertain parameters move the outcomes most."),
        _sobol_basis(sens), _cells(_drivers(sens)),
        _img(sens / "sobol" / "sobol_rmst_engagement.png", "Sobol indices for engagement",
             "<b>How to read it.</b> First-order (S1) and total-order (ST) Sobol indices, with "
             "95% bootstrap intervals, of the restricted mean time to service-user engagement. "
             "ST is the share of the outcome's variance a parameter accounts for, alone and in "
             "interaction; parameters whose interval overlaps the dummy's are not "
             "distinguishable from noise."),

        "<h2>4. Interventions tried</h2>",
        p("The studied network with one timed event each: the broker loses its core funding, "
          "leaves, or has its funding cut for a year; meetings move to statutory sites; the "
          "senior champion leaves; a harmful incident at a statutory service. Until an event's "
          "month the runs are identical to the studied network's."),
        _comparison(src.interventions, "interventions", src.ensemble),

        "<h2>5. Discovered conditions</h2>",
        p(f"Scenario discovery (PRIM) over {html.escape(discovery_scope(disc))}: in which "
          "parameter boxes is the target "
          f"<b>{html.escape(str(disc.get('target', '')))}</b> met?"),
        f'<p class="rests">Rests on {html.escape(discovery_basis(disc))}.</p>',
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
        p("Where the paper gives no number, the model's values are assumptions, named as such "
          "in its parameter registry; the plausible worlds are the parameter sets the "
          "calibration found consistent with the paper's patterns (phase zero near four years; "
          "engagement after it), and a share of them is not a probability. The paper does not "
          "date service-user engagement: the model's engagement times illustrate mechanisms, "
          "they do not predict. Mistrust of services is treated, as in the paper, as a rational "
          "response to a history of harm, not a deficit of communities."),
        "</div>",
        f'<p class="meta">Sources: {html.escape(where(src.compare))}, '
        f"{html.escape(where(src.policy))}, {html.escape(where(src.interventions))}, "
        f"{html.escape(where(sens))}, {html.escape(where(src.discovery))}. Python "
        f"{html.escape(str(prov.get('packages', {}).get('python', '')))}.</p>",
        "</body></html>",
    ]
    return "\n".join(x for x in parts if x), brief_own.own_files(own)


def build_brief(scenario: str = "new_network", sources: Sources | None = None,
                own_run: brief_own.OwnRun | None = None) -> str:
    """The brief's HTML (UserError if a part's results are missing)."""
    return compose(scenario, sources, own_run)[0]


#: Technical sentences of the results the brief quotes, reworded without absolutes.
_REWORD = (("censored runs never meet", "censored runs do not meet"),)


def _discovery_html(path: Path) -> str:
    """The discovery's plain-words reading, from its Markdown (headings and bold only)."""
    out = []
    for block in path.read_text().split("\n\n"):
        text = html.escape(block.strip())
        for old, new in _REWORD:
            text = text.replace(old, new)
        if not text or text.startswith("# "):
            continue
        while "**" in text:
            text = text.replace("**", "<b>", 1).replace("**", "</b>", 1)
        out.append(p(text))
    return "\n".join(out)


def write_brief(out: Path, scenario: str = "new_network", sources: Sources | None = None,
                overwrite: bool = False, own_run: brief_own.OwnRun | None = None) -> Path:
    """Write ``out/brief.html`` (and any comparison it ran) atomically; return its path.

    ``out`` may not hold any folder or file the brief reads (``sources``, a scenario file).
    """
    given = sources or Sources()
    reads = [*vars(given).values(), *([scenario] if Path(scenario).exists() else [])]
    check_writable_target(out, overwrite, reads)
    text, files = compose(scenario, sources, own_run)
    write_results(out, {"brief.html": text.encode("utf-8"), **files}, overwrite=overwrite,
                  inputs=reads)
    return out / "brief.html"
