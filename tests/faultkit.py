"""Shared tools of the fault-injection suite (``tests/test_faults_*.py``).

Every case of the suite asks the same four things of a command given a bad input: it exits with
the promised code, it says so in one line naming what is wrong, it prints no traceback, and it
changes nothing outside its output folder. :func:`refused` asks them all at once.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import pytest

from experiments.cli import main


def tree_digest(root: Path, skip: Sequence[Path] = ()) -> dict[str, str]:
    """Every file and folder under ``root`` mapped to a hash of its content (folders: ``dir``).

    Symbolic links are recorded by target, not followed; paths under ``skip`` are left out (the
    output folder a command is allowed to write).
    """
    root = Path(root)
    skipped = [Path(s).resolve() for s in skip]
    digest: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if any(here.resolve() == s or s in here.resolve().parents for s in skipped):
            dirnames[:] = []
            continue
        for name in dirnames:
            path = here / name
            if path.is_symlink():
                digest[str(path.relative_to(root))] = "link:" + os.readlink(path)
            elif not any(path.resolve() == s for s in skipped):
                digest[str(path.relative_to(root))] = "dir"
        for name in filenames:
            path = here / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                digest[key] = "link:" + os.readlink(path)
            elif not stat.S_ISREG(path.lstat().st_mode):  # a pipe or device: never read it
                digest[key] = f"special:{stat.S_IFMT(path.lstat().st_mode)}"
            else:
                try:
                    digest[key] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError as exc:  # unreadable on purpose (a test's chmod 000)
                    digest[key] = f"unreadable:{exc.errno}"
    return digest


def run_cli(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``phase0 argv`` in this process: its exit code, stdout and stderr."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(err: str, *needles: str) -> None:
    """``err`` is one line (progress bars aside), has no traceback, and names every needle."""
    lines = [line for line in err.strip().splitlines()
             if line.strip() and "it/s]" not in line and "s/it]" not in line]
    assert "Traceback" not in err, err
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{err}"
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"


def refused(argv: Sequence[str], capsys: pytest.CaptureFixture[str], root: Path, *needles: str,
            code: int = 2, out: Path | None = None) -> str:
    """Run ``phase0 argv`` expecting a refusal: exit ``code``, one line naming ``needles``,
    no traceback, and no change under ``root`` (except inside ``out``). Returns the line."""
    before = tree_digest(root, skip=[out] if out else ())
    got, _, err = run_cli(argv, capsys)
    assert got == code, f"exit {got}, expected {code}; stderr:\n{err}"
    assert_one_line(err, *needles)
    assert tree_digest(root, skip=[out] if out else ()) == before, "files changed"
    return err.strip()


def ctrl_c_as_at_a_terminal() -> None:
    """``preexec_fn`` for a child a test interrupts with SIGINT: its default action restored.

    A shell without job control (``cmd &``, ``nohup``) starts background commands with SIGINT
    ignored, and Python then installs no KeyboardInterrupt handler, so the test's Ctrl-C would
    not reach the command it tests (a property of how the suite was started, not of phase0).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
