"""A toy model with a known answer for scenario discovery: hits inside a box, a little noise."""

from __future__ import annotations

import numpy as np


def box(params: dict, seed: int) -> dict:
    """``hit`` is 1 in a > 0.6 and b < 0.4 (c irrelevant), flipped with probability 0.05."""
    inside = params["a"] > 0.6 and params["b"] < 0.4
    flip = np.random.default_rng(seed + int(1e6 * params["a"])).random() < 0.05
    return {"hit": float(inside != flip)}


def noise(params: dict, seed: int) -> dict:
    """``hit`` is 1 with probability 0.2 whatever the parameters: there is nothing to discover."""
    return {"hit": float(np.random.default_rng(seed + int(1e6 * params["a"])).random() < 0.2)}
