"""The dashboard's pages, and the links between them in the app bar."""

from __future__ import annotations

from typing import Any

import solara

#: Each page's path and its name in the app bar (the routes of ``app.py``, in this order).
PAGES: tuple[tuple[str, str], ...] = (("/", "Class: one run"), ("futures", "Many futures"))


@solara.component
def Navigation() -> None:
    """Links to both pages in the app bar, the current one outlined."""
    here = solara.use_router().path.strip("/") or "/"
    with solara.AppBar():
        for path, label in PAGES:
            with solara.Link("/" if path == "/" else f"/{path}"):
                solara.Button(label, text=path != here, outlined=path == here,
                              style={"color": "white", "font-size": "15px"},
                              classes=[f"nav-{path.strip('/') or 'class'}"])


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 - solara's signature for layouts
    """Solara's app layout without its own tabs (named by path): :func:`Navigation` names them."""
    solara.AppLayout(children=children, navigation=False, title="phase0")
