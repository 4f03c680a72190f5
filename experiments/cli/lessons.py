"""Redraw the lesson figures of docs/teaching.md.

Run the lesson plan's settings (50 runs each by default, about ten seconds) and redraw the
figures docs/teaching.md shows, into docs/teaching/ or another folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import add_out, add_overwrite, add_replicates


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 lessons`` options."""
    add_out(p, None, "docs/teaching")
    add_replicates(p, 50, "runs per setting")
    add_overwrite(p)


def run(args: argparse.Namespace) -> int:
    """Redraw the figures and list them."""
    from experiments.teaching.lessons import FIGURE_DIR, lesson_figures

    for path in lesson_figures(Path(args.out) if args.out else FIGURE_DIR, args.replicates,
                               overwrite=args.overwrite):
        print(f"wrote {path}")
    return 0
