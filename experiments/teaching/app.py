"""The teaching dashboard: a Mesa ``SolaraViz`` page of one phase-zero run, month by month.

Serve it with ``phase0 dashboard`` (or ``solara run experiments/app.py``). It needs the optional
extra ``phase0[viz]``. Every control starts at "as scenario": the scenario picker loads a scenario
file, and a control set to anything else overrides that one lever of the scenario. Figures are
drawn with matplotlib and sent as images, so the page needs nothing from the internet.
"""

from __future__ import annotations

import os
from typing import Any

# solara embeds a version-check frame from its website unless it runs in production mode.
os.environ.setdefault("SOLARA_MODE", "production")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from experiments.support.scenarios import available
from experiments.teaching.lessons import AS_SCENARIO, CONTROLS, teaching_parameters
from simulation.interventions import EVENTS
from simulation.model import PhaseZeroModel
from simulation.outcome_registry import HEADLINE, OUTCOMES


class TeachingModel(PhaseZeroModel):
    """:class:`PhaseZeroModel` built from a scenario, the teaching controls and a seed.

    Mesa's controller rebuilds the model from these keyword arguments on Reset. The scenario's
    keyword and attribute are ``scenario_name``, not ``scenario``: from Mesa 3.5 ``mesa.Model``
    reserves ``scenario`` (a property whose setter sets ``scenario.model``), and SolaraViz's Reset
    passes a Mesa ``Scenario`` to any model whose ``__init__`` takes a ``scenario`` keyword.
    """

    def __init__(self, scenario_name: str = "tpn_baseline", seed: int = 0, *,
                 venues: str = AS_SCENARIO, broker: str = AS_SCENARIO,
                 core_funding: str = AS_SCENARIO, funding_terms: str = AS_SCENARIO,
                 contract_months: str = AS_SCENARIO, payment: str = AS_SCENARIO,
                 senior: str = AS_SCENARIO, turnover: str = AS_SCENARIO) -> None:
        # Named one by one (not **choices): Mesa's SolaraViz checks user parameters against the
        # signature.
        choices = {"venues": venues, "broker": broker, "core_funding": core_funding,
                   "funding_terms": funding_terms, "contract_months": contract_months,
                   "payment": payment, "senior": senior, "turnover": turnover}
        self.scenario_name = scenario_name
        self.choices = {k: v for k, v in choices.items() if v != AS_SCENARIO}
        super().__init__(rng=int(seed), collect=True,
                         **teaching_parameters(scenario_name, choices))


#: SolaraViz's user parameters: the scenario picker, the seed and the teaching controls.
MODEL_PARAMS: dict[str, Any] = {
    "scenario_name": {"type": "Select", "value": "tpn_baseline", "values": available(),
                 "label": "Scenario"},
    "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"},
    **{key: {"type": "Select", "value": AS_SCENARIO, "values": [AS_SCENARIO, *options],
             "label": label} for key, (label, options) in CONTROLS.items()},
}

_TRUST_CMAP = plt.get_cmap("RdYlGn")


def network_figure(model: PhaseZeroModel) -> Figure:
    """The organisations as a network: officials by rank on top, the broker, CBOs below.

    Edges are coloured by trust (red low, green high): CBO to broker by the CBO's trust in the
    broker, CBO to CBO by the two CBOs' mean solidarity (the strongest ties only, for
    legibility), and broker to each official by the official's recognition of community
    knowledge. CBO nodes are coloured by their trust in statutory partners; officials by their
    public endorsement.
    """
    net = model.network
    C, S = net.C, net.S
    fig = Figure(figsize=(7.2, 4.6), dpi=100)
    ax = fig.subplots()
    ranks = [("executives", 0, net.n_exec), ("senior managers", net.n_exec, net.n_senior_tier),
             ("frontline", net.n_senior_tier, S)]
    pos_s = np.zeros((S, 2))
    for row, (_, lo, hi) in enumerate(ranks):
        n = hi - lo
        pos_s[lo:hi, 0] = np.linspace(-1, 1, n) if n > 1 else 0.0
        pos_s[lo:hi, 1] = 1.9 - 0.35 * row
    pos_c = np.column_stack([np.linspace(-1.05, 1.05, C), np.where(np.arange(C) % 2, -0.9, -1.1)])
    broker = np.array([0.0, 0.45])
    solidarity = net.solidarity[0]
    iu = np.triu_indices(C, 1)
    mutual = (solidarity[iu[0]] + solidarity[iu[1]]) / 2
    keep = np.argsort(mutual)[-min(len(mutual), 2 * C):]
    for i, j, t in zip(iu[0][keep], iu[1][keep], mutual[keep], strict=True):
        ax.plot(*zip(pos_c[i], pos_c[j], strict=True), color=_TRUST_CMAP(t), lw=0.8, alpha=0.6,
                zorder=1)
    if net.has_broker[0]:
        for c in range(C):
            ax.plot(*zip(broker, pos_c[c], strict=True), color=_TRUST_CMAP(net.trust_broker[0, c]),
                    lw=1.4, zorder=2)
        for s in range(S):
            ax.plot(*zip(broker, pos_s[s], strict=True), color=_TRUST_CMAP(net.recognition[0, s]),
                    lw=1.0, zorder=2)
        ax.scatter(*broker, s=420, marker="h", color="#444", zorder=4)
        ax.annotate("broker", broker, xytext=(14, -4), textcoords="offset points", fontsize=9)
    else:
        mean_rec = net.recognition[0].mean()
        for c in range(C):
            ax.plot(*zip(pos_c[c], pos_s[net.n_senior_tier + c % max(net.n_frontline, 1)],
                         strict=True), color=_TRUST_CMAP(mean_rec), lw=0.6, ls=":", zorder=2)
    markers = np.where(net.faith[0], "s", "o")
    for shape in ("s", "o"):
        sel = markers == shape
        ax.scatter(pos_c[sel, 0], pos_c[sel, 1], s=140, marker=shape, edgecolor="k",
                   c=_TRUST_CMAP(net.trust_statutory[0, sel]), zorder=5)
    ax.scatter(pos_s[:, 0], pos_s[:, 1], s=110, marker="^", edgecolor="k",
               c=_TRUST_CMAP(net.endorsement[0]), zorder=5)
    for label, lo, _ in ranks:
        ax.text(-1.32, pos_s[lo, 1] if lo < S else 0, label, ha="right", va="center", fontsize=8)
    ax.text(-1.32, -1.0, "community\norganisations\n(square: faith)", ha="right", va="center",
            fontsize=8)
    ax.set_xlim(-2.0, 1.2)
    ax.set_ylim(-1.4, 2.15)
    ax.axis("off")
    sm = plt.cm.ScalarMappable(cmap=_TRUST_CMAP, norm=plt.Normalize(0, 1))
    fig.colorbar(sm, ax=ax, fraction=0.03, pad=0.01, label="trust")
    ax.set_title(f"Month {model.month}: who trusts whom", fontsize=11)
    fig.tight_layout()
    return fig


def scheduled_events(params: dict[str, Any]) -> list[tuple[int, str]]:
    """The run's timed interventions as (month, words), in month order."""
    out = [(int(params[month]), kind.replace("_", " "))
           for kind, (month, _) in EVENTS.items() if params[month] > 0]
    if params["flexible_runway_months"] > 0:
        out.append((int(params["flexible_runway_months"]), "flexible runway ends"))
    return sorted(out)


def _series_figure(model: PhaseZeroModel, columns: dict[str, str], title: str,
                   ylabel: str = "index (0-1)") -> Figure:
    """Lines of some DataCollector columns, with both outcomes marked once reached."""
    data = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(6.0, 3.6), dpi=100)
    ax = fig.subplots()
    for column, label in columns.items():
        ax.plot(data.index, data[column], label=label, lw=1.6)
    for name, month in model.outcome_months().items():
        if name in HEADLINE and month is not None:
            text, colour = OUTCOMES[name].label, OUTCOMES[name].colour
            ax.axvline(month, color=colour, ls="--", lw=1.2)
            ax.text(month, 1.02, text, color=colour, fontsize=8, rotation=0,
                    transform=ax.get_xaxis_transform(), ha="center")
    for month, text in scheduled_events(model.params):
        if month <= model.month:
            ax.axvline(month, color="0.45", ls=":", lw=1.2)
            ax.text(month, 0.02, f" {text}", color="0.35", fontsize=7, rotation=90,
                    transform=ax.get_xaxis_transform(), va="bottom")
    ax.set_xlim(0, max(model.horizon, 12))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("month")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10, pad=14)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


PLOTS: dict[str, tuple[str, dict[str, str]]] = {
    "trust": ("Trust by pair", {
        "trust_cbo_statutory": "CBOs toward statutory partners",
        "recognition": "officials' recognition of CBOs",
        "trust_cbo_broker": "CBOs toward the broker",
        "trust_cbo_cbo": "CBOs toward each other",
        "user_trust": "service users (safety of the space)",
    }),
    "resources": ("Resources put in", {
        "symbolic": "symbolic", "relational": "relational", "material": "material",
    }),
    "engagement": ("Acknowledgement and service-user engagement", {
        "acknowledgement": "acknowledgement of community work",
        "senior_endorsement": "senior endorsement",
        "engaged_share": "service users engaged (share)",
    }),
    "funding": ("Funding", {
        "funding_level": "broker's funded capacity",
        "project_funded": "project contract running",
        "kpi_pressure": "KPI pressure",
        "payment": "payment for contributions",
    }),
}


# The views below are plain functions, not solara components: SolaraViz wraps plain functions
# in a component that re-renders whenever the controller steps or resets the model.


def NetworkView(model: PhaseZeroModel):
    """The network figure, redrawn every month."""
    return solara.FigureMatplotlib(network_figure(model), format="png",
                                   dependencies=[model.month, id(model)])


def _plot_component(key: str):
    title, columns = PLOTS[key]

    def Plot(model: PhaseZeroModel):
        return solara.FigureMatplotlib(_series_figure(model, columns, title), format="png",
                                       dependencies=[model.month, id(model)])

    Plot.__name__ = f"Plot_{key}"
    return Plot


def Status(model: PhaseZeroModel):
    """What the run has reached so far, in words.

    Plain text elements, not ``solara.Markdown``: its maths renderer loads KaTeX, which
    solara-assets does not ship, so the page would reach for a CDN.
    """
    months = model.outcome_months()
    lines = []
    for name in HEADLINE:
        month = months.get(name)
        when = f"month {month} ({month / 12:.1f} years)" if month is not None else "not yet"
        lines.append(f"{OUTCOMES[name].label}: {when}")
    for month, text in scheduled_events(model.params):
        lines.append(f"event: {text} at month {month}"
                     + (" (done)" if month <= model.month else ""))
    choices = getattr(model, "choices", {})
    lines.append(f"scenario: {getattr(model, 'scenario_name', 'custom')}"
                 + ("; changed: " + ", ".join(f"{k} = {v}" for k, v in choices.items())
                    if choices else ""))
    with solara.Column(gap="4px") as column:
        solara.Text(f"Month {model.month} of {model.horizon}",
                    style={"font-weight": "bold", "font-size": "1.2em"})
        for line in lines:
            solara.Text(line)
    return column


COMPONENTS = [Status, NetworkView, *(_plot_component(k) for k in PLOTS)]


def teaching_model_class(spec: str | None = None) -> type[TeachingModel]:
    """:class:`TeachingModel` over a user's PhaseZeroModel subclass (``module:Class``).

    ``phase0 dashboard --model-class`` passes the class in ``PHASE0_MODEL_CLASS``: the page then
    steps the user's submodels and shows the user's agents, with the same teaching controls.
    """
    spec = os.environ.get("PHASE0_MODEL_CLASS", "") if spec is None else spec
    if not spec:
        return TeachingModel
    from experiments.support.models import load_model_class

    user, name = load_model_class(spec)
    return type(f"Teaching{user.__name__}", (TeachingModel, user),
                {"__doc__": f"The teaching controls over {name}."})


def make_page(model: PhaseZeroModel):
    """The SolaraViz page element for a model."""
    return SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS,
                     name="phase0: phase zero, month by month", play_interval=150)


@solara.component
def Page() -> None:
    """The served page: each browser session gets a model of its own."""
    model = solara.use_memo(teaching_model_class(), dependencies=[])
    make_page(model)
