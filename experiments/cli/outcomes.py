"""List the outcomes the model reports.

List every outcome of the outcome registry: its name, the results column of its month, its
label and the condition that dates it; with --json also its colour, censoring rule and evidence.
"""

from __future__ import annotations

import argparse
import json

from experiments.cli.options import add_json
from simulation.outcome_registry import OUTCOMES


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 outcomes`` options."""
    add_json(p)


def run(args: argparse.Namespace) -> int:
    """Print the outcome registry."""
    if args.json:
        print(json.dumps([o.as_dict() for o in OUTCOMES.values()], indent=2))
        return 0
    for o in OUTCOMES.values():
        star = " (headline)" if o.headline else ""
        print(f"{o.column}: {o.label}{star}\n    {o.condition}")
    print("\nEvery outcome is right-censored at the horizon; 'phase0 outcomes --json' adds "
          "colour, censoring rule and evidence.")
    return 0
