"""The ``phase0`` command line.

Every command has ``--help``. A user mistake (unknown parameter, bad value, unwritable folder)
exits with status 2 and a one-line message, and writes nothing half-done.
"""

from __future__ import annotations

import os

# Sweeps and comparisons run one process per core; BLAS threads on top would oversubscribe
# them. Set before NumPy is first imported (a user's own setting wins).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from experiments.outputs import UserError, atomic_folder, check_writable_target, write_json
from experiments.parallel import default_workers
from simulation.parameters import KINDS, REGISTRY, ParameterError, resolve
from simulation.provenance import provenance


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes as one line, like every other user error."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_assignments(items: Sequence[str]) -> dict[str, Any]:
    """``["a=1", "b=true"]`` to ``{"a": "1", "b": "true"}``; names are checked by the registry."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UserError(f"--set expects NAME=VALUE, got {item!r}")
        out[name] = value
    return out


def cmd_run(args: argparse.Namespace) -> int:
    """Run the model once and write a run folder."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from experiments.figures import plot_run
    from simulation import run

    base: dict[str, Any] = {}
    if args.scenario:
        from experiments.scenarios import load_scenario

        base = load_scenario(args.scenario).overrides
    params = resolve({**base, **parse_assignments(args.set)})
    out = Path(args.out)
    check_writable_target(out, args.overwrite)
    result = run(params, seed=args.seed, timeseries=True)
    record = {
        "summary": result.summary,
        "seed": args.seed,
        "scenario": args.scenario,
        "parameters": result.params,
        **provenance(),
        "command": "phase0 " + " ".join(sys.argv[1:]),
    }
    ts: pd.DataFrame = result.timeseries  # type: ignore[assignment]
    with atomic_folder(out, overwrite=args.overwrite) as tmp:
        write_json(tmp / "summary.json", record)
        ts.to_csv(tmp / "timeseries.csv", index=False)
        table = pa.Table.from_pandas(ts, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"phase0"] = json.dumps({k: v for k, v in record.items() if k != "summary"}).encode()
        pq.write_table(table.replace_schema_metadata(meta), tmp / "timeseries.parquet")
        plot_run(ts, result.summary, tmp / "figure.png",
                 title=f"phase0 run{' of ' + args.scenario if args.scenario else ''}, "
                       f"seed {args.seed}")
    s = result.summary
    for key in ("phase_zero", "engagement"):
        month = s[f"{key}_months"]
        shown = f"month {month}" if month is not None else f"not reached in {s['horizon_months']}"
        print(f"{key.replace('_', ' ')}: {shown}")
    print(f"wrote {out}/ (summary.json, timeseries.csv, timeseries.parquet, figure.png)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare scenarios over many replicates."""
    from experiments.compare import (
        common_seeds,
        load_parameter_sets,
        markdown_table,
        write_comparison,
    )
    from experiments.scenarios import STANDARD, load_scenario

    names = [n.strip() for n in args.scenarios.split(",") if n.strip()] if args.scenarios \
        else list(STANDARD)
    if not names:
        raise UserError("--scenarios needs at least one scenario name or file")
    scenarios = [load_scenario(n) for n in names]
    if len({s.name for s in scenarios}) != len(scenarios):
        raise UserError("--scenarios names the same scenario twice")
    if args.replicates < 1:
        raise UserError(f"--replicates must be at least 1, got {args.replicates}")
    param_sets = None
    if args.parameter_sets:
        param_sets = load_parameter_sets(args.parameter_sets, args.max_sets)
    seeds = common_seeds(args.seed, args.replicates)
    workers = args.workers or default_workers()
    table = write_comparison(Path(args.out), scenarios, seeds, workers, args.overwrite,
                             args.seed, param_sets, progress=not args.quiet)
    print(markdown_table(table))
    print(f"wrote {args.out}/")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Calibrate four behaviour parameters by rejection ABC against the paper's patterns."""
    from experiments.calibrate import calibrate, write_calibration

    if args.draws < 1 or args.replicates < 1:
        raise UserError("--draws and --replicates must be at least 1")
    out = Path(args.out)
    check_writable_target(out, overwrite=True)
    table = calibrate(args.draws, args.replicates, args.workers or default_workers(),
                      args.seed, progress=not args.quiet)
    summary = write_calibration(table, out, {"draws": args.draws, "replicates": args.replicates,
                                             "seed": args.seed})
    print(f"accepted {int(table['accepted'].sum())} of {len(table)} draws")
    print(summary.to_string(index=False))
    print(f"wrote {out}/")
    return 0


def _shard(text: str) -> tuple[int, int]:
    i, sep, k = text.partition("/")
    try:
        shard = (int(i), int(k))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard must look like I/K, got {text!r}") from None
    if not sep or not 1 <= shard[0] <= shard[1]:
        raise argparse.ArgumentTypeError(f"--shard I/K needs 1 <= I <= K, got {text!r}")
    return shard


def _gigabytes(text: str) -> float:
    """A positive, finite number of gigabytes (``--memory-per-worker``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of GB, got {text!r}") from None
    if not math.isfinite(value) or value < 0.001:
        raise argparse.ArgumentTypeError(f"must be at least 0.001 GB (and finite), got {text!r}")
    return value


def _values(items: Sequence[str]) -> dict[str, list[float]]:
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


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run, resume or merge a sweep."""
    from experiments.sweep.run import merge, new_sweep, run_sweep

    if args.merge:
        report = merge([Path(p) for p in args.merge], Path(args.out))
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
    values = _values(args.values)
    params = [p.strip() for p in args.params.split(",") if p.strip()] if args.params else None
    if args.method == "grid" and not params:
        params = list(values)
    chunk_rows = args.chunk_rows
    if args.resume and chunk_rows is None:
        # a resumed sweep keeps its chunks, whatever --memory-per-worker says now
        from experiments.sweep.storage import SweepFolder

        if (Path(args.out) / "manifest.json").exists():
            chunk_rows = SweepFolder(Path(args.out)).read_manifest().get("chunk_rows")
    folder, planned = new_sweep(
        Path(args.out), method=args.method, n=args.n, replicates=args.replicates,
        seed=args.seed, params=params, scenario=args.scenario, model=args.model,
        problem_file=args.problem, second_order=args.second_order, levels=args.levels,
        values=values or None, chunk_rows=chunk_rows, seed_set=args.seed_set, table=table,
        memory=int(args.memory_per_worker * 2**30))
    report = run_sweep(folder, planned, resume=args.resume,
                       workers=args.workers or default_workers(), scheduler=args.scheduler,
                       shard=args.shard, progress=not args.quiet)
    state = "complete" if report["complete"] else "incomplete (other shards to run or merge)"
    print(f"ran {report['runs']} runs in {report['ran']} of {report['chunks']} chunks; "
          f"sweep {state}: {args.out}/")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    """Re-run a finished sweep from its manifest and compare."""
    from experiments.sweep.run import reproduce

    report = reproduce(Path(args.folder), args.workers or default_workers(),
                       progress=not args.quiet)
    if report["mismatched"]:
        print(f"{len(report['mismatched'])} of {report['rows']} design rows differ: "
              f"{report['mismatched'][:20]}")
        return 1
    print(f"all {report['rows']} design rows reproduced exactly")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Sensitivity analysis of a finished Sobol or Morris sweep."""
    from experiments.sensitivity import analyze

    report = analyze(Path(args.folder), args.output, args.seed, args.resamples,
                     Path(args.against) if args.against else None, args.oat)
    for note in report["notes"]:
        print(f"note: {note}")
    if report["tables"]:
        print(f"wrote {', '.join(report['tables'])} tables and figures into {report['out']}/")
    else:
        print(f"no target varied over the design; wrote only the summary into {report['out']}/")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    """List the parameter registry."""
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


def cmd_explore_funding(args: argparse.Namespace) -> int:
    """Funding-cycle explorer: heatmaps over funding terms and the minimum runway."""
    from experiments.explore import explore_funding

    result = explore_funding(
        Path(args.out), scenario=args.scenario, replicates=args.replicates,
        parameter_sets=args.parameter_sets, max_sets=args.max_sets, within=args.within,
        workers=args.workers or default_workers(), seed=args.seed,
        work=Path(args.work) if args.work else None, overwrite=args.overwrite,
        fresh=args.fresh, progress=not args.quiet)
    print((Path(args.out) / "minimum_runway.md").read_text())
    rec = result["record"]
    total, now = rec["grid_runs"] + rec["runway_runs"], rec["runs_executed_now"]
    reused = f" ({total - now} reused from {rec['sweeps']})" if now < total else ""
    print(f"{total} runs{reused}; ran {now} in {rec['seconds']:.0f} s; wrote {args.out}/")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    """Scenario discovery over a sweep folder."""
    from experiments.discover import discover, parse_target

    target = parse_target(args.target)
    result = discover(Path(args.folder), target, out=Path(args.out) if args.out else None,
                      threshold=args.density, max_boxes=args.boxes, peel_alpha=args.peel_alpha,
                      mass_min=args.mass_min, significance=args.significance, seed=args.seed,
                      overwrite=True)
    print(result["text"])
    print(f"wrote {result['out']}/")
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    """Write the self-contained HTML policy brief."""
    from experiments.brief import Sources, write_brief

    defaults = Sources()
    sources = Sources(**{k: Path(getattr(args, k)) if getattr(args, k) else getattr(defaults, k)
                         for k in ("compare", "policy", "interventions", "sensitivity",
                                   "discovery")})
    path = write_brief(Path(args.out), args.scenario, sources, overwrite=True)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, self-contained)")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the teaching dashboard (Mesa's SolaraViz) until interrupted."""
    import importlib.util
    import signal
    import subprocess

    missing = [m for m in ("solara", "networkx", "altair") if importlib.util.find_spec(m) is None]
    if missing:
        raise UserError(f"the dashboard needs the optional extra 'viz' (missing: "
                        f"{', '.join(missing)}); install it with: pip install -e '.[viz]' "
                        "(make run does)")
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be in [0, 65535], got {args.port}")
    app = Path(__file__).resolve().parent / "app.py"
    # Offline and private: no version-check frame or call and no telemetry. Front-end assets are
    # served by solara's local asset route from the pinned solara-assets; its fallback for an
    # asset missing there would fetch from a CDN, so it is pointed at a closed loopback port and
    # a missing asset fails visibly instead of leaking a request.
    env = {**os.environ, "SOLARA_MODE": "production",
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
           "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/"}
    command = [sys.executable, "-m", "solara", "run", str(app), "--host", args.host,
               "--port", str(args.port), "--production", "--no-open", "--no-check-version",
               "--log-level", "warning"]
    print(f"phase0 dashboard: serving on http://{args.host}:{args.port} (Ctrl-C to stop)",
          flush=True)
    server = subprocess.Popen(command, env=env)
    stopped: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        # `kill`, a service manager or a test stops the server with this process; Ctrl-C
        # reaches both
        stopped.append(signum)
        server.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        signal.signal(signal.SIGTERM, previous)
    return 0 if stopped else code


def _add_run_options(p: argparse.ArgumentParser, *, seed: int | None,
                     out: str | None) -> None:
    """Options shared by the commands that run many replicates in worker processes."""
    p.add_argument("--workers", type=int, default=0,
                   help="worker processes (default: the number of cores)")
    if seed is not None:
        p.add_argument("--seed", type=_seed, default=seed, help=f"root seed (default {seed})")
    if out is not None:
        p.add_argument("--out", default=out, help=f"output folder (default {out})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(
        prog="phase0",
        description="Simulate 'phase zero', the trust-building period that lets coproduction "
        "between racially minoritised communities and statutory mental-health agencies work "
        "(Burgess and Choudary 2021).",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run the model once and write a run folder",
                       description="Run the model once to its horizon and write a folder with "
                       "summary.json, the monthly timeseries (CSV and Parquet) and a figure.")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    p.add_argument("--scenario", default=None,
                   help="a scenario name or .toml file (with its timed events) to start from; "
                   "--set values override it")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="set a parameter (repeatable); see 'phase0 params'")
    p.add_argument("--out", default="runs/run", help="run folder to write (default runs/run)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the run folder if it exists")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="compare scenarios over many replicates",
                       description="Run each scenario R times with the same seeds and write "
                       "Kaplan-Meier tables (CSV, Markdown) and figures for both outcomes, "
                       "trajectories with spread bands, per-run results and a manifest.")
    p.add_argument("--scenarios", default="",
                   help="comma-separated scenario names or .toml paths (default: the eight "
                   "standard scenarios)")
    p.add_argument("--replicates", type=int, default=200, help="runs per scenario (default 200)")
    _add_run_options(p, seed=20080, out="results/compare")
    p.add_argument("--parameter-sets", default="",
                   help="'accepted' (the calibration's accepted sets) or a CSV of parameter "
                   "sets: compare under each and report how often each ranking holds")
    p.add_argument("--max-sets", type=int, default=0,
                   help="use at most this many parameter sets (default: all)")
    p.add_argument("--overwrite", action="store_true", help="replace the output folder")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("calibrate", help="calibrate by ABC against the paper's patterns",
                       description="Rejection ABC of four behaviour parameters against the "
                       "paper's patterns (phase zero near 48 months; engagement begun but a "
                       "minority at the fieldwork, months 93-96; engagement after phase zero). "
                       "Writes accepted.csv, all draws, a posterior figure and a summary.")
    p.add_argument("--draws", type=int, default=2000, help="prior draws (default 2000)")
    p.add_argument("--replicates", type=int, default=16, help="runs per draw (default 16)")
    _add_run_options(p, seed=2012, out="experiments/calibration")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("sweep", help="run a parameter sweep (SALib, LHS or grid designs)",
                       description="Sample a design over the registry's sweep ranges (behaviour "
                       "and lever parameters by default, plus a dummy), run every row R times "
                       "with common seeds in the compiled engine, and store the runs in "
                       "resumable Parquet chunks. --merge joins finished shards.")
    p.add_argument("--method", choices=["sobol", "morris", "lhs", "grid", "table"])
    p.add_argument("--n", type=int, default=64,
                   help="base sample size (Sobol N, Morris trajectories, LHS points)")
    p.add_argument("--replicates", type=int, default=4, help="runs per design row (default 4)")
    p.add_argument("--params", default="", help="comma-separated parameters to vary "
                   "(default: every behaviour and lever parameter)")
    p.add_argument("--scenario", default=None,
                   help="scenario whose values the other parameters take (default tpn_baseline)")
    p.add_argument("--values", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="grid values of one parameter (repeatable; --method grid)")
    p.add_argument("--design", default=None, metavar="FILE.csv",
                   help="--method table: a CSV whose columns are parameters and whose rows are "
                   "the design points (e.g. calibrated parameter sets)")
    p.add_argument("--second-order", action="store_true", help="Sobol with second order")
    p.add_argument("--levels", type=int, default=4, help="Morris levels (default 4)")
    _add_run_options(p, seed=0, out="sweeps/sweep")
    p.add_argument("--seed-set", type=int, default=1,
                   help="which set of run seeds (default 1); the same design with set 2 shows "
                   "how far results move with the seeds alone")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="a dask.distributed scheduler, e.g. tcp://127.0.0.1:8786")
    p.add_argument("--shard", type=_shard, default=None, metavar="I/K",
                   help="run only the I-th of K disjoint parts of the design")
    p.add_argument("--model", default=None, metavar="MODULE:FUNCTION",
                   help="sweep another model: f(params: dict, seed: int) -> dict of outputs")
    p.add_argument("--problem", default=None, metavar="FILE",
                   help="TOML with [parameters.NAME] bounds = [low, high] for --model")
    p.add_argument("--chunk-rows", type=int, default=None,
                   help="design rows per chunk (default: up to 256 runs, fewer when their "
                   "model state would pass --memory-per-worker)")
    p.add_argument("--memory-per-worker", type=_gigabytes, default=1.0, metavar="GB",
                   help="model state a worker holds at most, in GB (default 1: about 1 GB "
                   "per worker, on top of its Python process); sizes chunks and the engine's "
                   "passes; a resumed sweep keeps its chunks, and shards of one sweep need the "
                   "same value")
    p.add_argument("--resume", action="store_true", help="finish an interrupted sweep")
    p.add_argument("--merge", nargs="+", default=None, metavar="DIR",
                   help="join finished shard folders into --out")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("reproduce", help="re-run a sweep from its manifest and compare",
                       description="Re-run every run of a finished sweep from its manifest and "
                       "report whether every design row matches, bit for bit.")
    p.add_argument("folder", help="a finished sweep folder")
    _add_run_options(p, seed=None, out=None)
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("analyze", help="sensitivity indices of a Sobol or Morris sweep",
                       description="Sobol (first, total, second order) or Morris indices with "
                       "95% bootstrap intervals for both outcomes (restricted mean time, "
                       "probability of reaching them) and for their replicate variance, marked "
                       "non-influential where they overlap the dummy's; convergence over growing "
                       "subsets; tables (CSV), figures and a summary, written inside the sweep "
                       "folder.")
    p.add_argument("folder", help="a finished sweep folder")
    p.add_argument("--output", default="analysis", help="subfolder to write (default analysis)")
    p.add_argument("--seed", type=_seed, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--against", default=None, metavar="DIR",
                   help="the same sweep run with another --seed-set: report how far the "
                   "indices move")
    p.add_argument("--oat", type=int, default=0, metavar="K",
                   help="one-factor-at-a-time curves for the K most influential parameters")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("explore", help="policy explorers (funding cycles)",
                       description="Policy explorers. 'phase0 explore funding' runs a grid of "
                       "funding terms and the minimum-runway design on the sweep engine.")
    explore = p.add_subparsers(dest="explorer", required=True, parser_class=_Parser)
    p = explore.add_parser(
        "funding", help="funding terms: heatmaps and the minimum runway",
        description="Run a grid over contract length (6-60 months), KPI-tied versus flexible, "
        "the gap between contracts and core funding on or off, from a scenario, over the "
        "calibration's accepted parameter sets; write heatmaps of the probability of reaching "
        "each outcome within 3, 5 and 10 years and of the restricted mean time; and find, for "
        "each funding regime, the minimum runway of guaranteed flexible funding whose lower 95% "
        "bound on the probability of service-user engagement within the horizon is at least "
        "0.8. Sweeps are kept in --work and resumed if interrupted.")
    p.add_argument("--scenario", default="new_network",
                   help="scenario to start from (default new_network)")
    p.add_argument("--replicates", type=int, default=2,
                   help="runs per parameter set and setting (default 2)")
    p.add_argument("--parameter-sets", default="accepted",
                   help="'accepted' (the calibration's, default), a CSV of parameter sets, or "
                   "'none' (the scenario's values only)")
    p.add_argument("--max-sets", type=int, default=100,
                   help="use at most this many parameter sets (default 100)")
    p.add_argument("--within", type=int, default=None, metavar="MONTHS",
                   help="the runway's engagement horizon (default: the model horizon, 180)")
    p.add_argument("--work", default=None,
                   help="folder for the sweeps (default sweeps/explore_funding)")
    p.add_argument("--overwrite", action="store_true", help="replace the output folder")
    p.add_argument("--fresh", action="store_true",
                   help="delete the sweeps in --work and run them again (otherwise an "
                   "interrupted explorer resumes them and a finished one reuses them)")
    _add_run_options(p, seed=2012, out="results/policy/funding")
    p.set_defaults(func=cmd_explore_funding)

    p = sub.add_parser(
        "discover", help="scenario discovery (PRIM) over a sweep",
        description="Find the parameter boxes of a finished sweep (typically an LHS sweep of "
        "the lever and behaviour parameters) in which a target is met, with PRIM from the EMA "
        "Workbench: boxes with coverage and density, the peeling trade-off, restrictions the "
        "data support (quasi-p), feature scores (extra trees) and a plain-words reading. "
        "Censored runs never meet an upper bound on a month. Needs the extra phase0[discovery].")
    p.add_argument("folder", help="a finished sweep folder")
    p.add_argument("--target", required=True, metavar="'OUTPUT OP VALUE'",
                   help="e.g. 'engagement_months <= 60' or 'phase_zero_months <= 48' "
                   "(OP is one of <=, <, >=, >, ==)")
    p.add_argument("--out", default=None, help="output folder (default FOLDER/discovery)")
    p.add_argument("--density", type=float, default=0.8,
                   help="density wanted of a reported box (default 0.8); the box with the most "
                   "coverage at this density is reported, or the densest")
    p.add_argument("--boxes", type=int, default=3, help="at most this many boxes (default 3)")
    p.add_argument("--peel-alpha", type=float, default=0.05,
                   help="share peeled off at each step (default 0.05)")
    p.add_argument("--mass-min", type=float, default=None,
                   help="smallest box, as a share of runs (default: 0.05, or the share meeting "
                   "the target if smaller)")
    p.add_argument("--significance", type=float, default=0.05,
                   help="lift restrictions whose quasi-p value is above this (default 0.05)")
    p.add_argument("--seed", type=_seed, default=0, help="feature-scoring seed (default 0)")
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser(
        "brief", help="write the self-contained HTML policy brief",
        description="Write one self-contained HTML file for a policy team (figures embedded, "
        "nothing fetched from the network): the question, the scenarios compared, the "
        "funding-cycle heatmaps and the minimum runway, the main drivers, the interventions "
        "tried, the discovered conditions and the model's limits, from the committed results "
        "(or the folders given).")
    p.add_argument("--scenario", default="new_network",
                   help="the scenario in focus; the funding explorer must have been run from "
                   "it (default new_network)")
    p.add_argument("--out", default="results/policy/brief",
                   help="folder to write brief.html into (default results/policy/brief)")
    for name, default in [("compare", "results/compare"), ("policy", "results/policy/funding"),
                          ("interventions", "results/policy/interventions"),
                          ("sensitivity", "results/sensitivity"),
                          ("discovery", "results/policy/discovery")]:
        p.add_argument(f"--{name}", default=None, metavar="DIR",
                       help=f"results to read (default {default})")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("dashboard", help="serve the interactive teaching dashboard",
                       description="Serve the teaching dashboard, a Mesa SolaraViz page of one "
                       "run month by month (network view, trust, resources, engagement, "
                       "funding), with a scenario picker and teaching controls. Needs the extra "
                       "phase0[viz]; works offline.")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this machine only)")
    p.set_defaults(func=cmd_dashboard)

    from experiments import ablations, robustness

    p = sub.add_parser("ablations", help="switch each mechanism off in turn: both outcomes",
                       description=ablations.__doc__.splitlines()[0])
    ablations.add_arguments(p)
    p.set_defaults(func=ablations.run)

    p = sub.add_parser("robustness", help="knife-edge index: how far small nudges move answers",
                       description=robustness.__doc__.splitlines()[0])
    robustness.add_arguments(p)
    p.set_defaults(func=robustness.run)

    p = sub.add_parser("params", help="list the model parameters",
                       description="List every model parameter: name, kind, default, valid range "
                       "and unit; with --json also the sweep range, meaning and evidence.")
    p.add_argument("--json", action="store_true", help="print JSON with every field")
    p.add_argument("--kind", choices=list(KINDS),
                   help="only parameters of this kind")
    p.set_defaults(func=cmd_params)
    return parser


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"seed must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed must be a non-negative integer, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``phase0``."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ParameterError, UserError) as exc:
        print(f"phase0 {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. 'head': not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except KeyboardInterrupt:
        print("phase0: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
