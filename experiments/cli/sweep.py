"""Run a parameter sweep (SALib, LHS or grid designs).

Sample a design over the registry's sweep ranges (behaviour and lever parameters by default,
plus a dummy; with --parameter-sets, the levers, each LHS row joined with one plausible world:
row i with world i mod n), run every row R times with common seeds in the compiled engine, and
store the runs in resumable Parquet chunks: the design's raw values and the values the model
used, the outcomes with their censoring flags, end-of-run indices and, with --record monthly,
chosen metrics every month. --merge joins finished shards.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.cli.options import (
    add_model,
    add_model_class,
    add_parameter_sets,
    add_replicates,
    add_run_options,
    add_scenario,
    at_least,
    gigabytes,
    positive,
    shard,
    workers,
)
from experiments.support.outputs import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 sweep`` options."""
    p.add_argument("--method", choices=["sobol", "morris", "lhs", "grid", "table"])
    p.add_argument("--n", type=positive, default=64,
                   help="base sample size (Sobol N, Morris trajectories, LHS points)")
    add_replicates(p, 4, "runs per design row")
    p.add_argument("--params", default="", help="comma-separated parameters to vary "
                   "(default: every behaviour and lever parameter; with --parameter-sets, "
                   "every lever parameter)")
    add_scenario(p, None, " whose values the other parameters take (default tpn_baseline)")
    p.add_argument("--values", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="grid values of one parameter (repeatable; --method grid)")
    add_parameter_sets(p, "defaults", 0)
    p.add_argument("--design", default=None, metavar="FILE.csv",
                   help="--method table: a CSV whose columns are parameters and whose rows are "
                   "the design points (e.g. calibrated parameter sets)")
    p.add_argument("--second-order", action="store_true", help="Sobol with second order")
    p.add_argument("--levels", type=at_least(2), default=4,
                   help="Morris levels, at least 2 (default 4)")
    add_run_options(p, seed_default=0, out="sweeps/sweep")
    p.add_argument("--seed-set", type=positive, default=1,
                   help="which set of run seeds (default 1); the same design with set 2 shows "
                   "how far results move with the seeds alone")
    p.add_argument("--record", default=None, metavar="monthly[:M1,M2,...]",
                   help="also keep metrics every month, in long format (monthly.parquet): "
                   "'monthly' for trust, recognition, endorsement, relational resources and "
                   "engaged share, or 'monthly:' and metric names (simulation.records.METRICS)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="a dask.distributed scheduler, e.g. tcp://127.0.0.1:8786")
    p.add_argument("--shard", type=shard, default=None, metavar="I/K",
                   help="run only the I-th of K disjoint parts of the design")
    add_model(p, "sweep another model: f(params: dict, seed: int) -> dict of outputs (an "
              "output X with a flag X_censored is a time to event, censored where the flag is "
              "true)")
    add_model_class(p)
    p.add_argument("--problem", default=None, metavar="FILE",
                   help="TOML with [parameters.NAME] bounds = [low, high] for --model")
    p.add_argument("--chunk-rows", type=positive, default=None,
                   help="design rows per chunk (default: up to 256 runs, fewer when their "
                   "model state would pass --memory-per-worker)")
    p.add_argument("--memory-per-worker", type=gigabytes, default=1.0, metavar="GB",
                   help="model state a worker holds at most, in GB (default 1: about 1 GB "
                   "per worker, on top of its Python process); sizes chunks and the engine's "
                   "passes; a resumed sweep keeps its chunks, and shards of one sweep need the "
                   "same value")
    p.add_argument("--resume", action="store_true", help="finish an interrupted sweep")
    p.add_argument("--merge", nargs="+", default=None, metavar="DIR",
                   help="join finished shard folders into --out")


def values(items: list[str]) -> dict[str, list[float]]:
    """``--values NAME=V1,V2`` items as a dict of lists."""
    out = {}
    for item in items:
        name, sep, rest = item.partition("=")
        try:
            vals = [float(v) for v in rest.split(",") if v.strip()]
        except ValueError:
            raise UserError(f"--values expects NAME=V1,V2,..., got {item!r}") from None
        if not sep or not name or not vals:
            raise UserError(f"--values expects NAME=V1,V2,..., got {item!r}")
        out[name.strip()] = vals
    return out


def read_design_table(path: Path):
    """A design table from CSV, or UserError naming what is wrong."""
    import pandas as pd

    if not path.is_file():
        raise UserError(f"design file '{path}' does not exist")
    try:
        return pd.read_csv(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"design file '{path}' is not a readable CSV: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Run, resume or merge a sweep; on Ctrl-C or SIGTERM, say what was kept and how to go on.

    The interruption is caught here, not by the generic handler, because a sweep does keep
    what it finished: every chunk written is complete (atomic renames) and --resume runs only
    the missing ones.
    """
    try:
        return _run(args)
    except KeyboardInterrupt as stop:
        from experiments.support.parallel import Terminated

        ended = isinstance(stop, Terminated)
        print(f"phase0 sweep: {'terminated' if ended else 'interrupted'}; "
              f"{kept(Path(args.out))}", file=sys.stderr)
        return 143 if ended else 130


def kept(out: Path) -> str:
    """What an interrupted sweep left in ``out``, and how to continue it."""
    from experiments.research.sweep.engine import plan_chunks
    from experiments.research.sweep.storage import MANIFEST, SweepFolder

    if not (out / MANIFEST).is_file():
        return "nothing was written"
    n = len(list(SweepFolder(out).chunk_dir.glob("chunk-*.parquet")))
    try:
        manifest = SweepFolder(out).read_manifest()
        total = f" of {len(plan_chunks(manifest['design_rows'], manifest['chunk_rows']))}"
    except UserError:
        total = ""
    return (f"{n}{total} finished chunks are kept in {out}/chunks; continue with the same "
            "command and --resume")


def _run(args: argparse.Namespace) -> int:
    from experiments.research.sweep.run import merge, new_sweep, run_sweep

    if args.merge:
        report = merge([Path(p) for p in args.merge], Path(args.out), args.model_class)
        if report["missing"]:
            print(f"merged into {args.out}/; still missing {len(report['missing'])} of "
                  f"{report['chunks']} chunks")
            return 1
        print(f"merged {len(args.merge)} folder(s) into {args.out}/; sweep complete")
        return 0
    if not args.method:
        raise UserError("--method is required (sobol, morris, lhs, grid or table)")
    table = None
    if args.design:
        if args.method != "table":
            raise UserError("--design goes with --method table")
        table = read_design_table(Path(args.design))
    if args.workers and args.scheduler:
        raise UserError("give --workers or --scheduler, not both")
    grid = values(args.values)
    params = [p.strip() for p in args.params.split(",") if p.strip()] if args.params else None
    if args.method == "grid" and not params:
        params = list(grid)
    chunk_rows = args.chunk_rows
    if args.resume and chunk_rows is None:
        # a resumed sweep keeps its chunks, whatever --memory-per-worker says now
        from experiments.research.sweep.storage import SweepFolder

        if (Path(args.out) / "manifest.json").exists():
            chunk_rows = SweepFolder(Path(args.out)).read_manifest().get("chunk_rows")
    folder, planned = new_sweep(
        Path(args.out), method=args.method, n=args.n, replicates=args.replicates,
        seed=args.seed, params=params, scenario=args.scenario, model=args.model,
        problem_file=args.problem, second_order=args.second_order, levels=args.levels,
        values=grid or None, chunk_rows=chunk_rows, seed_set=args.seed_set, table=table,
        memory=int(args.memory_per_worker * 2**30), model_class=args.model_class,
        record=args.record, parameter_sets=args.parameter_sets, max_sets=args.max_sets)
    try:
        report = run_sweep(folder, planned, resume=args.resume,
                           workers=1 if args.scheduler else workers(args),
                           scheduler=args.scheduler, shard=args.shard, progress=not args.quiet)
    except OSError as exc:  # a full, read-only or busy disk while writing chunks
        where = f" ('{exc.filename}')" if exc.filename else ""
        raise UserError(f"cannot write the sweep in '{args.out}': {exc.strerror or exc}{where}; "
                        "finished chunks are kept: fix that and rerun with --resume") from None
    state = "complete" if report["complete"] else "incomplete (other shards to run or merge)"
    print(f"ran {report['runs']} runs in {report['ran']} of {report['chunks']} chunks; "
          f"sweep {state}: {args.out}/")
    return 0
