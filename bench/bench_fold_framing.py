"""Fold verdicts that depend on the framing: a pair against its mirrored, padded and cropped copies.

    python bench/bench_fold_framing.py                      # tuning faces (London 12 + Canada tuning 24)
    python bench/bench_fold_framing.py --set heldout        # Canada held-out 16 + DeBruine 8 (run once)
    python bench/bench_fold_framing.py --case canada_115m   # one face: the audit's case, every row

The pairs are those of ``bench/audit_metamorphic.py``'s fold rows: each photo A against B = its thin-plate
warp (``audit_metamorphic.tps_lift``: jaw, chin and mouth corners 2.0 / 1.0 mm up the face), and on the
tuning set also the 12 London neutral -> smiling pairs (a real deepening).  Each pair is compared as it is and
with both photos mirrored (sides swapped), padded (25 % edge-replicated border) and cropped (face box + 30 %).
The framing says nothing about the face, so a fold row's verdict should not depend on it: a *framing-dependent*
verdict is a (pair, framing, fold row) whose verdict direction (deeper / shallower / within noise; uncertain
rows left out) differs from the same row of the pair as it is.  Counted per fold metric (``nlf_depth``,
``nlf_contrast_pct``, ``nlf_length_mm``) and for the depth row also under the candidate scorings below
(their own verdicts against the same floor, computed in the same run on the same registrations).

Depth-row scorings (the before photo's value and the after photo's, both along one line carried by the flow):

- ``found`` (shipped until 2026-12-05): the before photo's found fold line.
- ``reference``: the before photo's reference line (the Face Mesh path moved ``folds.PRIOR_CENTRE_MM``
  medially, what ``analyze_photo``'s depth index is scored along), carried by the flow.
- ``smooth``: the found line replaced by its least-squares quadratic in arc length (no kink).
- ``checked`` (shipped 2026-12-05): the found line's change and verdict, the verdict made ``uncertain`` by the
  package's line stability check (``compare.gate.fold_line_disagreements``: the reference line's change of the
  other sign or under ``FOLD_LINE_AGREEMENT`` x the floor).  The bench turns the check off in the comparison and
  applies it itself, so the ``found`` rows are the verdicts without it (the same run, the same registrations).

``--darken``: real deepening at the comparison level, a simulator that does not share the method's line: each
tuning face against itself darkened along its *hand-placed* smile lines (the .tem points 158-160 / 161-163, both
sides; ``accuracy._darken``, Gaussian sigma 1.5 mm) by 5, 10, 20 and 30 %: per scoring, the face-sides whose
depth change rises strictly 0 < 5 < 10 < 20 < 30 % and the 'deeper' verdicts per fraction.

``--floors``: criterion 4 of the rule (docs/robustness.md): the 325 nuisance-only pairs of ``bench/bench_compare.py
--noise-floors`` (the sample and the 24 London photos, each against its nuisance copies), the largest |change| of
the depth row per scoring and 1.25 x it (the floor rule's figure before rounding up).

Needs ``../shared/faces`` (exits with a message without it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import folds as F  # noqa: E402
import facemetrics.compare as cp  # noqa: E402
from facemetrics.compare import measure as M  # noqa: E402
from facemetrics.compare.table import UNCERTAIN  # noqa: E402
from audit_metamorphic import SHARED, crop_box, cropped, padded, png, read_rgb, tps_lift  # noqa: E402
from accuracy import SMILE, _darken, canada_split, read_tem  # noqa: E402

FRAMINGS = ("as_is", "mirror", "pad", "crop")
FOLD_METRICS = ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")
SCORINGS = ("found", "reference", "smooth", "checked")
_SIDE_SWAP = {"right": "left", "left": "right"}


def quadratic_line(line: np.ndarray) -> np.ndarray:
    """``line`` (shape (K, 2) px) replaced by its least-squares quadratic in arc length, shape (K, 2)."""
    line = np.asarray(line, np.float64)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(line, axis=0), axis=1))])
    s = s / max(s[-1], 1e-9)
    X = np.stack([np.ones_like(s), s, s * s], 1)
    coef, *_ = np.linalg.lstsq(X, line, rcond=None)
    return X @ coef


_extra: dict = {}
_flagged: set = set()
_orig_fold_changes = M._fold_changes
_orig_line_check = cp.fold_line_disagreements


def _recording_line_check(values, along_reference, floors, skip=()):
    """The package's line stability check, recorded in ``_flagged`` and not applied (``found`` = no check)."""
    rows, _ = _orig_line_check(values, along_reference, floors, skip)
    _flagged.update(rows)
    return (), []


def _spy_fold_changes(reg, st, b, warped=None):
    """The shipped fold rows, and the candidate depth scorings of the same registration in ``_extra``."""
    values, along, sides = _orig_fold_changes(reg, st, b, warped)
    for side, (_, ref_a) in zip(("right", "left"), st.fold_reference):
        _extra[("reference", side)] = (ref_a, ref_a + along[side], along[side])
    warped = M._warped_by_flow(reg) if warped is None else warped
    matched = M.match_tones(reg.after_grid, reg.before_grid, st.skin, aligned=warped)
    moved = st.pts_g + M._at(reg.flow, st.pts_g)
    lips = list(M.OUTER_LIPS)
    moved[lips] = M.al.apply(M.al.invert(reg.grid_to_after), b.points[lips, :2])
    for side, (line, _) in zip(("right", "left"), st.fold_lines):
        ln = quadratic_line(line)
        x = F.score_fold_line(st.prepared.before_grid, st.pts_g, st.gframe, side, ln)[0]
        y = F.score_fold_line(matched, moved, st.gframe, side, ln + M._at(reg.flow, ln))[0]
        _extra[("smooth", side)] = (x, y, y - x)
    return values, along, sides


def verdict_dir(change: float, floor: float, verdict: str) -> str | None:
    """+1 / -1 / 0 as text (deeper, shallower, within noise); None when the row is not read."""
    if verdict in (UNCERTAIN, "", "refused") or not np.isfinite(change):
        return None
    return "0" if abs(change) <= floor else ("+" if change > 0 else "-")


def compared(a, b):
    """``compare_photos(a, b)`` with the spies' records cleared before it, and the ``checked`` scoring of its
    depth rows recorded in ``_extra`` (the found line's change, NaN where the line stability check flagged the
    row).  Returns the comparison and its rows by ``(metric, side)``."""
    _extra.clear()
    _flagged.clear()
    c = compare_photos(a, b)
    rows = {(r.metric, r.side): r for r in c.changes}
    if c.status != "refused":
        for side in ("right", "left"):
            r = rows[("nlf_depth", side)]
            _extra[("checked", side)] = (r.before, r.after, np.nan if ("nlf_depth", side) in _flagged else r.change)
    return c, rows


def pair_rows(who: str, kind: str, rgb_a: np.ndarray, rgb_b: np.ndarray, box) -> list[dict]:
    """One row per (framing, fold metric or depth scoring, side): change, floor, direction, status."""
    ims = {"as_is": (rgb_a, rgb_b),
           "mirror": (np.ascontiguousarray(rgb_a[:, ::-1]), np.ascontiguousarray(rgb_b[:, ::-1])),
           "pad": (padded(rgb_a), padded(rgb_b)),
           "crop": (cropped(rgb_a, box), cropped(rgb_b, box))}
    out = []
    for framing, (ia, ib) in ims.items():
        a, b = analyze_photo(png(ia), name="a"), analyze_photo(png(ib), name="b")
        if not (a.ok and b.ok):
            continue
        c, rows = compared(a, b)
        if c.status == "refused":
            continue
        for side in ("right", "left"):
            subject = _SIDE_SWAP[side] if framing == "mirror" else side  # the side of the unmirrored face
            for m in FOLD_METRICS:
                r = rows[(m, side)]
                out.append(dict(who=who, kind=kind, framing=framing, row=m, scoring="found" if m == "nlf_depth" else "",
                                side=subject, before=r.before, after=r.after, change=r.change, floor=r.noise_floor,
                                dir=verdict_dir(r.change, r.noise_floor, r.verdict), status=c.status))
            r = rows[("nlf_depth", side)]
            for name in SCORINGS[1:]:
                if (name, side) in _extra:
                    x, y, d = _extra[(name, side)]
                    out.append(dict(who=who, kind=kind, framing=framing, row="nlf_depth", scoring=name, side=subject,
                                    before=x, after=y, change=d, floor=r.noise_floor,
                                    dir=verdict_dir(d, r.noise_floor, r.verdict), status=c.status))
    return out


def dependent(rows: list[dict]) -> dict:
    """``{(row, scoring): (n_compared, [framing-dependent rows])}``: rows whose direction differs from the
    same (pair, row, scoring, side) as it is."""
    base = {(r["who"], r["row"], r["scoring"], r["side"]): r for r in rows if r["framing"] == "as_is"}
    out: dict = {}
    for r in rows:
        if r["framing"] == "as_is":
            continue
        b = base.get((r["who"], r["row"], r["scoring"], r["side"]))
        key = (r["row"], r["scoring"])
        n, bad = out.setdefault(key, [0, []])
        if b is None or b["dir"] is None or r["dir"] is None:
            continue
        out[key][0] += 1
        if b["dir"] != r["dir"]:
            bad.append((b, r))
    return out


def faces(which: str) -> list[tuple[str, Path]]:
    lon = sorted((SHARED / "london_ccby").glob("*_neutral.jpg"))
    tune, held = canada_split(sorted((SHARED / "canada_ccby").glob("*.jpg")))
    if which == "tuning":
        return [(p.stem, p) for p in lon + tune]
    return [(p.stem, p) for p in held + sorted((SHARED / "debruine_cc0").glob("*.jpg"))]


def report(rows: list[dict]) -> None:
    dep = dependent(rows)
    print("\n| row | scoring | pairs x framings x sides compared | framing-dependent verdicts | of which a directional "
          "verdict as is |")
    print("|---|---|---|---|---|")
    for (m, s), (n, bad) in sorted(dep.items()):
        print(f"| {m} | {s or '-'} | {n} | {len(bad)} | {sum(b['dir'] != '0' for b, _ in bad)} |")
    for (m, s), (n, bad) in sorted(dep.items()):
        for b, r in bad:
            print(f"  {m}/{s or '-'} {b['who']} ({b['kind']}) {b['side']}: as is {b['change']:+.2f} ({b['dir']}, "
                  f"before {b['before']:+.2f}) vs {r['framing']} {r['change']:+.2f} ({r['dir']}, before {r['before']:+.2f}),"
                  f" floor {b['floor']:.2f}, {b['status']}")
    # directional depth verdicts as is, per scoring and kind (the real deepening must stay)
    for kind in sorted({r["kind"] for r in rows}):
        cells = []
        for s in SCORINGS:
            rs = [r for r in rows if r["kind"] == kind and r["framing"] == "as_is" and r["row"] == "nlf_depth"
                  and r["scoring"] == s and r["dir"] is not None]
            cells.append(f"{s}: {sum(r['dir'] == '+' for r in rs)} deeper / {sum(r['dir'] == '-' for r in rs)} "
                         f"shallower of {len(rs)}")
        print(f"- {kind}, nlf_depth as is: " + "; ".join(cells))


DARKEN = (0.05, 0.10, 0.20, 0.30)


def darkening(items, out: Path | None = None) -> None:
    """``--darken`` (see the module docstring); every (face, side, fraction, scoring) row as CSV at ``out``."""
    raw: list[dict] = []
    t0 = time.time()
    ch: dict = {}  # (scoring, who, side) -> [change per fraction]
    deeper: dict = {}  # (scoring, fraction) -> count
    for who, path in items:
        tem = path.with_suffix(".tem")
        if not tem.is_file():
            continue
        rgb = read_rgb(path)
        A = analyze_photo(png(rgb), name=who)
        if not A.ok:
            continue
        pts = read_tem(tem)
        for fr in DARKEN:
            dark = rgb
            for side in ("right", "left"):
                dark = _darken(dark, pts[list(SMILE[side])], A.mm_per_px, fr, 1.5, "gauss")
            c, rows = compared(A, analyze_photo(png(dark), name=who + f" dark {fr}"))
            if c.status == "refused":
                continue
            for side in ("right", "left"):
                r = rows[("nlf_depth", side)]
                vals = {"found": r.change, **{s: _extra[(s, side)][2] for s in SCORINGS[1:] if (s, side) in _extra}}
                for s, d in vals.items():
                    raw.append(dict(who=who, side=side, fraction=fr, scoring=s, change=d, floor=r.noise_floor,
                                    verdict=r.verdict, status=c.status))
                    ch.setdefault((s, who, side), []).append(d)
                    if r.verdict != UNCERTAIN and d > r.noise_floor:
                        deeper[(s, fr)] = deeper.get((s, fr), 0) + 1
        print(f"[{time.time() - t0:5.0f} s] {who}", flush=True)
    print("\n| scoring | face-sides | strictly rising 0/5/10/20/30 % | 'deeper' at 5 / 10 / 20 / 30 % | median change at 10 % |")
    print("|---|---|---|---|---|")
    for s in SCORINGS:
        series = [v for k, v in ch.items() if k[0] == s and len(v) == len(DARKEN)]
        rising = sum(bool(np.all(np.diff([0.0] + v) > 0)) for v in series)
        cells = " / ".join(str(deeper.get((s, fr), 0)) for fr in DARKEN)
        med = np.median([v[1] for v in series]) if series else float("nan")
        print(f"| {s} | {len(series)} | {rising} | {cells} | {med:+.2f} |")
    if out:
        from _common import write_rows
        write_rows(raw, out)


def floors() -> None:
    """``--floors`` (see the module docstring)."""
    import cv2
    from bench_compare import nuisance_faces
    cv2.setNumThreads(1)
    worst: dict = {}
    n = 0
    t0 = time.time()
    for path, a, afters in nuisance_faces():
        for name, b in afters:
            _extra.clear()
            pair = M._measure(a, b)
            n += 1
            for side in ("right", "left"):
                vals = {"found": pair.values[("nlf_depth", side)][2],
                        **{s: _extra[(s, side)][2] for s in SCORINGS[1:] if (s, side) in _extra}}
                for s, d in vals.items():
                    if abs(d) > worst.get(s, (-1.0, ""))[0]:
                        worst[s] = (abs(d), f"{path.name} {name} {side}")
        print(f"[{time.time() - t0:5.0f} s] {path.name}", flush=True)
    print(f"\n{n} nuisance-only pairs: largest |nlf_depth change| per scoring (shipped floor 0.84)")
    for s in SCORINGS[:-1]:
        v, who = worst[s]
        print(f"- {s}: {v:.3f} ({who}), x 1.25 = {1.25 * v:.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=("tuning", "heldout"), default="tuning")
    ap.add_argument("--case", default=None, help="one face by stem (e.g. canada_115m): its TPS pair's rows")
    ap.add_argument("--darken", action="store_true", help="the hand-line darkening sweep (comparison level)")
    ap.add_argument("--floors", action="store_true", help="the depth row's no-change floor per scoring")
    ap.add_argument("--out", type=Path, default=None, help="every row as CSV here")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"needs {SHARED} (the shared faces); not found")
        return 0
    M._fold_changes = _spy_fold_changes
    cp.fold_line_disagreements = _recording_line_check
    t0 = time.time()
    items = faces(args.set)
    if args.floors:
        floors()
        return 0
    if args.darken:
        darkening(items, args.out)
        return 0
    if args.case:
        items = [x for x in faces("tuning") + faces("heldout") if x[0] == args.case]
    rows: list[dict] = []
    for who, path in items:
        rgb = read_rgb(path)
        A = analyze_photo(png(rgb), name=who)
        if not A.ok:
            print(f"  skip {who}: {A.status}")
            continue
        warped, _ = tps_lift(rgb, A)
        rows += pair_rows(who, "tps", rgb, warped, crop_box(A.points, rgb.shape))
        if args.set == "tuning" and not args.case and "_neutral" in who:
            smile = read_rgb(Path(str(path).replace("_neutral", "_smiling")))
            S = analyze_photo(png(smile), name=who)
            if S.ok:
                ba, bb = crop_box(A.points, rgb.shape), crop_box(S.points, smile.shape)
                box = (min(ba[0], bb[0]), min(ba[1], bb[1]), max(ba[2], bb[2]), max(ba[3], bb[3]))
                rows += pair_rows(who + " / smiling", "smile", rgb, smile, box)
        print(f"[{time.time() - t0:5.0f} s] {who}", flush=True)
    if args.case:
        for r in rows:
            print(f"  {r['framing']:6s} {r['row']:16s} {r['scoring'] or '-':9s} {r['side']:5s} {r['before']:+7.2f} -> "
                  f"{r['after']:+7.2f}: {r['change']:+.2f} (floor {r['floor']:.2f}, {r['dir']}) {r['status']}")
    report(rows)
    if args.out:
        from _common import write_rows
        write_rows(rows, args.out)
    print(f"\n{len(items)} faces, {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
