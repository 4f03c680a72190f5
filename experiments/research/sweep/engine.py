"""Run a design: batched through ``run_batch``, in chunks, locally or on a dask cluster.

Every design row runs ``replicates`` times with the same seeds (common random numbers; in a design
over plausible worlds, the same seeds within a world, its own in each world). Rows are
grouped into fixed chunks, sized by the model's state (``--memory-per-worker``); a chunk is one
``run_batch`` call in the compiled engine.
A run's result depends only on its parameters and seed, so results are identical, bit for bit,
with one worker, many workers, shards or dask.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.sweep.design import WORLD, row_parameters
from experiments.research.sweep.outputs import (
    USED,
    add_used_values,
    as_flags,
    censored_outputs,
    monthly_table,
)
from experiments.research.sweep.storage import (
    FORMAT,
    MONTHLY,
    RESULTS,
    ROWS,
    SweepFolder,
    atomic_write_parquet,
    atomic_write_text,
    design_hash,
    fingerprint,
    provenance_hash,
    with_manifest,
)
from experiments.research.sweep.worlds import run_seeds
from experiments.research.worlds import WORLD_SEEDS
from experiments.support.outputs import UserError, command_line
from simulation.outcome_registry import HEADLINE

#: Outputs of the phase0 model kept for every run (besides both outcomes and their flags).
OUTPUTS = ("engaged_share", "trust_cbo_statutory", "recognition", "senior_endorsement",
           "acknowledgement", "symbolic", "relational", "material")
OUTCOMES = HEADLINE
#: Runs per chunk the engine aims for, when memory allows: enough that a chunk's fixed costs
#: (a task, a Parquet file) are small next to its runs.
TARGET_RUNS_PER_CHUNK = 256
#: Model state a worker holds at most by default, in bytes (``--memory-per-worker``).
WORKER_MEMORY = 2**30


@dataclass(frozen=True)
class ChunkTask:
    """One chunk of design rows to run: everything a worker needs, nothing more."""

    index: int
    rows: tuple[int, ...]
    params: tuple[dict[str, Any], ...]
    design_values: tuple[tuple[float, ...], ...]
    design_columns: tuple[str, ...]
    seeds: tuple[int, ...]
    model: str | None
    memory: int = WORKER_MEMORY
    model_class: str | None = None
    monthly: tuple[str, ...] = ()


def _pin_threads() -> None:
    """One BLAS/OpenMP thread per worker: processes, not threads, share the cores.

    Effective in processes that have not loaded NumPy yet (spawned workers, dask workers
    started by ``dask worker``); the ``phase0`` command sets the same before importing NumPy.
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
        os.environ[var] = "1"


def load_model(spec: str) -> Callable[[dict[str, Any], int], dict[str, Any]]:
    """``module:function`` to the function; a clear error when it cannot be found."""
    from experiments.support.models import load_object

    fn = load_object(spec, "model")
    if not callable(fn):
        raise UserError(f"model {spec!r} is not callable")
    return fn


def run_chunk(task: ChunkTask) -> pd.DataFrame:
    """Run every row of a chunk ``len(seeds)`` times; one output row per run, in design order."""
    _pin_threads()
    n_rep = len(task.seeds)
    seeds = run_seeds(task.seeds, task.design_columns, task.design_values)
    base = {"row": np.repeat(task.rows, n_rep).astype(np.int64),
            "replicate": np.tile(np.arange(n_rep), len(task.rows)).astype(np.int64),
            "seed": np.asarray(seeds, np.int64)}
    values = np.repeat(np.asarray(task.design_values, float), n_rep, axis=0)
    for j, col in enumerate(task.design_columns):
        base[col] = values[:, j].astype(np.int64) if col == WORLD else values[:, j]
    params = [p for p in task.params for _ in task.seeds]
    if task.model is None:
        from simulation import run_batch

        model_class = None
        if task.model_class:
            from experiments.support.models import load_model_class

            model_class, _ = load_model_class(task.model_class)
        results = run_batch(params, seeds, memory=task.memory, model_class=model_class,
                            timeseries=bool(task.monthly))
        out = _phase0_outputs(results)
        if task.monthly:
            monthly = monthly_table(results, base["row"], base["replicate"], base["seed"],
                                    task.monthly)
    else:
        fn = load_model(task.model)
        records = [fn(p, s) for p, s in zip(params, seeds, strict=True)]
        out = as_flags({k: np.asarray([r[k] for r in records], float) for k in records[0]})
    df = pd.DataFrame({**base, **out})
    if task.monthly:
        df.attrs["monthly"] = monthly  # written beside the chunk (storage.write_chunk)
    return df


def _phase0_outputs(results: list) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    horizon = np.asarray([r.summary["horizon_months"] for r in results], np.int64)
    for key in OUTCOMES:
        censored = np.asarray([r.summary[f"{key}_censored"] for r in results], bool)
        months = np.asarray([r.summary[f"{key}_months"] or 0 for r in results], np.int64)
        # A censored run never carries a number: a nullable integer column, not a placeholder.
        out[f"{key}_months"] = pd.array(np.where(censored, 0, months), dtype="Int64")
        out[f"{key}_months"][censored] = pd.NA
        out[f"{key}_censored"] = censored
    out["horizon_months"] = horizon
    for k in OUTPUTS:
        out[k] = np.asarray([r.summary[k] for r in results], float)
    return out


def aggregate(results: pd.DataFrame, design_columns: Sequence[str]) -> pd.DataFrame:
    """Per design row: outcome summaries and the replicate mean and variance of the rest.

    For each outcome, the restricted mean time to the horizon, the replicate variance of the
    horizon-capped time and the probability of reaching it within the horizon; for every other
    output, its replicate mean and variance.
    """
    g = results.groupby("row", sort=True)
    rows = g[list(design_columns)].first()
    rows.insert(0, "replicates", g.size())
    events = censored_outputs(results)
    if f"{OUTCOMES[0]}_censored" in results:
        h = results["horizon_months"].astype(float)
        for key in OUTCOMES:
            t = results[f"{key}_months"].astype("Float64").fillna(h).astype(float)
            reached = ~results[f"{key}_censored"]
            # every censored run is censored at the horizon, so the Kaplan-Meier restricted mean
            # equals the mean of min(T, horizon)
            capped = t.clip(upper=h).groupby(results["row"])
            rows[f"rmst_{key}"] = capped.mean()
            # spread between replicates of the (horizon-capped) time: its unpredictability
            rows[f"var_{key}"] = capped.var(ddof=1) if len(results) > len(rows) else 0.0
            rows[f"p_{key}"] = reached.groupby(results["row"]).mean()
        others = list(OUTPUTS)
    else:
        # another model's times to event (an output with its censoring flag): X is the time
        # observed, so its mean is the restricted mean time to the censoring times
        for key in events:
            t = results[key].astype(float)
            rows[f"rmst_{key}"] = t.groupby(results["row"]).mean()
            rows[f"var_{key}"] = (t.groupby(results["row"]).var(ddof=1)
                                  if len(results) > len(rows) else 0.0)
            rows[f"p_{key}"] = (~results[f"{key}_censored"].astype(bool)).groupby(
                results["row"]).mean()
        skip = {"row", "replicate", "seed", *design_columns, *events,
                *(f"{k}_censored" for k in events)}
        others = [c for c in results.columns if c not in skip and not c.endswith(USED)]
    for k in others:
        rows[f"mean_{k}"] = g[k].mean()
        rows[f"var_{k}"] = g[k].var(ddof=1) if len(results) > len(rows) else 0.0
    return rows.reset_index()


def rows_with_nan(rows: pd.DataFrame) -> list[int]:
    """Design rows whose aggregates contain NaN (they must never reach an analysis)."""
    values = rows.drop(columns=["row"]).select_dtypes("number")
    bad = values.isna().any(axis=1)
    return rows.loc[bad, "row"].astype(int).tolist()


# ---------------------------------------------------------------- planning


def plan_chunks(n_rows: int, chunk_rows: int) -> list[tuple[int, ...]]:
    """The fixed partition of design rows into chunks."""
    return [tuple(range(s, min(s + chunk_rows, n_rows))) for s in range(0, n_rows, chunk_rows)]


def shard_chunks(n_chunks: int, shard: tuple[int, int] | None) -> list[int]:
    """Chunks of shard ``I/K`` (1-based I): every K-th chunk, so shards take similar loads."""
    if shard is None:
        return list(range(n_chunks))
    i, k = shard
    return [c for c in range(n_chunks) if c % k == i - 1]


def build_manifest(*, method: str, n: int, replicates: int, seed: int, problem: dict,
                   scenario: str | None, base: dict[str, Any], model: str | None,
                   second_order: bool, levels: int, values: dict | None, chunk_rows: int,
                   design: pd.DataFrame, run_seeds: list[int],
                   memory: int = WORKER_MEMORY, model_class: str | None = None,
                   model_source: str | None = None,
                   monthly: Sequence[str] | None = None,
                   worlds: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest of a new sweep, with its fingerprint and provenance.

    ``model_class`` and ``worlds`` (a design over plausible worlds) are recorded only when
    given, so that the fingerprints of other sweeps stay what they were.
    """
    from simulation.provenance import provenance

    manifest = {
        "format": FORMAT, "method": method, "n": n, "replicates": replicates, "seed": seed,
        "problem": problem, "scenario": scenario, "base": base, "model": model,
        "second_order": second_order, "levels": levels, "values": values,
        "chunk_rows": chunk_rows, "memory_per_worker": memory, "design_rows": len(design),
        "design_sha256": design_hash(design), "run_seeds": run_seeds,
        **provenance(), "command": command_line(),
    }
    if model_class is not None:
        manifest["model_class"] = model_class
        manifest["model_class_sha256"] = model_source
    if monthly:
        manifest["record"] = {"monthly": list(monthly)}
    if worlds:
        manifest["worlds"] = worlds
    if WORLD in design.columns:  # each world on its own seeds (run_seeds)
        manifest["world_seeds"] = WORLD_SEEDS
    manifest["provenance_sha256"] = provenance_hash(manifest)
    manifest["fingerprint"] = fingerprint(manifest)
    return manifest


def tasks_for(manifest: dict[str, Any], design: pd.DataFrame, chunks: Iterable[int]
              ) -> list[ChunkTask]:
    """The tasks of ``chunks``."""
    partition = plan_chunks(len(design), manifest["chunk_rows"])
    params = row_parameters(design, manifest["base"])
    cols = tuple(design.columns)
    values = design.to_numpy(float)
    return [ChunkTask(c, partition[c], tuple(params[r] for r in partition[c]),
                      tuple(tuple(values[r]) for r in partition[c]), cols,
                      tuple(manifest["run_seeds"]), manifest["model"],
                      int(manifest.get("memory_per_worker", WORKER_MEMORY)),
                      manifest.get("model_class"),
                      tuple(manifest.get("record", {}).get("monthly") or ())) for c in chunks]


# ---------------------------------------------------------------- execution


def execute(tasks: list[ChunkTask], on_done: Callable[[ChunkTask, pd.DataFrame], None],
            workers: int = 1, scheduler: str | None = None, progress: bool = True) -> None:
    """Run ``tasks`` and hand each finished chunk to ``on_done`` (in the calling process)."""
    from tqdm import tqdm

    total = sum(len(t.rows) * len(t.seeds) for t in tasks)
    bar = tqdm(total=total, unit="run", disable=not progress or total == 0, file=sys.stderr,
               desc="sweep", smoothing=0.05)

    def done(task: ChunkTask, df: pd.DataFrame) -> None:
        on_done(task, df)
        bar.update(len(task.rows) * len(task.seeds))

    try:
        if not tasks:
            return
        if scheduler:
            _execute_dask(tasks, done, scheduler)
        elif workers <= 1:
            for t in tasks:
                done(t, run_chunk(t))
        else:
            _execute_pool(tasks, done, workers)
    finally:
        bar.close()


def _execute_pool(tasks: list[ChunkTask], done: Callable, workers: int) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    from experiments.support.parallel import process_pool

    with process_pool(workers) as pool:
        pending: dict[Any, ChunkTask] = {}
        queue = list(tasks)
        # Keep a bounded number of chunks in flight so memory stays flat on huge designs.
        while queue or pending:
            while queue and len(pending) < 4 * workers:
                t = queue.pop(0)
                pending[pool.submit(run_chunk, t)] = t
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                done(pending.pop(f), f.result())


def _execute_dask(tasks: list[ChunkTask], done: Callable, scheduler: str) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise UserError("--scheduler needs dask.distributed: pip install 'phase0[distributed]'") \
            from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise UserError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
    try:
        by_key = {}
        futures = []
        for t in tasks:
            # pure=False: a chunk is cheap to identify but must run; retries cover lost workers
            f = client.submit(run_chunk, t, pure=False, retries=3, key=f"phase0-chunk-{t.index}"
                              f"-{time.time_ns()}")
            by_key[f.key] = t
            futures.append(f)
        for f in as_completed(futures):
            done(by_key[f.key], f.result())
    finally:
        client.close()


# ---------------------------------------------------------------- assembling


def assemble(folder: SweepFolder, manifest: dict[str, Any]) -> pd.DataFrame:
    """Join every chunk into results.parquet and the per-row table; return the rows."""
    design = folder.read_design()
    n_chunks = len(plan_chunks(len(design), manifest["chunk_rows"]))
    results = folder.read_chunks(list(range(n_chunks)))
    expected = len(design) * manifest["replicates"]
    if len(results) != expected:
        raise UserError(f"sweep holds {len(results)} runs, expected {expected}")
    rows = aggregate(results, [c for c in design.columns])
    if manifest["model"] is None:
        from experiments.support.models import load_model_class

        load_model_class(manifest.get("model_class"))  # its parameters, for the used values
        results = add_used_values(results, design, manifest["base"])
    bad = rows_with_nan(rows)
    if bad:
        shown = ", ".join(map(str, bad[:20])) + (" ..." if len(bad) > 20 else "")
        raise UserError(f"{len(bad)} design row(s) produced NaN outputs (rows {shown}); their "
                        "runs are kept in chunks/ but no per-row table was written")
    atomic_write_parquet(with_manifest(results, manifest), folder.path / RESULTS)
    atomic_write_parquet(with_manifest(rows, manifest), folder.path / ROWS)
    atomic_write_text(rows.to_csv(index=False), folder.path / "rows.csv")
    if manifest.get("record", {}).get("monthly"):
        folder.join_monthly(n_chunks, manifest, folder.path / MONTHLY)
    return rows


def default_chunk_rows(replicates: int, bytes_per_run: int = 0,
                       memory: int = WORKER_MEMORY) -> int:
    """Design rows per chunk, sized by the model's state: as many runs as ``memory`` holds.

    At most about TARGET_RUNS_PER_CHUNK runs; fewer when each run's state (``bytes_per_run``,
    the largest in the design) would take a chunk over ``memory``.
    """
    runs = TARGET_RUNS_PER_CHUNK
    if bytes_per_run > 0:
        runs = max(1, min(runs, int(memory) // bytes_per_run))
    return max(1, runs // replicates) if runs >= replicates else 1


def largest_run_bytes(design: pd.DataFrame, base: dict[str, Any]) -> int:
    """Bytes of model state of the largest run in a phase0 design (state grows with structure)."""
    from simulation.network import state_bytes
    from simulation.parameters import names, resolve

    grow = [c for c in design.columns if c in set(names("structure")) | {"horizon_months"}]
    corner = design.head(1).copy()
    for c in grow:
        corner[c] = design[c].max()
    return state_bytes(resolve(row_parameters(corner, base)[0]))

