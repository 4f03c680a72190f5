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
    for optional in ("model_class", "model_class_sha256", "record"):
        if manifest.get(optional):
            core[optional] = manifest[optional]
    return hashlib.sha256(json.dumps(core, sort_keys=True, default=str).encode()).hexdigest()


def design_hash(design: pd.DataFrame) -> str:
    """Hash of the design matrix's values and column names."""
    h = hashlib.sha256(json.dumps(list(design.columns)).encode())
    h.update(design.to_numpy(dtype="float64").tobytes())
    return h.hexdigest()


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
        pq.write_table(table, tmp)
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

    def read_manifest(self) -> dict[str, Any]:
        """The manifest, or a clear refusal when the folder is not a phase0 sweep."""
        path = self.path / MANIFEST
        if not path.exists():
            raise UserError(f"'{self.path}' is not empty and holds no phase0 sweep "
                            "(no manifest.json); refusing to touch it")
        try:
            manifest = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise UserError(f"'{path}' is unreadable or corrupt: {exc}") from None
        if manifest.get("format") != FORMAT or "fingerprint" not in manifest:
            raise UserError(f"'{self.path}' holds something other than a {FORMAT} sweep")
        if fingerprint(manifest) != manifest["fingerprint"]:
            raise UserError(f"'{path}' has been altered: its fingerprint does not match")
        return manifest

    def read_finished(self, table: str = ROWS) -> tuple[dict[str, Any], pd.DataFrame]:
        """The manifest and one finished table (``rows.parquet`` or ``results.parquet``).

        A clear refusal when the folder is not a sweep or the sweep is not finished.
        """
        if not (self.path / MANIFEST).exists():
            raise UserError(f"'{self.path}' is not a phase0 sweep folder (no manifest.json)")
        manifest = self.read_manifest()
        if not (self.path / table).exists():
            raise UserError(f"the sweep in '{self.path}' is not finished (no {table}); resume "
                            "it with 'phase0 sweep ... --resume' or join its shards with --merge")
        return manifest, pd.read_parquet(self.path / table)

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
        return pq.read_table(self.path / DESIGN).to_pandas()

    def clean_temporaries(self) -> None:
        """Remove half-written temporary files left by an interrupted run."""
        for p in list(self.chunk_dir.glob(".*.tmp-*")) + list(self.path.glob(".*.tmp-*")):
            p.unlink(missing_ok=True)

    def finished_chunks(self, manifest: dict[str, Any]) -> set[int]:
        """Indices of chunks on disk, each checked to belong to this sweep."""
        done = set()
        for p in sorted(self.chunk_dir.glob("chunk-*.parquet")):
            try:
                meta = pq.read_schema(p).metadata or {}
            except (OSError, pa.ArrowInvalid) as exc:
                raise UserError(f"chunk file '{p}' is corrupt ({exc}); remove it and "
                                "resume to run it again") from None
            if meta.get(b"phase0_fingerprint", b"").decode() != manifest["fingerprint"]:
                raise UserError(f"chunk file '{p}' belongs to a different sweep; refusing "
                                "to mix results")
            done.add(int(p.stem.split("-")[1]))
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
                table = with_manifest(pq.read_table(self.monthly_path(i)).to_pandas(), manifest)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
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
        frames = [pq.read_table(self.chunk_path(i)).to_pandas() for i in sorted(indices)]
        return pd.concat(frames, ignore_index=True).sort_values(
            ["row", "replicate"], kind="stable").reset_index(drop=True)


def remove_sweep(path: Path, inputs: Sequence[Path | str] = ()) -> None:
    """Delete a sweep folder this tool wrote (``explore --fresh``); refuse anything else.

    The rules of ``--overwrite`` (:func:`~experiments.support.outputs.remove_folder`): a folder
    phase0 did not write, the current or home folder, or one holding any of ``inputs`` raises a
    UserError and is left as it is.
    """
    remove_folder(Path(path), inputs, what="sweep folder")
