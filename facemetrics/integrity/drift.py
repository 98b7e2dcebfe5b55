"""JPEG's MCU grid in decoded pixels: DC drift and wrongly decoded MCUs.

**DC drift** (JPEG, baseline and progressive). DC coefficients are coded
as differences from the previous block's [1]_ [3]_, so a lost bit that
still decodes adds a constant colour offset to every following block in
decode (raster) order, until the end of the scan. The damaged region is
the rest of one MCU row from some column on plus every row below: its
border is a "staircase", a step ``d`` on the horizontal MCU boundary above
the damaged row (columns right of the damage point) and the same ``d`` on
the MCU boundary below it (columns left of the damage point), with up to 4
MCUs of garbage between the two. The step is measured per MCU as the
boundary difference minus the mean of the two adjacent inside-block
differences (smooth gradients cancel), in luma ``(R + 2G + B) / 4``,
``R - G`` and ``B - G``. A staircase is drift when both parts are
consistent (``|mean| >= 0.6 mean |.|``), agree in every channel (within
half of each other plus 2 levels), step by at least :data:`DRIFT_LEVELS`
(20) in the strongest channel, and either the picture's texture continues
across each part (luma gradients of the rows above and below correlate,
>= 0.5, on textured MCUs) or the rows beside it are quiet (an object's
straight edge is blurred over several rows; a DC step is one pixel
sharp). A single straight run, needed when the damage starts at a row's
start or in the first or last MCU row, counts only when it covers at
least half the width, steps by 1.5 x the level with every MCU within half
of the mean, and the texture continues across it: a letterbox bar or a
lectern's edge on the grid is one straight edge between different
things, not a shift of the same picture; and the texture continues down
the shifted MCU row too (its rows y + 1 and y + 2 within 4 x of row y's
gradient energy: a flat bar starting one row below the boundary reads as
a step on it, with the picture's last row just below). A run over the
whole width may be partly **clipped** (a large shift pushes dark or bright
parts past 0 or 255, where the step is smaller and the texture flat): the
unclipped MCUs must then step alike (:data:`CLIP_RUN_AGREE`, on at least
:data:`CLIP_RUN_MIN_AGREE` of the width) with their texture continuing,
and together with the clipped ones cover :data:`CLIP_RUN_EXPLAINED` of it;
a staircase may be clipped alike (:func:`_clipped_staircase`, the same

**Wrong MCUs** (JPEG with 16-px MCU rows, i.e. 4:2:0 / 4:4:0 chroma at full
scale, up to 1 MP). A Huffman decoder that loses its place for a few symbols
and finds it again decodes one to a few MCUs from wrong bits (stripes,
checkerboards, flat blocks of another colour): such an MCU steps against the
picture on its top and bottom, where the MCU columns beside it do not. A run
of at most :data:`WRONG_MCU_RUN` MCUs whose boundaries above and below step
:data:`WRONG_MCU_LEVELS` more than those beside the run (chroma counted 4 x,
see :func:`_wrong_mcu`) is damage; so is a drift candidate below the level
starting at a run stepping :data:`JOINT_WRONG_MCU` of that
(:func:`_drift_at_wrong_mcu`: the wrong MCUs and the shift after them come
from the same lost place).

References
----------
.. [1] ITU-T T.81 | ISO/IEC 10918-1, *Digital compression and coding of
   continuous-tone still images* (JPEG), 1992, A.1.1 (sampling factors),
   F.1.2.1 (DC difference coding).
.. [3] G. K. Wallace, "The JPEG still picture compression standard",
   *IEEE Trans. Consumer Electronics* 38(1), 1992.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from facemetrics.integrity.result import PixelCheck

__all__ = [
    "CLIP_RUN_AGREE",
    "CLIP_RUN_EXPLAINED",
    "CLIP_RUN_MIN_AGREE",
    "DRIFT_LEVELS",
    "JOINT_WRONG_MCU",
    "WRONG_MCU_LEVELS",
    "WRONG_MCU_RUN",
]

#: a JPEG staircase with a colour step of at least this many grey levels (in the strongest of
#: luma, R-G, B-G) on both of its parts is DC drift
DRIFT_LEVELS = 20.0
#: a long drift run may leave out MCUs whose lower side was clipped to 0 / 255 by the shift: the other
#: MCUs of the boundary step alike (every channel within this fraction of the step, plus 2 levels) ...
CLIP_RUN_AGREE = 0.2
#: ... on at least this fraction of the width, the clipped ones and these together on at least
#: CLIP_RUN_EXPLAINED of it (chosen on fuzz seed 1 and the clean set: docs/robustness.md "Decoder garbage")
CLIP_RUN_MIN_AGREE = 0.15
CLIP_RUN_EXPLAINED = 0.9
#: JPEG, 4:2:0 or 4:4:0 at full scale (16-px MCU rows), up to _DRIFT_ALL_COLUMNS_PIXELS: a run of 1 to
#: WRONG_MCU_RUN MCUs whose top and bottom boundaries both step, on average along the MCU, by at least this
#: many levels more than the MCU columns beside the run do (strongest of luma and 4 x R-G, 4 x B-G) is a
#: wrongly decoded MCU (twice the clean set's highest, 47: docs/robustness.md "JPEG: wrong MCUs")
WRONG_MCU_LEVELS = 100.0
#: ... at most this many MCUs side by side (a longer run of garbage is colour noise or drift)
WRONG_MCU_RUN = 3
#: a drift candidate (>= 0.6 x DRIFT_LEVELS) starting at a run of MCUs stepping this fraction of WRONG_MCU_LEVELS
#: more than their neighbours is damage (the clean set's highest wrong-MCU excess anywhere: 0.37)
JOINT_WRONG_MCU = 0.4
#: the drift check averages every column of each MCU up to this many pixels; above, it reads two
#: columns of every fourth MCU
_DRIFT_ALL_COLUMNS_PIXELS = 1_000_000


def _channels(rgb: np.ndarray) -> np.ndarray:
    """``(3, ...)`` int16 from ``(..., 3 or 4)`` uint8 RGB(x): luma ``(R + 2G + B) // 4``, ``R - G``, ``B - G``."""
    shape = rgb.shape[:-1]
    # one contiguous plane per channel (OpenCV's split; strided channel views are slow in NumPy)
    planes = cv2.split(np.ascontiguousarray(rgb).reshape(-1, 1, rgb.shape[-1]))
    r, g, b = (planes[i].reshape(shape).astype(np.int16) for i in range(3))
    out = np.empty((3,) + shape, np.int16)
    np.add(r, b, out=out[0])
    out[0] += g
    out[0] += g
    out[0] >>= 2
    np.subtract(r, g, out=out[1])
    np.subtract(b, g, out=out[2])
    return out


def _boundary_rows(rgb: np.ndarray, mh: int, K: int, J: int, cw: int, off: int, n: int, r: int,
                   ks: np.ndarray | None = None) -> np.ndarray:
    """``(K, r, J, n, 3 or 4)`` uint8 copy of the ``r`` rows around each horizontal MCU boundary
    ``y = (k + 1) mh`` (rows ``y - r/2 .. y + r/2 - 1``), at columns ``off .. off + n - 1`` of every
    ``cw``-wide group (`rgb` C-contiguous): one strided view of ``n``-pixel items, one copy (with
    `ks`, of those boundaries only: ``(len(ks), r, J, n, 3 or 4)``)."""
    rs = rgb.strides[0]
    start = (mh - r // 2) * rs + off * 3
    if n == 1 and start + (K - 1) * mh * rs + (r - 1) * rs + (J - 1) * 3 * cw + 4 <= rgb.nbytes:
        # single pixels: 4-byte items (the pixel and the next byte) copy faster than 3-byte ones
        items = np.ndarray((K, r, J), np.uint32, buffer=rgb, offset=start, strides=(mh * rs, rs, 3 * cw))
        items = items.copy() if ks is None else items[ks]
        return items.view(np.uint8).reshape(len(items), r, J, 1, 4)  # (the fourth byte is not a channel)
    items = np.ndarray((K, r, J), np.dtype((np.void, 3 * n)), buffer=rgb, offset=start,
                       strides=(mh * rs, rs, 3 * cw))
    items = items.copy() if ks is None else items[ks]
    return items.view(np.uint8).reshape(len(items), r, J, n, 3)


class _Grid(NamedTuple):
    """Where the drift check reads: horizontal MCU boundaries ``y = (k + 1) mh``, ``k = 0 .. K - 1``,
    and ``J`` groups of ``cw`` columns, of which columns ``off .. off + n - 1`` are read (``ns`` of
    them for the steps: ``n`` when ``n <= 2``, else 1)."""

    mh: int
    mw: int
    K: int
    J: int
    cw: int
    n: int
    ns: int
    off: int


class _Texture(NamedTuple):
    """``(K, J + 1)`` float32 cumulative sums along the MCU columns of each boundary (prefix sums:
    ``[:, j]`` sums MCU columns ``0 .. j - 1``) of: the activity beside the boundary (`act`); the
    products of the horizontal luma gradients of the rows just above and below (`ab`, `aa`, `bb`);
    the count of textured MCUs (`textured`, mean ``|gradient| >= 1.5`` levels); and the
    ``(K, 6, J, n, 3)`` uint8 pixels they were taken from (`rows`, :func:`_boundary_rows`), which the
    clipped searches read again."""

    act: np.ndarray
    ab: np.ndarray
    aa: np.ndarray
    bb: np.ndarray
    textured: np.ndarray
    rows: np.ndarray


def _drift_grid(shape: tuple[int, ...], mcu: tuple[int, int]) -> _Grid | None:
    """The boundaries and columns the drift check reads on an array of `shape`; None when too small."""
    mh, mw = mcu
    h, w = shape[:2]
    nby, nbx = h // mh, w // mw  # whole MCUs
    if nby < 3 or nbx < 4 or mh < 3 or mw < 2:
        return None
    # Only the rows around each boundary are read, and on large decodes two adjacent columns in the
    # middle of each fourth MCU (the step is the same all along a drifted MCU).
    small = h * w <= _DRIFT_ALL_COLUMNS_PIXELS
    cw = mw if small else 4 * mw  # large decodes: every fourth MCU column is read
    n = mw if small else 2
    return _Grid(mh, mw, nby - 1, w // cw, cw, n, n if n > 2 else 1, (mw - n) // 2)


def _boundary_steps(rgb: np.ndarray, g: _Grid, abs_steps: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The colour step across each horizontal MCU boundary, per MCU column.

    Returns ``(ei, ns)``: ``ei`` ``(3, K, J)`` integers, ``2 ns`` times the step across the boundary
    minus the mean of the two inside-block steps beside it, in luma, R-G and B-G (smooth gradients
    cancel), summed over the ``ns`` columns read per MCU; :func:`_prefix_sums` turns them into the
    steps ``hr = ei / (2 ns)`` and their prefix sums. `abs_steps`: when given (a list) and every column
    is read, :func:`_mcu_abs_steps` of the same steps is appended (for :func:`_wrong_mcu`).
    """
    K, J, ns = g.K, g.J, g.ns
    # from the four rows y - 2 .. y + 1 around each boundary y, at columns off .. off + n - 1 of every
    # cw (large decodes: one column per MCU for the steps, a drifted MCU steps alike all along);
    # 2 (p2 - p1) - (p1 - p0) - (p3 - p2) = 3 (p2 - p1) - (p3 - p0)
    raw = _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, ns, 4)  # (K, 4, J, ns, 3 or 4) uint8
    p = _channels(raw.reshape(K, 4, J * ns, raw.shape[-1]))  # (3, K, 4, J ns) int16
    e = p[:, :, 2] - p[:, :, 1]
    e *= 3
    e -= p[:, :, 3]
    e += p[:, :, 0]  # (3, K, J ns), |e| <= 2040
    if abs_steps is not None and ns == g.mw == g.cw:
        abs_steps.append(_mcu_abs_steps(e, K, J, ns))
    return (e.reshape(3, K, J, ns).sum(axis=3, dtype=np.int32) if ns > 1 else e), ns


def _mcu_abs_steps(e: np.ndarray, K: int, J: int, n: int) -> np.ndarray:
    """``(K, J)`` float32: from the ``(3, K, J n)`` boundary steps `e` of :func:`_boundary_steps` (every column,
    ``n`` per MCU), the mean ``|e| / 2`` per MCU in the strongest of luma and 4 x each chroma difference (for
    :func:`_wrong_mcu`; libjpeg's smooth upsampling of vertically halved chroma spreads a chroma step D over
    two rows, where this measure reads D / 4)."""
    a = np.abs(e).reshape(3, K, J, n).sum(axis=3, dtype=np.int32).astype(np.float32)
    a *= np.array([0.5, 2.0, 2.0], np.float32)[:, None, None] / n
    return a.max(axis=0)


def _prefix_sums(ei: np.ndarray, ns: int, steps: bool = True) -> tuple[np.ndarray, np.ndarray] | np.ndarray:
    """From :func:`_boundary_steps`'s ``(3, K, J)`` integers `ei`: with `steps`, ``(hr, csum)``, the
    float32 steps ``hr = ei / (2 ns)`` and their ``(3, K, J + 1)`` prefix sums along ``J``
    (``[:, :, j]`` sums columns ``0 .. j - 1``); without, the prefix sums of ``|hr|`` only."""
    C, K, J = ei.shape
    if ns & (ns - 1) == 0 and J * 2040 * ns < 2 ** 24:
        # ns a power of two: hr = ei / (2 ns) and every sum of it are exact in float32, so cumulating
        # the integers gives the same sums as cumulating hr in float32
        ie = np.empty((C, K, J), np.int32)  # (int32 in and out: NumPy's cumsum is slow when it casts)
        if steps:
            ie[:] = ei
        else:
            np.abs(ei, out=ie)
        np.cumsum(ie, axis=2, out=ie)
        cum = np.empty((C, K, J + 1), np.float32)
        cum[:, :, 0] = 0.0
        cum[:, :, 1:] = ie
        cum *= 0.5 / ns
        if not steps:
            return cum
        hr = ei.astype(np.float32)
        hr *= 0.5 / ns
        return hr, cum
    hr = ei.astype(np.float32)
    if ns > 1:
        hr /= ns  # the mean, as before
    hr *= 0.5
    cum = np.zeros((C, K, J + 1), np.float32)
    np.cumsum(hr if steps else np.abs(hr), axis=2, out=cum[:, :, 1:])
    return (hr, cum) if steps else cum


def _drift_possible(csum: np.ndarray, J: int, lvl: float) -> bool:
    """Quick exit: False when no prefix mean of >= 2 MCUs (on a boundary below the first) reaches
    `lvl`, and no prefix or suffix mean of >= half the width reaches 1.5 x `lvl`: no staircase and no
    long run can then be found (a slightly lower bar than theirs, against float32 rounding)."""
    lo = lvl * (1.0 - 1e-4)
    jj = np.arange(J + 1, dtype=np.float32)
    half = -(-J // 2)
    mx = np.abs(csum).max(axis=0)  # (K, J + 1)
    tail = np.abs(csum[:, :, J:] - csum[:, :, :J // 2 + 1]).max(axis=0)  # (K, J // 2 + 1)
    return bool((mx[1:, 2:J - 1] >= lo * jj[2:J - 1]).any() or (mx[:, half:] >= 1.5 * lo * jj[half:]).any()
                or (tail >= 1.5 * lo * (J - jj[:J // 2 + 1])).any())


def _texture(rgb: np.ndarray, g: _Grid) -> _Texture:
    """The texture terms of every boundary (:class:`_Texture`), from the rows ``y - 3 .. y + 2``
    around each boundary ``y`` (the last three of MCU row k, the first three of k + 1)."""
    K, J, n = g.K, g.J, g.n
    sub = _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, n, 6)  # (K, 6, J, n, 3) uint8
    ch = _channels(sub if g.ns == n else _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, 1, 6))  # (3, K, 6, J, ns)
    pm, p0, p1, p2, p3, p4 = (ch[:, :, i] for i in range(6))  # each (3, K, J, ns)
    # activity beside the boundary (two inside-block steps on each side, strongest channel): a
    # natural edge that happens to lie on the grid is blurred over several rows, a DC step is not
    act = (np.abs(p0 - pm) + np.abs(p1 - p0) + np.abs(p3 - p2) + np.abs(p4 - p3)).max(axis=0).mean(
        axis=2, dtype=np.float32) * 0.25

    def _cum(a2):  # (K, J) -> (K, J + 1) cumulative sums along the MCU columns
        return np.concatenate([np.zeros((K, 1), np.float32), np.cumsum(a2, axis=1)], axis=1)

    # The picture must also continue across the boundary (the same texture, shifted), unlike an
    # object's straight edge (a lectern, a table): the horizontal luma gradients of the rows just
    # above and below correlate (>= 0.5) and are not flat.
    lum = sub[:, 2:4, :, :, 1].astype(np.float32)  # (K, 2, J, n): green of rows y - 1, y
    ga = np.diff(lum[:, 0], axis=2)  # (K, J, n - 1)
    gb = np.diff(lum[:, 1], axis=2)
    # fraction of the run's MCUs with texture (mean |gradient| >= 1.5 levels): a few vertical
    # edges crossing a flat run must not count as texture
    textured = ((np.abs(ga) + np.abs(gb)).sum(axis=2) / (2 * (n - 1)) >= 1.5).astype(np.float32)
    return _Texture(_cum(act), _cum((ga * gb).sum(axis=2)), _cum((ga * ga).sum(axis=2)),
                    _cum((gb * gb).sum(axis=2)), _cum(textured), sub)


def _staircase(csum: np.ndarray, acs: np.ndarray, tex: _Texture, J: int, lvl: float, best: tuple) -> tuple:
    """(a) Staircase: damage in MCU row m = k + 1 from column j0 on: the boundary above row m (index
    k) steps by d on columns [j0 + g, J) and the boundary below (index k + 1) on [0, j0); g <= 4 MCUs
    of garbage may separate them. Both parts need >= 2 MCUs and a consistent step. `best` (and the
    result): ``(magnitude, damage MCU row, MCU column, channel, step)``."""
    K = csum.shape[1]
    jj = np.arange(J + 1, dtype=np.float32)
    cab, caa, cbb, cab_abs, cact = tex.ab, tex.aa, tex.bb, tex.textured, tex.act
    # suffix means (columns [j, J)) and prefix means (columns [0, j)) of every boundary; only the
    # boundary pairs where both can reach the level are searched (a handful in a clean photo)
    suf = (csum[:, :, J:] - csum) / np.maximum(J - jj, 1)  # (3, K, J + 1)
    suf_abs = (acs[:, :, J:] - acs) / np.maximum(J - jj, 1)
    pre = csum / np.maximum(jj, 1)
    pre_abs = acs / np.maximum(jj, 1)
    ok_suf = ((np.abs(suf) >= lvl) & (np.abs(suf) >= 0.6 * suf_abs)).any(axis=0)  # (K, J + 1)
    ok_pre = ((np.abs(pre) >= lvl) & (np.abs(pre) >= 0.6 * pre_abs)).any(axis=0)
    ok_suf5 = ok_suf.copy()  # a suffix starting within 4 MCUs to the right will do (the gap g)
    for g in range(1, 5):
        ok_suf5[:, :-g] |= ok_suf[:, g:]
    pairs = np.nonzero((ok_suf5[:-1, 2:J - 1] & ok_pre[1:, 2:J - 1]).any(axis=1))[0]  # boundary k, k + 1
    for g in range(0, 5 if len(pairs) else 0):
        j0 = np.arange(2, J - 1 - g)
        if len(j0) == 0 or K < 2:
            break
        jt = j0 + g
        top = suf[:, pairs][:, :, jt]  # (3, P, n)
        top_abs = suf_abs[:, pairs][:, :, jt]
        bot = pre[:, pairs + 1][:, :, j0]
        bot_abs = pre_abs[:, pairs + 1][:, :, j0]
        same = np.sign(top) == np.sign(bot)
        # the same colour step on both parts, in every channel (natural edges differ in some)
        close = (np.abs(top - bot) <= 0.5 * np.maximum(np.abs(top), np.abs(bot)) + 2.0).all(axis=0)[None]
        cons = np.minimum(np.abs(top) / (top_abs + 1e-6), np.abs(bot) / (bot_abs + 1e-6)) >= 0.6
        # texture continues across both parts (or both are flat): not an object's edges
        kt, kb = pairs, pairs + 1
        ct = (cab[kt, J][:, None] - cab[kt][:, jt]) / np.sqrt(
            (caa[kt, J][:, None] - caa[kt][:, jt]) * (cbb[kt, J][:, None] - cbb[kt][:, jt]) + 1e-6)
        tt = (cab_abs[kt, J][:, None] - cab_abs[kt][:, jt]) / (J - jt)
        cb_ = cab[kb][:, j0] / np.sqrt(caa[kb][:, j0] * cbb[kb][:, j0] + 1e-6)
        tb = cab_abs[kb][:, j0] / j0
        at = (cact[kt, J][:, None] - cact[kt][:, jt]) / (J - jt)
        ab = cact[kb][:, j0] / j0
        dmin = np.minimum(np.abs(top), np.abs(bot)).max(axis=0)
        cont = ((((ct >= 0.5) & (tt >= 0.5)) | (at <= 0.35 * dmin))
                & (((cb_ >= 0.5) & (tb >= 0.5)) | (ab <= 0.35 * dmin)))
        mag = np.minimum(np.abs(top), np.abs(bot)) * (same & close & cons & cont[None])
        mag = mag * (0.97 ** g)  # ties: the staircase without a gap locates the damage best
        c, k, j = np.unravel_index(int(np.argmax(mag)), mag.shape)
        if mag[c, k, j] > best[0]:
            v = float(mag[c, k, j]) / (0.97 ** g)
            best = (v, int(pairs[k]) + 1, int(j0[j]), int(c), v)
    return best


def _long_run(hr: np.ndarray, csum: np.ndarray, tex: _Texture, J: int, lvl: float, best: tuple) -> tuple:
    """(b) One long run: a prefix [0, j) or a suffix [j, J) of at least half the width of one boundary
    stepping by the same d everywhere (damage at a row start, in the first or last MCU row, or just
    before the right edge). Stricter: every MCU within d / 2 of d on average, and 1.5 x the level (a
    letterbox bar or a horizon steps by an amount that varies along it). The texture continues across
    the boundary (rows y - 1 and y, as in :func:`_staircase`, their energies within 4 x) and down the
    shifted MCU row: the horizontal green gradients' energies of its rows y + 1 and y + 2 each within
    4 x of row y's (:func:`_shifted_rows_alike`). `best` as in :func:`_staircase`."""
    jj = np.arange(J + 1, dtype=np.float32)
    cab, caa, cbb, cab_abs = tex.ab, tex.aa, tex.bb, tex.textured
    suf = (csum[:, :, J:] - csum) / np.maximum(J - jj, 1)  # (3, K, J + 1)
    pre = csum / np.maximum(jj, 1)
    cand = np.unique(np.linspace(-(-J // 2), J, min(J - (-(-J // 2)) + 1, 8)).astype(int))
    long_k = np.nonzero((np.abs(pre[:, :, -(-J // 2):]) >= 1.5 * lvl).any(axis=(0, 2))
                        | (np.abs(suf[:, :, :J // 2 + 1]) >= 1.5 * lvl).any(axis=(0, 2)))[0]
    if len(long_k):
        # energies of rows y + 1, y + 2 of the boundaries with a long run: (P, 2, J + 1) prefix sums
        g_deep = np.diff(tex.rows[long_k, 4:6, :, :, 1].astype(np.float32), axis=3)  # (P, 2, J, n - 1)
        c_deep = np.zeros((len(long_k), 2, J + 1), np.float32)
        np.cumsum((g_deep * g_deep).sum(axis=3), axis=2, out=c_deep[:, :, 1:])
    for j in (cand if len(long_k) else ()):
        for part, k_shift in ((slice(0, j), 0), (slice(J - j, J), J - j)):
            seg = hr[:, long_k, part]  # (3, P, j)
            d = seg.mean(axis=2, keepdims=True)
            spread = np.abs(seg - d).mean(axis=2)
            dd = np.abs(d[..., 0])
            lo, hi = part.start, part.stop
            corr = (cab[long_k, hi] - cab[long_k, lo]) / np.sqrt(
                (caa[long_k, hi] - caa[long_k, lo]) * (cbb[long_k, hi] - cbb[long_k, lo]) + 1e-6)
            texture = (cab_abs[long_k, hi] - cab_abs[long_k, lo]) / (hi - lo)
            # a shift keeps the texture's strength: the gradients above and below within 4 x in energy
            # (a DC drift adds a constant; a caption banner or a graded band multiplies the picture)
            ea, eb = caa[long_k, hi] - caa[long_k, lo], cbb[long_k, hi] - cbb[long_k, lo]
            cont = (corr >= 0.5) & (texture >= 0.5) & (eb <= 4.0 * ea) & (ea <= 4.0 * eb)
            cont &= _shifted_rows_alike(eb, c_deep[:, :, hi] - c_deep[:, :, lo])
            mag = dd * (spread <= 0.5 * dd) * cont[None] / 1.5
            c, k = np.unravel_index(int(np.argmax(mag)), mag.shape)
            if mag[c, k] > best[0]:
                col = j if k_shift == 0 else k_shift
                best = (float(mag[c, k]), int(long_k[k]) + (0 if k_shift == 0 else 1), col, int(c),
                        float(dd[c, k]))
    return best


def _shifted_rows_alike(e_first: np.ndarray, e_deep: np.ndarray) -> np.ndarray:
    """True where the MCU row below a boundary ``y`` carries one texture in its first rows, as a row
    shifted by a constant does: the energies (sums of squared horizontal green gradients, over a run)
    `e_deep` ``(..., 2)`` of rows y + 1 and y + 2 each within 4 x of `e_first` ``(...)``, row y's.

    A DC drift adds the same constant to every pixel of the blocks it shifts, so their rows keep the
    picture's texture alike. A flat bar, or a pasted picture's lower edge, starting one row *below* an
    MCU boundary is not a shift: the boundary step (which subtracts the inside-block steps beside it)
    then reads minus half the bar's edge, row y is the picture's last row, so its texture continues
    across the boundary, and rows y + 1 and y + 2 are flat. (The drift grid has MCU rows of at least
    3 px, so rows y .. y + 2 are one MCU row.) The bound is the 4 x of the test across the boundary,
    not tuned; the reference is row y, not y - 1, because a large shift clips part of the texture of
    the shifted rows: rows y + 1 and y + 2 kept 0.45-1.6 x row y's energy in the long-run catches of
    fuzz seeds 0-2 and 7-9, the bars of the edited-photo bench at most 0.08 x in row y + 2
    (docs/robustness.md, "False refusals of edited good photos"). Only the long run uses it: in a
    clipped run an object's contour moving into the clipped level changes the energy row by row (an
    additive shift of +85 levels, 71 % clipped, kept 0.22-0.30 x).
    """
    e_first = np.asarray(e_first, np.float32)[..., None]
    return ((e_deep <= 4.0 * e_first) & (e_first <= 4.0 * e_deep)).all(axis=-1)


def _clipped_run(rgb: np.ndarray, g: _Grid, hr: np.ndarray, lvl: float, best: tuple,
                 rows: np.ndarray | None = None) -> tuple:
    """(c) A drift over the whole width of one boundary, partly clipped: a large shift pushes dark (or
    bright) parts of the picture below 0 (above 255), where the step is smaller than the shift and the
    texture flat, so the long run (b) sees neither a constant step nor a continuing texture. The MCUs
    whose three rows below the boundary are at 0 in some channel on at least half of their pixels
    (a negative step, by the boundary's median; at 255 for a positive one) are set aside as clipped;
    at least one must be (else it is the long run's case). The others, at least
    :data:`CLIP_RUN_MIN_AGREE` of the width, give the step ``d`` (their median; at least `lvl` in the
    strongest channel); those within :data:`CLIP_RUN_AGREE` of ``|d|`` plus 2 levels in every channel
    (again at least :data:`CLIP_RUN_MIN_AGREE` of the width) and the clipped ones stepping the same
    way or not at all must cover :data:`CLIP_RUN_EXPLAINED` of it. And over the agreeing MCUs the
    picture's texture continues across the boundary (horizontal green gradients of the rows just
    above and below correlate, >= 0.5, mean ``|gradient| >= 1.5`` levels): the same picture, shifted,
    not an object's edge or a bar. `best` as in :func:`_staircase`; :func:`_dc_drift` asks only when
    (a) and (b) found no drift (they locate the damage point better). `rows`: :attr:`_Texture.rows`
    (read from `rgb` when None)."""
    K, J, n = g.K, g.J, g.n
    d_all = np.median(hr, axis=2)  # (3, K): a first guess of each boundary's step
    ks = np.nonzero(np.abs(d_all).max(axis=0) >= 0.5 * lvl)[0]
    if len(ks) == 0 or n < 2:
        return best
    sub = rows[ks] if rows is not None else _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, n, 6, ks)  # (P, 6, J, n, 3)
    for i, k in enumerate(ks):
        c0 = int(np.argmax(np.abs(d_all[:, k])))
        sign = np.sign(d_all[0, k]) if abs(d_all[0, k]) >= 0.5 * lvl else np.sign(d_all[c0, k])
        low = sub[i, 3:6, :, :, :3]  # (3 rows, J, n, 3): the rows just below the boundary
        at_limit = low.min(axis=3) == 0 if sign < 0 else low.max(axis=3) == 255  # (3, J, n)
        clipped = at_limit.mean(axis=(0, 2)) >= 0.5  # (J,)
        free = ~clipped
        if not clipped.any() or free.sum() < max(2, CLIP_RUN_MIN_AGREE * J):
            continue  # (nothing clipped: the long run's case)
        dk = np.median(hr[:, k, free], axis=1)  # (3,): the step where nothing was clipped
        c = int(np.argmax(np.abs(dk)))
        mag = float(abs(dk[c]))
        if mag < lvl or mag <= best[0] or np.sign(dk[c]) != np.sign(d_all[c, k]):
            continue
        agree = free & (np.abs(hr[:, k] - dk[:, None]) <= CLIP_RUN_AGREE * mag + 2.0).all(axis=0)  # (J,)
        same_way = hr[c, k] * np.sign(dk[c]) >= -2.0
        explained = agree | (clipped & same_way)
        if agree.sum() < max(2, CLIP_RUN_MIN_AGREE * J) or explained.mean() < CLIP_RUN_EXPLAINED:
            continue
        ga = np.diff(sub[i, 2, agree, :, 1].astype(np.float32), axis=1).ravel()  # row y - 1
        gb = np.diff(sub[i, 3, agree, :, 1].astype(np.float32), axis=1).ravel()  # row y
        corr = float((ga * gb).sum()) / float(np.sqrt(float((ga * ga).sum()) * float((gb * gb).sum())) + 1e-6)
        texture = float((np.abs(ga) + np.abs(gb)).mean()) / 2.0
        if corr >= 0.5 and texture >= 1.5:
            best = (mag, int(k) + 1, 0, c, float(dk[c]))
    return best


def _clipped_staircase(rgb: np.ndarray, g: _Grid, hr: np.ndarray, lvl: float, best: tuple,
                       rows: np.ndarray | None = None) -> tuple:
    """(d) A staircase (see :func:`_staircase`) partly clipped at black or white: damage in MCU row
    ``m = k + 1`` from MCU column ``j0`` on shifts the top part (boundary k, columns ``[j0 + gap, J)``,
    ``gap <= 4`` MCUs of garbage) and the bottom part (boundary k + 1, columns ``[0, j0)``) by the same
    ``d``; where the shifted picture went past 0 (255) the step is smaller and the texture flat, so
    :func:`_staircase` sees no consistent step. As in :func:`_clipped_run`, each MCU column of a
    boundary is *clipped* (the three rows below it at 0, for a negative ``d``, on at least half of
    their pixels in some channel; at 255 for a positive one) or *free*. Candidate steps ``d`` are the
    free MCUs' steps reaching `lvl` (strongest channel); *agreeing* MCUs are free ones within
    :data:`CLIP_RUN_AGREE` of ``|d|`` plus 2 levels in every channel. A staircase is drift when both
    parts have an agreeing MCU, together at least ``max(3, CLIP_RUN_MIN_AGREE J)``; at least one MCU
    of the parts is clipped; the agreeing MCUs and the clipped ones stepping the same way or not at
    all cover :data:`CLIP_RUN_EXPLAINED` of the two parts; and over the agreeing MCUs the picture's
    texture continues across the boundaries (as in :func:`_clipped_run`). The step reported is the
    agreeing MCUs' median, the damage column the best-explained split. `best` as in
    :func:`_staircase`; `rows` as in :func:`_clipped_run`."""
    K, J, n = g.K, g.J, g.n
    if n < 2 or K < 2 or J < 4:
        return best
    c0 = np.abs(hr).argmax(axis=0)  # (K, J): each MCU's strongest channel
    s0 = np.take_along_axis(hr, c0[None], axis=0)[0]  # (K, J): its step
    strong = np.abs(s0) >= max(lvl, best[0])
    pair = strong[:-1].any(axis=1) & strong[1:].any(axis=1)  # (K - 1,): boundary pairs (k, k + 1)
    if not pair.any():
        return best
    sub = rows if rows is not None else _boundary_rows(rgb, g.mh, K, J, g.cw, g.off, n, 6)  # (K, 6, J, n, 3)
    used = np.zeros(K, bool)  # the boundaries of those pairs
    used[:-1] |= pair
    used[1:] |= pair
    low = sub[used, 3:6]  # (U, 3, J, n, 3): the three rows below each boundary used
    lo, hi = np.minimum(low[..., 0], low[..., 1]), np.maximum(low[..., 0], low[..., 1])
    np.minimum(lo, low[..., 2], out=lo)
    np.maximum(hi, low[..., 2], out=hi)
    clip = {}  # sign of the step -> (K, J): clipped at 0 (255) below the boundary
    for sign, at_limit in ((-1.0, lo == 0), (1.0, hi == 255)):
        clip[sign] = np.zeros((K, J), bool)
        clip[sign][used] = at_limit.mean(axis=(1, 3)) >= 0.5
    # a quick bound for every pair and sign: the MCUs that could be explained (stepping at least as far
    # as an agreeing MCU must, 0.8 lvl - 2, in their strongest channel; or clipped) must cover
    # CLIP_RUN_EXPLAINED of some split's two parts; only the pairs that pass are searched
    fair = np.abs(s0) >= (1.0 - CLIP_RUN_AGREE) * lvl - 2.0
    need = max(3, CLIP_RUN_MIN_AGREE * J)
    for sign in (-1.0, 1.0):
        cl = clip[sign]
        could = fair | cl  # (K, J) (an agreeing MCU's strongest channel may step the other way)
        cum = np.zeros((K, J + 1), np.int32)
        np.cumsum(could, axis=1, out=cum[:, 1:])
        cand = pair & cl[:-1].any(axis=1) | pair & cl[1:].any(axis=1)
        hit = np.zeros(K - 1, bool)
        for gap in range(5):
            j0 = np.arange(1, J - gap)
            if len(j0) == 0:
                break
            cover = (cum[:-1, J:] - cum[:-1, j0 + gap]) + cum[1:, j0]  # (K - 1, len(j0))
            hit |= (cover >= CLIP_RUN_EXPLAINED * (J - gap)).any(axis=1)
        for k in np.nonzero(cand & hit)[0]:
            best = _clipped_stair_pair(sub[k:k + 2], hr[:, k:k + 2], s0[k:k + 2], strong[k:k + 2], cl[k:k + 2],
                                       sign, J, need, lvl, int(k), best)
    return best


def _clipped_stair_pair(sub: np.ndarray, hk: np.ndarray, s0: np.ndarray, strong: np.ndarray, cl: np.ndarray,
                        sign: float, J: int, need: float, lvl: float, k: int, best: tuple) -> tuple:
    """:func:`_clipped_staircase` on one boundary pair ``(k, k + 1)`` and one sign of the step: ``sub``
    ``(2, 6, J, n, 3)`` the rows around both boundaries, ``hk`` ``(3, 2, J)`` their steps, ``s0``
    ``(2, J)`` the steps in each MCU's strongest channel, ``strong``/``cl`` ``(2, J)`` the MCUs
    stepping by `lvl` and those clipped."""
    cand = strong & ~cl & (np.sign(s0) == sign)  # (2, J)
    if not cand.any():
        return best
    d = hk[:, cand]  # (3, D) candidate steps
    D = d.shape[1]
    cd = np.abs(d).argmax(axis=0)  # (D,)
    tol = CLIP_RUN_AGREE * np.abs(d).max(axis=0) + 2.0
    agree = (~cl)[None] & (np.abs(hk[:, None] - d[:, :, None, None]) <= tol[:, None, None]).all(axis=0)  # (D, 2, J)
    same_way = hk[cd] * np.sign(d[cd, np.arange(D)])[:, None, None] >= -2.0  # (D, 2, J)
    expl = agree | (cl[None] & same_way)
    zero = np.zeros((D, 2, 1), np.int32)
    ca, ce = (np.concatenate([zero, np.cumsum(a, axis=2, dtype=np.int32)], axis=2) for a in (agree, expl))
    cc = np.concatenate([[[0], [0]], np.cumsum(cl, axis=1)], axis=1)  # (2, J + 1)
    splits = []  # (explained fraction, -gap, -j0, candidate) where the counts hold
    for gap in range(5):
        j0 = np.arange(1, J - gap)  # bottom part [0, j0) of k + 1, top part [j0 + gap, J) of k
        if len(j0) == 0:
            break
        t0 = j0 + gap
        na_t, na_b = ca[:, 0, J:] - ca[:, 0, t0], ca[:, 1, j0]  # (D, len(j0))
        frac = (ce[:, 0, J:] - ce[:, 0, t0] + ce[:, 1, j0]) / ((J - t0) + j0)
        ok = ((na_t >= 1) & (na_b >= 1) & (na_t + na_b >= need) & (cc[0, J] - cc[0, t0] + cc[1, j0] >= 1)
              & (frac >= CLIP_RUN_EXPLAINED))
        di, jj = np.nonzero(ok)
        splits += [(float(frac[a, b]), -gap, -int(j0[b]), int(a)) for a, b in zip(di, jj)]
    for _, gap, j, di in sorted(splits, reverse=True)[:4]:
        found = _clipped_stair_texture(sub, hk, agree[di], -gap, -j, lvl, best)
        if found is not None:
            return (found[0], k + 1, -j, found[1], found[2])
    return best


def _clipped_stair_texture(sub: np.ndarray, hk: np.ndarray, agree: np.ndarray, gap: int, j: int, lvl: float,
                           best: tuple) -> tuple | None:
    """The last test of :func:`_clipped_staircase` for one split (damage column `j`, `gap`) of a
    boundary pair (``sub`` ``(2, 6, J, n, 3 or 4)`` the rows around both boundaries, ``hk`` ``(3, 2, J)``
    their steps, `agree` ``(2, J)``): ``(|d|, channel, d)`` with ``d`` the agreeing MCUs' median step
    when it reaches `lvl`, beats `best` and the texture continues across both parts; else None."""
    part = np.zeros_like(agree)
    part[0, j + gap:] = agree[0, j + gap:]
    part[1, :j] = agree[1, :j]
    dm = np.median(hk[:, part], axis=1)  # (3,): the step, over the agreeing MCUs
    cm = int(np.argmax(np.abs(dm)))
    mag = float(abs(dm[cm]))
    if mag < lvl or mag <= best[0]:
        return None
    ga = np.concatenate([np.diff(sub[i, 2, part[i], :, 1].astype(np.float32), axis=1).ravel() for i in (0, 1)])
    gb = np.concatenate([np.diff(sub[i, 3, part[i], :, 1].astype(np.float32), axis=1).ravel() for i in (0, 1)])
    corr = float((ga * gb).sum()) / (float(np.sqrt(float((ga * ga).sum()) * float((gb * gb).sum()))) + 1e-6)
    texture = float((np.abs(ga) + np.abs(gb)).mean()) / 2.0
    return (mag, cm, float(dm[cm])) if corr >= 0.5 and texture >= 1.5 else None


def _dc_drift(rgb: np.ndarray, mcu: tuple[int, int], candidate: list | None = None,
              abs_steps: list | None = None) -> PixelCheck:
    """JPEG DC-drift check: a constant colour step on MCU boundaries (a staircase or one long run).

    Steps: where to read (:func:`_drift_grid`), the step across every horizontal MCU boundary per
    MCU column (:func:`_boundary_steps`, :func:`_prefix_sums`), a quick exit when no step can reach 0.6 x the level
    (:func:`_drift_possible`), the texture terms (:func:`_texture`), then the three searches
    (:func:`_staircase`, :func:`_long_run`, :func:`_clipped_run`) for the strongest drift.
    `candidate`: when given (a list), the strongest candidate below the level, if any, is appended as
    ``(score, damage MCU row, MCU column)`` (for :func:`_drift_at_wrong_mcu`); `abs_steps`: passed to
    :func:`_boundary_steps` (the wrong-MCU check reuses the steps read here).
    """
    g = _drift_grid(rgb.shape, mcu)
    if g is None:
        return PixelCheck(False, 0.0)
    ei, ns = _boundary_steps(rgb, g, abs_steps)
    lvl = 0.6 * DRIFT_LEVELS  # candidates a bit below the level too, so that the score shows the margin
    if max(-int(ei.min()), int(ei.max())) < 0.99 * lvl * 2 * ns:
        # no single step reaches the level (1 % below it, far beyond float32 rounding), so no mean
        # of steps does: what _drift_possible would say, without the prefix sums
        return PixelCheck(False, 0.0)
    hr, csum = _prefix_sums(ei, ns)
    if not _drift_possible(csum, g.J, lvl):
        return PixelCheck(False, 0.0)
    acs = _prefix_sums(ei, ns, steps=False)  # (3, K, J + 1) prefix sums of |hr|
    tex = _texture(rgb, g)
    best = (0.0, 0, 0, 0, 0.0)  # (magnitude / strictness, damage MCU row, MCU column, channel, step)
    best = _staircase(csum, acs, tex, g.J, lvl, best)
    best = _long_run(hr, csum, tex, g.J, lvl, best)
    if best[0] < DRIFT_LEVELS:  # (a staircase or long run found locates the damage better)
        best = _clipped_run(rgb, g, hr, lvl, best, tex.rows)
    if best[0] < DRIFT_LEVELS:
        best = _clipped_staircase(rgb, g, hr, lvl, best, tex.rows)
    val, m, j, c, step = best
    score = val / DRIFT_LEVELS
    if score < 1.0:
        if candidate is not None and val > 0:
            candidate.append((score, m, j))
        return PixelCheck(False, score)
    row, col = m * g.mh, j * g.cw
    name = ("brightness", "red-green balance", "blue-green balance")[c]
    return PixelCheck(True, score, "dc_drift", row, col,
                      f"the picture shifted by a {name} step of {step:.0f} levels along the {g.mw} x {g.mh} px "
                      "coding blocks")


def _wrong_mcu(rgb: np.ndarray, mcu: tuple[int, int], excess: list | None = None,
               abs_steps: np.ndarray | None = None) -> PixelCheck:
    """JPEG: one to :data:`WRONG_MCU_RUN` wrongly decoded MCUs side by side.

    A Huffman decoder that loses its place for a few symbols and finds it again decodes the MCU(s) in
    between from wrong bits: random AC patterns and DC values (stripes, checkerboards, flat blocks of
    saturated colour), unrelated to the picture around them. Such an MCU steps against the picture on all
    its sides; a picture's own edge on the MCU grid continues into the MCU columns beside it (a horizon, a
    bar) or is weak. So, along each horizontal MCU boundary, the mean ``|3 (p2 - p1) - (p3 - p0)| / 2``
    over each MCU's columns (rows ``p0 .. p3`` = ``y - 2 .. y + 1``; strongest of luma and the two chroma
    differences, which count 4 x: libjpeg's smooth upsampling of vertically halved chroma spreads a chroma
    step D over two rows and this measure reads it as D / 4); a run of ``L <= WRONG_MCU_RUN`` MCUs of one
    MCU row whose boundaries above *and* below step, on every MCU of the run, at least
    :data:`WRONG_MCU_LEVELS` more than the stronger of the two boundaries of the MCU columns just left and
    right of the run, is damage. Only for 16-px MCU rows (4:2:0 / 4:4:0 chroma, full-scale decode: with
    8-px MCUs a thin line of the picture has this signature) and decodes up to
    ``_DRIFT_ALL_COLUMNS_PIXELS`` (above, a few MCUs are far below the fraction of the picture that
    could change a measurement, and reading every boundary row would cost a quarter of the pixels).
    Returns the :class:`PixelCheck` (score: the excess / :data:`WRONG_MCU_LEVELS`). `excess`: when given
    (a list), the ``(K - 1, J - L + 1)`` excess of every run of ``L = 1, 2, ...`` MCUs (run ``[j, j + L)``
    of MCU row ``m`` at ``[L - 1][m - 1, j]``) is appended (for :func:`_drift_at_wrong_mcu`). `abs_steps`:
    :func:`_mcu_abs_steps` as :func:`_dc_drift` read them (else read here).
    """
    mh, mw = mcu
    h, w = rgb.shape[:2]
    if mh != 16 or h * w > _DRIFT_ALL_COLUMNS_PIXELS:
        return PixelCheck(False, 0.0)
    g = _drift_grid(rgb.shape, mcu)
    if g is None or g.J < 3:
        return PixelCheck(False, 0.0)
    K, J = g.K, g.J
    a = abs_steps  # (K, J): boundary k = below MCU row k
    if a is None:
        read: list = []
        _boundary_steps(rgb, g, read)
        a = read[0]
    both = np.minimum(a[:-1], a[1:])  # (K - 1, J): MCU rows 1 .. K - 1, the weaker of top and bottom
    pad = np.full((K - 1, J + 2), np.inf, np.float32)  # (no column beside the picture's edge: no run)
    pad[:, 1:-1] = np.maximum(a[:-1], a[1:])
    best = (0.0, 0, 0, 0)
    for L in range(1, min(WRONG_MCU_RUN, J - 2) + 1):
        inner = both[:, :J - L + 1].copy()  # the run [j, j + L): its weakest MCU
        for t in range(1, L):
            np.minimum(inner, both[:, t:J - L + 1 + t], out=inner)
        x = inner - np.maximum(pad[:, :J - L + 1], pad[:, L + 1:])  # minus the columns j - 1 and j + L
        if excess is not None:
            excess.append(x)
        m, j = np.unravel_index(int(np.argmax(x)), x.shape)
        if x[m, j] > best[0]:
            best = (float(x[m, j]), int(m) + 1, int(j), L)
    score = best[0] / WRONG_MCU_LEVELS
    if score < 1.0:
        return PixelCheck(False, score)
    v, m, j, L = best
    return PixelCheck(True, score, "wrong_mcu", m * mh, j * mw,
                      f"{L} wrongly decoded {mw} x {mh} px coding block{'s' if L > 1 else ''} "
                      f"(stepping {v:.0f} levels more than the picture beside {'them' if L > 1 else 'it'})")


def _drift_at_wrong_mcu(drift: tuple, excess: list, mcu: tuple[int, int]) -> PixelCheck:
    """JPEG: a drift candidate below the level that starts at a wrongly decoded MCU.

    Where a Huffman decoder loses its place and finds it again, both signatures of
    :func:`_dc_drift` and :func:`_wrong_mcu` start at the same MCU: the garbage MCU(s), then every later
    MCU shifted by the DC differences decoded wrongly. Each alone may be too weak to be sure of (a
    drift of 12-19 levels; an MCU stepping 40-99 levels more than its neighbours), together they are
    damage: a drift candidate (`drift`: ``(score, damage MCU row m, MCU column j0)`` from
    :func:`_dc_drift`, i.e. at least 0.6 x :data:`DRIFT_LEVELS`) and, in MCU row m, a run of wrong MCUs
    (`excess` from :func:`_wrong_mcu`) of at least :data:`JOINT_WRONG_MCU` x :data:`WRONG_MCU_LEVELS`
    ending at most one MCU before j0 or starting within the staircase's garbage gap (columns
    ``j0 - 1 .. j0 + 4``). Score: the smaller of the two, each relative to its bar."""
    dscore, m, j0 = drift
    mh, mw = mcu
    best = (0.0, 0, 0)
    for L, x in enumerate(excess, start=1):
        if not 1 <= m <= x.shape[0]:
            continue
        lo, hi = max(0, j0 - L), min(x.shape[1], j0 + 5)  # runs [j, j + L) touching columns j0 - 1 .. j0 + 4
        if lo < hi:
            j = lo + int(np.argmax(x[m - 1, lo:hi]))
            if x[m - 1, j] > best[0]:
                best = (float(x[m - 1, j]), j, L)
    score = min(dscore / 0.6, best[0] / (JOINT_WRONG_MCU * WRONG_MCU_LEVELS))
    if score < 1.0:
        return PixelCheck(False, score)
    _, j, L = best
    return PixelCheck(True, score, "wrong_mcu", m * mh, j * mw,
                      f"{L} wrongly decoded {mw} x {mh} px coding block{'s' if L > 1 else ''} and the picture "
                      f"shifted from there on (stepping {dscore * DRIFT_LEVELS:.0f} levels)")
