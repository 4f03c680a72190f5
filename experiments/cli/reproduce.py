"""Re-run a sweep from its manifest and check every file it holds.

Re-run every design row of a finished sweep with its recorded seeds and check, bit for bit, the
per-run results, the chunks, the per-row tables that analyses read, and every hash the manifest
records. A sweep of another model or of a model class runs that code again, so name it again
with --model or --model-class (phase0 imports no code because a results file names it). Exits 1
when something does not reproduce, 2 when the folder cannot be checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.cli.options import (
    add_model,
    add_model_class,
    add_run_options,
    add_sweep_folder,
    workers,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 reproduce`` options."""
    add_sweep_folder(p)
    add_run_options(p)
    add_model(p, "the other model the sweep ran, named again (as the sweep's --model); "
              "required for such a sweep and checked against its manifest")
    add_model_class(p)


def run(args: argparse.Namespace) -> int:
    """Re-run the sweep and report every check that fails."""
    from experiments.research.sweep.verify import reproduce

    report = reproduce(Path(args.folder), workers(args), progress=not args.quiet,
                       model=args.model, model_class=args.model_class)
    for note in report["notes"]:
        print(f"note: {note}")
    if report["failures"]:
        for failure in report["failures"]:
            print(f"FAILED: {failure}")
        print(f"phase0 reproduce: '{args.folder}' does not reproduce: "
              f"{len(report['failures'])} check(s) failed (listed above)", file=sys.stderr)
        return 1
    print(f"all {report['rows']} design rows reproduced exactly; results, chunks, per-row "
          "tables and recorded hashes check out")
    return 0
