"""The policy brief: one self-contained HTML file, every figure loading offline."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest

from experiments.cli import main
from experiments.policy.brief import Sources, build_brief, write_brief
from experiments.support.outputs import UserError
from tests.browser import FLAGS, is_local, require_chromium

SECTIONS = ("The question", "1. Scenarios compared", "2. Funding cycles", "The minimum runway",
            "3. Main drivers", "4. Interventions tried", "5. Discovered conditions", "Limits")


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "brief"
    assert main(["brief", "--out", str(out)]) == 0
    return out / "brief.html"


def test_brief_has_every_part_and_fetches_nothing(brief):
    text = brief.read_text()
    for section in SECTIONS:
        assert section in text, section
    images = re.findall(r"<img [^>]*src=\"([^\"]+)\"", text)
    assert len(images) >= 8 and all(s.startswith("data:image/png;base64,") for s in images)
    # no script, stylesheet, font or frame from anywhere
    assert not re.search(r"<(script|link|iframe)\b", text)
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    assert "url(" not in text
    # the runway table says what the explorer's own table says
    import html

    import pandas as pd

    from experiments.policy.explore import runway_words

    minimum = pd.read_csv(Sources().policy / "minimum_runway.csv")
    for row in minimum.itertuples():
        assert html.escape(runway_words(row, 180)) in text, row.regime
    # every figure has a caption saying how to read it
    assert text.count("<figcaption><b>How to read it.</b>") == len(images)


def test_brief_opens_in_chromium_with_every_figure_and_no_request(brief):
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page()

        def guard(route):
            if is_local(route.request.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.on("request", lambda r: None if is_local(r.url) else outside.append(r.url))
        page.goto(brief.resolve().as_uri())
        page.wait_for_load_state("networkidle")
        sizes = page.evaluate(
            "Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        title = page.title()
        browser.close()
    assert len(sizes) >= 8
    assert all(done and width > 100 for done, width in sizes), sizes
    assert "phase zero" in title
    assert not outside, f"the brief asked the network for: {outside}"


def test_brief_says_what_is_missing(tmp_path):
    sources = replace(Sources(), discovery=tmp_path / "nothing")
    with pytest.raises(UserError, match="make policy"):
        build_brief("new_network", sources)
    with pytest.raises(UserError, match="explore funding --scenario tpn_baseline"):
        build_brief("tpn_baseline")


def test_brief_is_written_whole_or_not_at_all(tmp_path):
    out = tmp_path / "b"
    path = write_brief(out)
    assert path.exists()
    broken = replace(Sources(), compare=tmp_path / "none")
    shutil.rmtree(out)
    with pytest.raises(UserError):
        write_brief(out, sources=broken)
    assert not out.exists()
