"""Small compiled helpers: limits and sums in NumPy's order.

NumPy adds up a row with pairwise summation (blocks of up to 128 values with eight running
sums, split recursively above that). :func:`pairwise_sum` adds in exactly that order, so a mean
computed here equals ``np.mean`` bit for bit, and the compiled engine reproduced the vectorised
NumPy step it replaced. It walks the split tree with a small explicit stack: numba's cache
mishandles recursive functions. Both are inlined into their callers, so that the common case (up
to 128 values) compiles to a plain loop with no call.
"""

from __future__ import annotations

import numpy as np

from simulation.compiled import jit, phase

_BLOCK = 128


@jit
def clip01(x: float) -> float:
    """``x`` limited to [0, 1]."""
    return min(max(x, 0.0), 1.0)


@jit
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    end = n - n % 8
    while i < end:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@phase
def pairwise_sum(a: np.ndarray) -> float:
    """Sum of the 1-d array ``a``, added in NumPy's pairwise order."""
    n = a.shape[0]
    if n <= _BLOCK:
        return _block_sum(a, 0, n)
    return _split_sum(a, n)


@jit
def _split_sum(a: np.ndarray, n: int) -> float:
    # frames of the split tree: start, length, and how far the frame has got (0: children not
    # started, 1: left child done, 2: both done)
    start = np.empty(64, np.int64)
    length = np.empty(64, np.int64)
    stage = np.empty(64, np.int64)
    values = np.empty(64)
    top, nv = 0, 0
    start[0], length[0], stage[0] = 0, n, 0
    while top >= 0:
        lo, m = start[top], length[top]
        if m <= _BLOCK:
            values[nv] = _block_sum(a, lo, m)
            nv += 1
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if stage[top] == 0:
            stage[top] = 1
            top += 1
            start[top], length[top], stage[top] = lo, half, 0
        elif stage[top] == 1:
            stage[top] = 2
            top += 1
            start[top], length[top], stage[top] = lo + half, m - half, 0
        else:
            values[nv - 2] = values[nv - 2] + values[nv - 1]
            nv -= 1
            top -= 1
    return values[0]


@phase
def mean(a: np.ndarray) -> float:
    """Mean of the 1-d array ``a``, as ``np.mean`` computes it."""
    return pairwise_sum(a) / a.shape[0]
