"""Iris visibility (facemetrics.eyes): measures on real faces and on synthetic eye covers.

Writes one CSV row per (photo, variant): the per-eye opening and iris contrast, and how the
iris scale moved against the unedited photo.  Variants: ``orig``; sunglasses ``sun{k}_{tint}``
(ellipses of half-width ``k`` x IPD over each eye; tints dark, mid-grey, reflective grey with a
gradient and a highlight); skin-coloured covers ``skin`` (with a lash line) and ``skin_noline``.

Thresholds are chosen on the Canada tuning faces (bench/accuracy.py ``canada_split``) and their
covers only (``--choose``); every other set is held out (``--report``).

    python bench/bench_eyes.py --measure /tmp/eyes.csv      # all sets (~10 min on 2 cores)
    python bench/bench_eyes.py --choose /tmp/eyes.csv       # print the tuning-set table
    python bench/bench_eyes.py --report /tmp/eyes.csv       # false flags / detection, held out
    python bench/bench_eyes.py --cost                       # cost of the check vs analyze_photo
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import CANADA, LONDON, SAMPLES, SHARED_FACES, canada_split  # noqa: E402

from facemetrics import eyes as E  # noqa: E402
from facemetrics.analyze import analyze_photo  # noqa: E402
from facemetrics.geometry import LEFT_IRIS, RIGHT_IRIS, calibrate  # noqa: E402
from facemetrics.landmarks import detect_landmarks  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402

SUN_SIZES = (0.22, 0.30, 0.38)
TINTS = ("dark", "grey", "reflective")


def sunglasses(rgb: np.ndarray, pts: np.ndarray, k: float, tint: str) -> np.ndarray:
    """Ellipses of half-width ``k`` x IPD (height 0.65 of that) over both irises."""
    out = rgb.copy()
    ipd = float(np.linalg.norm(pts[RIGHT_IRIS, :2] - pts[LEFT_IRIS, :2]))
    rx, ry = k * ipd, 0.65 * k * ipd
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    for i in (RIGHT_IRIS, LEFT_IRIS):
        x, y = pts[i, :2]
        m = ((xx - x) / rx) ** 2 + ((yy - y) / ry) ** 2 <= 1
        if tint == "dark":
            out[m] = (15, 15, 18)
        elif tint == "grey":
            out[m] = (70, 72, 78)
        else:  # reflective grey: a vertical gradient 175 -> 95, a bright diagonal streak
            g = 175 - 80 * (yy[m] - (y - ry)) / (2 * ry)
            streak = np.abs((xx[m] - x) + 0.6 * (yy[m] - y)) < 0.12 * rx
            g = np.where(streak, 235, g)
            out[m] = np.stack([g, g + 3, g + 8], -1).clip(0, 255).astype(np.uint8)
    return out


def skin_cover(rgb: np.ndarray, pts: np.ndarray, line: bool) -> np.ndarray:
    """Eyes covered with the cheek's colour (blurred edge), optionally with a lash line (closed eyes)."""
    ipd = float(np.linalg.norm(pts[RIGHT_IRIS, :2] - pts[LEFT_IRIS, :2]))
    cx, cy = np.round(pts[50, :2]).astype(int)
    d = max(int(0.03 * ipd), 2)
    cheek = rgb[cy - d:cy + d + 1, cx - d:cx + d + 1].reshape(-1, 3).mean(0)
    mask = np.zeros(rgb.shape[:2], np.float32)
    for i in (RIGHT_IRIS, LEFT_IRIS):
        x, y = pts[i, :2]
        cv2.ellipse(mask, (int(x), int(y)), (int(0.3 * ipd), int(0.13 * ipd)), 0, 0, 360, 1.0, -1)
    sig = max(0.04 * ipd / 3, 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), sig)[..., None]
    out = (rgb * (1 - mask) + cheek * mask).clip(0, 255).astype(np.uint8)
    if line:
        t = max(int(round(0.03 * ipd)), 1)
        for a, b in ((33, 133), (362, 263)):
            cv2.line(out, tuple(np.round(pts[a, :2]).astype(int)), tuple(np.round(pts[b, :2]).astype(int)),
                     (60, 40, 35), t)
    return out


def _profile(gray, pts, c, ch, co):
    """Luminance along the chord, -2.4..2.4 radii in steps of 0.1 (median over the band's lines),
    then the corner reaches (radii): for choosing the band offline."""
    p = pts[:, :2]
    r = 0.5 * np.linalg.norm(p[ch[0]] - p[ch[1]])
    u = (p[co[1]] - p[co[0]]) / np.linalg.norm(p[co[1]] - p[co[0]])
    v = np.array([-u[1], u[0]])
    t = np.round(np.arange(-24, 25) / 10, 2)
    s = np.linspace(-E.BAND_HALF_HEIGHT, E.BAND_HALF_HEIGHT, 5)
    xy = p[c] + r * (t[None, :, None] * u + s[:, None, None] * v)
    vals = cv2.remap(gray.astype(np.float32), xy[..., 0].astype(np.float32), xy[..., 1].astype(np.float32),
                     cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    reach = [abs(float((p[i] - p[c]) @ u)) / r for i in co]
    return list(np.median(vals, axis=0)) + reach


def measure_one(rgb: np.ndarray) -> dict | None:
    faces = detect_landmarks(rgb)
    if faces is None:
        return None
    pts = faces.points
    ev = E.iris_visibility(rgb, pts)
    cal = calibrate(pts)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    raw = {}
    for side, c, ch, co in (("r", RIGHT_IRIS, E.RIGHT_IRIS_H, E.RIGHT_EYE_CORNERS),
                            ("l", LEFT_IRIS, E.LEFT_IRIS_H, E.LEFT_EYE_CORNERS)):
        iris, (s_out, s_in) = E.chord_luminance(gray, pts, c, ch, co)
        raw.update({f"iris_{side}": iris, f"sout_{side}": s_out, f"sin_{side}": s_in})
        raw.update({f"prof_{side}": " ".join(f"{x:.1f}" for x in _profile(gray, pts, c, ch, co))})
    return dict(**raw, open_r=ev.opening[0], open_l=ev.opening[1], con_r=ev.contrast[0], con_l=ev.contrast[1],
                vis_r=ev.visible[0], vis_l=ev.visible[1], mm_per_px=cal.mm_per_px, ipd_mm=cal.ipd_mm,
                face_px=float(np.ptp(pts[:468, 0]))), pts


def photos() -> list[tuple[str, str, object]]:
    """(set, name, loader) for every photo; the loader returns an RGB array."""
    out = []
    tune, held = canada_split(sorted(CANADA.glob("*.jpg")))
    out += [("canada_tune", p.stem, p) for p in tune]
    out += [("canada_held", p.stem, p) for p in held]
    out += [("london_neutral", p.stem, p) for p in sorted(LONDON.glob("*_neutral.jpg"))]
    out += [("london_smiling", p.stem, p) for p in sorted(LONDON.glob("*_smiling.jpg"))]
    out += [("debruine", p.stem, p) for p in sorted((SHARED_FACES / "debruine_cc0").glob("*.jpg"))]
    out += [("whitehouse", p.stem, p) for p in sorted((SHARED_FACES / "whitehouse_pd").glob("*.jpg"))]
    out += [("sample", p.stem, p) for p in sorted(SAMPLES.glob("*.jpg"))]
    return out


def grid_frames(step: int = 15):
    for clip in sorted((SHARED_FACES / "grid_video_ccby").glob("*.mpg")):
        cap = cv2.VideoCapture(str(clip))
        i = 0
        while True:
            ok, f = cap.read()
            if not ok:
                break
            if i % step == 0:
                yield f"{clip.stem}_{i}", cv2.cvtColor(f, cv2.COLOR_BGR2RGB)
            i += 1
        cap.release()


def measure(out_csv: str) -> None:
    rows = []
    for group, name, path in photos():
        rgb = np.ascontiguousarray(load_photo(path).rgb)
        got = measure_one(rgb)
        if got is None:
            print("no face", name, flush=True)
            continue
        base, pts = got
        rows.append(dict(set=group, photo=name, variant="orig", **base))
        if group in ("canada_tune", "canada_held", "london_neutral", "debruine", "whitehouse", "sample"):
            variants = {f"sun{int(k * 100)}_{t}": sunglasses(rgb, pts, k, t) for k in SUN_SIZES for t in TINTS}
            variants["skin"] = skin_cover(rgb, pts, True)
            variants["skin_noline"] = skin_cover(rgb, pts, False)
            for v, img in variants.items():
                g = measure_one(img)
                if g is None:
                    rows.append(dict(set=group, photo=name, variant=v, face_px=np.nan))
                    continue
                rows.append(dict(set=group, photo=name, variant=v, **g[0],
                                 mmpx_change=g[0]["mm_per_px"] / base["mm_per_px"] - 1))
        print(group, name, flush=True)  # no figures: held-out sets are looked at only by --report
    for name, rgb in grid_frames():
        got = measure_one(rgb)
        if got is not None:
            rows.append(dict(set="grid", photo=name, variant="orig", **got[0]))
    pd.DataFrame(rows).to_csv(out_csv, index=False)


def _flag(df: pd.DataFrame, min_open: float, min_con: float) -> pd.Series:
    """Neither eye visible (the photo's iris scale is flagged)."""
    vr = (df.open_r >= min_open) & (df.con_r >= min_con)
    vl = (df.open_l >= min_open) & (df.con_l >= min_con)
    return ~(vr | vl)


_T = np.round(np.arange(-24, 25) / 10, 2)


def _contrast_from_profile(prof: str, band: tuple[float, float], rule) -> float:
    """An eye's contrast for another sclera band / side rule, from the stored profile."""
    v = np.array(prof.split(), float)
    prof, reach = v[:49], v[49:]
    iris = np.median(prof[np.abs(_T) < E.IRIS_CORE])
    sides = []
    for sign, rc in ((-1, reach[0]), (1, reach[1])):
        sel = (sign * _T >= band[0]) & (sign * _T <= min(band[1], 0.9 * rc))
        if sel.sum() >= 2:
            sides.append(np.median(prof[sel]))
    return 1 - iris / max(rule(sides), 1) if sides else np.nan


def choose(csv: str) -> None:
    """Tables on the Canada tuning faces only: the sclera band and side rule, then the thresholds."""
    df = pd.read_csv(csv)
    t = df[(df.set == "canada_tune") & df.open_r.notna()]
    orig, cov = t[t.variant == "orig"], t[t.variant != "orig"]
    print(f"Canada tuning: {len(orig)} faces, {len(cov)} covered variants\n")
    print("| sclera band (radii) | side | unedited eyes: lowest contrast | covers: best eye's contrast > 0.15 |")
    print("|---|---|---|---|")
    for band in ((1.1, 1.5), (1.15, 1.6), (1.2, 1.8), (1.3, 2.2)):
        for rname, rule in (("darker", min), ("brighter", max)):
            co = [_contrast_from_profile(p, band, rule) for p in pd.concat([orig.prof_r, orig.prof_l])]
            cc = np.fmax([_contrast_from_profile(p, band, rule) for p in cov.prof_r],
                         [_contrast_from_profile(p, band, rule) for p in cov.prof_l])
            print(f"| {band} | {rname} | {np.nanmin(co):.3f} | {int(np.sum(cc > 0.15))}/{len(cc)} |")
    print("\nshipped band and rule:", E.SCLERA_BAND, "darker side")
    eyes_o = pd.concat([orig[["open_r", "con_r"]].set_axis(["open", "con"], axis=1),
                        orig[["open_l", "con_l"]].set_axis(["open", "con"], axis=1)])
    eyes_c = pd.concat([cov[["open_r", "con_r", "variant"]].set_axis(["open", "con", "variant"], axis=1),
                        cov[["open_l", "con_l", "variant"]].set_axis(["open", "con", "variant"], axis=1)])
    print("unedited eyes: opening min/5%/median", np.round(eyes_o.open.quantile([0, .05, .5]).values, 3),
          "contrast min/5%/median", np.round(eyes_o.con.quantile([0, .05, .5]).values, 3))
    for v, g in eyes_c.groupby("variant"):
        print(f"  {v:22s} opening median {g.open.median():.3f} max {g.open.max():.3f}; "
              f"contrast median {g.con.median():.3f} max {g.con.max():.3f}")
    print("\n| MIN_EYE_OPENING | MIN_IRIS_CONTRAST | unedited: photos flagged | unedited: eyes not visible "
          "| covers: photos flagged | covers: eyes still visible |")
    print("|---|---|---|---|---|---|")
    for mo in (0.10, 0.12, 0.15, 0.18):
        for mc in (0.05, 0.10, 0.15, 0.20, 0.25):
            off = int(((eyes_o.open < mo) | (eyes_o.con < mc)).sum())
            vis = int(((eyes_c.open >= mo) & (eyes_c.con >= mc)).sum())
            print(f"| {mo} | {mc} | {_flag(orig, mo, mc).sum()}/{len(orig)} | {off}/{len(eyes_o)} "
                  f"| {_flag(cov, mo, mc).sum()}/{len(cov)} | {vis}/{len(eyes_c)} |")


def largest_change(changes: pd.Series) -> float:
    """The change of largest magnitude, with its sign (NaN when there is none).

    Parameters
    ----------
    changes : pd.Series, shape (n,)
        Relative mm/px changes (covered / unedited - 1, a fraction), NaN where not measured.
    """
    c = changes.dropna()
    return float(c.loc[c.abs().idxmax()]) if len(c) else float("nan")


def report(csv: str) -> None:
    df = pd.read_csv(csv)
    mo, mc = E.MIN_EYE_OPENING, E.MIN_IRIS_CONTRAST
    print(f"thresholds: MIN_EYE_OPENING {mo}, MIN_IRIS_CONTRAST {mc}\n")
    print("| set | unedited photos flagged | eyes not visible (of 2 per photo) | lowest opening | lowest contrast |")
    print("|---|---|---|---|---|")
    for s in ("canada_tune", "canada_held", "london_neutral", "london_smiling", "debruine", "whitehouse", "grid",
              "sample"):
        o = df[(df.set == s) & (df.variant == "orig")]
        if o.empty:
            continue
        eye_off = int(((o.open_r < mo) | (o.con_r < mc)).sum() + ((o.open_l < mo) | (o.con_l < mc)).sum())
        flagged = o[_flag(o, mo, mc)]
        names = list(flagged.photo)[:6] if len(flagged) else ""
        print(f"| {s} | {len(flagged)}/{len(o)} {names} | {eye_off}/{2 * len(o)} "
              f"| {min(o.open_r.min(), o.open_l.min()):.3f} | {min(o.con_r.min(), o.con_l.min()):.3f} |")
    held = df[(~df.set.isin(["canada_tune", "grid"])) & (df.variant != "orig")]
    print("\n| cover (held-out faces) | photos | face found | flagged | mm/px change when not flagged (largest) |")
    print("|---|---|---|---|---|")
    for v, g in held.groupby("variant", sort=False):
        found = g[g.open_r.notna()]
        fl = _flag(found, mo, mc)
        miss = found[~fl]
        worst = f"{largest_change(miss.mmpx_change):+.1%}" if len(miss) else "–"
        print(f"| {v} | {len(g)} | {len(found)} | {int(fl.sum())}/{len(found)} | {worst} |")
        if len(miss):
            print("  missed:", [(st, ph, f"{c:+.1%}") for st, ph, c in zip(miss.set, miss.photo, miss.mmpx_change)])


def cost() -> None:
    paths = (sorted(CANADA.glob("*.jpg"))[:6] + sorted(LONDON.glob("*_neutral.jpg"))[:4]
             + [SAMPLES / "astronaut_before.jpg"])
    t_an = t_eye = 0.0
    for p in paths:
        t0 = time.process_time()
        a = analyze_photo(p)
        t1 = time.process_time()
        for _ in range(20):
            E.iris_visibility(a.photo.rgb, a.points)
        t2 = time.process_time()
        t_an += t1 - t0
        t_eye += (t2 - t1) / 20
    print(f"{len(paths)} photos: analyze_photo {1000 * t_an / len(paths):.1f} ms CPU, iris_visibility "
          f"{1000 * t_eye / len(paths):.2f} ms CPU per photo: ratio {t_eye / t_an:.4f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measure")
    ap.add_argument("--choose")
    ap.add_argument("--report")
    ap.add_argument("--cost", action="store_true")
    a = ap.parse_args()
    if a.measure:
        measure(a.measure)
    if a.choose:
        choose(a.choose)
    if a.report:
        report(a.report)
    if a.cost:
        cost()
