"""Which photo and which cause the fold checks name when a beauty filter or local tone mapping is in one photo
(``compare.gate.fold_cause``; docs/robustness.md "Local tone mapping": "Which photo, which cause").

    python bench/bench_fold_cause.py --split tune            # needs ../shared/faces; London 12 + Canada tuning 24
    python bench/bench_fold_cause.py --split held            # run once, after the rule below was written
    python bench/bench_fold_cause.py --split tune --limit 12 # the first 12 faces of the split only

Each before photo is a stored real photo; the after photo is the same capture through one operation, saved as a
phone JPEG (quality 92): CLAHE on L* clip 1.5 / 2.5 with 8 x 8 tiles (``bench_tone_mapping.clahe``: tone mapping)
and bilateral filters 20 / 1.5 mm, 40 / 2 mm, 60 / 3 mm (``bench_beauty_filter.filters``: beauty filters).  The
fold checks are read as the comparison reads them (``compare._fold_checks`` on the two analyses; no alignment,
so a run is minutes).

Printed per operation: pairs; `smooth`: the skin-texture check fired (``gate.weak_fold_rows``); `tone`: the
tone-mapping check fired; `both`; `smooth_msg` / `tone_msg`: the pairs whose messages (with the rule) name that
cause; `smooth_after` / `tone_after`: of those, the pairs whose message names the after photo (the edited one:
right); `rows`: pairs with the fold rows ``uncertain``.

The rule (written 2026-12-04 before any run of this script): rule A: when the tone-mapping check fires (ratio >
``MAX_LOCAL_CONTRAST_RATIO``) and the photo the skin-texture check calls smoother is the one with the LOWER local
contrast (the photo the tone-mapping message does not name), only the tone-mapping message is given; the fold rows
stay ``uncertain`` in every case.  Pass on ``--split tune``: every bilateral pair the texture check catches keeps
the smoothing message naming the after photo (count), and no CLAHE pair the tone check catches carries the
smoothing message (count).

Rule A failed on the tuning faces (2026-12-04, the run below): bilateral 60 / 3 mm tripped the tone check in 14 of
36 pairs (ratio 1.20-1.37, the filtered photo the LOWER in local contrast, so the untouched one was named
tone-mapped), and rule A dropped their smoothing message (14 of 14).  Rule B (``gate.fold_cause``), chosen on the
same tuning rows (``--csv``): same pattern, then ``ln(texture ratio) / ln(1 / tone ratio)`` <= ``K`` is tone
mapping (tone message only), above it a beauty filter (smoothing message only); ``K`` =
``gate.MAX_TONE_TEXTURE_EXPONENT`` = 3.0 (removed since, by rule D below, 43201c4) (CLAHE pairs where both fired 0.75-3.02 and one 5.20, bilateral
3.05-4.82).  Held out (``--split held``) run once after that.

Rule C (written 2026-12-04 before its tuning run; the texture check alone): CLAHE too weak for the tone check
(or with 4 x 4 tiles) still raises the edited photo's fine texture, so the skin-texture check fired and named the
UNTOUCHED photo "smoothed".  When the skin-texture check fires and the tone check does not, read ``T`` (the texture
ratio, smoother / other) and ``S`` (the same photos' 2-8 mm skin shading, ``quality.skin_shading``: the
``local_contrast`` band over the texture's skin, the smoother photo's over the other's, one grid), and the share
``ln S / ln T`` (``gate.gain_shading_share``).  A contrast gain in one photo (CLAHE, a local-contrast edit) raises
both bands alike (share about 1); a beauty filter removes the texture and leaves the coarser shading (share about
0).  Share >= 0.5 (the midpoint of the two models, ``gate.MIN_GAIN_SHADING_SHARE``; not tuned): the message "one
photo has more fine contrast than the other (the <photo with the higher texture> ...: sharpened or tone-mapped?)"
in place of the smoothing message; below: the smoothing message as before.  The fold rows read ``uncertain`` as
before (wording only).  Operations added for it: CLAHE clip 1 and 4 (8 x 8) and clip 2.5 with 4 x 4 tiles (the
tone check misses most of those).  Pass on ``--split tune`` (counted over the pairs where the texture check fires
and the tone check does not): every bilateral pair keeps the smoothing message naming the after photo (at most 1 in
30 missed), and at least 80 % of the CLAHE pairs carry the fine-contrast message naming the after photo, none the
smoothing message naming the before photo in those.  Held out (``--split held``) run once after.  Columns added:
``alone`` (texture check alone) and, of those pairs, ``smooth_msg`` / ``smooth_after`` and ``contrast_msg`` /
``contrast_after`` (the smoothing / fine-contrast message; naming the after photo).

Rule C's tuning run (2026-12-04, 1962 s): passed: the CLAHE pairs the texture check alone catches named the after
photo with the fine-contrast message 65 of 65 (clip 1 / 1.5 / 2.5 / 4: 6 / 10 / 8 / 7, 4 x 4 tiles 34), the
bilateral ones smoothing of the after photo 59 of 59.  The share there: CLAHE 0.85-1.07 (all 174 pairs the texture
check catches), bilateral 0.05-0.33 (all 73); where both checks fire rule B's exponent read CLAHE 0.63-6.47 (10 of
109 above 3.0, named smoothing of the untouched photo) and bilateral 3.05-4.82.  Rule D (proposed from these tuning
rows, written 2026-12-04 while the held-out run was running and before reading any of its rows): the share with
the same midpoint 0.5 in place of rule B's exponent when both checks fire (share >= 0.5: the tone message only;
below: the smoothing message only).  Read on the held-out rows from ``--csv`` (``shading_share``) with rule C; the
code keeps rule B until it is adopted.

Held out, run once (2026-12-04, 792 s, the code of rule C with rule B): rule C: the CLAHE pairs the texture check
alone catches named the after photo with the fine-contrast message 21 of 21, the bilateral ones smoothing of the
after photo 30 of 30; the share there CLAHE 0.89-1.03 (all 80), bilateral 0.08-0.30 (all 33).  Rule D on the same
rows: where both checks fire with one photo the smoother and the lower in local contrast, the tone message 58 of 58
CLAHE pairs (rule B 55: canada_065f clip 2.5 / 4, canada_049f clip 4), smoothing 3 of 3 bilateral.  Rule D adopted
after that (``gate.fold_cause``; ``MAX_TONE_TEXTURE_EXPONENT`` removed).

Rule E (written 2026-12-04 before its tuning run; sharpening, kind ``sharpen``): a small-radius sharpening raises
the texture more than the 2-8 mm shading (share below 0.5, like a beauty filter), so where the texture check fires
it names the UNTOUCHED photo "smoothed".  Cue: ``gate.edge_gain_share`` = ln E / ln T, E the ratio of
``quality.skin_edges`` (the 99th percentile of |G(0.4 mm) - G(0.8 mm)| over the texture's skin: the strongest fine
edges, lids, lashes, brows, nostrils, lips), the smoother photo's over the other's, on one grid.  A sharpening edit
multiplies every amplitude of the fine bands (the edges rise with the texture: share about 1 or above, the finest
band gaining most); an edge-preserving filter removes the faint texture and keeps the strong edges (share about 0).
Applied only where the shading share reads smoothing (rule C's texture-alone branch below 0.5, rule D's smoothing
branch): edge share >= ``gate.MIN_EDGE_GAIN_SHARE`` gives the fine-contrast message naming the photo with the MORE
texture (``fold_cause`` "contrast"), in place of the smoothing message; the fold rows read ``uncertain`` as before.
The limit is chosen on this tuning run: the midpoint of the largest edge share of a bilateral pair and the smallest
of a sharpening pair among the pairs where it applies, rounded to 0.05 (if they overlap: the largest bilateral
share + 0.05, rounded up to 0.05).  Sharpeners (none of them is the cue's model of "multiply the fine bands"; a
simulator sharing the cue's percentile or band is not used): PIL ``ImageFilter.UnsharpMask`` radius 0.5 / 1 / 2 px,
percent 150 / 100 / 50 and 150, and 300 (beyond phone sliders); skimage ``filters.unsharp_mask`` radius 1 / 2,
amount 1 / 1.5 (per channel); a Laplacian boost ``x - a * Laplacian(x)`` a 0.5 / 1; PIL radius 2 percent 150
re-saved as JPEG quality 70; ``cv2.detailEnhance`` (sigma_s 10, sigma_r 0.15, the cause bench had not named it);
and with the before photo first reduced to 0.4 mm/px (a photo sent through a messaging app: the sharpening's
radius then reaches the texture band): PIL radius 2 percent 150 and 300, Laplacian 1, bilateral 40 / 2 mm, CLAHE
1.5 (prefix ``r04_``).  Pass on ``--split tune``: of the sharpening pairs the texture check catches, at least 90 %
named "more fine contrast" on the after photo (counted apart for ``detailEnhance``), and every bilateral and CLAHE
pair the texture check catches named as before (count of changes: 0).  Held out (``--split held``) run once after.
Columns added: ``edge_share``, ``cause`` (``fold_cause``), ``named`` (the message the user reads: smoothing /
contrast / tone / both, and which photo).

Rule E's tuning run (2026-12-04, ``--shard 0/3 .. 2/3`` side by side, 1266 s each): where it applies the edge share
read bilateral 0.01-0.67 (109 pairs), sharpeners 0.97-2.34 (76; ``detailEnhance`` lowest): limit (0.67 + 0.97) / 2
-> 0.8 (``gate.MIN_EDGE_GAIN_SHARE``).  Passed: sharpened pairs the texture check catches named "more fine contrast"
on the after photo 47 / 47 (``detailEnhance``: the after photo named in 36 / 36, 29 by rule E), bilateral and CLAHE
naming changed 0 / 109 and 0 / 210.  Held out, run once: sharpeners 17 / 17, ``detailEnhance`` 16 / 16, bilateral
edge share up to 0.71, naming changed 0 / 49 bilateral, 0 / 96 CLAHE (docs/robustness.md "Sharpening against
smoothing").  Within phone-slider strengths (radius 0.5-2 px, 50-150 %) no sharpener tripped the texture check.
"""

from __future__ import annotations

import argparse
import importlib
import io
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_beauty_filter import filters  # noqa: E402
from bench_tone_mapping import FACES, clahe, detail, faces, jpeg  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics.compare import MSG_FINE_CONTRAST, MSG_SMOOTHED, MSG_TONE_MAPPED, _fold_checks  # noqa: E402

G = importlib.import_module("facemetrics.compare.skin")  # the gate's skin checks (out of compare/gate.py, 2026-12-06)
BILATERAL = ("bilateral_20_1.5mm", "bilateral_40_2.0mm", "bilateral_60_3.0mm")


def pil_unsharp(x: np.ndarray, radius: float, percent: int) -> np.ndarray:
    """Pillow's ``ImageFilter.UnsharpMask`` (threshold 0) of an ``(H, W, 3)`` uint8 RGB picture (radius px)."""
    return np.asarray(Image.fromarray(x).filter(ImageFilter.UnsharpMask(radius=radius, percent=percent, threshold=0)))


def sk_unsharp(x: np.ndarray, radius: float, amount: float) -> np.ndarray:
    """scikit-image's ``filters.unsharp_mask`` channel by channel (radius px; its ``channel_axis`` path returned a
    dark picture in 0.26)."""
    from skimage.filters import unsharp_mask

    y = np.stack([unsharp_mask(x[..., c] / 255.0, radius=radius, amount=amount) for c in range(3)], -1)
    return np.clip(np.round(255 * y), 0, 255).astype(np.uint8)


def laplacian_boost(x: np.ndarray, a: float) -> np.ndarray:
    """``x - a * Laplacian(x)`` (3 x 3 kernel, each channel): a sharpening kernel."""
    f = x.astype(np.float32)
    return np.clip(f - a * cv2.Laplacian(f, cv2.CV_32F, ksize=1), 0, 255).astype(np.uint8)


def resaved(x: np.ndarray, q: int) -> np.ndarray:
    """``x`` through a JPEG of quality ``q`` and back."""
    return np.asarray(Image.open(io.BytesIO(jpeg(x, q))).convert("RGB"))


def reduced(x: np.ndarray, mm_per_px: float, to_mm: float = 0.4) -> np.ndarray:
    """``x`` (``mm_per_px``) reduced by area to ``to_mm`` mm/px (a photo sent through a messaging app)."""
    f = min(mm_per_px / to_mm, 1.0)
    return cv2.resize(x, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1.0 else x


def sharpeners(x: np.ndarray) -> dict:
    """name -> sharpened ``(H, W, 3)`` uint8 RGB (rule E: several sharpeners, none the cue's model)."""
    return {"pil_usm_r0.5_150": pil_unsharp(x, 0.5, 150), "pil_usm_r1_100": pil_unsharp(x, 1, 100),
            "pil_usm_r2_50": pil_unsharp(x, 2, 50), "pil_usm_r2_150": pil_unsharp(x, 2, 150),
            "pil_usm_r2_300": pil_unsharp(x, 2, 300), "sk_usm_r1_1": sk_unsharp(x, 1, 1.0),
            "sk_usm_r2_1.5": sk_unsharp(x, 2, 1.5), "laplacian_0.5": laplacian_boost(x, 0.5),
            "laplacian_1": laplacian_boost(x, 1.0), "pil_usm_r2_150_q70": resaved(pil_unsharp(x, 2, 150), 70),
            "detailEnhance": detail(x)}


def operations(a) -> dict:
    """name -> (kind, after photo's JPEG bytes) for the before analysis ``a``."""
    out = {f"clahe{c:g}_8x8": ("tone", jpeg(clahe(a.photo.rgb, c))) for c in (1.0, 1.5, 2.5, 4.0)}
    out["clahe2.5_4x4"] = ("tone", jpeg(clahe(a.photo.rgb, 2.5, 4)))
    f = filters(a.mm_per_px)
    out.update({n: ("beauty", jpeg(f[n](a.photo.rgb))) for n in BILATERAL})
    out.update({n: ("sharpen", jpeg(y)) for n, y in sharpeners(a.photo.rgb).items()})
    return out


def reduced_operations(r) -> dict:
    """The ``r04_`` operations of rule E for the before analysis ``r`` (the photo reduced to 0.4 mm/px)."""
    x, f = r.photo.rgb, filters(r.mm_per_px)
    return {"r04_pil_usm_r2_150": ("sharpen", jpeg(pil_unsharp(x, 2, 150))),
            "r04_pil_usm_r2_300": ("sharpen", jpeg(pil_unsharp(x, 2, 300))),
            "r04_laplacian_1": ("sharpen", jpeg(laplacian_boost(x, 1.0))),
            "r04_bilateral_40_2.0mm": ("beauty", jpeg(f["bilateral_40_2.0mm"](x))),
            "r04_clahe1.5_8x8": ("tone", jpeg(clahe(x, 1.5)))}


def score(a, b) -> dict:
    rows, msgs = _fold_checks(a, b, "ok")
    texture, tone = G.smoothed_skin(a, b), G.tone_mapping_ratio(a, b)
    sm = [m for m in msgs if m.startswith(MSG_SMOOTHED)]
    tm = [m for m in msgs if MSG_TONE_MAPPED in m]
    fc = [m for m in msgs if m.startswith(MSG_FINE_CONTRAST)]
    (ta, tb), (ca, cb) = G.skin_textures(a, b), G.local_contrasts(a, b)
    smooth, tone_fires = bool(G.weak_fold_rows(texture)), bool(G.tone_mapped_rows(tone))
    cause = G.fold_cause(a, b, texture, tone)
    named = "+".join(f"{k}:{'after' if any(w in m for w in ('(the after photo', 'the after photo')) else 'before'}"
                     for k, ms in (("smooth", sm), ("contrast", fc), ("tone", tm)) for m in ms)
    return {"smooth": smooth, "tone": tone_fires, "alone": smooth and not tone_fires,
            "edge_share": G.edge_gain_share(a, b), "cause": cause, "named": named,
            "texture_ratio": texture, "tone_ratio": tone, "smoother_after": tb < ta, "higher_contrast_after": cb > ca,
            "shading_share": G.gain_shading_share(a, b), "grid_mm": G.read_grid_mm(a.frame.mm_per_px, b.frame.mm_per_px),
            "smooth_msg": bool(sm), "smooth_after": any("(the after photo" in m for m in sm),
            "tone_msg": bool(tm), "tone_after": any(m.startswith("the after photo") for m in tm),
            "contrast_msg": bool(fc), "contrast_after": any("(the after photo" in m for m in fc),
            "rows": len(rows) == 6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("tune", "held"), required=True)
    ap.add_argument("--limit", type=int, default=0, help="the first N faces of the split only")
    ap.add_argument("--csv", type=Path, help="one row per pair (the ratios, which photo each check calls edited)")
    ap.add_argument("--shard", default="0/1", help="i/n: every n-th face from the i-th only (runs side by side)")
    args = ap.parse_args()
    if FACES is None:
        sys.exit("needs the shared faces (../shared/faces)")
    t0, agg, table = time.time(), defaultdict(lambda: defaultdict(int)), []
    i_shard, n_shard = (int(v) for v in args.shard.split("/"))
    paths = faces(args.split)[:args.limit or None][i_shard::n_shard]
    for path in paths:
        a0 = analyze_photo(path.read_bytes(), name=path.name)
        if not a0.ok:
            print(f"{path.name}: not measured ({a0.status}); skipped")
            continue
        r = analyze_photo(jpeg(reduced(a0.photo.rgb, a0.mm_per_px)), name=f"{path.stem}_r04.jpg")
        ops = [(a0, op, kd) for op, kd in operations(a0).items()]
        ops += [(r, op, kd) for op, kd in reduced_operations(r).items()] if r.ok else []
        for a, op, (kind, data) in ops:
            b = analyze_photo(data, name=f"{path.stem}_{op}.jpg")
            if not b.ok:
                agg[op]["not_measured"] += 1
                continue
            s = score(a, b)
            table.append({"face": path.stem, "op": op, "kind": kind, **s})
            agg[op]["pairs"] += 1
            for k in ("smooth", "tone", "alone", "smooth_msg", "smooth_after", "tone_msg", "tone_after",
                      "contrast_msg", "contrast_after", "rows"):
                agg[op][k] += int(s[k])
            agg[op]["both"] += int(s["smooth"] and s["tone"])
            for k in ("smooth_msg", "smooth_after", "contrast_msg", "contrast_after"):
                agg[op]["alone_" + k] += int(s["alone"] and s[k])
            if (kind == "beauty" and s["smooth"] and not (s["smooth_msg"] and s["smooth_after"] and not s["tone_msg"])) \
                    or (kind == "tone" and s["tone"] and s["smooth_msg"]):
                print(f"  against the target: {path.stem} {op} texture {s['texture_ratio']:.3f} "
                      f"tone {s['tone_ratio']:.3f} smooth_msg {s['smooth_msg']} tone_msg {s['tone_msg']}")
            if kind != "sharpen" and s["alone"] and ((kind == "beauty") == s["contrast_msg"]
                                                     or (kind == "tone" and not s["contrast_after"])):
                print(f"  rule C against the target: {path.stem} {op} texture {s['texture_ratio']:.3f} "
                      f"tone {s['tone_ratio']:.3f} share {s['shading_share']:.2f} contrast_msg {s['contrast_msg']}")
    cols = ("pairs", "smooth", "tone", "both", "smooth_msg", "smooth_after", "tone_msg", "tone_after", "rows")
    print(f"{'operation':20s}" + "".join(f"{c:>13s}" for c in cols))
    for op, d in agg.items():
        print(f"{op:20s}" + "".join(f"{d[c]:13d}" for c in cols))
    cols = ("alone", "alone_smooth_msg", "alone_smooth_after", "alone_contrast_msg", "alone_contrast_after")
    print("rule C: `alone` the pairs where the texture check fires and the tone check does not; of them, the pairs "
          "with the smoothing / fine-contrast message, and naming the after photo")
    print(f"{'operation':20s}" + "".join(f"{c[6:] if c != 'alone' else c:>15s}" for c in cols))
    for op, d in agg.items():
        print(f"{op:20s}" + "".join(f"{d[c]:15d}" for c in cols))
    print("rule E: of the pairs the texture check catches, what the user reads (the messages and the photo each "
          "names; the after photo is the edited one)")
    named = defaultdict(lambda: defaultdict(int))
    for t in table:
        if t["smooth"]:
            named[(t["kind"], t["op"])][t["named"]] += 1
    for (kind, op), d in named.items():
        print(f"{op:24s} {kind:8s} {sum(d.values()):4d}  " + ", ".join(f"{k} {v}" for k, v in sorted(d.items())))
    print(f"{time.time() - t0:.0f} s")
    if args.csv:
        import csv

        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(table[0]))
            w.writeheader()
            w.writerows(table)


if __name__ == "__main__":
    main()
