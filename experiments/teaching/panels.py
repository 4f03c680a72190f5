"""The class page's figures: each panel a matplotlib figure kept for the session and updated.

A panel's figure is built once and its lines are given new data each month: building a figure
and laying it out costs several times more than redrawing it, and a run plays 180 months. The
figures carry only the axes, the thresholds and the outcome marks (dashed lines in each
outcome's colour, named in the legend); titles, legends and the sentence saying how to read a
panel are page text (larger, and free to draw). Figures are drawn at :data:`DPI` at the pixel
size they are shown at, so a font size in points is its size on screen times 72 / DPI:
:data:`FONT_PT` at :data:`DPI` is 13.3 px.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from simulation.interventions import EVENTS
from simulation.model import PhaseZeroModel
from simulation.outcome_registry import HEADLINE, OUTCOMES

#: Resolution of every panel, and the smallest font size in them (points): 12 pt at 80 dpi is
#: 13.3 px on screen when a figure is shown at its own width (the page does).
DPI = 80
FONT_PT = 12
#: Pixel size of a time-series panel and of the network panel.
SERIES_PX = (390, 260)
NETWORK_PX = (390, 310)

_CMAP = matplotlib.colormaps["RdYlGn"]


@dataclass(frozen=True)
class Spec:
    """One time-series panel: its title, how to read it, its lines and its threshold."""

    title: str
    reading: str
    columns: dict[str, tuple[str, str]]  # DataCollector column -> (label, colour)
    threshold: str | None = None  # a model parameter drawn as a dashed horizontal line
    threshold_label: str = ""
    top: float = 1.0  # upper limit of the y axis (grows with the data when below 1)


PANELS: dict[str, Spec] = {
    "trust": Spec(
        "Trust by pair, and readiness to commission",
        "Network means from 0 (none) to 1 (full). Readiness (black) combines CBOs' trust in "
        "statutory partners, officials' recognition and senior endorsement: above the dashed "
        "line an open commissioning round is likely to commission coproduction, which ends "
        "phase zero (green mark).",
        {"trust_cbo_statutory": ("CBOs toward statutory partners", "#1b9e77"),
         "recognition": ("officials' recognition of CBOs", "#d95f02"),
         "trust_cbo_broker": ("CBOs toward the broker", "#7570b3"),
         "trust_cbo_cbo": ("CBOs toward each other", "#e7298a"),
         "readiness": ("readiness to commission", "#000000")},
        "commissioning_threshold", "commissioning threshold"),
    "tokenism": Spec(
        "Tokenistic contact",
        "The share of this month's meetings felt as tokenistic (too poor to count: each one "
        "sets trust back), and its mean over the last 12 months. Compare it across scenarios "
        "in exercise 4.",
        {"tokenistic_share": ("share of meetings felt as tokenistic", "#b2182b"),
         "tokenistic_mean": ("the same, 12-month mean", "#404040")}, top=0.3),
    "acknowledgement": Spec(
        "Acknowledgement of harm and service-user engagement",
        "Acknowledgement of harm builds as senior officials bear witness at the annual "
        "conference and, more slowly, in good meetings with CBOs (ODD 7.4); service users' "
        "sense that the space is safe follows. Engagement (purple mark) is reached when the "
        "engaged share stays above the dashed threshold for its hold period.",
        {"acknowledgement": ("acknowledgement of harm", "#5e3c99"),
         "senior_endorsement": ("senior endorsement", "#e66101"),
         "user_trust": ("service users: is the space safe?", "#1f78b4"),
         "engaged_share": ("service users engaged (share)", OUTCOMES["engagement"].colour)},
        "engagement_threshold", "engagement threshold"),
    "members": Spec(
        "Who engages: CBO members and non-members",
        "The engaged share among service users who belong to a community organisation, and "
        "among those who belong to none (exercise 5). Members hear from their organisation "
        "that the space is safe; non-members have no such route.",
        {"engaged_share_linked": ("members of a CBO", "#7b2d8e"),
         "engaged_share_unlinked": ("not members of any CBO", "#e08214"),
         "engaged_share": ("all service users", "#808080")},
        "engagement_threshold", "engagement threshold"),
    "resources": Spec(
        "Resources put in",
        "The three kinds of resource of the paper's phase zero, each an index from 0 to 1: "
        "symbolic (recognition, venues), relational (meetings, brokerage) and material (money).",
        {"symbolic": ("symbolic", "#1b9e77"), "relational": ("relational", "#d95f02"),
         "material": ("material", "#7570b3")}),
    "funding": Spec(
        "Funding",
        "The broker's funded capacity, whether a project contract is running, the pressure of "
        "its key performance indicators (KPIs) and payment for community contributions. Gaps "
        "between contracts show as drops to zero.",
        {"funding_level": ("broker's funded capacity", "#1b9e77"),
         "project_funded": ("project contract running", "#d95f02"),
         "kpi_pressure": ("KPI pressure", "#b2182b"),
         "payment": ("payment for contributions", "#7570b3")}),
}


def scheduled_events(params: dict[str, Any]) -> list[tuple[int, str]]:
    """The run's timed interventions as (month, words), in month order."""
    out = [(int(params[month]), kind.replace("_", " "))
           for kind, (month, _) in EVENTS.items() if params[month] > 0]
    if params["flexible_runway_months"] > 0:
        out.append((int(params["flexible_runway_months"]), "flexible runway ends"))
    return sorted(out)


def series(model: PhaseZeroModel, column: str) -> np.ndarray:
    """One collected series (months 0..now); ``tokenistic_mean`` is computed here."""
    data = model.datacollector.model_vars
    if column == "tokenistic_mean":
        x = np.asarray(data["tokenistic_share"], dtype=float)
        cumulative = np.concatenate([[0.0], np.cumsum(x)])
        n = np.minimum(np.arange(1, len(x) + 1), 12)
        return (cumulative[1:] - cumulative[np.arange(1, len(x) + 1) - n]) / n
    return np.asarray(data[column], dtype=float)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


@dataclass
class SeriesPanel:
    """A time-series figure of one :class:`Spec`, redrawn with new data each month."""

    spec: Spec
    horizon: int = 180
    fig: Figure = field(init=False)
    _marks: list[Any] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        w, h = SERIES_PX
        self.fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI)
        self.fig.subplots_adjust(left=0.14, right=0.97, bottom=0.18, top=0.96)
        ax = self.ax = self.fig.subplots()
        self.lines = {c: ax.plot([], [], color=colour, lw=2.2 if c == "readiness" else 1.8)[0]
                      for c, (_, colour) in self.spec.columns.items()}
        self.threshold = ax.axhline(0, color="0.2", ls="--", lw=1.4,
                                    visible=self.spec.threshold is not None)
        ax.set_xlabel("month", fontsize=FONT_PT)
        ax.tick_params(labelsize=FONT_PT)
        ax.grid(alpha=0.3)

    def png(self, model: PhaseZeroModel) -> bytes:
        """The panel at the model's month, as PNG bytes."""
        ax = self.ax
        # The collected rows so far, read once: a playing model may add a month meanwhile.
        n = len(model.datacollector.model_vars["engaged_share"])
        top = self.spec.top
        for column, line in self.lines.items():
            y = series(model, column)[:n]
            line.set_data(np.arange(len(y)), y)
            if top < 1 and len(y):
                top = min(1.0, max(top, 1.15 * float(np.nanmax(y))))
        if self.spec.threshold is not None:
            self.threshold.set_ydata([model.params[self.spec.threshold]] * 2)
        for artist in self._marks:
            artist.remove()
        self._marks = []
        for name, month in model.outcome_months().items():
            if name in HEADLINE and month is not None:
                colour = OUTCOMES[name].colour
                self._marks.append(ax.axvline(month, color=colour, ls="--", lw=2))
        for month, _ in scheduled_events(model.params):
            if month <= model.month:
                self._marks.append(ax.axvline(month, color="0.45", ls=":", lw=1.5))
        ax.set_xlim(0, max(model.horizon, 12))
        ax.set_ylim(-0.02 * top, 1.02 * top)
        return _png(self.fig)


class NetworkPanel:
    """The organisations as a network: officials by rank on top, the broker, CBOs below.

    Edges are coloured by trust (red low, green high): CBO to broker by the CBO's trust in the
    broker, CBO to CBO by the two CBOs' mean solidarity (the strongest ties only, for
    legibility), broker to each official by the official's recognition of community knowledge.
    CBO nodes are coloured by their trust in statutory partners, officials by their public
    endorsement. The figure is rebuilt when the network changes size (a new model).
    """

    def __init__(self) -> None:
        w, h = NETWORK_PX
        self.fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI)
        self.fig.subplots_adjust(left=0.0, right=0.88, bottom=0.04, top=0.92)
        self.ax = self.fig.subplots()
        self.key: tuple[int, ...] | None = None

    def _layout(self, model: PhaseZeroModel) -> None:
        net = model.network
        C, S = net.C, net.S
        ax = self.ax
        ax.clear()
        ranks = [("executives", 0, net.n_exec), ("senior", net.n_exec, net.n_senior_tier),
                 ("frontline", net.n_senior_tier, S)]
        self.pos_s = np.zeros((S, 2))
        for row, (_, lo, hi) in enumerate(ranks):
            n = hi - lo
            self.pos_s[lo:hi, 0] = np.linspace(-1, 1, n) if n > 1 else 0.0
            self.pos_s[lo:hi, 1] = 1.9 - 0.4 * row
        self.pos_c = np.column_stack([np.linspace(-1.05, 1.05, C),
                                      np.where(np.arange(C) % 2, -0.9, -1.15)])
        self.broker = np.array([0.0, 0.4])
        self.edges = LineCollection([], cmap=_CMAP, norm=Normalize(0, 1), zorder=1)
        ax.add_collection(self.edges)
        self.broker_dot = ax.scatter(*self.broker, s=420, marker="h", color="#444", zorder=4)
        self.broker_text = ax.text(self.broker[0] + 0.12, self.broker[1], "broker",
                                   fontsize=FONT_PT, va="center")
        faith = np.asarray(net.faith[0], dtype=bool)
        nodes = {"edgecolor": "k", "cmap": _CMAP, "norm": Normalize(0, 1), "zorder": 5}
        self.cbo_sq = ax.scatter(*self.pos_c[faith].T, c=np.zeros(faith.sum()), s=150,
                                 marker="s", **nodes)
        self.cbo_ci = ax.scatter(*self.pos_c[~faith].T, c=np.zeros((~faith).sum()), s=150,
                                 marker="o", **nodes)
        self.faith = faith
        self.officials = ax.scatter(*self.pos_s.T, c=np.zeros(S), s=120, marker="^", **nodes)
        for label, lo, _ in ranks:
            ax.text(-1.15, self.pos_s[lo, 1] if lo < S else 0, label, ha="right", va="center",
                    fontsize=FONT_PT)
        ax.text(-1.15, -1.02, "CBOs\n(square:\nfaith)", ha="right", va="center",
                fontsize=FONT_PT)
        ax.tick_params(labelsize=FONT_PT)  # hidden with the axis, but no text under 12 pt
        ax.set_xlim(-1.95, 1.2)
        ax.set_ylim(-1.3, 2.1)
        ax.axis("off")
        if len(self.fig.axes) == 1:
            bar = self.fig.colorbar(self.officials, ax=ax, fraction=0.04, pad=0.0)
            bar.set_label("trust (0 to 1)", fontsize=FONT_PT)
            bar.ax.tick_params(labelsize=FONT_PT)
        self.title = ax.set_title("", fontsize=FONT_PT + 1)

    def png(self, model: PhaseZeroModel) -> bytes:
        """The network at the model's month, as PNG bytes."""
        net = model.network
        key = (id(model), net.C, net.S)
        if key != self.key:
            self._layout(model)
            self.key = key
        C, S = net.C, net.S
        solidarity = net.solidarity[0]
        iu = np.triu_indices(C, 1)
        mutual = (solidarity[iu[0]] + solidarity[iu[1]]) / 2
        keep = np.argsort(mutual)[-min(len(mutual), 2 * C):]
        segments = [(self.pos_c[i], self.pos_c[j]) for i, j in zip(iu[0][keep], iu[1][keep],
                                                                   strict=True)]
        values = list(mutual[keep])
        widths = [0.8] * len(values)
        present = bool(net.has_broker[0])
        if present:
            segments += [(self.broker, self.pos_c[c]) for c in range(C)]
            values += list(net.trust_broker[0])
            segments += [(self.broker, self.pos_s[s]) for s in range(S)]
            values += list(net.recognition[0])
            widths += [1.6] * C + [1.0] * S
        else:
            front = np.arange(C) % max(net.n_frontline, 1) + net.n_senior_tier
            segments += [(self.pos_c[c], self.pos_s[front[c]]) for c in range(C)]
            values += [float(net.recognition[0].mean())] * C
            widths += [0.8] * C
        self.edges.set_segments(segments)
        self.edges.set_array(np.asarray(values, dtype=float))
        self.edges.set_linewidths(widths)
        self.broker_dot.set_visible(present)
        self.broker_text.set_visible(present)
        trust = np.asarray(net.trust_statutory[0], dtype=float)
        self.cbo_sq.set_array(trust[self.faith])
        self.cbo_ci.set_array(trust[~self.faith])
        self.officials.set_array(np.asarray(net.endorsement[0], dtype=float))
        self.title.set_text(f"Month {model.month}: who trusts whom")
        return _png(self.fig)
