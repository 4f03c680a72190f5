"""Where meetings are held: community-owned venues or statutory sites.

Evidence: Symbolic contexts, 'Inviting statutory actors into community-owned spaces ... such as
churches, mosques and temples, worked to level out power differentials in early encounters';
Discussion, 'By working in community owned spaces instead of statutory sites, the network
acknowledges and fractures the power of norms and markings of power to intimidate marginalised
groups'.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def in_community_venue(u: float, community_share: float) -> bool:
    """Whether a meeting is held in a community-owned venue, given a uniform ``u``."""
    return u < community_share


@jit
def venue_quality(community: bool, effect: float) -> float:
    """Quality a venue adds: ``+effect`` in a community venue, ``-effect`` at a statutory site.

    Symmetric around a neutral venue: an assumption.
    """
    return effect if community else -effect
