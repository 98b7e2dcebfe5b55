"""A side light read as a covered jaw: veto the cover check's changed cells where the skin's fine texture is kept?
(stop 62 h6; docs/robustness.md "Stop 62: the skin's texture as the cover check's cue").

    python bench/audit_light_cover_texture.py collect --split tune --csv /tmp/h6/tune.csv   # measure (slow)
    python bench/audit_light_cover_texture.py choose /tmp/h6/tune.csv                       # the variant, tuning only
    python bench/audit_light_cover_texture.py collect --split held --csv /tmp/h6/held.csv
    python bench/audit_light_cover_texture.py judge /tmp/h6/tune.csv /tmp/h6/held.csv       # the rule, once
    python bench/audit_light_cover_texture.py cost        # ms with and without the cue, the bundled sample
    python bench/audit_light_cover_texture.py real        # the cue on real re-taken photos (no cover, no relit copy)

The candidate is not in the package (it failed): ``git apply bench/light_cover_texture_candidate.diff`` first.

Needs /work/wt/shared/faces (``../shared/faces``); exits 2 without it (``collect``).  Reuses stop 61's bench
(``audit_light_cover``: its side-lit, cover and clean pairs, its per-pair rows and counts).

Why: stop 61 (g4) tried taking a smooth shading field out of the cover check's grey difference and failed held out
(side-lit pairs with the jaw rows ``uncertain`` 42 -> 27 of 100, 2 covers lost): a flat skin-grey cover looks as
smooth as shading to any field.  The cue tried here is the skin's fine texture on the work grid
(``compare.occlusion.texture_match``): the grey of the before image and of the registered after image band-passed
by a difference of Gaussians of SD 0.4 and 0.8 mm (``OCCLUSION_TEXTURE_SIGMAS_MM``), and per cell, over the cover
check's 3 mm patches, (1) their normalised correlation and (2) the after band amplitude over the before's divided by
the after mean grey over the before's.  A light scales the texture with the brightness (ratio about 1) and keeps
its pattern (correlation near 1); a cover replaces it (a flat block: amplitude near 0; a hand of forehead skin, a
scarf: another pattern, correlation near 0).  The candidate (``covered_areas(..., texture=(c, r))``): in the
connected changed sets larger than the area limit, the cells with correlation >= c and amplitude ratio within a
factor r of 1 are not counted, and the areas are found again.  Computed only when an area would be reported.

THE RULE (written and committed before any run of this bench, 2026-12-07 09:06 UTC):

Faces: TUNING = stop 61's tuning faces (``audit_light_cover.faces("tune")``, 10, read by g4 already).  HELD OUT =
10 faces g4 did not read at all, from the held-out halves of ``accuracy.canada_split`` and ``accuracy.london_split``
(``HELD``, fixed by name here, in this order: Canada 008f 026f London 021 Canada 049f 098m London 061 Canada 121m 149m
London 087 119), read once.  The machine is shared (load 7-9): each face's rows are appended to the CSV as it ends,
both runs are stopped at 10:05 UTC, and every face finished by then is used (the counts say how many).

Pairs per face, subsampled from stop 61's (time): ``side``: ``SIDE_OPS`` (az +20, az -40, az +30 -> -30) on the
``mesh`` and the ``generic`` surface: 6; ``cover``: the 12 of ``COVERS`` (the skin-coloured blocks, squares and
hands, the flat hand, a purple square, a dark jowl square, the scarf, the dark band); ``clean``: the 8 of ``CLEAN``
(bright +15, gamma 1.25, JPEG 70, blur, scale 0.85, a warm linear cast, lifts of 2 and 3 mm) and, for London faces,
neutral -> smiling and back.  Per pair and variant as stop 61: side: the jaw rows (``jaw_width_mm`` mean)
``uncertain``; cover, clean: flagged (the gate reads the lower face and an area is found).

Variants (``VARIANTS``): none (the module as it is); (c, r) for c in 0.5, 0.7, 0.85 and r in 1.5, 2; and c 0.7,
r 1.5 on the band 0.5-1.0 mm.

Choice (tuning only): of the variants whose tuning covers flagged are at least the module's (minus 0) and clean
pairs flagged at most the module's, the one with the fewest side-lit pairs with jaw rows ``uncertain`` (ties: the
larger c, then the smaller r, then the default band).  Continue to the held-out reading only if that is at most half
the module's count on tuning.

Ships (the default of ``covered_areas``) only if, on the HELD-OUT faces, read once, with the chosen variant:
(a) side-lit pairs with jaw rows ``uncertain``: at most half the module's count;
(b) covers flagged: at least the module's count (no cover lost);
(c) clean pairs flagged: at most the module's count;
(d) cost: the total time of ``covered_areas`` over the held-out pairs with the variant at most 1.3 x without (timed
alternately on each pair in the same run);
(e) the sample study (``facemetrics demo -o DIR --workers 1``) changes at most one row.
If any fails, nothing goes into the package: this bench, the figures in docs/robustness.md and
``bench/light_cover_texture_candidate.diff`` keep it.

Outcome (2026-12-07, runs on d6ea860 09:04-09:13 UTC, all 10 faces of each split, 266 and 268 pairs; docs/robustness.md
"Stop 62: the skin's texture as the cover check's cue"): the rule chose c 0.85, r 1.5 on tuning (side-lit pairs with
the jaw rows uncertain 35 -> 0 of 60, covers flagged 119 -> 119 of 120, clean 0 -> 0 of 86); held out, read once:
28 -> 0 of 60 (a: pass), covers 113 -> 112 of 120 (b: FAIL, the blurred dark band on london_061, 131 mm² by the
module, 0 with the cue), clean 0 -> 0 of 88 (c: pass), cost 1.05 x (d: pass).  It fails (b): nothing ships.  The
dark band (the photo blended towards grey 25 by up to 0.85) scales the texture as a shadow does: every variant cut
its area on every face (to 0.3-0.7 of the module's at c 0.85).  And real re-taken photos keep less of the fine
texture than the relit copies this bench makes from the same pixels (``real``): the cue is likely weaker off the
bench than on it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import audit_light_cover as alc  # noqa: E402
from audit_light_direction import FACES, smile_lines  # noqa: E402
from audit_light_jaw_floor import SURFACES, relit  # noqa: E402
from bench_occlusion import CASTS, OCCLUDERS  # noqa: E402
from bench_tone_mapping import jpeg  # noqa: E402
from facemetrics import analyze_photo  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare import occlusion as oc  # noqa: E402
from facemetrics.compare.gate import lower_face_unread_reasons  # noqa: E402
from facemetrics.compare.measure import _measure  # noqa: E402

#: variant -> ``covered_areas``'s ``texture`` (None: the module as it is)
VARIANTS = {"none": None, **{f"c{c:g}r{r:g}": (c, r) for c in (0.5, 0.7, 0.85) for r in (1.5, 2.0)},
            "c0.7r1.5b": (0.7, 1.5, (0.5, 1.0))}
SIDE_OPS = ("az+20", "az-40", "az+30->-30")
COVERS = ("block_above5_skin", "block_above14_skin", "block_below5_dark", "corner_right_skin", "corner_left_purple",
          "jowl_left", "hand_right_forehead", "hand_left_forehead", "hand_left_cheek", "hand_right_flat", "scarf",
          "dark_band")
CLEAN = ("bright_+15", "gamma_1.25", "jpeg_70", "blur", "scale_0.85", "cast_warm_linear", "lift2", "lift3")
HELD = ("canada_008f", "canada_026f", "london_021_m48_white_neutral", "canada_049f", "canada_098m",
        "london_061_m40_black_neutral", "canada_121m", "canada_149m", "london_087_f31_east_asian_neutral",
        "london_119_m39_east_asian_neutral")
#: the variant timed against none on every cover and clean pair (the candidate's dearest: the lowest c)
TIMED = "c0.5r2"


def covered(a, pair, variant: str):
    return oc.covered_areas(a, pair, texture=VARIANTS[variant])


def faces(split: str) -> list[Path]:
    if split == "tune":
        return alc.faces("tune")
    return [FACES / ("london_ccby" if n.startswith("london") else "canada_ccby") / f"{n}.jpg" for n in HELD]


def pair_row(a, b, base: dict, count=[0]) -> dict:  # noqa: B006 (a counter)
    """A cover or clean pair: flagged per variant, and the check's time with and without :data:`TIMED`."""
    if not (a.ok and b.ok):
        return {**base, "ok": False}
    pair = _measure(a, b)
    reads = not lower_face_unread_reasons(a, b, pair.alignment.residual_mm, pair.cues)
    r = {**base, "ok": True, "gate_reads": reads}
    for name in VARIANTS:
        found = covered(a, pair, name)
        r[f"flag_{name}"] = bool(reads and found.areas)
        r[f"area_{name}"] = max((x.area_mm2 for x in found.areas), default=0.0)
    count[0] += 1
    for name in (("none", TIMED) if count[0] % 2 else (TIMED, "none")):
        t0 = time.perf_counter()
        for _ in range(3):
            covered(a, pair, name)
        r[f"ms_{name}"] = (time.perf_counter() - t0) * 1000 / 3
    return r


def collect(split: str, stream=sys.stdout, csv: Path | None = None) -> list[dict]:
    """Every pair's row, written to ``csv`` face by face as each ends."""
    import pandas as pd
    alc.VARIANTS, alc.covered = VARIANTS, covered  # side_row reads these
    rows = []
    for path in faces(split):
        a = analyze_photo(path.read_bytes(), name=path.name)
        if not a.ok:
            print(f"{path.name}: not measured ({a.status}); skipped", file=stream)
            continue
        grooves = smile_lines(path)
        base = dict(split=split, face=path.stem)
        for s in SURFACES:
            for op in SIDE_OPS:
                b = analyze_photo(jpeg(relit(a, op, grooves, s)), name=f"{path.stem}_{op}.jpg")
                rows.append(alc.side_row(a, b, {**base, "kind": "side", "op": f"{op} {s}"}))
        for n in COVERS:
            b = analyze_photo(jpeg(OCCLUDERS[n](a)), name=f"{n}.jpg")
            rows.append(pair_row(a, b, {**base, "kind": "cover", "op": n}))
        clean = {**{n: (lambda a, f=f: f(a).image) for n, f in sim.NUISANCES.items()}, **CASTS,
                 **{f"lift{mm:g}": (lambda a, mm=mm: sim.lift(a, mm).image) for mm in (2.0, 3.0)}}
        for n in CLEAN:
            b = analyze_photo(jpeg(clean[n](a)), name=f"{n}.jpg")
            rows.append(pair_row(a, b, {**base, "kind": "clean", "op": n}))
        s_path = path.with_name(path.name.replace("_neutral", "_smiling"))
        if path.parent.name == "london_ccby" and s_path.is_file():
            b = analyze_photo(s_path.read_bytes(), name=s_path.name)
            rows.append(pair_row(a, b, {**base, "kind": "clean", "op": "smile"}))
            rows.append(pair_row(b, a, {**base, "kind": "clean", "op": "unsmile"}))
        if csv is not None:
            pd.DataFrame(rows).to_csv(csv, index=False)
        print(f"{path.name} done ({len(rows)} rows)", file=stream, flush=True)
    return rows


def choose(df) -> str:
    alc.VARIANTS = VARIANTS
    c = alc.table(df, "TUNING")
    base = c["none"]
    ok = [v for v in VARIANTS if v != "none" and c[v][1] >= base[1] and c[v][2] <= base[2]]
    if not ok:
        print("no variant keeps the covers and the clean pairs: nothing chosen")
        return ""
    best = min(ok, key=lambda v: (c[v][0], -VARIANTS[v][0], VARIANTS[v][1], len(VARIANTS[v])))
    print(f"chosen: {best} (side-lit pairs with the jaw rows uncertain {base[0]} -> {c[best][0]}; "
          f"{'continue' if c[best][0] <= base[0] / 2 else 'STOP: not halved'})")
    return best if c[best][0] <= base[0] / 2 else ""


def judge(df, v: str) -> bool:
    c = alc.table(df, "HELD OUT")
    base, new = c["none"], c[v]
    a, b, cc = new[0] <= base[0] / 2, new[1] >= base[1], new[2] <= base[2]
    print(f"{v}: (a) side-lit jaw uncertain {base[0]} -> {new[0]} {'PASS' if a else 'FAIL'}; (b) covers flagged "
          f"{base[1]} -> {new[1]} {'PASS' if b else 'FAIL'}; (c) clean flagged {base[2]} -> {new[2]} "
          f"{'PASS' if cc else 'FAIL'}")
    side = df[df.kind == "side"]
    for op, g in side.groupby("op"):
        print(f"    {op:24s} jaw uncertain {int(g.jaw_none.sum())} -> {int(g[f'jaw_{v}'].sum())} of {len(g)}")
    cover = df[df.kind == "cover"]
    lost = cover[cover.flag_none.astype(bool) & ~cover[f"flag_{v}"].astype(bool)]
    print("covers lost:", list(zip(lost.face, lost.op)))
    return a and b and cc


def timing(df) -> float:
    """Total time of ``covered_areas`` with :data:`TIMED` over without, on the rows timed; printed by kind."""
    t = df.dropna(subset=["ms_none", f"ms_{TIMED}"])
    for kind, g in t.groupby("kind"):
        print(f"  {kind}: {len(g)} pairs, total {g.ms_none.sum():.0f} ms without, {g[f'ms_{TIMED}'].sum():.0f} ms "
              f"with {TIMED} (ratio {g[f'ms_{TIMED}'].sum() / g.ms_none.sum():.2f})")
    ratio = float(t[f"ms_{TIMED}"].sum() / t.ms_none.sum())
    print(f"  all: ratio {ratio:.2f}")
    return ratio


def cost(repeats: int = 20) -> None:
    """``covered_areas`` on the bundled sample against its copy relit from 40 deg and against a skin-coloured block
    over the chin, with the chosen variant's cue and without, timed alternately in the same run."""
    samples = HERE.parent / "sample_images"
    a = analyze_photo(samples / "astronaut_before.jpg")
    pairs = {"relit az 40": _measure(a, analyze_photo(jpeg(sim.relit(a, 40.0).image), name="relit.jpg")),
             "skin block": _measure(a, analyze_photo(jpeg(OCCLUDERS["block_above5_skin"](a)), name="block.jpg")),
             "sample pair": _measure(a, analyze_photo(samples / "astronaut_after.jpg"))}
    for name, pair in pairs.items():
        t = {"none": [], "c0.85r1.5": []}
        for i in range(repeats):
            for which in (("none", "c0.85r1.5") if i % 2 else ("c0.85r1.5", "none")):
                t0 = time.perf_counter()
                covered(a, pair, which)
                t[which].append((time.perf_counter() - t0) * 1000)
        m0, m1 = np.median(t["none"]), np.median(t["c0.85r1.5"])
        print(f"{name}: without the cue {m0:.1f} ms, with {m1:.1f} ms (medians of {repeats}); ratio {m1 / m0:.2f}")


def real() -> None:
    """The cue's correlation and amplitude ratio over the lower face (the cover check's cells) on pairs of real
    photos with no cover: two photos taken apart (debruine camera distance, pose), a neutral and a smiling photo,
    and the sample's relit copy for comparison (the same pixels multiplied)."""
    from facemetrics.compare.measure import _before_state
    d, ln = FACES / "debruine_cc0", FACES / "london_ccby"
    rd = lambda p: analyze_photo(p.read_bytes(), name=p.name)  # noqa: E731
    s = analyze_photo(HERE.parent / "sample_images" / "astronaut_before.jpg")
    pairs = {"sample vs its copy relit from 40 deg": (s, analyze_photo(jpeg(sim.relit(s, 40.0).image), name="r.jpg")),
             "debruine 30 vs 45 cm": (rd(d / "debruine_camera_distance_30cm.jpg"),
                                      rd(d / "debruine_camera_distance_45cm.jpg")),
             "debruine pose 1 vs 2": (rd(d / "debruine_pose_variation_1.jpg"), rd(d / "debruine_pose_variation_2.jpg")),
             "london_003 neutral vs smiling": (rd(ln / "london_003_f38_white_neutral.jpg"),
                                               rd(ln / "london_003_f38_white_smiling.jpg"))}
    for name, (a, b) in pairs.items():
        if not (a.ok and b.ok):
            print(f"{name}: not measured")
            continue
        pair, st = _measure(a, b), _before_state(a)
        dm = oc.difference_map(pair.before_grid, pair.warped_after, st.uv_a, st.grid)
        ncc, amp = oc.texture_match(pair.before_grid, pair.warped_after, 4, 3, st.grid.res_mm)
        r = dm.roi
        print(f"{name}: registration residual {pair.alignment.residual_mm:.2f} mm; lower-face correlation "
              f"p10/50/90 {np.round(np.percentile(ncc[r], [10, 50, 90]), 2)}, amplitude ratio "
              f"{np.round(np.percentile(amp[r], [10, 50, 90]), 2)}; cells >= 0.85: {np.mean(ncc[r] >= 0.85):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--split", choices=("tune", "held"), required=True)
    c.add_argument("--csv", type=Path, required=True)
    ch = sub.add_parser("choose")
    ch.add_argument("tune_csv", type=Path)
    j = sub.add_parser("judge")
    j.add_argument("tune_csv", type=Path)
    j.add_argument("held_csv", type=Path)
    sub.add_parser("cost", help="the check's time with and without the cue (the sample)")
    sub.add_parser("real", help="the cue on real re-taken photos")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    import pandas as pd
    if args.cmd == "collect":
        if FACES is None or not (FACES / "canada_ccby").is_dir() or not (FACES / "london_ccby").is_dir():
            print("../shared/faces (or /work/wt/shared/faces) not present: nothing to measure", file=sys.stderr)
            sys.exit(2)
        t0 = time.perf_counter()
        rows = collect(args.split, csv=args.csv)
        pd.DataFrame(rows).to_csv(args.csv, index=False)
        print(f"{args.split}: {len(rows)} rows in {time.perf_counter() - t0:.0f} s -> {args.csv}")
        return
    if args.cmd in ("cost", "real"):
        (cost if args.cmd == "cost" else real)()
        return
    v = choose(pd.read_csv(args.tune_csv))
    print("tuning cost:")
    timing(pd.read_csv(args.tune_csv))
    if args.cmd == "judge" and v:
        held = pd.read_csv(args.held_csv)
        ok = judge(held, v)
        print("held-out cost:")
        ok = timing(held) <= 1.3 and ok
        print(f"\nHELD OUT, read once: {'passes (a)-(d); (e) the sample study to check' if ok else 'does not ship'}")


if __name__ == "__main__":
    main()
