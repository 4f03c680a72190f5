"""Write the self-contained HTML policy brief.

Write one self-contained HTML file for a policy team (figures embedded, nothing fetched from the
network): the question, the scenarios compared, the funding-cycle heatmaps and the minimum
runway, the main drivers, the interventions tried, the discovered conditions and the model's
limits, from the committed results (or the folders given).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import add_out, add_scenario

SOURCES = {"compare": "results/compare", "policy": "results/policy/funding",
           "interventions": "results/policy/interventions",
           "sensitivity": "results/sensitivity", "discovery": "results/policy/discovery"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 brief`` options."""
    add_scenario(p, "new_network", " in focus; the funding explorer must have been run from it")
    add_out(p, "results/policy/brief", what="folder to write brief.html into")
    for name, default in SOURCES.items():
        p.add_argument(f"--{name}", default=None, metavar="DIR",
                       help=f"results to read (default {default})")


def run(args: argparse.Namespace) -> int:
    """Write the brief and say where."""
    from experiments.policy.brief import Sources, write_brief

    defaults = Sources()
    sources = Sources(**{k: Path(getattr(args, k)) if getattr(args, k) else getattr(defaults, k)
                         for k in SOURCES})
    path = write_brief(Path(args.out), args.scenario, sources, overwrite=True)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, self-contained)")
    return 0
