"""The light check (``compare.light``) on cases it was not built on: pairs whose light did NOT change
(docs/robustness.md "Light from another side", "Cases the check was not built on").

    python bench/audit_light_cases.py                   # London neutral->smiling, White House letterboxed, debruine
    python bench/audit_light_cases.py --csv /tmp/light_cases.csv

Needs ../shared/faces (skips what is absent).  Each pair is compared as a user would (``compare_photos(a, b,
check_order=False)``, every check at its shipped limit) and its ``light_shift`` is read as the audit reads it
(bench/audit_light_direction.py); printed per pair: status, side / height shift (%), whether the light check
fires (|side| > ``MAX_LIGHT_SIDE_SHIFT_PCT``), the per-disc-pair change of the right-minus-left log balance (the
discs that moved most) and every message the user reads.

- London 12 neutral -> smiling (same session, same light; the smile moves the cheeks);
- the White House portrait letterboxed at 240p / 480p / 720p / 1080p (one photo: every ordered pair);
- debruine camera distances (30/45/60 cm permutations and 15 -> 30 cm) and pose pairs (all ordered pairs);
- the bundled sample against its own cut-out, both orders (the cut of ``tests/test_compare_cutout.py``: an
  ellipse around the landmarks' box grown 15 % and a neck column, soft-edged; no ../shared/faces needed).

Since stop 59 the height printed is the cheek discs against the chin discs (``bench/light_height.py``, measured
and not adopted: docs/robustness.md "A light moved up or down"); the table prints whether it would fire at
``--height-limit`` (default 5 %, the limit its rule gave on the tuning faces).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.compare import light as light_check  # noqa: E402
from light_height import height_shift  # noqa: E402 - the height shift measured in stop 59, not adopted

FACES = next((p for p in (HERE.parent.parent / "shared" / "faces", Path("/work/wt/shared/faces"),
                          Path("/work/shared/faces")) if p.is_dir()), None)


def pairs():
    """(group, name, before path, after path)."""
    for p in sorted((FACES / "london_ccby").glob("*_neutral.jpg")):
        s = p.with_name(p.name.replace("_neutral", "_smiling"))
        if s.is_file():
            yield "london_smile", p.stem.replace("_neutral", ""), p, s
    wh = FACES / "whitehouse_pd"
    lb = {r: wh / f"obama_portrait_letterboxed_{r}.jpg" for r in ("240p", "480p", "720p", "1080p")}
    lb = {r: p for r, p in lb.items() if p.is_file()}
    for ra, rb in itertools.permutations(lb, 2):
        yield "whitehouse_letterbox", f"{ra}->{rb}", lb[ra], lb[rb]
    d = FACES / "debruine_cc0"
    cams = {c: d / f"debruine_camera_distance_{c}cm.jpg" for c in (15, 30, 45, 60)}
    if all(p.is_file() for p in cams.values()):
        for a, b in list(itertools.permutations((30, 45, 60), 2)) + [(15, 30)]:
            yield "debruine_distance", f"{a}cm->{b}cm", cams[a], cams[b]
    for pa, pb in itertools.permutations(sorted(d.glob("debruine_pose_variation_*.jpg")), 2):
        yield "debruine_pose", f"{pa.stem[-1]}->{pb.stem[-1]}", pa, pb


def cut_out_pairs():
    """(group, name, before, after) of the bundled sample against its cut-out (RGBA PNG bytes), both orders."""
    import io

    import cv2
    from PIL import Image

    sample = HERE.parent / "sample_images" / "astronaut_before.jpg"
    a = analyze_photo(sample.read_bytes(), name=sample.name)
    p = np.asarray(a.points)[:468, :2]
    (x0, y0), (x1, y1) = p.min(0), p.max(0)
    c, axes = ((x0 + x1) / 2, (y0 + y1) / 2), ((x1 - x0) * 1.15, (y1 - y0) * 1.15)
    rgb = a.photo.rgb
    mask = np.zeros(rgb.shape[:2], np.uint8)
    cv2.ellipse(mask, (c, axes, 0.0), 255, -1)
    w = (x1 - x0) * 0.35
    cv2.rectangle(mask, (int(c[0] - w), int(c[1])), (int(c[0] + w), rgb.shape[0]), 255, -1)
    buf = io.BytesIO()
    Image.fromarray(np.dstack([rgb, cv2.GaussianBlur(mask, (15, 15), 0)]), "RGBA").save(buf, "PNG", compress_level=1)
    cut = buf.getvalue()
    yield "sample_cutout", "sample->cut", sample.read_bytes(), cut
    yield "sample_cutout", "cut->sample", cut, sample.read_bytes()


def disc_moves(a, b) -> str:
    """The disc pairs whose right-minus-left log balance moved most from ``a`` to ``b`` (%, before the tone
    slope), the three largest by size: 'landmarks r/l: +x %'."""
    la, lb = np.log(light_check.light_levels(a)), np.log(light_check.light_levels(b))
    d = 100.0 * np.expm1((lb[:, 0] - lb[:, 1]) - (la[:, 0] - la[:, 1]))
    order = [i for i in np.argsort(-np.abs(np.nan_to_num(d))) if np.isfinite(d[i])][:3]
    return ", ".join(f"{light_check.LIGHT_PAIRS[i][0]}/{light_check.LIGHT_PAIRS[i][1]}: {d[i]:+.0f} %" for i in order)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--height-limit", type=float, default=5.0)
    args = ap.parse_args()
    cache, rows = {}, []

    def measured(p):
        key = p if isinstance(p, Path) else hash(p)
        if key not in cache:
            cache[key] = analyze_photo(p.read_bytes() if isinstance(p, Path) else p,
                                       name=p.name if isinstance(p, Path) else "cut.png")
        return cache[key]

    limit = light_check.MAX_LIGHT_SIDE_SHIFT_PCT
    every = list(cut_out_pairs()) + (list(pairs()) if FACES is not None else [])
    for group, name, pa, pb in every:
        a, b = measured(pa), measured(pb)
        if not (a.ok and b.ok):
            rows.append({"group": group, "pair": name, "status": "not measured", "side_pct": np.nan,
                         "height_pct": np.nan, "fires": False, "discs": "", "messages": ""})
            continue
        c = compare_photos(a, b, check_order=False)
        side, height = light_check.light_shift(c.before, c.after)[0], height_shift(c.before, c.after)
        light_msg = any(light_check.MSG_LIGHT_SIDE in m for m in c.messages)
        rows.append({"group": group, "pair": name, "status": c.status, "side_pct": side, "height_pct": height,
                     "fires": bool(abs(side) > limit), "fires_h": bool(abs(height) > args.height_limit),
                     "light_msg": light_msg,
                     "discs": disc_moves(c.before, c.after) if np.isfinite(side) else "",
                     "messages": " | ".join(m[:90] for m in c.messages)})
        r = rows[-1]
        print(f"{group:20s} {name:22s} {r['status']:8s} side {side:+6.1f} % height {height:+6.1f} % "
              f"{'FIRES' if r['fires'] else '     '} {'H-FIRES' if r['fires_h'] else '       '} [{r['discs']}]",
              flush=True)
        for m in c.messages:
            print(f"    - {m[:160]}")
    print(f"\nlimit |side| > {limit:g} %, |height| > {args.height_limit:g} %")
    for g in dict.fromkeys(r["group"] for r in rows):
        rs = [r for r in rows if r["group"] == g]
        v = np.abs([r["side_pct"] for r in rs if np.isfinite(r["side_pct"])])
        h = np.abs([r["height_pct"] for r in rs if np.isfinite(r["height_pct"])])
        print(f"{g:20s} pairs {len(rs):3d} read {len(v):3d} |side| median {np.median(v) if len(v) else np.nan:5.1f} "
              f"max {v.max() if len(v) else np.nan:5.1f} %  fires {sum(r['fires'] for r in rs)}; |height| read "
              f"{len(h)} median {np.median(h) if len(h) else np.nan:5.1f} max {h.max() if len(h) else np.nan:5.1f} %  "
              f"fires {sum(r.get('fires_h', False) for r in rs)}")
    if args.csv is not None:
        import pandas as pd
        pd.DataFrame(rows).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
