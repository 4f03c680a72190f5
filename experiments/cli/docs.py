"""Regenerate the documentation's generated tables.

Rewrite the parameter table of docs/ODD.md (section 10) from the parameter registry; a test
fails when the committed table is stale.
"""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``phase0 docs`` takes no options."""


def run(args: argparse.Namespace) -> int:
    """Rewrite every generated table."""
    from experiments.develop.docs import regenerate

    return regenerate()
