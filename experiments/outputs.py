"""Writing result folders so that nothing is ever half-written."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class UserError(Exception):
    """A mistake in what the user asked for; the CLI prints it as one line and exits 2."""


@contextlib.contextmanager
def atomic_folder(target: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``target`` that becomes ``target`` only on success.

    If the body raises, the temporary folder is removed and ``target`` is untouched. An existing
    non-empty ``target`` is refused unless ``overwrite``; then it is replaced in one rename.
    """
    target = Path(target)
    check_writable_target(target, overwrite)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
        # mkdtemp makes a private folder; results are meant to be shared like any new folder.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
    except OSError as exc:
        raise UserError(f"cannot write to '{parent}': {exc.strerror or exc}") from None
    try:
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, old / "previous")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_writable_target(target: Path, overwrite: bool) -> None:
    """Refuse, before any work is done, a target that exists or cannot be written."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UserError(f"'{target}' exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise UserError(
            f"'{target}' already exists and is not empty; use --overwrite to replace it")
    probe = target.parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UserError(f"cannot write to '{probe}': permission denied")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON."""
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file, turning a missing file or a syntax error into a ``UserError``."""
    try:
        return tomllib.loads(Path(path).read_text())
    except OSError as exc:
        raise UserError(f"cannot read {what} '{path}': {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{what} '{path}' is not valid TOML: {exc}") from None


def portable_path(path: Path | str) -> str:
    """``path`` as recorded in a manifest: relative to the working folder when it lies inside it.

    Committed outputs are written from the repository root, so they name files by their place in
    the repository, never by where one machine keeps it; a file elsewhere keeps its full path.
    """
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(resolved)


def add_output_options(parser: argparse.ArgumentParser, out: str) -> None:
    """``--workers``, ``--out``, ``--overwrite`` and ``--quiet`` of the study commands."""
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: one per core)")
    parser.add_argument("--out", default=out, help=f"output folder (default {out})")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
