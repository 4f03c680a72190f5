"""Reading a user's input files (scenarios, problems, regimes): small UTF-8 TOML, checked.

Any mistake in such a file is a :class:`~experiments.support.outputs.UserError` naming the file:
missing, not a regular file (``/dev/zero``), too large, not UTF-8 (a byte-order mark is
accepted), not TOML, or nested too deeply to read.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from experiments.support.outputs import UserError

#: The largest input file read (scenario, problem, regimes): such files are a few kilobytes, and
#: a bound keeps ``--scenario /dev/zero`` or a wrong multi-gigabyte file from filling memory.
MAX_INPUT_BYTES = 1_000_000


def read_text(path: Path, what: str) -> str:
    """A small UTF-8 input file's text, without a leading byte-order mark.

    ``UserError`` if it is missing, not a regular file, larger than :data:`MAX_INPUT_BYTES`, or
    not UTF-8.
    """
    path = Path(path)
    not_a_file = UserError(f"{what} '{path}' is not a regular file; give the path of a file")
    try:
        # checked before opening too: opening a named pipe would wait for a writer forever
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise not_a_file
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise not_a_file
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
