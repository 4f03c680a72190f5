"""Service users: perceived safety, trust in the space, engagement and withdrawal.

Evidence: Discussion, 'many service users linked into the network through membership to CBOs ...
non-mental health related CBOs became bridges between service user communities and statutory
actors, relaying their views and perspectives outwards, until, service users felt the space was
safe to enter'; 'For those whose marginalisation is linked to negative experiences of violence and
racism, rejection of traditional service spaces is logical'. Mistrust is modelled as that rational
response to a history of harm, not a deficit of the community.
"""

from __future__ import annotations

import numpy as np

from simulation.arrays import row_mean


def standing_factor(standing: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """How much a CBO leader's standing amplifies what passes through the CBO, in [1-w, 1]."""
    return (1.0 - weight) + weight * standing


def cbo_relay(trust_statutory: np.ndarray, standing_amp: np.ndarray) -> np.ndarray:
    """What each CBO relays to its members about the space: its own trust, carried by standing."""
    return trust_statutory * standing_amp


def membership_index(first_cbo: np.ndarray, second_cbo: np.ndarray, n_cbos: int) -> np.ndarray:
    """Flat indices, shape (2, R, U), of each user's CBOs in a (R, C + 1) table of CBO values.

    The table's last column is 0, so that 'no CBO', stored as -1, reads 0.
    """
    R = first_cbo.shape[0]
    row = np.arange(R)[:, None] * (n_cbos + 1)
    return np.stack([row + np.where(c < 0, n_cbos, c) for c in (first_cbo, second_cbo)])


def perceived_safety(
    acknowledgement: np.ndarray,
    relay: np.ndarray,
    membership: np.ndarray,
    linked: np.ndarray,
    unlinked_reach: np.ndarray,
    acknowledgement_weight: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Each service user's perceived safety of the space, shape (R, U).

    A member hears from the most trusting of their CBOs (``membership`` from
    :func:`membership_index`); someone with no CBO hears a share ``unlinked_reach`` of the
    network's average. Either way the space is safe only as far as harm has been acknowledged
    (with ``acknowledgement_weight`` 1; at 0 acknowledgement does not matter).
    """
    R, C = relay.shape
    table = np.zeros((R, C + 1))
    table[:, :C] = relay
    flat = table.ravel()
    heard = np.maximum(flat[membership[0]], flat[membership[1]])
    unlinked = unlinked_reach[:, None] * row_mean(relay)[:, None]
    gate = (1.0 - acknowledgement_weight) + acknowledgement_weight * acknowledgement
    return np.asarray(gate)[:, None] * np.where(linked, heard, unlinked)


def update_user_trust(
    trust: np.ndarray,
    safety: np.ndarray,
    learning: np.ndarray,
    asymmetry: np.ndarray,
) -> np.ndarray:
    """Trust in the space after a month of moving toward perceived safety.

    Slowly up, ``asymmetry`` times faster down (the asymmetry assumption of
    :mod:`simulation.trust`).
    """
    gap = safety - trust
    rate = np.where(gap > 0, learning, np.minimum(1.0, learning * asymmetry))
    return trust + rate * gap


def harmful_encounters(
    u: np.ndarray,
    p_approach: np.ndarray,
    acknowledgement: np.ndarray,
    acknowledgement_safe: np.ndarray,
    engaged: np.ndarray,
    encounter_rate: np.ndarray,
    tokenistic_share: np.ndarray,
) -> np.ndarray:
    """Which service users have a harmful or tokenistic encounter this month, shape (R, U).

    Being recruited directly by services before harm is acknowledged is harmful (Discussion:
    engagement 'cannot begin immediately'); an engaged user may meet tokenistic contact in
    proportion to how much of the month's contact was tokenistic. One uniform ``u`` per user
    decides both, from opposite ends of [0, 1): a user meets at most one harmful encounter a
    month, with probability the sum of the two routes' (capped at 1). An assumption.
    """
    unsafe = (acknowledgement < acknowledgement_safe)[:, None]
    forced = unsafe & (u < p_approach[:, None])
    token = engaged & (u >= 1.0 - (encounter_rate * tokenistic_share)[:, None])
    return forced | token


def is_engaged(trust: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """A service user engages while their trust in the space reaches their own threshold."""
    return trust >= threshold
