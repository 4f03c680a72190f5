"""Small array helpers for the monthly hot path.

NumPy's convenience wrappers (``np.clip``, ``ndarray.mean``, ``np.count_nonzero`` with an axis)
cost a few microseconds of Python each; on the small arrays of a single run that overhead, not
arithmetic, dominates. These call the ufuncs directly.
"""

from __future__ import annotations

import numpy as np


def clip01(x: np.ndarray) -> np.ndarray:
    """``x`` limited to [0, 1]."""
    return np.minimum(np.maximum(x, 0.0), 1.0)


def row_mean(x: np.ndarray) -> np.ndarray:
    """Mean over every axis but the first (the replicate axis)."""
    axes = tuple(range(1, x.ndim))
    return np.add.reduce(x, axis=axes) / (x.size // x.shape[0])


def row_count(mask: np.ndarray) -> np.ndarray:
    """Number of true values per replicate (over every axis but the first)."""
    return np.add.reduce(mask, axis=tuple(range(1, mask.ndim)), dtype=np.intp)
