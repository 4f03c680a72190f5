"""Small models for checking the sweep engine against known answers.

Any function ``f(params: dict, seed: int) -> dict`` can be swept with ``--model module:function``;
these are the standard check for sensitivity-analysis tooling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1
NOISE_SD = 0.5


def ishigami(params: dict[str, Any], seed: int) -> dict[str, float]:
    """The Ishigami function of x1, x2, x3 on [-pi, pi] (a = 7, b = 0.1); ignores the seed."""
    x1, x2, x3 = (float(params[k]) for k in ("x1", "x2", "x3"))
    y = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)
    return {"y": y}


def ishigami_noisy(params: dict[str, Any], seed: int) -> dict[str, float]:
    """Ishigami plus Gaussian noise (sd 0.5) drawn from ``seed``: a stochastic model."""
    noise = np.random.default_rng(seed).normal(0.0, NOISE_SD)
    return {"y": ishigami(params, seed)["y"] + float(noise)}


def ishigami_indices() -> dict[str, dict[str, float]]:
    """Analytic first-order (S1) and total (ST) Sobol indices of the Ishigami function."""
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return {"S1": {"x1": v1 / var, "x2": v2 / var, "x3": 0.0},
            "ST": {"x1": (v1 + v13) / var, "x2": v2 / var, "x3": v13 / var}}


#: Censoring time of :func:`exponential_event`.
EVENT_HORIZON = 5.0


def exponential_event(params: dict[str, Any], seed: int) -> dict[str, float | bool]:
    """A time to event with censoring: exponential with rate ``x1`` (x2, x3 do nothing).

    The event is observed up to ``EVENT_HORIZON``; later events are censored there. Its
    restricted mean time is (1 - exp(-x1 H)) / x1 and its probability 1 - exp(-x1 H): the
    check that a sweep honours another model's censoring flags.
    """
    t = float(np.random.default_rng(seed).exponential(1.0 / float(params["x1"])))
    return {"time": min(t, EVENT_HORIZON), "time_censored": t > EVENT_HORIZON}
