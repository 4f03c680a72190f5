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
    TeachingModel,
    make_page,
    network_figure,
    teaching_parameters,
)
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


def test_network_figure_draws_with_and_without_a_broker():
    for scenario in ("tpn_baseline", "no_broker"):
        fig = network_figure(TeachingModel(scenario_name=scenario))
        assert fig.axes and fig.axes[0].collections


def _buttons(rc, label: str):
    return rc.find(v.Btn, children=[label])


def test_headless_render_step_and_reset():
    model = solara.reactive(TeachingModel(seed=1))

    @solara.component
    def Served():
        # `solara run` puts every page in an AppLayout, which hosts SolaraViz's sidebar
        with solara.AppLayout():
            make_page(model)

    box, rc = solara.render(Served(), handle_error=False)
    assert model.value.month == 0
    _buttons(rc, "Step").widget.click()
    assert model.value.month == 1
    _buttons(rc, "Step").widget.click()
    assert model.value.month == 2
    # Choose statutory venues and seed 7, then reset: the model is rebuilt with those choices.
    venue = rc.find(v.Select, label=CONTROLS["venues"][0]).widget
    venue.v_model = "statutory sites (0%)"
    first = model.value
    _buttons(rc, "Reset").widget.click()
    assert model.value is not first
    assert model.value.month == 0
    assert model.value.params["venue_community_share"] == 0.0
    assert model.value.choices == {"venues": "statutory sites (0%)"}
    scenario = rc.find(v.Select, label="Scenario").widget
    scenario.v_model = "no_broker"
    _buttons(rc, "Reset").widget.click()
    assert model.value.params["broker_present"] is False
    assert model.value.params["venue_community_share"] == 0.0
    assert model.value.scenario_name == "no_broker"
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


def test_real_browser_loads_the_page_offline(served, tmp_path):
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1150})
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        page.goto(served)
        # the network view and the four time-series plots are images
        page.wait_for_function("document.querySelectorAll('img').length >= 5",
                               timeout=90_000)
        page.get_by_text("Month 0 of").first.wait_for(timeout=30_000)
        page.get_by_text("scenario: tpn_baseline").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Step").click()
        page.get_by_text("Month 1 of").first.wait_for(timeout=30_000)
        # play until a year has passed, then pause
        page.get_by_role("button", name="▶").click()
        page.wait_for_function(
            "(() => { const m = document.body.innerText.match(/Month (\\d+) of/);"
            " return m && Number(m[1]) >= 12; })()",
            timeout=120_000)
        page.get_by_role("button", name="❚❚").click()
        page.wait_for_timeout(1500)
        shot = Path(os.environ.get("PHASE0_SCREENSHOT", tmp_path / "dashboard.png"))
        page.screenshot(path=str(shot), full_page=False)
        browser.close()
    assert shot.stat().st_size > 10_000
    outside = [u for u in requests if not is_local(u)]
    assert not outside, f"requests left this machine: {outside}"
    assert not failed, f"requests failed: {failed}"
