"""Run the model once and write a run folder.

Run the model once to its horizon and write a folder with summary.json, the monthly timeseries
(CSV and Parquet), a figure and a manifest.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from experiments.cli.options import (
    add_model_class,
    add_run_options,
    add_scenario,
    add_set,
    parse_assignments,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 run`` options."""
    add_scenario(p, None, " (with its timed events) to start from; --set values override it")
    add_set(p)
    add_model_class(p)
    add_run_options(p, seed_default=0, seed_help="random seed", out="runs/run", overwrite=True,
                    workers=False)


def run(args: argparse.Namespace) -> int:
    """Run the model once and write a run folder."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from experiments.support.figures import plot_run
    from experiments.support.models import load_model_class
    from experiments.support.outputs import check_writable_target, command_line, write_results
    from experiments.support.scenarios import load_scenario
    from simulation import run as run_model
    from simulation.outcome_registry import HEADLINE, OUTCOMES
    from simulation.parameters import resolve
    from simulation.provenance import provenance

    # the class first: importing it registers its parameters, which --set may name
    model_class, model_name = load_model_class(args.model_class)
    scenario = load_scenario(args.scenario) if args.scenario else None
    base: dict[str, Any] = scenario.overrides if scenario else {}
    reads = [scenario.path] if scenario and scenario.path else []  # never replaced by --out
    params = resolve({**base, **parse_assignments(args.set)},
                     include=model_class.parameters if model_class else ())
    out = Path(args.out)
    check_writable_target(out, args.overwrite, reads)
    result = run_model(params, seed=args.seed, timeseries=True, model_class=model_class)
    record = {"summary": result.summary, "seed": args.seed, "scenario": args.scenario,
              **({"model_class": model_name} if model_name else {}),
              "parameters": result.params, **provenance(),
              "command": command_line()}
    ts = result.timeseries

    def parquet(path: Path) -> None:
        table = pa.Table.from_pandas(ts, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"phase0"] = json.dumps({k: v for k, v in record.items() if k != "summary"}).encode()
        pq.write_table(table.replace_schema_metadata(meta), path)

    title = (f"phase0 run{' of ' + args.scenario if args.scenario else ''}, seed {args.seed}")
    write_results(out, {
        "summary.json": record, "timeseries.csv": ts, "timeseries.parquet": parquet,
        "figure.png": lambda path: plot_run(ts, result.summary, path, title=title),
    }, overwrite=args.overwrite, inputs=reads)  # summary.json: the run's full record
    s = result.summary
    for key in HEADLINE:
        month = s[OUTCOMES[key].column]
        shown = f"month {month}" if month is not None else f"not reached in {s['horizon_months']}"
        print(f"{OUTCOMES[key].label}: {shown}")
    print(f"wrote {out}/ (summary.json, timeseries.csv, timeseries.parquet, figure.png, "
          "manifest.json)")
    return 0
