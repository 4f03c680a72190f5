"""Directional trust: built by quality contact, eroded by tokenistic contact, slow to drift back.

Evidence: Discussion, 'repeated contact between opposing groups can reduce prejudice over time
... this must be quality contact - marked by meaningful engagement'; Relational resources, 'it's
very slow and bit by bit'. That trust is lost faster than it is built is an *assumption* from the
trust literature (the asymmetry principle, Slovic 1993), not a finding of the paper; its size is
the parameter ``trust_loss_asymmetry``.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-9


def contact_trust_change(
    trust: np.ndarray,
    quality: np.ndarray,
    gain: np.ndarray | float,
    tokenism: np.ndarray | float,
    asymmetry: np.ndarray | float,
) -> np.ndarray:
    """Change in one directional trust value from one contact of a given quality.

    Above the tokenism threshold trust rises in proportion to how far quality clears it, with
    diminishing returns as trust nears 1. Below it trust falls, ``asymmetry`` times as fast, in
    proportion to the trust there is to lose. Reads the start-of-month trust, so that all of a
    month's meetings can be added up independently of their order.
    """
    good = np.maximum(quality - tokenism, 0.0) / np.maximum(1.0 - tokenism, _EPS)
    bad = np.maximum(tokenism - quality, 0.0) / np.maximum(tokenism, _EPS)
    return gain * (good * (1.0 - trust) - asymmetry * bad * trust)


def drift_toward(value: np.ndarray, baseline: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Move ``value`` a share ``rate`` of the way back to ``baseline`` (decay without contact).

    Trust drifts back to where history left it, not to zero: an assumption.
    """
    return value + rate * (baseline - value)


def inherited_level(
    organisation_level: np.ndarray, start_level: np.ndarray | float, memory: np.ndarray | float
) -> np.ndarray:
    """Recognition a newcomer starts with: between a stranger's and the organisation's.

    Evidence: Relational resources, 'it gets into the DNA of the whole system, so that even though
    it's slow, it gets there'.
    """
    return start_level + memory * (organisation_level - start_level)


def organisational_memory(memory_base: np.ndarray | float, endorsement: np.ndarray) -> np.ndarray:
    """Share of what the organisation has learned that a newcomer inherits.

    Rises from ``memory_base`` toward 1 with senior endorsement: endorsed work becomes the way the
    organisation works. Evidence: Symbolic contexts, 'as a chief exec, I'll do it and then bring
    some of it back into the organisation'; the functional form is an assumption.
    """
    return memory_base + (1.0 - memory_base) * endorsement
