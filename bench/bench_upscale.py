"""Enlarged photos: a PROTOTYPE estimator of how much a photo was enlarged before it was saved
(:func:`upscale_factor`, defined here, not used by the package), does it read the factor a photo was
enlarged by, and 1 for photos at their own resolution?  And its cost next to ``analyze_photo``.

Not wired into the floors or the gate (2026-12-02): on held-out data it missed most GRID frames
enlarged x2 and re-saved as JPEG q90 (10 of 11 read 1), read 4 for 6 of 11 GRID frames enlarged x2
without re-saving, missed bilinear x4 (11 of 12 read 1), and it reads the bundled sample's after
photo (itself an 8x bicubic enlargement, rotated and rescaled) as 4 but the before photo as 1.

    python bench/bench_upscale.py --set tuning     # 12 London neutral + 4 Canada faces (thresholds chosen here)
    python bench/bench_upscale.py --set heldout    # Canada 5-16, the White House portraits, GRID frames x2
    python bench/bench_upscale.py --set heldout2   # Canada 17-40 (faces only)
    python bench/bench_upscale.py --cost           # CPU time of upscale_factor / analyze_photo, same run

Each real face is read at its own resolution (``load_photo``: the analysed pixels), its landmarks
found once, and then measured as it is and in variants that keep its size, so the landmarks stay:
JPEG q60 / q75 / q95, a Gaussian blur of 0.7 and 1.0 px, a bilateral (denoise-like) filter, the
1.0 px blur saved at q75 (all must read 1), and the photo shrunk by 1.5, 2, 3, 4 (``INTER_AREA``)
and enlarged back with bicubic, bilinear and Lanczos interpolation, saved as JPEG q90 (must read
the factor).  GRID frames (``cv2.VideoCapture``, frame 20) are read natively and enlarged x2
(bicubic, bilinear; bicubic then JPEG q90).  Photos are read from ``../shared/faces`` and never
copied into the project.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from facemetrics import analyze_photo  # noqa: E402
from facemetrics.landmarks import detect_landmarks  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402
from facemetrics.quality import _face_mask  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"

# An image enlarged by a factor s (a zoomed screenshot, a frame resized x2) holds the detail of the
# smaller picture: its interpolation leaves a period in the mean |first difference| across the face
# (pixel pairs that straddle a source sample differ from pairs between two samples).  Period 3 means
# s = 1.5 or 3, period 2 means s = 2 or 4; the spectrum of the face then tells the two apart (the
# larger factor has no detail above its cut-off).  Chosen on 16 tuning faces (12 London, 4 Canada)
# and their 1.5-4x bicubic / bilinear / Lanczos enlargements: this script's --set tuning (figures in the
# report of 2026-12-02; held out: --set heldout).
#: FFT peak at 1/3 cycle/px of the |first difference| profile, x the median of that spectrum, above
#: which the photo counts as enlarged by 1.5 or 3 (tuning originals, JPEG q60-95, blur: <= 2.2;
#: enlarged x1.5 >= 5.6)
MIN_PERIOD3_PEAK = 4.0
#: period-2 alternation of the |first difference| (phases mod 8, the JPEG block edge left out), as a
#: fraction of its mean, above which the photo may be enlarged by 2 or 4 (tuning originals, JPEG
#: q60-95, blur: <= 0.042; enlarged x2 >= 0.052; a 1 px blur saved at q75 reaches 0.072)
MIN_PERIOD2_ALTERNATION = 0.046
#: ... and the same alternation at the block's centre phase alone (3 against 2 and 4: a JPEG block's
#: own pattern is flat there) above which it is x2 (tuning: 1 px blur at q75 <= 0.039, x2 >= 0.032)
MIN_CENTRE_ALTERNATION = 0.042
#: drop of the face's log10 power across the larger candidate's cut-off (band 1.2-1.8 x minus band
#: 0.4-0.8 x the cut-off frequency) under which the larger factor is taken: 3 rather than 1.5
#: (cut-off 1/6 cycle/px), 4 rather than 2 (1/8; tuning: x4 <= -1.88, x2 and blurred JPEGs >= -1.69)
MAX_DETAIL_DROP = (-1.7, -1.8)
#: side of the tiles of the face's power spectrum, px (method: 64 px resolves the 1/8-1/3 cycle/px
#: bands in 2 px steps and fits 6 x 6 tiles on the smallest measured face)
UPSCALE_TILE_PX = 64


def _diff_profiles(gray: np.ndarray, origin: tuple[int, int]) -> list[tuple[np.ndarray, int]]:
    """Mean |first difference| across the crop per column and per row, with each profile's first
    file coordinate (columns: ``x0``; rows: ``y0``)."""
    x0, y0 = origin
    return [(np.abs(np.diff(gray, axis=1)).mean(0), x0), (np.abs(np.diff(gray, axis=0)).mean(1), y0)]


def _period3_peak(profiles) -> float:
    """Mean over both directions of the detrended profile's FFT magnitude at 1/3 cycle/px (+-1 bin),
    in units of the median magnitude above 0.05 cycle/px."""
    peaks = []
    for d, _ in profiles:
        d = d - cv2.GaussianBlur(d.reshape(1, -1), (0, 0), 3).ravel()
        sp = np.abs(np.fft.rfft(d * np.hanning(len(d))))
        f = np.fft.rfftfreq(len(d))
        k = int(np.argmin(np.abs(f - 1 / 3)))
        peaks.append(sp[max(k - 1, 0):k + 2].max() / max(np.median(sp[f > 0.05]), 1e-12))
    return float(np.mean(peaks))


def _period2_alternation(profiles) -> tuple[float, float]:
    """|Period-2 alternation| of the profiles folded by file coordinate mod 8 (the JPEG grid's phase),
    each phase's mean over their mean: odd phases 1, 3, 5 against even 2, 4, each less the mean of its
    two neighbours (phase 7, the difference across the JPEG block edge, is not used); ``2 b`` for
    ``1 + b (-1)^k``.  Also the centre phase 3 alone against 2 and 4 (``2 b`` too)."""
    alts, centres = [], []
    for d, start in profiles:
        ph = (start + np.arange(len(d))) % 8
        m = np.array([d[ph == k].mean() for k in range(8)])
        m = m / max(m.mean(), 1e-12)
        odd = np.mean([m[k] - 0.5 * (m[k - 1] + m[k + 1]) for k in (1, 3, 5)])
        even = np.mean([m[k] - 0.5 * (m[k - 1] + m[k + 1]) for k in (2, 4)])
        alts.append((odd - even) / 2)
        centres.append(m[3] - 0.5 * (m[2] + m[4]))
    return float(abs(np.mean(alts))), float(abs(np.mean(centres)))


def _detail_drop(gray: np.ndarray, mask: np.ndarray, cutoff: float) -> float:
    """Mean log10 power of the face in 1.2-1.8 x ``cutoff`` (cycle/px) minus that in 0.4-0.8 x:
    Hann-windowed :data:`UPSCALE_TILE_PX` tiles at least 95 % inside ``mask`` (at most 48), averaged."""
    t = UPSCALE_TILE_PX
    h, w = gray.shape
    ii = cv2.integral(mask.astype(np.uint8))
    corners = [(y, x) for y in range(0, h - t + 1, t // 2) for x in range(0, w - t + 1, t // 2)
               if ii[y + t, x + t] - ii[y, x + t] - ii[y + t, x] + ii[y, x] >= 0.95 * t * t]
    if not corners:
        return float("nan")
    win = np.outer(np.hanning(t), np.hanning(t)).astype(np.float32)
    tiles = np.stack([gray[y:y + t, x:x + t] for y, x in corners[::max(len(corners) // 48, 1)]])
    tiles = (tiles - tiles.mean(axis=(1, 2), keepdims=True)) * win
    power = (np.abs(np.fft.fft2(tiles)) ** 2).mean(0)
    fy, fx = np.meshgrid(np.fft.fftfreq(t), np.fft.fftfreq(t), indexing="ij")
    f = np.hypot(fx, fy)
    hi, lo = (f >= 1.2 * cutoff) & (f <= 1.8 * cutoff), (f >= 0.4 * cutoff) & (f <= 0.8 * cutoff)
    return float(np.log10(power[hi].mean() + 1e-9) - np.log10(power[lo].mean() + 1e-9))


def upscale_factor(image: np.ndarray, points: np.ndarray) -> float:
    """How much the photo was enlarged before it was saved, judged on the face: 1, 1.5, 2, 3 or 4.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3) uint8 RGB
        The analysed picture (its pixel grid is the one the factor refers to).
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y)``, px of ``image``.

    Returns
    -------
    float
        The enlargement: the face holds the detail of a picture this many times smaller, so its
        effective pixel size is ``mm_per_px x factor``.  1 when no interpolation period is found
        (:data:`MIN_PERIOD3_PEAK`, :data:`MIN_PERIOD2_ALTERNATION`).  With period 3: 3 when the
        face's detail drops across 1/6 cycle/px by more than :data:`MAX_DETAIL_DROP`, else 1.5.
        With period 2: 4 when it drops so across 1/8 cycle/px, else 2 when the alternation holds at
        the JPEG block's centre too (:data:`MIN_CENTRE_ALTERNATION`), else 1.  A blur or a JPEG alone
        has no such period; other factors (2.5, 5, 8 ...) and enlargements followed by a rotation or
        a resize read 1 (or the nearest of these), so the factor is a lower bound, not a measurement
        of every enlargement.
    """
    h, w = image.shape[:2]
    x0, y0 = np.maximum(np.floor(points[:468, :2].min(0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(points[:468, :2].max(0)).astype(int) + 1, (w, h))
    if x1 - x0 < 2 * UPSCALE_TILE_PX or y1 - y0 < 2 * UPSCALE_TILE_PX:
        return 1.0
    gray = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY).astype(np.float32)
    profiles = _diff_profiles(gray, (int(x0), int(y0)))
    mask = _face_mask((points[:, :2] - (x0, y0)), gray.shape, np.uint8)
    if _period3_peak(profiles) > MIN_PERIOD3_PEAK:
        return 3.0 if _detail_drop(gray, mask, 1 / 6) < MAX_DETAIL_DROP[0] else 1.5
    alt, centre = _period2_alternation(profiles)
    if alt <= MIN_PERIOD2_ALTERNATION:
        return 1.0
    if _detail_drop(gray, mask, 1 / 8) < MAX_DETAIL_DROP[1]:
        return 4.0
    return 2.0 if centre > MIN_CENTRE_ALTERNATION else 1.0


INTERP = {"bicubic": cv2.INTER_CUBIC, "bilinear": cv2.INTER_LINEAR, "lanczos": cv2.INTER_LANCZOS4}
FACTORS = (1.5, 2, 3, 4)


def _jpeg(rgb: np.ndarray, q: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def variants(rgb: np.ndarray):
    """``(name, true factor, image)`` of one photo, all of its size."""
    h, w = rgb.shape[:2]
    yield "original", 1.0, rgb
    for q in (60, 75, 95):
        yield f"jpeg q{q}", 1.0, _jpeg(rgb, q)
    for s in (0.7, 1.0):
        yield f"blur {s} px", 1.0, cv2.GaussianBlur(rgb, (0, 0), s)
    yield "bilateral", 1.0, cv2.bilateralFilter(rgb, 7, 30, 5)
    yield "blur 1.0 px + q75", 1.0, _jpeg(cv2.GaussianBlur(rgb, (0, 0), 1.0), 75)
    for f in FACTORS:
        small = cv2.resize(rgb, (round(w / f), round(h / f)), interpolation=cv2.INTER_AREA)
        for name, it in INTERP.items():
            yield f"x{f:g} {name}", float(f), _jpeg(cv2.resize(small, (w, h), interpolation=it), 90)


def _photos(name: str):
    if name == "tuning":
        return sorted((FACES / "london_ccby").glob("*_neutral.jpg")) + sorted((FACES / "canada_ccby").glob("*.jpg"))[:4]
    if name == "heldout2":  # a second held-out set, faces only (measured once, after the first)
        return sorted((FACES / "canada_ccby").glob("*.jpg"))[16:]
    return sorted((FACES / "canada_ccby").glob("*.jpg"))[4:16]


def _grid_frames():
    for p in sorted((FACES / "grid_video_ccby").glob("*.mpg")):
        cap = cv2.VideoCapture(str(p))
        cap.set(cv2.CAP_PROP_POS_FRAMES, 20)
        ok, frame = cap.read()
        cap.release()
        if ok:
            yield p.name, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def measure(name: str) -> dict:
    """``{(group, variant): [(photo, true factor, read factor), ...]}``."""
    out = defaultdict(list)
    for p in _photos(name):
        rgb = load_photo(p).rgb
        faces = detect_landmarks(rgb)
        if faces is None:
            continue
        for v, f, img in variants(rgb):
            out[("faces", v)].append((p.name, f, upscale_factor(img, faces.points)))
    if name == "heldout":
        for p in sorted((FACES / "whitehouse_pd").glob("*.jpg")):
            rgb = load_photo(p).rgb
            faces = detect_landmarks(rgb)
            if faces is not None:
                out[("whitehouse", "original")].append((p.name, 1.0, upscale_factor(rgb, faces.points)))
        for pname, rgb in _grid_frames():
            faces = detect_landmarks(rgb)
            if faces is None:
                continue
            out[("grid", "native")].append((pname, 1.0, upscale_factor(rgb, faces.points)))
            big = {"x2 bicubic": cv2.resize(rgb, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC),
                   "x2 bilinear": cv2.resize(rgb, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)}
            big["x2 bicubic + q90"] = _jpeg(big["x2 bicubic"], 90)
            for v, img in big.items():
                out[("grid", v)].append((pname, 2.0, upscale_factor(img, faces.points * 2)))
    return out


def report(out: dict) -> None:
    print("| set | variant | n | read 1 | read 1.5 | read 2 | read 3 | read 4 | exact |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (group, v), rows in out.items():
        read = [r for _, _, r in rows]
        counts = [sum(r == k for r in read) for k in (1.0, 1.5, 2.0, 3.0, 4.0)]
        exact = sum(r == f for _, f, r in rows)
        print(f"| {group} | {v} | {len(rows)} | " + " | ".join(map(str, counts)) + f" | {exact}/{len(rows)} |")
    odd = [(g, v, p, r) for (g, v), rows in out.items() for p, f, r in rows if g == "whitehouse" and r != 1]
    for g, v, p, r in odd:
        print(f"  {g} {p}: read {r:g}")


def cost(repeats: int = 5) -> None:
    """CPU time of ``upscale_factor`` and of ``analyze_photo`` on the same photos, this run."""
    paths = _photos("tuning")[:4]
    t_an, t_up = 0.0, 0.0
    for p in paths:
        for _ in range(repeats):
            t = time.process_time()
            a = analyze_photo(p)
            t_an += time.process_time() - t
            t = time.process_time()
            upscale_factor(a.photo.rgb, a.points)
            t_up += time.process_time() - t
    print(f"upscale_factor / analyze_photo CPU time: {t_up / t_an:.4f} ({len(paths)} London faces x {repeats})")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=("tuning", "heldout", "heldout2"))
    ap.add_argument("--cost", action="store_true")
    args = ap.parse_args()
    if args.set:
        report(measure(args.set))
    if args.cost:
        cost()
