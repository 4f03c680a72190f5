"""The teaching dashboard: a class page of one phase-zero run, and a "many futures" page.

Serve it with ``phase0 dashboard`` (or ``solara run experiments/teaching/app.py``); it needs the
optional extra ``phase0[viz]``. Two routes: ``/`` is the class page, one Mesa model
(:class:`TeachingModel`) played month by month with a panel for each thing the lesson
(``docs/teaching.md``) asks students to watch; ``/futures`` is the policy room's page
(:mod:`experiments.teaching.futures_page`). Figures are drawn with matplotlib and sent as images,
so the page needs nothing from the internet.

The page is built from solara components around the Mesa model rather than with Mesa's
``SolaraViz`` layout: that layout adds a page tab and a threading switch a class does not need,
and its play loop steps past a model's end when it renders every few steps.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

# solara embeds a version-check frame from its website unless it runs in production mode.
os.environ.setdefault("SOLARA_MODE", "production")

import solara
from solara.server import settings as solara_settings

from experiments.support.scenarios import available
from experiments.teaching.futures_page import FuturesPage
from experiments.teaching.lessons import AS_SCENARIO, CONTROLS, teaching_parameters
from experiments.teaching.navigation import PAGES, Layout, Navigation
from experiments.teaching.panels import (
    PANELS,
    SERIES_PX,
    NetworkPanel,
    SeriesPanel,
    scheduled_events,
)
from simulation.model import PhaseZeroModel
from simulation.outcome_registry import HEADLINE, OUTCOMES

# Served over http on a loopback address, solara warns on the first request that it sets its
# session cookie with samesite=lax, not none (which needs https): lax is right for a page that
# is not embedded in another site's frame, so the warning only alarms.
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
# solara's "This website runs on Solara" banner sits over the page's bottom-right corner, where
# a panel's text is on a projector; the page's template reads the setting on each request.
solara_settings.theme.show_banner = False

__all__ = ["AS_SCENARIO", "CONTROLS", "Layout", "TeachingModel", "routes", "scheduled_events",
           "teaching_parameters"]

#: Playing: months stepped between two redraws (the default speed), the shortest time between
#: redraws, and how often (months) the time-series panels are redrawn while playing. Measured on
#: a shared 2-core machine a redraw of the network costs about 0.1 s and of the six series
#: about 0.45 s: 3 months a frame with series every 6 months plays 15 years in about 20 s.
SPEEDS = {"1 month a frame (slow)": 1, "3 months a frame": 3, "6 months a frame (fast)": 6}
DEFAULT_SPEED = "3 months a frame"
FRAME_SECONDS = 0.15
SERIES_EVERY = 6

#: Figures are shown at their own pixel width: no scaling, so their text keeps its size.
PANEL_PX = SERIES_PX[0]
#: Readable from the back of a room: page text sizes (px).
TEXT = {"font-size": "15px", "line-height": "1.35"}
TITLE = {"font-size": "18px", "font-weight": "bold"}


class TeachingModel(PhaseZeroModel):
    """:class:`PhaseZeroModel` built from a scenario, the teaching controls and a seed.

    The scenario's keyword and attribute are ``scenario_name``, not ``scenario``: from Mesa 3.5
    ``mesa.Model`` reserves ``scenario``. A step at the horizon does nothing, so a player that
    steps several months a frame stops at the horizon exactly.
    """

    def __init__(self, scenario_name: str = "tpn_baseline", seed: int = 0, *,
                 venues: str = AS_SCENARIO, broker: str = AS_SCENARIO,
                 core_funding: str = AS_SCENARIO, funding_terms: str = AS_SCENARIO,
                 contract_months: str = AS_SCENARIO, payment: str = AS_SCENARIO,
                 senior: str = AS_SCENARIO, turnover: str = AS_SCENARIO) -> None:
        # Named one by one (not **choices): the signature documents the controls.
        choices = {"venues": venues, "broker": broker, "core_funding": core_funding,
                   "funding_terms": funding_terms, "contract_months": contract_months,
                   "payment": payment, "senior": senior, "turnover": turnover}
        self.scenario_name = scenario_name
        self.choices = {k: v for k, v in choices.items() if v != AS_SCENARIO}
        super().__init__(rng=int(seed), collect=True,
                         **teaching_parameters(scenario_name, choices))

    def step(self) -> None:
        """One month; nothing at or after the horizon (the run is over)."""
        if self.month >= self.horizon:
            self.running = False
            return
        super().step()


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


def status_lines(model: PhaseZeroModel) -> list[str]:
    """What the run has reached so far, in words (outcomes, events, the scenario's changes)."""
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
    lines.append(f"scenario: {getattr(model, 'scenario_name', 'custom')}, seed {model.seed_used}"
                 + ("; changed: " + ", ".join(f"{k} = {v}" for k, v in choices.items())
                    if choices else ""))
    return lines


def _dashed(colour: str) -> str:
    """A dashed line's swatch in a legend (CSS background)."""
    return f"repeating-linear-gradient(90deg,{colour} 0 5px,transparent 5px 9px)"


@solara.component
def Legend(items: list[tuple[str, str]]) -> None:
    """A figure's legend as page text: a coloured bar and the words for each line."""
    with solara.Row(gap="14px", style={"flex-wrap": "wrap"}):
        for label, colour in items:
            solara.HTML(tag="span", unsafe_innerHTML=(
                f'<span style="display:inline-block;width:22px;height:4px;background:{colour};'
                f'vertical-align:middle;margin-right:6px"></span>{label}'),
                style={**TEXT, "white-space": "nowrap"})


@solara.component
def PanelCard(title: str, reading: str, png: bytes, legend: list[tuple[str, str]],
              name: str) -> None:
    """One panel: its title, how to read it, the figure (at its own size) and its legend."""
    with solara.Column(gap="6px", classes=["phase0-panel", f"panel-{name}"],
                       style={"width": f"{PANEL_PX + 16}px", "padding": "8px"}):
        solara.Text(title, style=TITLE)
        solara.Text(reading, style=TEXT)
        solara.Image(png, width=f"{PANEL_PX}px")
        if legend:
            Legend(legend)


@solara.component
def SeriesView(model: PhaseZeroModel, key: str, month: int) -> None:
    """A time-series panel; ``month`` is the month it is drawn at (its redraw key)."""
    panel = solara.use_memo(lambda: SeriesPanel(PANELS[key]), dependencies=[])
    png = solara.use_memo(lambda: panel.png(model), dependencies=[id(model), month])
    spec = PANELS[key]
    legend = [(label, colour) for label, colour in spec.columns.values()]
    if spec.threshold:
        legend.append((f"{spec.threshold_label} ({model.params[spec.threshold]:g})",
                       _dashed("#333")))
    legend += [(f"{OUTCOMES[name].label}, when reached", _dashed(OUTCOMES[name].colour))
               for name in HEADLINE]
    PanelCard(spec.title, spec.reading, png, legend, key)


@solara.component
def NetworkView(model: PhaseZeroModel, month: int) -> None:
    """The network panel, redrawn every frame."""
    panel = solara.use_memo(NetworkPanel, dependencies=[])
    png = solara.use_memo(lambda: panel.png(model), dependencies=[id(model), month])
    PanelCard("The network: who trusts whom",
              "Statutory officials by rank at the top, the broker in the middle, community "
              "organisations (CBOs) below. Lines and nodes go from red (low trust) to green "
              "(high trust): watch the colours change month by month.", png, [], "network")


@solara.component
def Controls(model: solara.Reactive[PhaseZeroModel], params: solara.Reactive[dict[str, Any]],
             playing: solara.Reactive[bool], speed: solara.Reactive[str],
             tick: solara.Reactive[int]) -> None:
    """Reset, play/pause and step, the speed, the scenario, the seed and the teaching controls."""
    running = model.value.running and model.value.month < model.value.horizon

    def reset() -> None:
        playing.value = False
        model.value = type(model.value)(**params.value)

    def step() -> None:
        model.value.step()
        tick.value += 1

    def set_param(name: str, value: Any) -> None:
        params.value = {**params.value, name: value}

    with solara.Card("Run"):
        with solara.Row():
            solara.Button("Reset", color="primary", on_click=reset)
            solara.Button("▶" if not playing.value else "❚❚", color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=not running)
            solara.Button("Step", color="primary", on_click=step,
                          disabled=playing.value or not running)
        solara.Select("Speed while playing", value=speed, values=list(SPEEDS))
    with solara.Card("Scenario and controls"):
        solara.Text("After changing anything, press Reset.", style=TEXT)
        solara.Select("Scenario", value=params.value["scenario_name"], values=available(),
                      on_value=lambda v: set_param("scenario_name", v))
        solara.InputInt("Seed (a whole number)", value=params.value["seed"],
                        on_value=lambda v: set_param("seed", max(0, int(v or 0))),
                        continuous_update=True)
        for key, (label, options) in CONTROLS.items():
            solara.Select(label, value=params.value.get(key, AS_SCENARIO),
                          values=[AS_SCENARIO, *options],
                          on_value=lambda v, key=key: set_param(key, v))


@solara.component
def ClassPage() -> None:
    """The class page: one run, month by month, with the lesson's panels."""
    first = solara.use_memo(lambda: teaching_model_class()(), dependencies=[])
    model = solara.use_reactive(first)
    params = solara.use_reactive({"scenario_name": "tpn_baseline", "seed": 0})
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    tick = solara.use_reactive(0)

    def play(cancel) -> None:
        # Off the interface thread; each tick redraws the page from this thread.
        while playing.value and not cancel.is_set():
            current = model.value
            if current.month >= current.horizon:
                break
            start = time.monotonic()
            for _ in range(SPEEDS[speed.value]):
                current.step()
            tick.value += 1
            time.sleep(max(0.0, FRAME_SECONDS - (time.monotonic() - start)))
        if not cancel.is_set():
            playing.value = False

    solara.use_thread(play, dependencies=[playing.value, id(model.value)],
                      intrusive_cancel=False)
    tick.value  # noqa: B018 - read, so that each frame of the player redraws the page
    current = model.value
    month = current.month
    series_month = month - month % SERIES_EVERY if playing.value else month
    solara.Title("phase0: phase zero, month by month")
    Navigation()
    with solara.Sidebar():
        Controls(model, params, playing, speed, tick)
    with solara.Column(gap="8px"):
        with solara.Row(gap="24px", style={"flex-wrap": "wrap", "align-items": "baseline"}):
            solara.Text(f"Month {month} of {current.horizon}",
                        style={"font-size": "22px", "font-weight": "bold"})
            for line in status_lines(current):
                solara.Text(line, style=TEXT)
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            NetworkView(current, month)
            for key in PANELS:
                SeriesView(current, key, series_month)


#: The app's two pages; ``solara run`` serves ``routes`` with :func:`Layout` around each
#: (The layout goes on the first route: solara drops a module's own ``Layout`` when the module
#: defines ``routes``.)
routes = [solara.Route(path=path, component=component, label=label,
                       layout=Layout if path == "/" else None)
          for (path, label), component in zip(PAGES, (ClassPage, FuturesPage), strict=True)]

