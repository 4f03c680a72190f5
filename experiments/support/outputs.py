"""Writing result folders so that nothing is ever half-written."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from experiments.support.errors import UserError
from experiments.support.ownership import (
    MARKER,
    _empty,
    _identity,
    _not_ours,
    _protect,
    clean_leftovers,
    written_by_phase0,
)


def _before_rename(tmp: Path, target: Path) -> None:
    """Test hook called just before the final rename (tests stage races with it, not timing)."""


# rename(2) onto a folder that is not empty, or onto a file: something is already there.
_OCCUPIED = {errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR}


@contextlib.contextmanager
def atomic_folder(target: Path, overwrite: bool = False,
                  inputs: Iterable[Path | str] = ()) -> Iterator[Path]:
    """Yield a temporary folder beside ``target`` that becomes ``target`` only on success.

    If the body raises, the temporary folder is removed and ``target`` is untouched; an
    ``OSError`` (disk full, read-only, busy...) becomes a :class:`UserError`. The rules of
    :func:`check_writable_target` are applied first and again at the final rename, so a folder
    that appears or changes meanwhile is never lost.
    """
    target = Path(target)
    inputs = [Path(p) for p in inputs]
    check_writable_target(target, overwrite, inputs)
    seen = _identity(target)
    parent = Path(os.path.abspath(target)).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=parent))
        # mkdtemp makes a private folder; results are meant to be shared like any new folder.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
    except OSError as exc:
        raise UserError(f"cannot write '{target}' in '{parent}': {_reason(exc)}; nothing was "
                        "written") from None
    try:
        yield tmp
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        where = str(exc.filename or target).replace(str(tmp), str(target))
        raise UserError(f"cannot write '{where}': {_reason(exc)}; '{target}' was left as it "
                        "was") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _finish(tmp, target, overwrite, inputs, seen)


def check_writable_target(target: Path, overwrite: bool,
                          inputs: Iterable[Path | str] = ()) -> None:
    """Refuse, before any work is done, a target that must not be written or replaced.

    Never: the current folder or a parent of it, the home folder or a parent of it, ``/``, a
    symbolic link, an existing file, or a folder that holds an ``input`` of the command. An
    existing non-empty folder only with ``overwrite``, and only if phase0 wrote it
    (:func:`written_by_phase0`).
    """
    target = Path(target)
    _protect(target, inputs)
    if target.is_symlink():
        raise UserError(f"'{target}' is a symbolic link; give the folder itself, or another "
                        "output folder")
    if target.exists() and not target.is_dir():
        raise UserError(f"'{target}' exists and is not a folder; choose another output folder")
    if target.is_dir() and not _empty(target):
        if not overwrite:
            raise UserError(f"'{target}' already exists and is not empty; use --overwrite to "
                            "replace it (only a folder phase0 wrote is replaced)")
        if not written_by_phase0(target):
            raise UserError(_not_ours(target))
    probe = Path(os.path.abspath(target)).parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UserError(f"cannot write to '{probe}': permission denied")


def remove_folder(path: Path, inputs: Iterable[Path | str] = (), what: str = "folder") -> None:
    """Delete ``path`` under the rules of ``--overwrite``: only a folder phase0 wrote.

    Protected folders (:func:`check_writable_target`) are refused; the folder is first moved
    aside in one rename and checked again there, so a folder swapped in meanwhile is put back.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    _protect(path, inputs)
    if path.is_symlink() or not path.is_dir():
        raise UserError(f"'{path}' is not a {what}; refusing to delete it")
    if not (_empty(path) or written_by_phase0(path)):
        raise UserError(_not_ours(path, "delete"))
    try:
        aside = _aside(path)
        if not (_empty(aside) or written_by_phase0(aside)):
            os.rename(aside, path)
            raise UserError(_not_ours(path, "delete"))
        shutil.rmtree(aside)
    except OSError as exc:
        raise UserError(f"cannot delete '{path}': {_reason(exc)}") from None


def _finish(tmp: Path, target: Path, overwrite: bool, inputs: list[Path],
            seen: tuple[int, ...] | None = None) -> None:
    """Rename ``tmp`` to ``target``, re-checking at the rename what was checked at the start.

    ``seen``: the target's :func:`_identity` when the command started; with ``overwrite``, only
    that folder is replaced, not one another command wrote in its place meanwhile.
    """
    try:
        _before_rename(tmp, target)
        if overwrite and (target.exists() or target.is_symlink()):
            _replace(tmp, target, inputs, seen)
        else:
            _rename_new(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UserError(f"cannot write '{target}': {_reason(exc)}; '{target}' was left as it "
                        "was") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _rename_new(tmp: Path, target: Path) -> None:
    # rename(2) itself refuses a non-empty folder or a file at the target: no gap after a check.
    try:
        os.rename(tmp, target)
    except OSError as exc:
        if exc.errno not in _OCCUPIED:
            raise
        raise UserError(f"'{target}' appeared while writing (another command?); it was left as "
                        f"it is and your result was kept at '{_keep(tmp, target)}'") from None


def _replace(tmp: Path, target: Path, inputs: list[Path],
             seen: tuple[int, ...] | None = None) -> None:
    _protect(target, inputs)
    try:
        old = _aside(target)
    except FileNotFoundError:  # removed meanwhile: nothing left to replace
        _rename_new(tmp, target)
        return
    if not (_empty(old) or written_by_phase0(old)):
        os.rename(old, target)  # put it back: not ours to replace
        raise UserError(f"'{target}' was changed while writing and phase0 did not write what is "
                        f"there now; it was left as it is and your result was kept at "
                        f"'{_keep(tmp, target)}'")
    if not _empty(old) and _identity(old) != seen:
        # another command wrote its result here while this one ran: replacing it would lose it
        os.rename(old, target)
        raise UserError(f"'{target}' was written again by another command while this one ran; "
                        f"that result was left as it is and yours was kept at "
                        f"'{_keep(tmp, target)}'")
    try:
        os.rename(tmp, target)
    except OSError as exc:
        if exc.errno not in _OCCUPIED:
            os.rename(old, target)  # put the previous results back
            raise
        raise UserError(f"'{target}' appeared while writing (another command?); it was left as "
                        f"it is, your result was kept at '{_keep(tmp, target)}' and the "
                        f"folder it replaced at '{_keep(old, target, 'old')}'") from None
    shutil.rmtree(old, ignore_errors=True)


def _aside(path: Path) -> Path:
    """Move ``path`` to a hidden sibling in one rename and return where it went."""
    old = path.parent / f".{path.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(path, old)
    return old


def _keep(folder: Path, target: Path, label: str = "new") -> Path:
    """Give a folder that lost a race a visible name beside ``target`` (NAME-new); return it."""
    for n in range(1, 1000):
        kept = target.parent / f"{target.name}-{label}{'' if n == 1 else f'-{n}'}"
        with contextlib.suppress(OSError):
            if not (kept.exists() or kept.is_symlink()):
                os.rename(folder, kept)
                return kept
    raise OSError(errno.EEXIST, f"no free name like '{target.name}-{label}' beside it")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON."""
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


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
                  *, overwrite: bool = False, inputs: Iterable[Path | str] = ()) -> Path:
    """Write a result folder in one step: its files, then ``manifest.json``; return ``out``.

    The one ending of every command that writes results: the folder appears whole or not at all
    (:func:`atomic_folder`, which refuses to replace a folder phase0 did not write or one that
    holds any of ``inputs``), and its manifest records :data:`MARKER`, the command line, what
    the caller passes (parameters, seeds, ...), the code version and the package versions
    (:func:`simulation.provenance.provenance`). ``files`` maps a file name to its content: a
    pandas DataFrame (written by suffix: ``.csv`` without the index, ``.parquet``), a string
    (text), a dict or list (``.json``), or a function of the file's path that writes it (a
    figure, a CSV with its own format); under the name ``"."``, a function of the folder that
    writes several files into it. ``manifest`` None still writes the marker and provenance.
    """
    from simulation.provenance import provenance

    with atomic_folder(Path(out), overwrite=overwrite, inputs=inputs) as tmp:
        for name, content in files.items():
            if name == ".":
                content(tmp)
            else:
                _write(tmp / name, content)
        write_json(tmp / "manifest.json", {**MARKER, "command": command_line(),
                                           **(manifest or {}), **provenance(), **MARKER})
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
