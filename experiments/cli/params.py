"""List the model parameters.

List every model parameter: name, kind, default, valid range and unit; with --json also the
sweep range, meaning and evidence.
"""

from __future__ import annotations

import argparse
import json

from experiments.cli.options import add_json
from simulation.parameters import KINDS, REGISTRY


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 params`` options."""
    add_json(p)
    p.add_argument("--kind", choices=list(KINDS), help="only parameters of this kind")


def run(args: argparse.Namespace) -> int:
    """Print the parameter registry."""
    params = [p for p in REGISTRY.values() if args.kind is None or p.kind == args.kind]
    if args.json:
        print(json.dumps([p.as_dict() for p in params], indent=2))
        return 0
    width = max(len(p.name) for p in params)
    print(f"{'name':{width}}  {'kind':11}  {'default':>8}  {'valid range':16}  unit")
    for p in params:
        default = str(p.default).lower() if p.type is bool else f"{p.default:g}"
        print(f"{p.name:{width}}  {p.kind:11}  {default:>8}  {p.describe_range():16}  {p.unit}")
    print("\n'phase0 params --json' adds meaning, sweep range and evidence for each.")
    return 0
