"""A model that takes its time, so that a test can signal or kill a sweep while it runs."""

from __future__ import annotations

import time


def slow(params: dict, seed: int) -> dict:
    """``hit`` is ``a``, after half a second."""
    time.sleep(0.5)
    return {"hit": float(params["a"])}
