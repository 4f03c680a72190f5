"""The teaching dashboard: its parameters, a headless render, the served page, a real browser."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import ipyvuetify as v
import pytest
import solara

from experiments.support.scenarios import load_scenario
from experiments.teaching.app import (
    AS_SCENARIO,
    CONTROLS,
    ClassPage,
    TeachingModel,
    status_lines,
    teaching_parameters,
)
from experiments.teaching.panels import DPI, PANELS, NetworkPanel, SeriesPanel, series
from tests.browser import FLAGS, is_local, require_chromium

ROOT = Path(__file__).resolve().parents[1]


def test_as_scenario_changes_nothing_and_choices_override_one_lever():
    base = load_scenario("new_network").params
    same = teaching_parameters("new_network", {k: AS_SCENARIO for k in CONTROLS})
    assert same == base
    changed = teaching_parameters("new_network", {"venues": "statutory sites (0%)",
                                                  "funding_terms": "KPI-tied",
                                                  "turnover": "doubled (x2)"})
    assert changed["venue_community_share"] == 0.0
    assert changed["kpi_tied"] is True
    assert changed["turnover_frontline"] == pytest.approx(2 * base["turnover_frontline"])
    differs = {k for k in base if base[k] != changed[k]}
    assert differs == {"venue_community_share", "kpi_tied", "turnover_executive",
                       "turnover_senior", "turnover_frontline"}


def test_every_control_is_a_model_keyword():
    import inspect

    keywords = set(inspect.signature(TeachingModel).parameters)
    assert set(CONTROLS) | {"scenario_name", "seed"} == keywords


def test_unknown_choices_are_refused_by_name():
    with pytest.raises(ValueError, match="venues"):
        teaching_parameters("tpn_baseline", {"venues": "the moon"})
    with pytest.raises(ValueError, match="unknown control"):
        teaching_parameters("tpn_baseline", {"weather": "sunny"})


def test_teaching_model_is_the_scenario_run():
    from simulation import run

    model = TeachingModel(scenario_name="high_turnover", seed=3)
    for _ in range(model.horizon):
        model.step()
    result = run(load_scenario("high_turnover").params, seed=3)
    months = model.outcome_months()
    assert months["phase_zero"] == result.summary["phase_zero_months"]
    assert months["engagement"] == result.summary["engagement_months"]


def test_scheduled_events_are_listed_in_month_order():
    from experiments.teaching.app import scheduled_events

    params = load_scenario("interv_funding_gap").params
    assert scheduled_events(params) == [(24, "funding cut"), (36, "funding restored")]
    assert scheduled_events(load_scenario("tpn_baseline").params) == []


def test_network_panel_draws_with_and_without_a_broker():
    for scenario in ("tpn_baseline", "no_broker"):
        panel = NetworkPanel()
        assert panel.png(TeachingModel(scenario_name=scenario)).startswith(b"\x89PNG")
        assert panel.ax.collections


def test_a_run_stops_at_the_horizon_however_it_is_stepped():
    model = TeachingModel(seed=0)
    for _ in range(model.horizon + 7):
        model.step()
    assert model.month == model.horizon and model.running is False
    assert len(model.datacollector.model_vars["engaged_share"]) == model.horizon + 1


def test_every_panel_draws_its_columns_and_threshold():
    model = TeachingModel(seed=0)
    for _ in range(30):
        model.step()
    for key, spec in PANELS.items():
        panel = SeriesPanel(spec)
        assert panel.png(model).startswith(b"\x89PNG")
        for column, line in panel.lines.items():
            assert len(line.get_xdata()) == 31, (key, column)
        if spec.threshold:
            assert panel.threshold.get_ydata()[0] == model.params[spec.threshold]
    # the tokenistic share's 12-month mean is the mean of the last 12 months
    share = series(model, "tokenistic_share")
    assert series(model, "tokenistic_mean")[-1] == pytest.approx(share[-12:].mean())


def test_figure_text_is_readable_at_the_size_shown():
    """Every text in every figure is at least 12 px when the figure is shown at its own width
    (the page shows it so; the browser test checks the width as rendered)."""
    from matplotlib.text import Text

    model = TeachingModel(seed=0)
    for _ in range(40):
        model.step()
    figures = [NetworkPanel(), *(SeriesPanel(spec) for spec in PANELS.values())]
    for panel in figures:
        panel.png(model)
        sizes = [t.get_fontsize() for t in panel.fig.findobj(Text) if t.get_text()]
        assert sizes and min(sizes) * DPI / 72 >= 12, (type(panel).__name__, min(sizes))


def _buttons(rc, label: str):
    return rc.find(v.Btn, children=[label])


def test_headless_render_step_and_reset():
    from experiments.teaching.app import routes

    @solara.component
    def Served():
        solara.RoutingProvider(children=[solara.AppLayout(children=[ClassPage()])],
                               routes=routes, pathname="/")

    box, rc = solara.render(Served(), handle_error=False)
    rc.find(children=["Month 0 of 180"]).assert_single()
    _buttons(rc, "Step").widget.click()
    rc.find(children=["Month 1 of 180"]).assert_single()
    # Choose statutory venues and seed 7, then reset: the model is rebuilt with those choices.
    rc.find(v.Select, label=CONTROLS["venues"][0]).widget.v_model = "statutory sites (0%)"
    rc.find(v.TextField, label="Seed (a whole number)").widget.v_model = "7"
    _buttons(rc, "Reset").widget.click()
    rc.find(children=["Month 0 of 180"]).assert_single()
    rc.find(children=["scenario: tpn_baseline, seed 7; changed: venues = statutory sites (0%)"]
            ).assert_single()
    rc.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served():
    """``phase0 dashboard`` on a free loopback port; yields its URL."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "experiments.cli", "dashboard", "--port",
                             str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dashboard exited: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("dashboard did not answer within 90 s")
    yield url
    proc.terminate()
    try:
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    # the solara server it started went with it: nothing listens on the port any more
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the dashboard's server outlived it"


def test_served_page_answers_200_with_only_local_assets(served):
    with urllib.request.urlopen(served, timeout=10) as response:
        assert response.status == 200
        html = response.read().decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    external = [s for s in sources if urlparse(s).scheme in ("http", "https")]
    assert not external, f"page loads assets from elsewhere: {external}"


# Every visible text element's rendered font size (px), and each figure's shown/natural width.
_MEASURE = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.offsetParent) continue;
    if (el.closest('.v-menu__content, .v-list, [role=listbox], .solara-badge')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // Vuetify floats a field's label with a 0.75 scale: measure the size as drawn
    const m = getComputedStyle(el).transform.match(/matrix\\(([^,]+)/);
    const px = parseFloat(getComputedStyle(el).fontSize) * (m ? parseFloat(m[1]) : 1);
    if (px < 12) small.push(node.textContent.trim().slice(0, 40) + ' ' + px);
  }
  const images = [...document.querySelectorAll('img')].filter(i => i.naturalWidth > 0)
    .map(i => i.getBoundingClientRect().width / i.naturalWidth);
  return {small, scales: images};
}"""


def _browser(p, page_errors: list[str], requests: list[str]):
    browser = p.chromium.launch(executable_path=require_chromium(), args=FLAGS)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: page_errors.append(r.url))
    page.on("response", lambda r: page_errors.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    return browser, page


def _shot(page, name: str, tmp_path: Path) -> Path:
    folder = os.environ.get("PHASE0_SCREENSHOTS")
    path = Path(folder) / name if folder else tmp_path / name
    page.screenshot(path=str(path), full_page=False)
    return path


def _first_line(label: str) -> str:
    """The status line the class page shows for ``label`` once seed 0 has run to month 180,
    from the same model outside the browser (the page must show what the model did)."""
    model = TeachingModel(seed=0)
    for _ in range(180):
        model.step()
    line = next(x for x in status_lines(model) if x.startswith(label))
    assert "month" in line, line  # the studied network ends phase zero within 15 years
    return line


def test_real_browser_plays_a_run_to_the_horizon_offline(served, tmp_path):
    """The class page at 1280x720: a 15-year run plays to month 180 exactly at the default
    speed, every panel is shown, and every text is at least 12 px as rendered."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser, page = _browser(p, failed, requests)
        page.goto(served)
        page.get_by_text("Month 0 of 180").first.wait_for(timeout=90_000)
        page.get_by_text("scenario: tpn_baseline, seed 0").first.wait_for(timeout=30_000)
        page.wait_for_function(
            f"document.querySelectorAll('.phase0-panel img').length >= {len(PANELS) + 1}",
            timeout=60_000)
        page.get_by_role("button", name="Step", exact=True).click()
        page.get_by_text("Month 1 of 180").first.wait_for(timeout=30_000)
        started = time.monotonic()
        page.get_by_role("button", name="▶").click()
        page.get_by_text("Month 180 of 180").first.wait_for(timeout=120_000)
        played = time.monotonic() - started
        page.wait_for_timeout(1500)
        text = page.inner_text("body")
        assert re.findall(r"Month (\d+) of 180", text) == ["180"], "it stepped past the horizon"
        assert _first_line("end of phase zero") in text
        assert "acknowledgement of harm" in text and "community work" not in text
        assert "Use Threads" not in text and "Page 0" not in text.title()
        for title in ("The network: who trusts whom", *(s.title for s in PANELS.values())):
            assert title in text
        measured = page.evaluate(_MEASURE)
        _shot(page, "dashboard_class.png", tmp_path)
        browser.close()
    print(f"played months 1 to 180 in {played:.1f} s")
    assert played <= 60, f"a 15-year run took {played:.0f} s (goal 30 s)"
    assert not measured["small"], f"text under 12 px: {measured['small']}"
    assert measured["scales"] and min(measured["scales"]) >= 0.99, measured["scales"]
    assert not [u for u in requests if not is_local(u)], "requests left this machine"
    assert not failed, f"requests failed: {failed}"


def test_real_browser_answers_a_situation_on_the_futures_page(served, tmp_path):
    """The futures page: 12-month KPI-tied contracts, Run, and the shares of worlds."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser, page = _browser(p, failed, requests)
        page.goto(served)
        page.locator(".nav-futures").click()
        page.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)
        for label, option in (("Project contract length", "12 months"),
                              ("Contract terms", "KPI-tied")):
            page.locator(".v-select", has_text=label).first.click()
            page.get_by_role("option", name=option, exact=True).click()
        started = time.monotonic()
        page.get_by_role("button", name="Run", exact=True).click()
        page.locator(".phase0-shares").wait_for(timeout=120_000)
        first = time.monotonic() - started
        table = page.locator(".phase0-shares").inner_text()
        count = page.locator(".phase0-count").inner_text()
        page.get_by_text("Which setting matters most").first.wait_for(timeout=30_000)
        text = page.inner_text("body")
        _shot(page, "dashboard_futures.png", tmp_path)
        browser.close()
    print(f"first answer in {first:.1f} s")
    assert re.search(r"40 of 200 worlds x 8 runs", count), count
    for span in (5, 10, 15, 30):
        assert f"within {span} years" in table
    assert len(re.findall(r"\d+%", table)) == 16  # 2 outcomes x 2 networks x 4 spans
    assert "not forecasts" in text
    assert first <= 30, f"first answer took {first:.0f} s (goal 10 s)"
    assert not [u for u in requests if not is_local(u)], "requests left this machine"
    assert not failed, f"requests failed: {failed}"


def test_the_futures_page_answers_first_then_what_matters_then_refines(monkeypatch):
    import threading

    from experiments.policy.futures import SETTINGS, Futures, Situation
    from experiments.teaching import futures_page

    monkeypatch.setattr(futures_page, "FIRST_WORLDS", 3)
    monkeypatch.setattr(futures_page, "ALL_WORLDS", 6)
    monkeypatch.setattr(futures_page, "BLOCK", 3)
    source = Futures(runs=2, horizon=120)
    situation = Situation({"kpi_tied": True, "contract_months": 12})
    states = list(futures_page.work(situation, threading.Event(), source))
    assert states[0]["answer"].worlds == 3 and not states[0]["effects"]
    assert [len(s["effects"]["engagement"]) for s in states[1:len(SETTINGS) + 1]] == \
        list(range(1, len(SETTINGS) + 1))
    full = [s for s in states if s["stage"].startswith("full answer")]
    assert full[0]["answer"].worlds == 6 and full[0]["effect_worlds"] == 3
    assert states[-1]["stage"] == "full answer" and states[-1]["effect_worlds"] == 6
    assert set(states[-1]["times"]) == {"first", "effects", "full", "effects_full"}
    assert futures_page.shares_html(states[-1]["answer"]).count("%</td>") == 16
    # a new Run cancels this one between two engine calls
    cancel = threading.Event()
    stages = futures_page.work(situation, cancel, source)
    next(stages)
    cancel.set()
    assert list(stages) == []
