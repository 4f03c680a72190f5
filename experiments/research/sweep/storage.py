"""A sweep folder on disk: manifest, design, Parquet chunks written with atomic renames.

Layout::

    manifest.json          what the sweep is (design, method, seeds, parameters, versions)
    design.parquet         one row per design point: row id and parameter values
    chunks/chunk-NNNNNN.parquet
                           per-run results of a fixed block of design rows, with their row ids,
                           parameters and seeds, and the manifest in the file metadata
    results.parquet        every run, in design order (when the sweep is complete)
    rows.parquet, rows.csv per design row: restricted mean times, probabilities, means and
                           variances (when the sweep is complete)

A chunk is written to a hidden temporary file and renamed into place, so a chunk file either
exists complete or not at all: a sweep killed at any moment (even ``kill -9``) resumes by running
exactly the chunks that are missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.support.outputs import MARKER, UserError, atomic_folder, remove_folder

FORMAT = "phase0-sweep/1"
MANIFEST, DESIGN, CHUNKS = "manifest.json", "design.parquet", "chunks"
RESULTS, ROWS, MONTHLY = "results.parquet", "rows.parquet", "monthly.parquet"

#: Manifest fields that define a sweep: two folders with the same values hold the same sweep.
DEFINING = ("format", "method", "n", "replicates", "seed", "problem", "scenario", "base",
            "model", "second_order", "levels", "values", "chunk_rows", "design_sha256",
            "run_seeds")


def fingerprint(manifest: dict[str, Any]) -> str:
    """Hash of the fields that define a sweep (not the shard, the versions or the command).

    A model class defines the sweep too; it enters the hash only when there is one, so the
    fingerprints of sweeps of the model itself are unchanged.
    """
    core = {k: manifest.get(k) for k in DEFINING}
    # only when set, so that the fingerprints of older sweeps stand
    for optional in ("model_class", "model_class_sha256", "record", "world_seeds"):
        if manifest.get(optional):
            core[optional] = manifest[optional]
    if manifest.get("worlds"):  # not the source's name: it depends on the working folder
        core["worlds"] = {k: v for k, v in manifest["worlds"].items() if k != "source"}
    return hashlib.sha256(json.dumps(core, sort_keys=True, default=str).encode()).hexdigest()


#: Provenance fields: how a sweep was made, not what it is (see :func:`provenance_hash`).
PROVENANCE = ("code_version", "packages")


def provenance_hash(manifest: dict[str, Any]) -> str:
    """Hash of the provenance fields (code version and package versions).

    Kept apart from :func:`fingerprint` on purpose: the fingerprint says which sweep a folder
    holds, and resuming or merging compares it with what the command line plans. Were the code
    version in it, every commit or package upgrade would turn an interrupted sweep into "a
    different sweep" that cannot be resumed, and every existing folder's fingerprint would
    change. This hash instead lets every reader tell an edited provenance from the recorded one,
    and ``phase0 reproduce`` reports where the code or packages differ from those recorded.
    """
    core = {k: manifest.get(k) for k in PROVENANCE}
    return hashlib.sha256(json.dumps(core, sort_keys=True, default=str).encode()).hexdigest()


def design_hash(design: pd.DataFrame) -> str:
    """Hash of the design matrix's values and column names."""
    h = hashlib.sha256(json.dumps(list(design.columns)).encode())
    h.update(design.to_numpy(dtype="float64").tobytes())
    return h.hexdigest()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def read_parquet_file(path: Path, recover: str) -> pd.DataFrame:
    """A Parquet file of a sweep folder, or a one-line UserError naming it and ``recover``.

    A file cut short (a full disk, a copy that stopped) or damaged raises Arrow or OS errors
    deep in the reader; the user needs the file's name and what to do instead. Files this tool
    writes carry a CRC per page, checked here: damage inside the data, which would otherwise
    decode silently into other numbers, is refused too (pages without one are read as they are).
    """
    if not path.is_file():
        raise UserError(f"'{path}' is missing; {recover}")
    try:
        return pq.read_table(path, page_checksum_verification=True).to_pandas()
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise UserError(f"'{path}' is truncated or corrupt ({_first_line(exc)}); "
                        f"{recover}") from None


#: What to do about a damaged file, by file.
RECOVER = {
    "chunk": "delete it and run the same sweep command with --resume to run that chunk again",
    "design": "the sweep cannot be resumed or checked; run it again into a new folder",
    "assembled": "delete it and run the same sweep command with --resume to assemble it "
                 "again from the chunks",
    "manifest": "the sweep cannot be resumed or checked; run it again into a new folder",
}


def _shareable(fd: int) -> None:
    # mkstemp makes a private file; results are meant to be shared like any new file.
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)


def atomic_write_parquet(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    _shareable(fd)
    os.close(fd)
    try:
        pq.write_table(table, tmp, write_page_checksum=True)  # see read_parquet_file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(text: str, path: Path) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    _shareable(fd)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def with_manifest(df: pd.DataFrame, manifest: dict[str, Any]) -> pa.Table:
    """``df`` as an Arrow table whose metadata carries the manifest and its fingerprint."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"phase0_manifest"] = json.dumps(manifest, default=str).encode()
    meta[b"phase0_fingerprint"] = manifest["fingerprint"].encode()
    return table.replace_schema_metadata(meta)


def _is_int(x: Any, low: int = 0) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= low


def check_fields(manifest: dict[str, Any], path: Path) -> None:
    """Refuse a manifest whose fields the code relies on have the wrong shape.

    A fingerprint is a checksum anyone can recompute, so an edited manifest can pass it: the
    fields are checked before any of them sizes a loop, names a file or reaches a model.
    """
    problem = manifest.get("problem")
    names = problem.get("names") if isinstance(problem, dict) else None
    bounds = problem.get("bounds") if isinstance(problem, dict) else None
    seeds = manifest.get("run_seeds")
    checks = {
        "method": manifest.get("method") in ("sobol", "morris", "lhs", "grid", "table"),
        "n": _is_int(manifest.get("n")), "seed": _is_int(manifest.get("seed")),
        "replicates": _is_int(manifest.get("replicates"), 1),
        "levels": _is_int(manifest.get("levels")),
        "chunk_rows": _is_int(manifest.get("chunk_rows"), 1),
        "design_rows": _is_int(manifest.get("design_rows")),
        "memory_per_worker": _is_int(manifest.get("memory_per_worker", 2**20), 2**20),
        "problem": (isinstance(names, list) and all(isinstance(n, str) for n in names)
                    and isinstance(bounds, list) and len(bounds) == len(names)
                    and all(isinstance(b, list) and len(b) == 2 for b in bounds)),
        "base": isinstance(manifest.get("base"), dict),
        "run_seeds": (isinstance(seeds, list) and all(_is_int(x) for x in seeds)
                      and len(seeds) == manifest.get("replicates")),
        "model": manifest.get("model") is None or isinstance(manifest.get("model"), str),
        "model_class": (manifest.get("model_class") is None
                        or isinstance(manifest.get("model_class"), str)),
        "design_sha256": isinstance(manifest.get("design_sha256"), str),
    }
    bad = [k for k, ok in checks.items() if not ok]
    if bad:
        raise UserError(f"'{path}' has invalid field(s) {', '.join(bad)} (edited or damaged); "
                        f"{RECOVER['manifest']}")


def altered(manifest: dict[str, Any]) -> list[str]:
    """Every recorded hash of the manifest that no longer matches its fields."""
    out = []
    if fingerprint(manifest) != manifest["fingerprint"]:
        out.append("its fingerprint does not match its fields")
    if "provenance_sha256" in manifest and provenance_hash(manifest) != manifest[
            "provenance_sha256"]:
        out.append("its provenance_sha256 does not match its code_version and packages")
    return out


class SweepFolder:
    """Access to one sweep folder."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def chunk_dir(self) -> Path:
        """Where the chunks live."""
        return self.path / CHUNKS

    def chunk_path(self, index: int) -> Path:
        """Where chunk ``index`` lives."""
        return self.chunk_dir / f"chunk-{index:06d}.parquet"

    def exists(self) -> bool:
        """Whether the folder exists and holds anything."""
        return self.path.is_dir() and any(self.path.iterdir())

    def read_manifest(self, verify: bool = True) -> dict[str, Any]:
        """The manifest, or a clear refusal when the folder is not a phase0 sweep.

        ``verify`` False returns a well-formed manifest whose hashes do not match its fields
        (``phase0 reproduce`` reports that as a failed check rather than stopping).
        """
        path = self.path / MANIFEST
        if not self.path.is_dir():
            raise UserError(f"no sweep folder '{self.path}' (it does not exist)")
        if not path.exists():
            raise UserError(f"'{self.path}' holds no phase0 sweep (no manifest.json); "
                            "refusing to touch it")
        try:
            manifest = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise UserError(f"'{path}' is unreadable or corrupt ({_first_line(exc)}); "
                            f"{RECOVER['manifest']}") from None
        if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
                or not isinstance(manifest.get("fingerprint"), str)):
            raise UserError(f"'{self.path}' holds something other than a {FORMAT} sweep")
        check_fields(manifest, path)
        if verify:
            for problem in altered(manifest):
                raise UserError(f"'{path}' has been altered: {problem}")
        return manifest

    def read_finished(self, table: str = ROWS) -> tuple[dict[str, Any], pd.DataFrame]:
        """The manifest and one finished table (``rows.parquet`` or ``results.parquet``).

        A clear refusal when the folder is not a sweep or the sweep is not finished.
        """
        if self.path.is_dir() and not (self.path / MANIFEST).exists():
            raise UserError(f"'{self.path}' is not a phase0 sweep folder (no manifest.json)")
        manifest = self.read_manifest()
        if not (self.path / table).exists():
            raise UserError(f"the sweep in '{self.path}' is not finished (no {table}); resume "
                            "it with 'phase0 sweep ... --resume' or join its shards with --merge")
        return manifest, read_parquet_file(self.path / table, RECOVER["assembled"])

    def create(self, manifest: dict[str, Any], design: pd.DataFrame) -> None:
        """Create the folder with its manifest and design, atomically.

        Written as every result folder is (:func:`~experiments.support.outputs.atomic_folder`):
        only where there is nothing or an empty folder, and the manifest carries phase0's
        marker, so that ``explore --fresh`` can tell the folder is one phase0 wrote.
        """
        with atomic_folder(self.path) as tmp:
            (tmp / CHUNKS).mkdir()
            pq.write_table(with_manifest(design, manifest), tmp / DESIGN)
            (tmp / MANIFEST).write_text(json.dumps({**MARKER, **manifest}, indent=2,
                                                   default=str) + "\n")

    def read_design(self) -> pd.DataFrame:
        """The design matrix."""
        return read_parquet_file(self.path / DESIGN, RECOVER["design"])

    def clean_temporaries(self) -> None:
        """Remove half-written temporary files left by an interrupted run."""
        for p in list(self.chunk_dir.glob(".*.tmp-*")) + list(self.path.glob(".*.tmp-*")):
            # files only: a hidden folder here is another writer's (an analysis in progress,
            # or one a kill -9 left), cleaned by that writer's next run
            if p.is_file() and not p.is_symlink():
                p.unlink(missing_ok=True)

    def finished_chunks(self, manifest: dict[str, Any]) -> set[int]:
        """Indices of chunks on disk, each checked to belong to this sweep."""
        done = set()
        for p in sorted(self.chunk_dir.glob("chunk-*.parquet")):
            try:
                meta = pq.read_schema(p).metadata or {}
            except (OSError, pa.ArrowInvalid) as exc:
                raise UserError(f"chunk file '{p}' is truncated or corrupt "
                                f"({_first_line(exc)}); {RECOVER['chunk']}") from None
            if meta.get(b"phase0_fingerprint", b"").decode() != manifest["fingerprint"]:
                raise UserError(f"chunk file '{p}' belongs to a different sweep; refusing "
                                "to mix results")
            index = p.stem.split("-")[1]
            if not index.isdigit():
                raise UserError(f"'{p}' is not a chunk this tool wrote; move it out of the "
                                "folder")
            done.add(int(index))
        return done

    def monthly_path(self, index: int) -> Path:
        """Where chunk ``index``'s monthly values live (``--record monthly``)."""
        return self.chunk_dir / f"monthly-{index:06d}.parquet"

    def write_chunk(self, index: int, df: pd.DataFrame, manifest: dict[str, Any]) -> None:
        """Write one chunk atomically; its monthly values first, so a chunk on disk has them."""
        monthly = df.attrs.pop("monthly", None)
        if monthly is not None:
            atomic_write_parquet(with_manifest(monthly, manifest), self.monthly_path(index))
        atomic_write_parquet(with_manifest(df, manifest), self.chunk_path(index))

    def join_monthly(self, n_chunks: int, manifest: dict[str, Any], path: Path) -> None:
        """Join the chunks' monthly values into ``path``, one chunk in memory at a time.

        Chunks hold consecutive design rows, each in row, replicate and month order, so the
        joined file is in design order. Written through a temporary file and a rename.
        """
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
        _shareable(fd)
        os.close(fd)
        writer = None
        try:
            for i in range(n_chunks):
                table = with_manifest(read_parquet_file(self.monthly_path(i), RECOVER["chunk"]),
                                      manifest)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, write_page_checksum=True)
                writer.write_table(table)
            if writer is not None:
                writer.close()
            os.replace(tmp, path)
        except BaseException:
            if writer is not None:
                writer.close()
            Path(tmp).unlink(missing_ok=True)
            raise

    def read_chunks(self, indices: list[int]) -> pd.DataFrame:
        """The per-run results of ``indices``, in design order."""
        frames = [read_parquet_file(self.chunk_path(i), RECOVER["chunk"]) for i in sorted(indices)]
        return pd.concat(frames, ignore_index=True).sort_values(
            ["row", "replicate"], kind="stable").reset_index(drop=True)


def remove_sweep(path: Path, inputs: Sequence[Path | str] = ()) -> None:
    """Delete a sweep folder this tool wrote (``explore --fresh``); refuse anything else.

    The rules of ``--overwrite`` (:func:`~experiments.support.outputs.remove_folder`): a folder
    phase0 did not write, the current or home folder, or one holding any of ``inputs`` raises a
    UserError and is left as it is.
    """
    from experiments.research.sweep.lock import locked

    path = Path(path)
    if not path.is_dir() or not any(path.iterdir()):  # nothing there to be writing into
        remove_folder(path, inputs, what="sweep folder")
        return
    # a sweep another process is writing (its lock held) is refused, not pulled from under it
    with locked(path):
        remove_folder(path, inputs, what="sweep folder")
