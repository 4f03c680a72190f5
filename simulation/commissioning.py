"""The commissioning decision that ends phase zero, and the coproduction activities that follow.

Evidence: Discussion, these resources 'contributed to the development of relationships,
collaborative projects and service user engagement for 4 years before the first 'official'
coproduction activity began in 2012'; Symbolic contexts, a senior official: 'it's only fair that
if they are doing things that we are currently paying for, that we commission them'; Results,
the safe space became a platform for 'co-production, co-design, and co-delivery of services
including: the establishment of a BAME mental health forum (which included service users from
racially excluded backgrounds)'.

Phase zero ends with an institutional event: a statutory body commissions the first official
coproduction activity. It can do so only in a month when a commissioning round is open (money
exists and the levers allow it), and then with a probability that rises smoothly with how ready
the statutory side and the CBOs are: officials' recognition of community knowledge, senior
endorsement and CBOs' trust toward statutory partners. After it, commissioned activities run,
each hosted by a CBO in its own venue, paid for, and open to service users through the CBOs they
belong to. The forms (a logistic response to the geometric mean of the three, rounds that open at
random) are assumptions.
"""

from __future__ import annotations

import numpy as np

from simulation.compiled import jit


@jit
def readiness(trust_statutory: float, recognition: float, endorsement: float) -> float:
    """How ready the network is to be commissioned, in [0, 1].

    The geometric mean of CBOs' mean trust toward statutory partners, officials' mean
    recognition and senior endorsement.

    A geometric mean needs all three: no amount of one makes up for none of another.
    """
    return np.cbrt(max(trust_statutory * recognition * endorsement, 0.0))


@jit
def decision_probability(ready: float, round_open: bool, rate: float, threshold: float,
                         width: float) -> float:
    """Probability that a statutory body commissions the first official activity this month.

    ``rate`` times a logistic response of ``ready`` around ``threshold`` (half of ``rate`` at the
    threshold), in a month when a round is open; zero otherwise.
    """
    if not round_open:
        return 0.0
    return rate * (1.0 / (1.0 + np.exp((threshold - ready) / width)))


@jit
def round_opens(u: float, interval_months: float, allowed: bool) -> bool:
    """Whether a commissioning round is open this month.

    Rounds open at random, once every ``interval_months`` on average (0: never), and only while
    the levers allow commissioning money to flow (``allowed``: no funding cut).
    """
    rate = 1.0 / max(interval_months, 1e-9) if interval_months > 0 else 0.0
    return allowed and u < rate


@jit
def pick_host(u: float, n_cbos: int) -> int:
    """A CBO to host a commissioned activity, uniformly (an assumption)."""
    return min(int(u * n_cbos), n_cbos - 1)
