"""Per-mechanism random streams with fixed-size monthly blocks.

Each run has one :class:`numpy.random.SeedSequence`. Every mechanism draws from its own child
stream, a PCG64 generator, and every month it draws a block of uniforms whose size depends only
on the structure parameters, never on the state or the levers. So switching a mechanism off,
changing a lever or scheduling an event never shifts another mechanism's random numbers:
scenarios compared with the same seed share their random numbers mechanism by mechanism
(common random numbers).

The compiled engine draws its blocks itself, month by month, with :func:`fill`: NumPy's PCG64
(XSL-RR output of a 128-bit LCG, ``random()``'s 53-bit doubles) written out in numba, so that
the numbers are exactly those ``numpy.random.Generator(PCG64(child)).random()`` gives (a test
checks it), without a buffer of a whole run's numbers or a call per number.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from simulation.compiled import jit, phase

#: Mechanisms with their own stream, in a fixed order: adding a stream at the end never changes
#: the streams before it.
STREAMS: tuple[str, ...] = ("init", "contact", "funding", "turnover", "engagement",
                            "commissioning", "shocks")
INIT, CONTACT, FUNDING, TURNOVER, ENGAGEMENT, COMMISSIONING, SHOCKS = range(len(STREAMS))

#: PCG64's default 128-bit multiplier (NumPy's PCG_DEFAULT_MULTIPLIER_128).
_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
_MASK64 = 2**64 - 1


def check_seed(seed: object) -> int:
    """``seed`` as an int, or ``ValueError`` unless it is a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """The run's root seed sequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(check_seed(seed))


def mechanism_generators(
    seed: int | np.random.SeedSequence,
) -> dict[str, np.random.Generator]:
    """One independent NumPy generator per mechanism, spawned from the run's seed sequence.

    The engine draws the same numbers as these (see :func:`generator_states`).
    """
    children = seed_sequence(seed).spawn(len(STREAMS))
    return {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(
        STREAMS, children, strict=True)}


def generator_states(seed: int | np.random.SeedSequence) -> np.ndarray:
    """Each mechanism stream's PCG64 state, shape (len(STREAMS), 4) of uint64.

    Row ``k`` is (state high, state low, increment high, increment low) of
    ``mechanism_generators(seed)[STREAMS[k]]``: NumPy's SeedSequence spawning and PCG64 seeding
    (``pcg64_set_seed``), compiled (:func:`seed_states`) for seeds below 2**64 and in Python
    integers otherwise; either way without building generators.
    """
    if not isinstance(seed, np.random.SeedSequence) and check_seed(seed) < 2**64:
        return seed_states(np.array([seed], np.uint64))[0]
    out = np.empty((len(STREAMS), 4), np.uint64)
    for k, child in enumerate(seed_sequence(seed).spawn(len(STREAMS))):
        v = [int(x) for x in child.generate_state(4, np.uint64)]
        initstate, initseq = (v[0] << 64) | v[1], (v[2] << 64) | v[3]
        inc = ((initseq << 1) | 1) & (2**128 - 1)
        state = (inc) & (2**128 - 1)                       # step from state 0
        state = (state + initstate) & (2**128 - 1)
        state = (state * _MULTIPLIER + inc) & (2**128 - 1)
        out[k] = (state >> 64, state & _MASK64, inc >> 64, inc & _MASK64)
    return out


def _split(x: int) -> tuple[np.uint64, np.uint64]:
    return np.uint64(x >> 64), np.uint64(x & _MASK64)


_M = 2**128 - 1
# PCG64 advanced 1 to 4 steps at once: state_{i+k} = M^k state_i + (1 + M + ... + M^(k-1)) inc
_A1_HI, _A1_LO = _split(_MULTIPLIER)
_A2_HI, _A2_LO = _split(_MULTIPLIER**2 & _M)
_A3_HI, _A3_LO = _split(_MULTIPLIER**3 & _M)
_A4_HI, _A4_LO = _split(_MULTIPLIER**4 & _M)
_S2_HI, _S2_LO = _split((1 + _MULTIPLIER) & _M)
_S3_HI, _S3_LO = _split((1 + _MULTIPLIER + _MULTIPLIER**2) & _M)
_S4_HI, _S4_LO = _split((1 + _MULTIPLIER + _MULTIPLIER**2 + _MULTIPLIER**3) & _M)


def _i128(builder, hi, lo):
    i128 = ir.IntType(128)
    return builder.or_(builder.shl(builder.zext(hi, i128), ir.Constant(i128, 64)),
                       builder.zext(lo, i128))


def _pair(context, builder, signature, value):
    i64, i128 = ir.IntType(64), ir.IntType(128)
    lo = builder.trunc(value, i64)
    hi = builder.trunc(builder.lshr(value, ir.Constant(i128, 64)), i64)
    return context.make_tuple(builder, signature.return_type, (hi, lo))


# NumPy's SeedSequence constants (numpy/random/bit_generator.pyx)
_M32 = np.uint64(0xFFFFFFFF)
_INIT_A, _MULT_A = np.uint64(0x43B0D7E5), np.uint64(0x931E8875)
_INIT_B, _MULT_B = np.uint64(0x8B51F9DD), np.uint64(0x58F38DED)
_MIX_L, _MIX_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_SHIFT = np.uint64(16)


@jit
def seed_states(seeds: np.ndarray) -> np.ndarray:
    """:func:`generator_states` of every seed in ``seeds`` (uint64), shape (R, len(STREAMS), 4).

    NumPy's ``SeedSequence(seed).spawn(len(STREAMS))`` child ``k`` (entropy: the seed's 32-bit
    words padded to the pool size of 4, then the spawn key ``k``), its ``generate_state(4,
    uint64)``, and PCG64's seeding from those four words, in 32- and 128-bit arithmetic.
    """
    out = np.empty((seeds.shape[0], len(STREAMS), 4), np.uint64)
    entropy = np.zeros(5, np.uint64)
    pool = np.zeros(4, np.uint64)
    words = np.zeros(8, np.uint64)
    zero, one = np.uint64(0), np.uint64(1)
    for r in range(seeds.shape[0]):
        entropy[0] = seeds[r] & _M32
        entropy[1] = seeds[r] >> np.uint64(32)
        entropy[2] = zero
        entropy[3] = zero
        for k in range(len(STREAMS)):
            entropy[4] = np.uint64(k)
            h = _INIT_A
            for i in range(4):                      # hash the entropy into the pool
                v = entropy[i] ^ h
                h = (h * _MULT_A) & _M32
                v = (v * h) & _M32
                pool[i] = v ^ (v >> _SHIFT)
            for src in range(4):                    # mix the pool with itself
                for dst in range(4):
                    if src != dst:
                        v = pool[src] ^ h
                        h = (h * _MULT_A) & _M32
                        v = (v * h) & _M32
                        v ^= v >> _SHIFT
                        m = (_MIX_L * pool[dst] - _MIX_R * v) & _M32
                        pool[dst] = m ^ (m >> _SHIFT)
            v = entropy[4] ^ h                      # then the spawn key
            h = (h * _MULT_A) & _M32
            v = (v * h) & _M32
            v ^= v >> _SHIFT
            for dst in range(4):
                m = (_MIX_L * pool[dst] - _MIX_R * v) & _M32
                pool[dst] = m ^ (m >> _SHIFT)
                if dst < 3:
                    # every destination hashes the same word afresh, advancing the constant
                    v = entropy[4] ^ h
                    h = (h * _MULT_A) & _M32
                    v = (v * h) & _M32
                    v ^= v >> _SHIFT
            hb = _INIT_B
            for i in range(8):                      # generate_state(4, uint64)
                v = pool[i % 4] ^ hb
                hb = (hb * _MULT_B) & _M32
                v = (v * hb) & _M32
                words[i] = v ^ (v >> _SHIFT)
            seed_hi = words[0] | (words[1] << np.uint64(32))
            seed_lo = words[2] | (words[3] << np.uint64(32))
            seq_hi = words[4] | (words[5] << np.uint64(32))
            seq_lo = words[6] | (words[7] << np.uint64(32))
            # PCG64 seeding: inc = (seq << 1) | 1; state = 0; step; state += seed; step
            inc_hi = (seq_hi << one) | (seq_lo >> np.uint64(63))
            inc_lo = (seq_lo << one) | one
            hi, lo = _affine(zero, zero, _A1_HI, _A1_LO, inc_hi, inc_lo)
            hi, lo = _affine(hi, lo, zero, one, seed_hi, seed_lo)
            hi, lo = _affine(hi, lo, _A1_HI, _A1_LO, inc_hi, inc_lo)
            out[r, k, 0], out[r, k, 1], out[r, k, 2], out[r, k, 3] = hi, lo, inc_hi, inc_lo
    return out


@intrinsic
def _affine(typingctx, x_hi, x_lo, a_hi, a_lo, c_hi, c_lo):  # noqa: ARG001
    """``a x + c`` modulo 2**128, on (high, low) halves: one or more LCG steps at once."""
    u64 = types.uint64
    sig = types.UniTuple(u64, 2)(u64, u64, u64, u64, u64, u64)

    def codegen(context, builder, signature, args):
        x, a, c = (_i128(builder, args[k], args[k + 1]) for k in (0, 2, 4))
        return _pair(context, builder, signature, builder.add(builder.mul(a, x), c))

    return sig, codegen


@intrinsic
def _double(typingctx, hi, lo):  # noqa: ARG001
    """NumPy's ``random()`` from a state: the output's top 53 bits, times 2**-53.

    The 53-bit integer is converted as a signed one (exactly the same value), which x86 does in
    one instruction, unlike an unsigned 64-bit conversion.
    """
    u64 = types.uint64
    sig = types.float64(u64, u64)

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        x = builder.xor(args[0], args[1])
        rot = builder.lshr(args[0], ir.Constant(i64, 58))
        left = builder.and_(builder.sub(ir.Constant(i64, 0), rot), ir.Constant(i64, 63))
        out = builder.or_(builder.lshr(x, rot), builder.shl(x, left))
        top = builder.lshr(out, ir.Constant(i64, 11))
        value = builder.sitofp(top, ir.DoubleType())
        return builder.fmul(value, ir.Constant(ir.DoubleType(), 1.0 / 9007199254740992.0))

    return sig, codegen


@phase
def fill(rng: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` with the next uniforms of the PCG64 stream whose state is ``rng`` (4 uint64).

    Each is NumPy's ``random()``: the top 53 bits of a 64-bit output, times 2**-53. The states
    are computed four apart in four interleaved chains (the same states, in another order), so
    the processor works on four multiplications at once instead of waiting on each.
    """
    n = out.shape[0]
    if n == 0:
        return
    hi, lo, c_hi, c_lo = rng[0], rng[1], rng[2], rng[3]
    zero = np.uint64(0)
    # increments of 2, 3 and 4 steps: (1 + M + ...) x inc
    c2_hi, c2_lo = _affine(c_hi, c_lo, _S2_HI, _S2_LO, zero, zero)
    c3_hi, c3_lo = _affine(c_hi, c_lo, _S3_HI, _S3_LO, zero, zero)
    c4_hi, c4_lo = _affine(c_hi, c_lo, _S4_HI, _S4_LO, zero, zero)
    h1, l1 = _affine(hi, lo, _A1_HI, _A1_LO, c_hi, c_lo)
    h2, l2 = _affine(hi, lo, _A2_HI, _A2_LO, c2_hi, c2_lo)
    h3, l3 = _affine(hi, lo, _A3_HI, _A3_LO, c3_hi, c3_lo)
    h4, l4 = _affine(hi, lo, _A4_HI, _A4_LO, c4_hi, c4_lo)
    i = 0
    while i + 4 <= n:
        out[i] = _double(h1, l1)
        out[i + 1] = _double(h2, l2)
        out[i + 2] = _double(h3, l3)
        out[i + 3] = _double(h4, l4)
        hi, lo = h4, l4
        h1, l1 = _affine(h1, l1, _A4_HI, _A4_LO, c4_hi, c4_lo)
        h2, l2 = _affine(h2, l2, _A4_HI, _A4_LO, c4_hi, c4_lo)
        h3, l3 = _affine(h3, l3, _A4_HI, _A4_LO, c4_hi, c4_lo)
        h4, l4 = _affine(h4, l4, _A4_HI, _A4_LO, c4_hi, c4_lo)
        i += 4
    # the last one to three, from the chains in order
    if i < n:
        out[i] = _double(h1, l1)
        hi, lo = h1, l1
    if i + 1 < n:
        out[i + 1] = _double(h2, l2)
        hi, lo = h2, l2
    if i + 2 < n:
        out[i + 2] = _double(h3, l3)
        hi, lo = h3, l3
    rng[0], rng[1] = hi, lo


@jit
def draw(rng: np.ndarray, n: int) -> np.ndarray:
    """The next ``n`` uniforms of the stream ``rng``, as a new array (for tests and tools)."""
    out = np.empty(n)
    fill(rng, out)
    return out
