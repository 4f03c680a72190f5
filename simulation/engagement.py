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


def members_engaged(engaged: np.ndarray, membership: np.ndarray, members: np.ndarray
                    ) -> np.ndarray:
    """Share of each CBO's members who are engaged, shape (R, C).

    ``membership`` from :func:`membership_index`; ``members`` the number of members of each CBO
    (R, C), from :func:`member_counts`.
    """
    R, C = members.shape
    size = R * (C + 1)
    weights = engaged.ravel().astype(float)
    counts = (np.bincount(membership[0].ravel(), weights, minlength=size)
              + np.bincount(membership[1].ravel(), weights, minlength=size))
    return counts.reshape(R, C + 1)[:, :C] / np.maximum(members, 1)


def member_counts(membership: np.ndarray, n_replicates: int, n_cbos: int) -> np.ndarray:
    """Number of members of each CBO, shape (R, C)."""
    size = n_replicates * (n_cbos + 1)
    counts = (np.bincount(membership[0].ravel(), minlength=size)
              + np.bincount(membership[1].ravel(), minlength=size))
    return counts.reshape(n_replicates, n_cbos + 1)[:, :n_cbos].astype(float)


def what_members_hear(relay: np.ndarray, hosting: np.ndarray, activity_reach: np.ndarray,
                      members_engaged: np.ndarray, word_of_mouth: np.ndarray) -> np.ndarray:
    """How safe each CBO's members hear the space is, shape (R, C), in [0, 1].

    What the CBO relays, then a share ``activity_reach`` of the remaining way to full safety
    where the CBO hosts a commissioned activity (coproduction seen in their own space), then a
    share ``word_of_mouth x`` the engaged share of fellow members (service users among
    themselves). Evidence: Discussion, CBOs 'relaying their views and perspectives outwards,
    until, service users felt the space was safe to enter'; Symbolic contexts, care delivered 'in
    community spaces where historically marginalised groups may be more comfortable engaging'.
    The forms are assumptions.
    """
    doubt = (1.0 - relay) * (1.0 - activity_reach * hosting)
    return 1.0 - doubt * (1.0 - word_of_mouth * members_engaged)


def perceived_safety(
    acknowledgement: np.ndarray,
    heard: np.ndarray,
    membership: np.ndarray,
    linked: np.ndarray,
    unlinked_reach: np.ndarray,
    acknowledgement_weight: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Each service user's perceived safety of the space, shape (R, U).

    A member hears from the most reassuring of their CBOs (``heard``, shape (R, C), indexed by
    ``membership`` from :func:`membership_index`); someone with no CBO hears a share
    ``unlinked_reach`` of the network's average. Either way it is scaled by a soft gate of
    acknowledgement of harm, ``(1 - w) + w x acknowledgement`` (``w = acknowledgement_weight``;
    at 0 acknowledgement does not matter, at 1 safety is proportional to it).
    """
    R, C = heard.shape
    table = np.zeros((R, C + 1))
    table[:, :C] = heard
    flat = table.ravel()
    from_cbos = np.maximum(flat[membership[0]], flat[membership[1]])
    unlinked = unlinked_reach[:, None] * row_mean(heard)[:, None]
    gate = (1.0 - acknowledgement_weight) + acknowledgement_weight * acknowledgement
    return np.asarray(gate)[:, None] * np.where(linked, from_cbos, unlinked)


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


def is_engaged(trust: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """A service user engages while their trust in the space reaches their own threshold."""
    return trust >= threshold
