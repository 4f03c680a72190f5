"""Start, resume, shard, merge and reproduce sweeps."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.sweep import design as designs
from experiments.research.sweep import worlds as sweep_worlds
from experiments.research.sweep.engine import (
    WORKER_MEMORY,
    assemble,
    build_manifest,
    default_chunk_rows,
    execute,
    largest_run_bytes,
    plan_chunks,
    shard_chunks,
    tasks_for,
)
from experiments.research.sweep.lock import locked
from experiments.research.sweep.storage import (
    DESIGN,
    MONTHLY,
    RESULTS,
    ROWS,
    SweepFolder,
    design_hash,
)
from experiments.research.worlds import scenario_in_worlds
from experiments.support.models import load_model_class
from experiments.support.outputs import UserError


def new_sweep(out: Path, *, method: str, n: int, replicates: int, seed: int,
              params: Sequence[str] | None, scenario: str | None, model: str | None,
              problem_file: str | None, second_order: bool, levels: int,
              values: Mapping[str, Sequence[float]] | None,
              chunk_rows: int | None, seed_set: int = 1,
              table: pd.DataFrame | None = None,
              memory: int = WORKER_MEMORY,
              model_class: str | type | None = None,
              record: str | None = None, parameter_sets: str | None = None,
              max_sets: int = 0, world_ids: Sequence[int] | None = None
              ) -> tuple[SweepFolder, dict[str, Any]]:
    """Describe a sweep (design, seeds, base parameters) without running anything.

    With ``method="table"``, ``table`` is the design itself: one row per design point.
    ``model_class`` (a PhaseZeroModel subclass or ``module:Class``) runs the subclass's month;
    the manifest records it, and the sweep's workers import it from there (as they do
    ``--model``): the command line named it. ``record`` ``"monthly"`` or
    ``"monthly:M1,M2"`` also keeps those metrics every month (``monthly.parquet``).
    ``parameter_sets`` other than 'defaults' joins every row of an LHS design (of the levers,
    unless ``params`` says otherwise) with one plausible world (:mod:`.worlds`).
    ``world_ids`` (a table whose row ``i`` holds world ``world_ids[i mod n]``'s values, as the
    funding explorer builds) adds the ``world`` column, so each world runs on its own seeds.
    """
    from experiments.research.sweep.outputs import parse_record

    monthly = parse_record(record)
    from experiments.research.compare import common_seeds

    if replicates < 1:
        raise UserError(f"--replicates must be at least 1, got {replicates}")
    if seed_set < 1:
        raise UserError(f"--seed-set must be at least 1, got {seed_set}")
    if sweep_worlds.wanted(parameter_sets):
        sweep_worlds.check_method(method, model)
        params = params or sweep_worlds.levers()
    extra = designs.read_problem_file(problem_file) if problem_file else None
    if model is None and extra:
        unknown = [k for k in extra if k not in designs.REGISTRY]
        if unknown:
            raise UserError(f"the phase0 model has no parameter(s) {unknown}; use --model for "
                            "another model")
    from experiments.support.models import source_hash

    cls, class_name = load_model_class(model_class)  # imported now: registers its parameters
    if class_name is not None and model is not None:
        raise UserError("give --model (another model) or --model-class (a phase0 subclass), "
                        "not both")
    if monthly and model is not None:
        raise UserError("--record monthly records the phase0 model's metrics; --model has none")
    if model is not None:
        from experiments.research.sweep.engine import load_model

        load_model(model)  # fail early, before any folder is made
        if not extra and not params:
            raise UserError("--model needs --problem FILE naming its parameters and bounds")
        base: dict[str, Any] = {}
        scenario_name = None
    else:
        from experiments.support.scenarios import load_scenario

        sc = load_scenario(scenario or "tpn_baseline")
        base, scenario_name = dict(sc.params), sc.name
        if sweep_worlds.wanted(parameter_sets):
            ids, worlds = sweep_worlds.load(parameter_sets, max_sets,
                                            scenario_in_worlds(sc.overrides), params)
        for name in cls.parameters if cls is not None else ():  # the class's own, at defaults
            base.setdefault(name, designs.REGISTRY[name].default)
    if method == "table":
        if table is None or model is not None:
            raise UserError("method 'table' needs --design FILE.csv (and works on phase0 only)")
        table = designs.numeric_table(table)  # every cell checked as --set checks a value
        problem = designs.table_problem(table)
    else:
        problem = designs.build_problem(params, extra)
    design = designs.sample(problem, method, n, seed, second_order=second_order,
                            levels=levels, values=values, table=table)
    joined = None
    if world_ids is not None:
        if method != "table":
            raise ValueError("world_ids go with a table design")
        design[designs.WORLD] = np.asarray(world_ids, float)[np.arange(len(design))
                                                             % len(world_ids)]
    if sweep_worlds.wanted(parameter_sets):
        design = sweep_worlds.join(design, ids, worlds)
        joined = sweep_worlds.record(parameter_sets, max_sets, ids, worlds, len(design))
    if model is None:  # validate before anything runs (every distinct row of a table)
        from simulation.parameters import ParameterError, resolve

        check = (design.drop_duplicates() if method == "table" else
                 design.head(len(ids)) if joined else design.head(1))  # each world once
        for row in designs.row_parameters(check, base):
            try:
                resolve(row)
            except ParameterError as exc:
                raise UserError(str(exc)) from None
    if memory < 2**20:
        raise UserError(f"--memory-per-worker must be at least 0.001 GB, got {memory / 2**30:g}")
    per_run = largest_run_bytes(design, base) if model is None else 0
    rows_per_chunk = chunk_rows or default_chunk_rows(replicates, per_run, memory)
    manifest = build_manifest(
        method=method, n=n, replicates=replicates, seed=seed, problem=problem.as_dict(),
        scenario=scenario_name, base=base, model=model, second_order=second_order,
        levels=levels, values={k: list(v) for k, v in (values or {}).items()} or None,
        chunk_rows=rows_per_chunk, design=design, memory=int(memory),
        run_seeds=common_seeds(seed, replicates, seed_set), model_class=class_name,
        model_source=source_hash(cls) if cls is not None else None, monthly=monthly,
        worlds=joined)
    return SweepFolder(out), {"manifest": manifest, "design": design}


def run_sweep(folder: SweepFolder, planned: dict[str, Any], *, resume: bool, workers: int,
              scheduler: str | None, shard: tuple[int, int] | None,
              progress: bool = True) -> dict[str, Any]:
    """Create or resume the sweep in ``folder`` and run what is missing. Returns a report."""
    manifest = planned["manifest"]
    if manifest["model"] is None:
        # compile (or load) the engine here, once, before any worker needs it
        from simulation.network import warm_engine

        warm_engine()
    if folder.exists():
        existing = folder.read_manifest()
        if existing["fingerprint"] != manifest["fingerprint"]:
            raise UserError(f"'{folder.path}' holds a different sweep (method "
                            f"{existing['method']}, n {existing['n']}, replicates "
                            f"{existing['replicates']}); refusing to overwrite it")
        if not resume:
            raise UserError(f"'{folder.path}' already holds this sweep; use --resume to finish "
                            "it (finished chunks are kept, missing ones run)")
        manifest = existing
    else:
        try:
            folder.create(manifest, planned["design"])
        except OSError:
            if not folder.exists():
                raise
            raise UserError(f"'{folder.path}' was created by another phase0 process meanwhile; "
                            "let it finish, or run the same command with --resume once it has "
                            "stopped") from None
    with locked(folder.path):
        return _run_locked(folder, manifest, workers, scheduler, shard, progress)


def _run_locked(folder: SweepFolder, manifest: dict[str, Any], workers: int,
                scheduler: str | None, shard: tuple[int, int] | None,
                progress: bool) -> dict[str, Any]:
    # only the lock's holder may clear half-written files: another's may be in flight
    folder.clean_temporaries()
    design = checked_design(folder, manifest)
    n_chunks = len(plan_chunks(len(design), manifest["chunk_rows"]))
    mine = shard_chunks(n_chunks, shard)
    done = folder.finished_chunks(manifest)
    todo = [c for c in mine if c not in done]
    tasks = tasks_for(manifest, design, todo)
    execute(tasks, lambda t, df: folder.write_chunk(t.index, df, manifest), workers, scheduler,
            progress)
    done = folder.finished_chunks(manifest)
    report = {"chunks": n_chunks, "ran": len(todo), "runs": sum(
        len(t.rows) * len(t.seeds) for t in tasks), "complete": len(done) == n_chunks}
    if report["complete"] and (todo or not assembled(folder, manifest)):
        assemble(folder, manifest)
    return report


def checked_design(folder: SweepFolder, manifest: dict[str, Any]) -> pd.DataFrame:
    """The folder's design, refused unless it is the one the manifest's hash records."""
    design = folder.read_design()
    if design_hash(design) != manifest["design_sha256"]:
        raise UserError(f"'{folder.path / DESIGN}' does not match the manifest's design_sha256 "
                        "(edited or damaged); run the sweep again into a new folder")
    return design


def assembled(folder: SweepFolder, manifest: dict[str, Any]) -> bool:
    """Whether every file assembling writes is there (one deleted is written again)."""
    names = [RESULTS, ROWS, "rows.csv"] + ([MONTHLY] if manifest.get("record") else [])
    return all((folder.path / n).exists() for n in names)


def trusted_code(manifest: dict[str, Any], option: str, given: str | None,
                 name_of: Callable[[str], str]) -> None:
    """Accept the code a sweep's manifest names only when the command line names it again.

    A manifest is a file anyone can write (its fingerprint can be recomputed), so the code it
    names is never imported on its word: the user names it again with ``option`` (``--model``
    or ``--model-class``, the manifest key without the dashes), and what they name is loaded
    (their choice) by ``name_of`` and compared with the recorded name.
    """
    recorded = manifest.get(option.removeprefix("--").replace("-", "_"))
    if recorded is None:
        if given:
            raise UserError(f"this sweep ran the phase0 model itself; drop {option}")
        return
    if not given:
        raise UserError(f"this sweep ran '{recorded}' named in its manifest; phase0 imports no "
                        f"code because a results file names it: if you trust that code, pass "
                        f"{option} {recorded}")
    name = name_of(given)
    if name != recorded:
        raise UserError(f"{option} {given} ('{name}') is not the model this sweep ran "
                        f"('{recorded}'); pass {option} {recorded} if you trust it")


def trusted_model_class(manifest: dict[str, Any], model_class: str | None) -> None:
    """:func:`trusted_code` for ``--model-class`` (compared by the class's recorded name)."""
    trusted_code(manifest, "--model-class", model_class,
                 lambda given: load_model_class(given)[1])


def trusted_model(manifest: dict[str, Any], model: str | None) -> None:
    """:func:`trusted_code` for ``--model`` (loaded now: a clear error here, not in a worker)."""
    from experiments.research.sweep.engine import load_model

    def name_of(given: str) -> str:
        if given.strip() == manifest.get("model"):
            load_model(given)
        return given.strip()

    trusted_code(manifest, "--model", model, name_of)


def merge(sources: Sequence[Path], out: Path, model_class: str | None = None) -> dict[str, Any]:
    """Join shard folders of one sweep into ``out`` and assemble it when complete.

    A sweep of a model class is assembled with that class's parameters, so the class is
    imported: only when ``model_class`` names it again (:func:`trusted_model_class`).
    """
    if not sources:
        raise UserError("--merge needs the shard folders to join")
    folders = [SweepFolder(Path(s)) for s in sources]
    manifests = [f.read_manifest() for f in folders]
    prints = {m["fingerprint"] for m in manifests}
    if len(prints) != 1:
        raise UserError("the folders hold different sweeps; only shards of one sweep merge")
    manifest = manifests[0]
    trusted_model_class(manifest, model_class)
    target = SweepFolder(Path(out))
    if target.exists():
        if target.read_manifest()["fingerprint"] != manifest["fingerprint"]:
            raise UserError(f"'{out}' holds a different sweep; refusing to overwrite it")
    else:
        target.create(manifest, checked_design(folders[0], manifest))
    with locked(target.path):
        return _merge_locked(folders, target, manifest)


def _merge_locked(folders: list[SweepFolder], target: SweepFolder,
                  manifest: dict[str, Any]) -> dict[str, Any]:
    have = target.finished_chunks(manifest)
    for f in folders:
        if f.path.resolve() == target.path.resolve():
            continue
        for c in sorted(f.finished_chunks(manifest) - have):
            if f.monthly_path(c).exists():  # before its chunk, as a run writes them
                tmp = target.chunk_dir / f".monthly-{c:06d}.parquet.tmp-merge"
                shutil.copyfile(f.monthly_path(c), tmp)
                tmp.replace(target.monthly_path(c))
            tmp = target.chunk_dir / f".chunk-{c:06d}.parquet.tmp-merge"
            shutil.copyfile(f.chunk_path(c), tmp)
            tmp.replace(target.chunk_path(c))
            have.add(c)
    n_chunks = len(plan_chunks(manifest["design_rows"], manifest["chunk_rows"]))
    missing = sorted(set(range(n_chunks)) - have)
    if not missing:
        assemble(target, manifest)
    return {"chunks": n_chunks, "missing": missing}
