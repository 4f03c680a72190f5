"""The exception every user mistake becomes (one line, exit 2 at the command line)."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user asked for; the CLI prints it as one line and exits 2."""
