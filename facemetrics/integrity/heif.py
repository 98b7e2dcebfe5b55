"""HEIF container boxes (ISO/IEC 14496-12), as far as the integrity checks read them.

A HEIF file's ``meta`` box names its primary item (``pitm``), the items' types (``iinf``), where their
data lies (``iloc``, ``idat``), a grid's tiles (``iref`` ``dimg``) and each item's properties
(``iprp``: ``ipco``, ``ipma``). From them this module gives the HEVC NAL units of the coded images
libheif decodes for the primary picture (:func:`_hevc_items`, decoded once more by
:func:`facemetrics.integrity.hevc.hevc_errors`) and checks the primary image's crop window
(:func:`heif_crop_outside`). Damaged counts and sizes never make it read past a box.
"""

from __future__ import annotations

__all__ = [
    "heif_crop_outside",
]

#: at most this many NAL units per coded image and this many coded images (grid tiles) are checked
_HEVC_MAX_NALS = 4096
_HEVC_MAX_ITEMS = 1024


def _boxes(data: bytes, start: int, end: int):
    """``(type, body start, box end)`` of the ISO boxes tiling ``data[start:end]`` (stops at a bad size)."""
    i = start
    while i + 8 <= end:
        size, hdr = int.from_bytes(data[i:i + 4], "big"), 8
        if size == 1:
            size, hdr = int.from_bytes(data[i + 8:i + 16], "big"), 16
        elif size == 0:
            size = end - i
        if size < hdr or i + size > end:
            return
        yield data[i + 4:i + 8], i + hdr, i + size
        i += size


class _Reader:
    """Big-endian integers read one after another from ``data`` from ``pos``."""

    def __init__(self, data: bytes, pos: int):
        self.data, self.pos = data, pos

    def __call__(self, k: int) -> int:
        v = int.from_bytes(self.data[self.pos:self.pos + k], "big") if k else 0
        self.pos += k
        return v


def _item_types(data: bytes, s: int, e: int) -> dict[int, bytes]:
    """``{item id: type}`` from an ``iinf`` box body ``data[s:e]``."""
    rd = _Reader(data, s + 4)
    rd(2 if data[s] == 0 else 4)
    types = {}
    for t, bs, _ in _boxes(data, rd.pos, e):
        if t == b"infe" and data[bs] >= 2:
            rd.pos = bs + 4
            iid = rd(2 if data[bs] == 2 else 4)
            types[iid] = data[rd.pos + 2:rd.pos + 6]
    return types


def _item_locations(data: bytes, s: int, e: int) -> dict[int, tuple[int, list]] | None:
    """``{item id: (construction method, [(offset, length)])}`` from an ``iloc`` box body, or None
    when its counts run past the box (damaged data)."""
    v = data[s]
    rd = _Reader(data, s + 4)
    o_sz, l_sz = data[rd.pos] >> 4, data[rd.pos] & 15
    b_sz, i_sz = data[rd.pos + 1] >> 4, (data[rd.pos + 1] & 15 if v in (1, 2) else 0)
    rd.pos += 2
    locs = {}
    for _ in range(min(rd(2 if v < 2 else 4), _HEVC_MAX_ITEMS * 64)):
        if rd.pos >= e:  # (counts from damaged data: never read past the box)
            return None
        iid = rd(2 if v < 2 else 4)
        method = rd(2) & 15 if v in (1, 2) else 0
        rd(2)
        base = rd(b_sz)
        ext = []
        for _ in range(rd(2)):
            if rd.pos >= e:
                return None
            rd(i_sz)
            off = rd(o_sz)
            ext.append((base + off, rd(l_sz)))
        locs[iid] = (method, ext)
    return locs


def _grid_tiles(data: bytes, s: int, e: int) -> dict[int, list[int]]:
    """``{grid item id: [tile item ids]}`` from the ``dimg`` references of an ``iref`` box body."""
    w = 2 if data[s] == 0 else 4
    tiles = {}
    for t, bs, _ in _boxes(data, s + 4, e):
        if t == b"dimg":
            rd = _Reader(data, bs)
            src = rd(w)
            tiles[src] = [rd(w) for _ in range(rd(2))]
    return tiles


def _property_associations(data: bytes, s: int, e: int) -> dict[int, list[int]] | None:
    """``{item id: [1-based property indices]}`` from an ``ipma`` box body, or None when damaged."""
    v, flags = data[s], int.from_bytes(data[s + 1:s + 4], "big")
    rd = _Reader(data, s + 4)
    assoc = {}
    for _ in range(min(rd(4), _HEVC_MAX_ITEMS * 64)):
        if rd.pos >= e:
            return None
        iid = rd(2 if v < 1 else 4)
        assoc[iid] = [(rd(2) & 0x7FFF) if flags & 1 else (rd(1) & 0x7F) for _ in range(rd(1))]
    return assoc


def _item_nals(data: bytes, hvcc: tuple[int, int], method: int, ext: list, idat: int) -> list[bytes] | None:
    """The NAL units of one coded image: the parameter sets of its ``hvcC`` box body
    ``data[hvcc[0]:hvcc[1]]``, then its coded data (length-prefixed NAL units at ``ext``)."""
    a = hvcc[0]
    nals = []
    n_len = (data[a + 21] & 3) + 1
    rd = _Reader(data, a + 23)
    for _ in range(data[a + 22]):  # parameter-set arrays
        rd.pos += 1
        for _ in range(rd(2)):
            n = rd(2)
            nals.append(data[rd.pos:rd.pos + n])
            rd.pos += n
    if sum(n for _, n in ext) > len(data):
        return None
    body = b"".join(data[idat + o:idat + o + n] if method == 1 else data[o:o + n] for o, n in ext)
    pos = 0
    while pos + n_len <= len(body) and len(nals) < _HEVC_MAX_NALS:
        n = int.from_bytes(body[pos:pos + n_len], "big")
        nals.append(body[pos + n_len:pos + n_len + n])
        pos += n_len + n
    return nals


def _hevc_items(data: bytes) -> list[list[bytes]]:
    """The NAL units (parameter sets from ``hvcC``, then the coded data) of each HEVC image that
    libheif decodes for the primary picture of HEIF file `data`: the primary item when it is
    ``hvc1``, the tiles of a primary ``grid``. ``[]`` when the structure is not understood."""
    meta = next(((s, e) for t, s, e in _boxes(data, 0, len(data)) if t == b"meta"), None)
    if meta is None:
        return []
    sub = {t: (s, e) for t, s, e in _boxes(data, meta[0] + 4, meta[1])}
    if not {b"pitm", b"iinf", b"iloc", b"iprp"} <= set(sub):
        return []
    s, _ = sub[b"pitm"]
    primary = _Reader(data, s + 4)(2 if data[s] == 0 else 4)
    types = _item_types(data, *sub[b"iinf"])
    locs = _item_locations(data, *sub[b"iloc"])
    tiles = _grid_tiles(data, *sub[b"iref"]) if b"iref" in sub else {}
    ip = {t: (a, b) for t, a, b in _boxes(data, *sub[b"iprp"])}
    if locs is None or b"ipco" not in ip or b"ipma" not in ip:
        return []
    props = list(_boxes(data, *ip[b"ipco"]))
    assoc = _property_associations(data, *ip[b"ipma"])
    if assoc is None:
        return []
    idat = sub.get(b"idat", (0, 0))[0]
    ids = [primary] if types.get(primary) == b"hvc1" else tiles.get(primary, [])
    out = []
    for iid in ids[:_HEVC_MAX_ITEMS]:
        hvcc = [props[k - 1] for k in assoc.get(iid, []) if 0 < k <= len(props) and props[k - 1][0] == b"hvcC"]
        if types.get(iid) != b"hvc1" or iid not in locs or not hvcc:
            return []
        nals = _item_nals(data, hvcc[0][1:], *locs[iid], idat)
        if nals is None:
            return []
        out.append(nals)
    return out


def _primary_properties(data: bytes) -> list[tuple[bytes, int, int]]:
    """``[(type, body start, box end)]`` of the properties (``ipco`` boxes) associated with the
    primary item of HEIF/AVIF file `data`; ``[]`` when the structure is not understood."""
    meta = next(((s, e) for t, s, e in _boxes(data, 0, len(data)) if t == b"meta"), None)
    if meta is None:
        return []
    sub = {t: (s, e) for t, s, e in _boxes(data, meta[0] + 4, meta[1])}
    if not {b"pitm", b"iprp"} <= set(sub):
        return []
    s, _ = sub[b"pitm"]
    primary = _Reader(data, s + 4)(2 if data[s] == 0 else 4)
    ip = {t: (a, b) for t, a, b in _boxes(data, *sub[b"iprp"])}
    if b"ipco" not in ip or b"ipma" not in ip:
        return []
    props = list(_boxes(data, *ip[b"ipco"]))
    assoc = _property_associations(data, *ip[b"ipma"]) or {}
    return [props[k - 1] for k in assoc.get(primary, []) if 0 < k <= len(props)]


def heif_crop_outside(data: bytes) -> str:
    """Why the clean aperture (``clap``, the crop) of a HEIF/AVIF's primary image is impossible, or "".

    ISO/IEC 14496-12 §12.1.4: the crop window, ``cleanApertureWidthN / D`` by ``HeightN / D``
    centred at ``((W - 1) / 2 + horizOffN / D, (H - 1) / 2 + vertOffN / D)``, lies inside the
    ``W`` x ``H`` image (``ispe``); its denominators are positive.  A damaged ``clap`` box (one bit
    of a vertical offset, found by ``bench/bench_realfuzz.py``) moved the window about a billion
    rows off the picture, and libheif still returned a picture, measured as a good photo.  Half a
    pixel of rounding is allowed.

    Parameters
    ----------
    data : bytes
        The whole HEIF file.
    """
    try:
        props = _primary_properties(data)
        ispe = next(((s, e) for t, s, e in props if t == b"ispe"), None)
        clap = next(((s, e) for t, s, e in props if t == b"clap"), None)
        if ispe is None or clap is None or clap[1] - clap[0] < 32 or ispe[1] - ispe[0] < 12:
            return ""
        w, h = (int.from_bytes(data[ispe[0] + k:ispe[0] + k + 4], "big") for k in (4, 8))
        v = [int.from_bytes(data[clap[0] + 4 * k:clap[0] + 4 * k + 4], "big", signed=k in (4, 6)) for k in range(8)]
    except (IndexError, ValueError, KeyError, StopIteration):
        return ""
    wn, wd, hn, hd, xn, xd, yn, yd = v
    if min(wd, hd, xd, yd) <= 0 or wn <= 0 or hn <= 0:
        return f"its crop window (clap) has a zero or negative size or denominator ({v})"
    cw, ch = wn / wd, hn / hd
    left = (w - 1) / 2 + xn / xd - (cw - 1) / 2
    top = (h - 1) / 2 + yn / yd - (ch - 1) / 2
    if left < -0.5 or top < -0.5 or left + cw - 1 > w - 0.5 or top + ch - 1 > h - 0.5:
        return (f"its crop window (clap: {cw:g} x {ch:g} px from ({left:g}, {top:g})) lies outside the "
                f"{w} x {h} picture")
    return ""
