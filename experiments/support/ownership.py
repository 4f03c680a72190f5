"""Whose folder is it: the marker phase0's folders carry, and the folders never to replace.

:mod:`experiments.support.outputs` writes result folders; this module answers the questions it
asks before replacing or deleting one: did phase0 write it (:func:`written_by_phase0`), is it a
folder no command may replace (:func:`_protect`), is this still the folder seen at the start
(:func:`_identity`), and which hidden leftovers of dead writers may go (:func:`clean_leftovers`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from experiments.support.errors import UserError

#: The mark every manifest phase0 writes carries: ``--overwrite`` replaces only a folder with it.
MARKER = {"written_by": "phase0"}


# Hidden folders of an unfinished write: ``.NAME.tmp-PID-RANDOM`` (the result being written) and
# ``.NAME.old-PID-RANDOM`` (a replaced folder, removed once the new one is in place).
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[A-Za-z0-9_]+$")


def written_by_phase0(folder: Path) -> bool:
    """Whether phase0 wrote ``folder``: its ``manifest.json`` carries :data:`MARKER`.

    Also accepted, as legacy, folders written before the marker existed: a ``manifest.json``
    with phase0's provenance (``code_version`` and ``packages``) and, where a command is
    recorded, a ``phase0`` command (the committed discovery folders record none); a run folder's
    ``summary.json`` or a sensitivity copy's ``sweep_manifest.json`` with the provenance and a
    ``phase0`` command; and a folder holding nothing but phase0's ``brief.html``.
    """
    folder = Path(folder)
    manifest = _read_json(folder / "manifest.json")
    if manifest.get("written_by") == MARKER["written_by"]:
        return True
    if _provenance(manifest, command_needed=False):
        return True
    if any(_provenance(_read_json(folder / n), command_needed=True)
           for n in ("summary.json", "sweep_manifest.json")):
        return True
    with contextlib.suppress(OSError):
        return {p.name for p in folder.iterdir()} == {"brief.html"} and (
            "<title>phase0 policy brief" in (folder / "brief.html").read_text(errors="replace"))
    return False


def clean_leftovers(parent: Path) -> None:
    """Remove the hidden folders of writes into ``parent`` whose process has died (``kill -9``).

    Only names of phase0's own pattern are touched; a replaced folder (``.old-``) is removed
    only if phase0 wrote it, and put back in its place if its replacement never arrived.
    """
    entries: list[Path] = []
    with contextlib.suppress(OSError):  # an unreadable parent: nothing to clean
        entries = list(Path(parent).iterdir())
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink() or _alive(int(match["pid"])):
            continue
        home = entry.parent / match["name"]
        with contextlib.suppress(OSError):
            if match["kind"] == "old" and not (home.exists() or home.is_symlink()):
                os.rename(entry, home)  # its replacement never arrived: put it back
            elif match["kind"] == "tmp" or _empty(entry) or written_by_phase0(entry):
                shutil.rmtree(entry)


def _identity(folder: Path) -> tuple[int, ...] | None:
    """What tells one folder from another written in its place: its inode and its manifest's.

    None when nothing is there or it is empty (an empty folder holds nothing to lose).
    """
    try:
        if not folder.is_dir() or folder.is_symlink() or _empty(folder):
            return None
        here = folder.stat()
        manifest = folder / "manifest.json"
        mark = manifest.stat() if manifest.exists() else here
        # inodes can be reused at once and timestamps are coarse: the manifest's bytes too
        content = (int(hashlib.sha256(manifest.read_bytes()).hexdigest()[:15], 16)
                   if manifest.is_file() else 0)
        return (here.st_dev, here.st_ino, mark.st_ino, mark.st_mtime_ns, mark.st_size, content)
    except OSError:
        return None


def _protect(target: Path, inputs: Iterable[Path | str]) -> None:
    """Refuse the folders nothing may replace, even with ``--overwrite``."""
    real, cwd = target.resolve(), Path.cwd().resolve()
    if real.parent == real:
        raise UserError(f"'{target}' is the root folder; give a new subfolder as the output "
                        "folder")
    if target.name in ("", ".", "..") or real == cwd or real in cwd.parents:
        raise UserError(f"'{target}' is the current folder or holds it; give a new subfolder as "
                        "the output folder")
    home = Path.home().resolve()
    if real == home or real in home.parents:
        raise UserError(f"'{target}' is your home folder or holds it; give a new subfolder as "
                        "the output folder")
    for item in inputs:
        read = Path(item).resolve()
        if read == real or real in read.parents:
            raise UserError(f"'{target}' holds '{item}', which this command reads; choose "
                            "another output folder")


def _not_ours(folder: Path, verb: str = "replace") -> str:
    return (f"'{folder}' was not written by phase0 (its manifest.json lacks \"written_by\": "
            f"\"phase0\"); refusing to {verb} it, even with --overwrite; move it away or "
            "choose another folder")


def _provenance(data: dict[str, Any], command_needed: bool) -> bool:
    command = data.get("command", None if command_needed else "phase0 ")
    return (isinstance(command, str) and command.startswith("phase0 ")
            and "code_version" in data and "packages" in data)


def _read_json(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError, RecursionError):
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    return {}


def _empty(folder: Path) -> bool:
    with contextlib.suppress(OSError):
        return not any(folder.iterdir())
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OverflowError, OSError):  # another user's process, or not a pid: leave it
        pass
    return True
