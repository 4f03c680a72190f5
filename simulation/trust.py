"""Directional trust: built by quality contact, eroded by tokenistic contact, slow to drift back.

Evidence: Discussion, 'repeated contact between opposing groups can reduce prejudice over time
... this must be quality contact - marked by meaningful engagement'; Relational resources, 'it's
very slow and bit by bit'. That trust is lost faster than it is built is an *assumption* from the
trust literature (the asymmetry principle, Slovic 1993), not a finding of the paper; its size is
the parameter ``trust_loss_asymmetry``.
"""

from __future__ import annotations

import math

from simulation.compiled import jit


@jit
def meaningful(quality: float, tokenism: float, width: float) -> float:
    """How meaningful a contact of a given quality is, in (0, 1): the rest is tokenistic.

    A logistic response centred on the tokenism threshold, ``1 / (1 + exp(-(q - tok) / width))``:
    half meaningful at the threshold, graded on either side of it rather than a step. Evidence:
    Discussion, contact 'must be quality contact - marked by meaningful engagement'; the
    logistic form and its width are assumptions.
    """
    return 1.0 / (1.0 + math.exp((tokenism - quality) / width))


@jit
def contact_trust_change(trust: float, meaningful: float, gain: float, asymmetry: float) -> float:
    """Change in one directional trust value from one contact.

    The meaningful part of the contact (``meaningful``, from :func:`meaningful`) raises trust
    with diminishing returns as trust nears 1; the tokenistic rest lowers it, ``asymmetry``
    times as fast, in proportion to the trust there is to lose. Repeated contact of one quality
    therefore moves trust toward ``m / (m + asymmetry (1 - m))``: graded, never all or nothing.
    Reads the start-of-month trust, so that all of a month's meetings can be added up
    independently of their order.
    """
    return gain * (meaningful * (1.0 - trust) - asymmetry * (1.0 - meaningful) * trust)


@jit
def equilibrium(meaningful: float, asymmetry: float) -> float:
    """The trust that repeated contact of one meaningfulness settles at (see above)."""
    return meaningful / (meaningful + asymmetry * (1.0 - meaningful))


@jit
def drift_toward(value: float, baseline: float, rate: float) -> float:
    """Move ``value`` a share ``rate`` of the way back to ``baseline`` (decay without contact).

    Trust drifts back to where history left it, not to zero: an assumption.
    """
    return value + rate * (baseline - value)


@jit
def settle(value: float, delta: float, contacts: float, baseline: float, decay: float) -> float:
    """A month's accumulated change added; a value without contact drifts back to its baseline."""
    if contacts > 0:
        return min(max(value + delta, 0.0), 1.0)
    return min(max(drift_toward(value, baseline, decay), 0.0), 1.0)


@jit
def inherited_level(organisation_level: float, start_level: float, memory: float) -> float:
    """Recognition a newcomer starts with: between a stranger's and the organisation's.

    Evidence: Relational resources, 'it gets into the DNA of the whole system, so that even though
    it's slow, it gets there'.
    """
    return start_level + memory * (organisation_level - start_level)


@jit
def organisational_memory(memory_base: float, endorsement: float) -> float:
    """Share of what the organisation has learned that a newcomer inherits.

    Rises from ``memory_base`` toward 1 with senior endorsement: endorsed work becomes the way the
    organisation works. Evidence: Symbolic contexts, 'as a chief exec, I'll do it and then bring
    some of it back into the organisation'; the functional form is an assumption.
    """
    return memory_base + (1.0 - memory_base) * endorsement
