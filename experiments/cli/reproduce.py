"""Re-run a sweep from its manifest and compare.

Re-run every run of a finished sweep from its manifest and report whether every design row
matches, bit for bit.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import add_run_options, add_sweep_folder, workers


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 reproduce`` options."""
    add_sweep_folder(p)
    add_run_options(p)


def run(args: argparse.Namespace) -> int:
    """Re-run the sweep and report the rows that differ."""
    from experiments.research.sweep.run import reproduce

    report = reproduce(Path(args.folder), workers(args), progress=not args.quiet)
    if report["mismatched"]:
        print(f"{len(report['mismatched'])} of {report['rows']} design rows differ: "
              f"{report['mismatched'][:20]}")
        return 1
    print(f"all {report['rows']} design rows reproduced exactly")
    return 0
