"""Reproduce a finished sweep: re-run its whole design and check every file and hash it holds.

``phase0 reproduce`` answers "would these files come out again?". It checks, and reports each
failure by name:

- the manifest's recorded hashes: its fingerprint, its ``provenance_sha256`` and the
  ``design_sha256`` of ``design.parquet``; and that the design follows from the manifest
  (method, n, seed, problem) for every method but ``table``, and, over plausible worlds, that
  row i holds world i mod count and the worlds are those the manifest's hash records;
- every design row re-run with the recorded seeds, and present in ``results.parquet`` exactly
  once per replicate (no row missing, doubled or foreign), equal value for value;
- the chunks in ``chunks/`` against the same runs;
- ``rows.parquet`` and ``rows.csv`` (what ``phase0 analyze`` reads) against the per-row table
  derived again from the runs, and ``monthly.parquet`` when the sweep recorded one.

Where the code or packages differ from those recorded, or the worlds' source now holds other
worlds, it says so in notes: results may still match, and when they do not, that is the first
place to look.

A sweep of another model (``--model``) or of a model class runs that code again: it is imported
only when the user names it again and it matches the manifest's, never because a results file
names it (anyone can write one, and its fingerprint can be recomputed).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.research.sweep import design as designs
from experiments.research.sweep import worlds as sweep_worlds
from experiments.research.sweep.engine import aggregate, execute, plan_chunks, tasks_for
from experiments.research.sweep.outputs import add_used_values, parse_record
from experiments.research.sweep.run import trusted_model, trusted_model_class
from experiments.research.sweep.storage import (
    DESIGN,
    MONTHLY,
    RECOVER,
    RESULTS,
    ROWS,
    SweepFolder,
    altered,
    design_hash,
    read_parquet_file,
)
from experiments.support.outputs import UserError

KEYS = ["row", "replicate"]


def reproduce(path: Path, workers: int = 1, progress: bool = True, model: str | None = None,
              model_class: str | None = None) -> dict[str, Any]:
    """Re-run a finished sweep and check it; returns rows, failures, mismatched rows and notes.

    Raises UserError when the folder cannot be checked at all (missing, not a sweep, not
    finished, a file damaged, a model not named again).
    """
    folder = SweepFolder(Path(path))
    manifest = folder.read_manifest(verify=False)
    failures = [f"manifest.json has been altered: {p}" for p in altered(manifest)]
    trusted_model(manifest, model)
    trusted_model_class(manifest, model_class)
    if manifest.get("model_class"):
        from experiments.support.models import load_model_class, source_hash

        cls, _ = load_model_class(model_class)
        if manifest.get("model_class_sha256") not in (None, source_hash(cls)):
            failures.append(f"the source of {manifest['model_class']} differs from the one "
                            "the sweep ran (model_class_sha256)")
    recorded = (manifest.get("record") or {}).get("monthly") or []
    monthly = parse_record("monthly:" + ",".join(map(str, recorded))) if recorded else None
    for name in (RESULTS, ROWS):
        if not (folder.path / name).exists():
            raise UserError(f"'{path}' is not a finished sweep (no {name}); resume it first "
                            "with the same sweep command and --resume")
    design = folder.read_design()
    failures += design_failures(manifest, design)
    fresh_chunks: list[pd.DataFrame] = []
    fresh_monthly: dict[int, pd.DataFrame] = {}

    def keep(task: Any, df: pd.DataFrame) -> None:
        if "monthly" in df.attrs:  # apart, as a run writes it: concat cannot compare attrs
            fresh_monthly[task.index] = df.attrs.pop("monthly")
        fresh_chunks.append(df)

    execute(tasks_for(manifest, design, range(len(plan_chunks(len(design),
                                                              manifest["chunk_rows"])))),
            keep, workers, None, progress)
    raw = pd.concat(fresh_chunks, ignore_index=True).sort_values(KEYS, kind="stable") \
        .reset_index(drop=True)
    fresh = add_used_values(raw, design, manifest["base"]) if manifest["model"] is None else raw
    stored = read_parquet_file(folder.path / RESULTS, RECOVER["assembled"])
    problems, mismatched = compare_runs(stored, fresh, RESULTS)
    failures += problems
    failures += chunk_failures(folder, manifest, raw)
    rows = aggregate(raw, list(design.columns))
    failures += table_failures(read_parquet_file(folder.path / ROWS, RECOVER["assembled"]),
                               rows, ROWS)
    csv = folder.path / "rows.csv"
    if not csv.is_file() or csv.read_text() != rows.to_csv(index=False):
        failures.append("rows.csv is missing or differs from the per-row table derived from "
                        "the runs")
    if monthly:
        again = pd.concat([fresh_monthly[i] for i in sorted(fresh_monthly)], ignore_index=True)
        failures += table_failures(read_parquet_file(folder.path / MONTHLY,
                                                     RECOVER["assembled"]), again, MONTHLY)
    return {"rows": len(design), "failures": failures, "mismatched": mismatched,
            "notes": provenance_notes(manifest)}


def design_failures(manifest: dict[str, Any], design: pd.DataFrame) -> list[str]:
    """How ``design.parquet`` departs from the manifest's hash, size, names and method."""
    out = []
    if design_hash(design) != manifest["design_sha256"]:
        out.append(f"{DESIGN} does not match the manifest's design_sha256")
    if len(design) != manifest["design_rows"]:
        out.append(f"{DESIGN} has {len(design)} rows, the manifest records "
                   f"{manifest['design_rows']}")
    names = manifest["problem"]["names"]
    if list(design.columns) != sweep_worlds.columns(manifest):
        out.append(f"{DESIGN} columns {list(design.columns)} are not the manifest's "
                   f"{sweep_worlds.columns(manifest)}")
    elif manifest["method"] != "table":  # a table comes from the user, nothing to derive
        problem = designs.Problem(tuple(names),
                                  tuple(tuple(b) for b in manifest["problem"]["bounds"]))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                again = designs.sample(problem, manifest["method"], manifest["n"],
                                       manifest["seed"], second_order=manifest["second_order"],
                                       levels=manifest["levels"], values=manifest["values"])
        except Exception as exc:  # a manifest whose method cannot sample: say so
            out.append(f"the design cannot be derived from the manifest ({exc})")
        else:
            if manifest.get("worlds"):  # the levers sampled, each row joined with its world
                out += sweep_worlds.failures(manifest, design, again)
            elif design_hash(again) != design_hash(design):
                out.append(f"{DESIGN} does not follow from the manifest's method, n, seed and "
                           "problem")
    return out


def compare_runs(stored: pd.DataFrame, fresh: pd.DataFrame, name: str
                 ) -> tuple[list[str], list[int]]:
    """Failures of a stored per-run table against the fresh runs, and the rows that differ."""
    if not set(KEYS) <= set(stored.columns):
        return [f"{name} has no row and replicate columns"], []
    out = []
    counts = stored.groupby(KEYS, sort=False).size()
    expected = pd.MultiIndex.from_frame(fresh[KEYS])
    missing = expected.difference(counts.index)
    doubled = counts[counts > 1].index
    foreign = counts.index.difference(expected)
    for what, keys in (("missing from", missing), ("more than once in", doubled)):
        if len(keys):
            rows = sorted({int(r) for r in keys.get_level_values("row")})
            out.append(f"{len(rows)} design row(s) {_list(rows)} {what} {name}")
    if len(foreign):
        out.append(f"{len(foreign)} run(s) in {name} are not in the design (rows "
                   f"{_list(sorted({str(r) for r in foreign.get_level_values('row')}))})")
    missing_cols = [c for c in fresh.columns if c not in stored.columns]
    extra_cols = [c for c in stored.columns if c not in fresh.columns]
    if missing_cols or extra_cols:
        out.append(f"{name} columns differ: missing {missing_cols}, unexpected {extra_cols}")
    once = stored[~stored.duplicated(KEYS, keep=False)].set_index(KEYS)
    once = once.loc[once.index.intersection(expected)]
    ref = fresh.set_index(KEYS).reindex(once.index)
    bad = pd.Series(False, index=once.index)
    for c in once.columns.intersection(ref.columns):
        a, b = once[c], ref[c]
        try:
            same = (a == b).fillna(False).astype(bool) | (a.isna() & b.isna())
        except (TypeError, ValueError):  # types that do not compare: every run differs
            same = pd.Series(False, index=a.index)
        if str(a.dtype) != str(b.dtype):
            out.append(f"{name} column '{c}' is {a.dtype}, a fresh run gives {b.dtype}")
        bad |= ~same
    mismatched = sorted({int(r) for r in once.index[bad.to_numpy()].get_level_values("row")})
    if mismatched:
        out.append(f"{len(mismatched)} of {expected.get_level_values('row').nunique()} design "
                   f"rows differ in {name}: {_list(mismatched)}")
    return out, mismatched


def chunk_failures(folder: SweepFolder, manifest: dict[str, Any], raw: pd.DataFrame
                   ) -> list[str]:
    """The chunks on disk against the fresh runs (a finished sweep keeps every chunk).

    Each chunk records the fingerprint of the manifest it was written under; one that records
    another says the manifest was edited afterwards (its fingerprint recomputed).
    """
    n_chunks = len(plan_chunks(manifest["design_rows"], manifest["chunk_rows"]))
    out = recorded_fingerprints(manifest, folder.path, [RESULTS, ROWS])
    have, foreign = set(), []
    for p in sorted(folder.chunk_dir.glob("chunk-*.parquet")):
        index = p.stem.split("-")[1]
        if not index.isdigit() or int(index) >= n_chunks:
            out.append(f"'{p.name}' in chunks/ is not a chunk of this design")
            continue
        if _fingerprint_of(p) != manifest["fingerprint"]:
            foreign.append(p.name)
        have.add(int(index))
    if foreign:
        out.append(f"{len(foreign)} chunk(s) ({_list(foreign, 3)}) record another fingerprint "
                   "than manifest.json's (the manifest was edited after they were written)")
    missing = sorted(set(range(n_chunks)) - have)
    if missing:
        out.append(f"chunks {_list(missing)} are missing from chunks/")
    if have:
        problems, _ = compare_runs(folder.read_chunks(sorted(have)), raw, "chunks/")
        # the rows of missing chunks are missing from chunks/: said once above
        out += [p for p in problems if not (missing and "missing from chunks/" in p)]
    return out


def _fingerprint_of(path: Path) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as exc:
        raise UserError(f"'{path}' is truncated or corrupt ({exc}); "
                        f"{RECOVER['chunk' if path.parent.name == 'chunks' else 'assembled']}"
                        ) from None
    return meta.get(b"phase0_fingerprint", b"").decode(errors="replace")


def recorded_fingerprints(manifest: dict[str, Any], path: Path, names: list[str]) -> list[str]:
    """Files among ``names`` whose recorded fingerprint is not the manifest's."""
    return [f"{n} records another fingerprint than manifest.json's" for n in names
            if _fingerprint_of(path / n) != manifest["fingerprint"]]


def table_failures(stored: pd.DataFrame, again: pd.DataFrame, name: str) -> list[str]:
    """How a stored derived table departs from the one derived again from the runs."""
    if list(stored.columns) != list(again.columns):
        return [f"{name} columns differ from those derived from the runs"]
    if len(stored) != len(again):
        return [f"{name} has {len(stored)} rows, the runs give {len(again)}"]
    differ = []
    for c in again.columns:
        a, b = stored[c].reset_index(drop=True), again[c].reset_index(drop=True)
        same = (a.astype(object) == b.astype(object)) | (a.isna() & b.isna())
        if str(a.dtype) != str(b.dtype) or not bool(same.all()):
            differ.append(f"'{c}' ({int((~same).sum())} rows)")
    if differ:
        return [f"{name} differs from the table derived from the runs in column(s) "
                f"{', '.join(differ[:10])}{' ...' if len(differ) > 10 else ''}"]
    return []


def provenance_notes(manifest: dict[str, Any]) -> list[str]:
    """Where this code and these packages differ from those the sweep recorded."""
    from simulation.provenance import provenance

    now = provenance()
    notes = sweep_worlds.source_note(manifest)
    if manifest.get("code_version") != now["code_version"]:
        notes.append(f"the sweep was run with code {manifest.get('code_version')}, this is "
                     f"{now['code_version']}")
    recorded = manifest.get("packages") if isinstance(manifest.get("packages"), dict) else {}
    for pkg, version in now["packages"].items():
        if recorded.get(pkg) != version:
            notes.append(f"the sweep recorded {pkg} {recorded.get(pkg)}, this is {version}")
    return notes


def _list(items: list, limit: int = 20) -> str:
    shown = ", ".join(map(str, items[:limit]))
    return shown + (" ..." if len(items) > limit else "")
