"""The "many futures" page: an analyst's own situation over the plausible worlds, without code.

The analyst sets the situation with the controls of :data:`experiments.policy.futures.SETTINGS`
and presses Run. The work runs off the interface thread (``solara.use_thread``; a new Run
cancels the one before between two engine calls): a first answer from
:data:`~experiments.policy.futures.FIRST_WORLDS` worlds, the one-at-a-time effects of each
setting, then the answer refined block by block to
:data:`~experiments.policy.futures.ALL_WORLDS` worlds and the effects over them, each stage shown
as it comes with the count it rests on. Two buttons save the situation as a scenario file and
write a brief for it.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import solara
from matplotlib.figure import Figure

from experiments.policy.futures import (
    ALL_WORLDS,
    BLOCK,
    FIRST_WORLDS,
    SETTINGS,
    Answer,
    Futures,
    Situation,
    effect_table,
    write_situation_brief,
)
from experiments.research.worlds import SPANS
from experiments.teaching.navigation import Navigation
from simulation.outcome_registry import HEADLINE, OUTCOMES

TEXT = {"font-size": "15px", "line-height": "1.35"}
TITLE = {"font-size": "18px", "font-weight": "bold"}
DPI = 80
FONT_PT = 12
#: The effects bar: engagement within 30 years moves with most settings (within 15 years it is
#: rare under most situations, so most bars would be zero); phase zero within 15 years beside it.
EFFECTS = (("engagement", 360), ("phase_zero", 180))
CAVEAT = ("These are shares of plausible worlds (parameter sets that fit the studied network's "
          "patterns), each world's time the median of its runs: not forecasts, and not "
          "probabilities of what will happen in any real place.")

_shared: dict[str, Futures] = {}
_shared_lock = threading.Lock()


def futures() -> Futures:
    """One :class:`Futures` for every session: its cache of world blocks is shared."""
    with _shared_lock:
        if "futures" not in _shared:
            _shared["futures"] = Futures()
        return _shared["futures"]


def work(situation: Situation, cancel: threading.Event, source: Futures | None = None):
    """The page's stages, as dicts the page shows.

    The first answer; each setting's effect from the same worlds; the answer refined a block of
    worlds at a time; then the effects over all the worlds.
    """
    source = source or futures()
    started = time.monotonic()
    state: dict[str, Any] = {"situation": situation, "answer": None, "effects": {},
                             "effect_worlds": 0, "times": {}, "stage": "running the first "
                             f"{FIRST_WORLDS} worlds"}
    answer = source.answer(situation, FIRST_WORLDS)
    state.update(answer=answer, stage="first answer; working out what matters most")
    state["times"]["first"] = time.monotonic() - started
    yield dict(state)
    base = source.answer(situation, FIRST_WORLDS, reference=False)
    changes: dict[str, Any] = {}
    for parameter, change in source.each_change(situation, FIRST_WORLDS):
        if cancel.is_set():
            return
        changes[parameter] = change
        state["effects"] = {o: effect_table(situation, base, changes, o, s) for o, s in EFFECTS}
        state["effect_worlds"] = FIRST_WORLDS
        state["stage"] = f"what matters most: {len(changes)} of {len(SETTINGS)} settings tried"
        yield dict(state)
    state["times"]["effects"] = time.monotonic() - started
    for answer in source.stages(situation, FIRST_WORLDS, ALL_WORLDS, step=BLOCK):
        if cancel.is_set():
            return
        done = answer.worlds >= ALL_WORLDS
        state.update(answer=answer, stage="full answer; what matters most still from "
                     f"{FIRST_WORLDS} worlds" if done else
                     f"refining: {answer.worlds} of {ALL_WORLDS} worlds")
        if done:
            state["times"]["full"] = time.monotonic() - started
        yield dict(state)
    # Last, the effects over every world: shown only once every setting has been tried, so the
    # bars never mix counts of worlds.
    base = source.answer(situation, ALL_WORLDS, reference=False)
    changes = {}
    for parameter, change in source.each_change(situation, ALL_WORLDS):
        if cancel.is_set():
            return
        changes[parameter] = change
        state["stage"] = (f"full answer; what matters most over {base.worlds} worlds: "
                          f"{len(changes)} of {len(SETTINGS)} settings tried")
        yield dict(state)
    state["effects"] = {o: effect_table(situation, base, changes, o, s) for o, s in EFFECTS}
    state.update(effect_worlds=base.worlds, stage="full answer")
    state["times"]["effects_full"] = time.monotonic() - started
    yield dict(state)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def curves_png(answer: Answer) -> bytes:
    """Share of worlds reached by each month, the situation against the studied network."""
    fig = Figure(figsize=(900 / DPI, 330 / DPI), dpi=DPI)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, outcome in zip(axes, HEADLINE, strict=True):
        for who, style in (("your network", "-"), ("the studied network", "--")):
            months, share = answer.curve(who, outcome)
            ax.plot(months / 12, 100 * share, ls=style, lw=2.2, color=OUTCOMES[outcome].colour,
                    label=who)
        ax.set_title(OUTCOMES[outcome].label, fontsize=FONT_PT + 1)
        ax.set_xlabel("years", fontsize=FONT_PT)
        ax.set_xlim(0, answer.horizon / 12)
        ax.set_ylim(0, 100)
        ax.tick_params(labelsize=FONT_PT)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=FONT_PT, loc="best", frameon=False)
    axes[0].set_ylabel("% of worlds reached", fontsize=FONT_PT)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.08)
    return _png(fig)


def effects_png(effects: dict[str, Any]) -> bytes:
    """One bar per setting: how its one change moves each outcome's share (points)."""
    fig = Figure(figsize=(900 / DPI, 400 / DPI), dpi=DPI)
    axes = fig.subplots(1, len(EFFECTS), sharey=True)
    order = list(effects[EFFECTS[0][0]]["parameter"])[::-1]
    for ax, (outcome, span) in zip(axes, EFFECTS, strict=True):
        table = effects[outcome].set_index("parameter").reindex(order)
        ys = range(len(table))
        values = 100 * table["difference"].to_numpy()
        ax.barh(ys, values, color=["#1b7837" if v >= 0 else "#b2182b" for v in values])
        ax.axvline(0, color="0.2", lw=1)
        ax.set_yticks(list(ys), [f"{r.label}: {r.tried}" for r in table.itertuples()],
                      fontsize=FONT_PT)
        ax.set_title(f"{OUTCOMES[outcome].label}\nwithin {span // 12} years",
                     fontsize=FONT_PT)
        ax.set_xlabel("change (points of % of worlds)", fontsize=FONT_PT)
        ax.tick_params(labelsize=FONT_PT)
        ax.grid(axis="x", alpha=0.3)
    fig.subplots_adjust(left=0.42, right=0.98, bottom=0.13, top=0.88, wspace=0.12)
    return _png(fig)


def shares_html(answer: Answer) -> str:
    """The table of shares within 5, 10, 15 and 30 years, as HTML at a readable size."""
    shares = answer.shares()
    head = "".join(f"<th>within {s // 12} years</th>" for s in SPANS)
    rows = []
    for r in shares.itertuples():
        cells = "".join(f"<td>{100 * getattr(r, f'within_{s // 12}y'):.0f}%</td>" for s in SPANS)
        rows.append(f"<tr><td>{OUTCOMES[r.outcome].label}</td><td>{r.who}</td>{cells}</tr>")
    return ('<table class="phase0-shares" style="border-collapse:collapse;font-size:16px">'
            f"<tr><th>outcome</th><th>network</th>{head}</tr>{''.join(rows)}</table>"
            "<style>.phase0-shares td,.phase0-shares th{border:1px solid #bbb;"
            "padding:4px 10px;text-align:left}</style>")


@solara.component
def Picture(draw: Any, data: Any) -> None:
    """A figure drawn by ``draw(data)`` at its own width, redrawn when ``data`` changes."""
    png = solara.use_memo(lambda: draw(data), [id(data)])
    solara.Image(png, width="900px")


@solara.component
def SituationControls(values: solara.Reactive[dict[str, Any]]) -> None:
    """One select per setting, in the page's words."""
    for setting in SETTINGS:
        current = values.value[setting.parameter]

        def choose(word: str, setting=setting) -> None:
            value = setting.choices[setting.words.index(word)]
            values.value = {**values.value, setting.parameter: value}

        solara.Select(setting.label, value=setting.describe(current), values=list(setting.words),
                      on_value=choose)


@solara.component
def BriefControls(situation: Situation) -> None:
    """Save the situation as a scenario file; write a brief for it (off the interface thread).

    The situation is the one the controls describe now (it need not have been Run).
    """
    name, set_name = solara.use_state("my_network")
    asked = solara.use_reactive(0)
    safe = "".join(c if c.isalnum() or c in "_-" else "_" for c in name) or "my_network"
    toml = situation.scenario_toml(safe)

    def brief(cancel) -> Path | None:
        if not asked.value:
            return None
        # A folder of its own under the system's temporary folder: the page may be served to
        # several people, and the brief is offered for download from there.
        out = Path(tempfile.gettempdir()) / "phase0-briefs" / f"{safe}-{uuid.uuid4().hex[:8]}"
        return write_situation_brief(situation, out, safe)

    result = solara.use_thread(brief, dependencies=[asked.value], intrusive_cancel=False)
    solara.InputText("Name of your situation", value=name, on_value=set_name,
                     continuous_update=True)
    solara.FileDownload(toml.encode(), filename=f"{safe}.toml", label="Save as a scenario file")
    solara.Button("Write a brief for it", color="primary",
                  on_click=lambda: asked.set(asked.value + 1),
                  disabled=result.state == solara.ResultState.RUNNING)
    if asked.value and result.state in (solara.ResultState.RUNNING,
                                        solara.ResultState.STARTING):
        solara.Text("Writing the brief: your situation and the studied network over 100 "
                    "plausible worlds, 8 runs each (about a minute) ...", style=TEXT)
        solara.ProgressLinear(True)
    elif result.state == solara.ResultState.ERROR:
        solara.Error(f"The brief failed: {result.error}")
    elif result.value is not None:
        path = result.value
        solara.Text(f"Brief written to {path}", style={**TEXT, "word-break": "break-all"})
        solara.FileDownload(path.read_bytes(), filename=f"{safe}_brief.html",
                            label="Download the brief (HTML)")
    with solara.Details("The scenario file", expand=False):
        solara.HTML(tag="pre", unsafe_innerHTML=toml.replace("<", "&lt;"),
                    style={"font-size": "13px", "white-space": "pre-wrap"})


@solara.component
def FuturesPage() -> None:
    """The policy room's page: a situation, Run, and its shares over the plausible worlds."""
    defaults = solara.use_memo(
        lambda: {s.parameter: Situation({}).value(s.parameter) for s in SETTINGS}, [])
    values = solara.use_reactive(defaults)
    run = solara.use_reactive(0)
    asked = solara.use_reactive(Situation({}))

    def compute(cancel):
        if not run.value:
            return
        yield from work(asked.value, cancel)

    result = solara.use_thread(compute, dependencies=[run.value], intrusive_cancel=False)
    state = result.value if run.value else None
    if state is not None and state["situation"] is not asked.value:
        state = None  # the last Run's answer, until this Run's first one comes
    situation = Situation(dict(values.value))

    def start() -> None:
        asked.value = situation
        run.value += 1

    solara.Title("phase0: many futures")
    Navigation()
    with solara.Sidebar():
        with solara.Card("Your network's situation"):
            SituationControls(values)
            solara.Button("Run", color="primary", on_click=start, block=True)
        # Here, not below the answer: the answer's parts come and go, and a component that
        # moves is made afresh (losing a brief being written).
        with solara.Card("Save it, and a brief for it"):
            BriefControls(situation)
    with solara.Column(gap="10px", style={"max-width": "940px"}):
        solara.Text("Many futures: how long until phase zero ends and service users engage?",
                    style={"font-size": "22px", "font-weight": "bold"})
        solara.Text("Set your network's situation on the left and press Run. The model runs it "
                    "in many plausible worlds (parameter sets that reproduce the studied "
                    "network's patterns), 8 runs each, beside the studied network.", style=TEXT)
        if state is None:
            if run.value:
                solara.Text(f"Running the first {FIRST_WORLDS} worlds ...", style=TEXT)
                solara.ProgressLinear(True)
            return
        answer: Answer = state["answer"]
        busy = result.state in (solara.ResultState.RUNNING, solara.ResultState.STARTING)
        solara.Text(f"{state['stage'].capitalize()}: {answer.worlds} of {ALL_WORLDS} worlds "
                    f"x {answer.runs} runs each = {answer.worlds * answer.runs} runs per "
                    "network" + (" (refining in the background)" if busy else "."),
                    style={**TEXT, "font-weight": "bold"}, classes=["phase0-count"])
        if busy:
            solara.ProgressLinear(True)
        solara.Text("Share of worlds in which each outcome comes within 5, 10, 15 and 30 "
                    "years:", style=TITLE)
        solara.HTML(unsafe_innerHTML=shares_html(answer))
        solara.Text(CAVEAT, style={**TEXT, "font-style": "italic"})
        solara.Text("Share of worlds reached by each month", style=TITLE)
        solara.Text("Solid: your situation; dashed: the studied network. Where the solid "
                    "line is below the dashed one, your network takes longer in more worlds.",
                    style=TEXT)
        Picture(curves_png, answer)
        solara.Text("Which setting matters most", style=TITLE)
        if state["effects"]:
            solara.Text("Each bar changes one setting (the words after the colon) and keeps the "
                        "rest: how many more (green) or fewer (red) worlds, in percentage "
                        f"points, reach each outcome. From {state['effect_worlds']} worlds.",
                        style=TEXT)
            Picture(effects_png, state["effects"])
        solara.Text("Save your situation as a scenario file, and write a brief for it, with "
                    "the buttons under the controls.", style=TEXT)
