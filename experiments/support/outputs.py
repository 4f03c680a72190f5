"""Writing result folders so that nothing is ever half-written."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Mapping
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


#: The largest input file read (scenario, problem, regimes): such files are a few kilobytes, and
#: a bound keeps ``--scenario /dev/zero`` or a wrong multi-gigabyte file from filling memory.
MAX_INPUT_BYTES = 1_000_000


def read_text(path: Path, what: str) -> str:
    """A small UTF-8 input file's text, without a leading byte-order mark.

    ``UserError`` if it is missing, not a regular file, larger than :data:`MAX_INPUT_BYTES`, or
    not UTF-8.
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise UserError(f"{what} '{path}' is not a regular file; give the path of a "
                                "file")
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise UserError(f"cannot read {what} '{path}': {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise UserError(f"{what} '{path}' is larger than {MAX_INPUT_BYTES:,} bytes; is it the "
                        "right file?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{what} '{path}' is not UTF-8 text (byte {exc.start}); save it as "
                        "UTF-8") from None


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; a missing, oversized, non-UTF-8 or invalid file is a ``UserError``."""
    text = read_text(path, what)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{what} '{path}' is not valid TOML: {exc}") from None
    except RecursionError:
        raise UserError(f"{what} '{path}' is nested too deeply to be read") from None


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


#: The command being run, as ``phase0`` received it (set by :func:`experiments.cli.main`).
COMMAND: list[str] | None = None


def command_line() -> str:
    """The ``phase0`` command line being run, for manifests."""
    return "phase0 " + " ".join(sys.argv[1:] if COMMAND is None else COMMAND)


def write_results(out: Path, files: Mapping[str, Any], manifest: Mapping[str, Any] | None = None,
                  *, overwrite: bool = False) -> Path:
    """Write a result folder in one step: its files, then ``manifest.json``; return ``out``.

    The one ending of every command that writes results: the folder appears whole or not at all
    (:func:`atomic_folder`), and its manifest records the command line, what the caller passes
    (parameters, seeds, ...), the code version and the package versions
    (:func:`simulation.provenance.provenance`). ``files`` maps a file name to its content: a
    pandas DataFrame (written by suffix: ``.csv`` without the index, ``.parquet``), a string
    (text), a dict or list (``.json``), or a function of the file's path that writes it (a
    figure, a CSV with its own format); under the name ``"."``, a function of the folder that
    writes several files into it. ``manifest`` None writes no manifest.
    """
    from simulation.provenance import provenance

    with atomic_folder(Path(out), overwrite=overwrite) as tmp:
        for name, content in files.items():
            if name == ".":
                content(tmp)
            else:
                _write(tmp / name, content)
        if manifest is not None:
            write_json(tmp / "manifest.json", {"command": command_line(), **manifest,
                                               **provenance()})
    return Path(out)


def copies(folder: Path, names: list[str] | None = None) -> dict[str, Callable[[Path], Any]]:
    """Writers for :func:`write_results` that copy ``folder``'s files (all, or ``names``).

    Keyed by each file's path relative to ``folder``.
    """
    folder = Path(folder)
    paths = ([folder / n for n in names] if names is not None
             else sorted(p for p in folder.rglob("*") if p.is_file()))
    return {p.relative_to(folder).as_posix(): (lambda path, p=p: shutil.copyfile(p, path))
            for p in paths}


def _write(path: Path, content: Any) -> None:
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, pd.DataFrame):
        if path.suffix == ".parquet":
            content.to_parquet(path, index=False)
        else:
            content.to_csv(path, index=False)
    elif isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, dict | list):
        write_json(path, content)
    elif callable(content):
        writer: Callable[[Path], Any] = content
        writer(path)
    else:
        raise TypeError(f"cannot write {type(content).__name__} to {path.name}")
