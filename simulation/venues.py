"""Where meetings are held: community-owned venues or statutory sites.

Evidence: Symbolic contexts, 'Inviting statutory actors into community-owned spaces ... such as
churches, mosques and temples, worked to level out power differentials in early encounters';
Discussion, 'By working in community owned spaces instead of statutory sites, the network
acknowledges and fractures the power of norms and markings of power to intimidate marginalised
groups'.
"""

from __future__ import annotations

import numpy as np


def in_community_venue(u: np.ndarray, community_share: np.ndarray | float) -> np.ndarray:
    """Whether each meeting is held in a community-owned venue, given uniforms ``u``."""
    return u < community_share


def venue_quality(community: np.ndarray, effect: np.ndarray | float) -> np.ndarray:
    """Quality a venue adds: ``+effect`` in a community venue, ``-effect`` at a statutory site.

    Symmetric around a neutral venue: an assumption.
    """
    return np.where(community, effect, -effect)
