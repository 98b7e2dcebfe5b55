"""Phone capture audit: false verdicts from how phones take, process and send photos.

    python bench/audit_phone.py                        # needs ../shared/faces; ~5-10 min on 2 busy cores
    python bench/audit_phone.py --faces 6 --only barrel10 portrait   # a part
    python bench/audit_phone.py --csv /tmp/phone.csv   # and every row beyond its floor

Nothing about the face changes in any pair: the before photo is a real photo as stored (London 12 neutral,
the first ``--canada`` Canada faces sorted by name), the after photo the same capture passed through one
phone behaviour and saved as a phone JPEG (quality 92; the messaging rows at their own quality).  Every
row of the comparison whose verdict is a direction word (``lift``, ``sag``, ``deeper``, ``longer``, ...:
not ``within_noise``, ``uncertain``, ``refused`` or empty) in a comparison that is not refused is a
**false verdict**.  Pose rows (head pitch / yaw / roll, camera distance) are counted apart: a lens change
may honestly read as a camera change; the face rows may not.

The after photo is the same picture as the before photo, so the near-copy check
(``compare.copies.picture_difference``) may call it "a re-saved copy" (a warning that keeps the verdicts);
a user's two separate captures would not get that warning.  The column ``copy`` counts those pairs; the
false verdicts are counted whether or not it fired.

Phone behaviours (the after photo; ``W x H`` the photo's size):

- ``resave``: nothing but the phone JPEG (the control: every other row includes it);
- ``mirror``: the front camera's mirrored selfie (flipped left to right);
- ``barrel05`` / ``barrel10`` / ``barrel15``: the radial distortion of a wide (0.5x / 1x) phone camera against a tele
  one at the same face size, ``r_src = r (1 - k1 r^2)`` with ``r`` normalised by the half-diagonal,
  k1 = -0.05 / -0.10 / -0.15, centred on the picture (the faces here are centred); ``barrel10_off``: k1 = -0.10
  with the face at the side of the wide camera's frame (centre of distortion 0.35 W to the left);
- ``portrait``: portrait-mode background blur: Gaussian sigma 1.2 % of W outside an ellipse around
  OpenCV's Haar face box (1.25 x its width, 1.5 x its height, feathered), not the Face Mesh oval;
- ``hdr_clahe1.5`` / ``hdr_clahe``: HDR / night-mode local tone mapping (CLAHE on L*, clip 1.5 / 2.5,
  8 x 8 tiles);
- ``awb_warm`` / ``awb_cool``: an auto-white-balance shift (R x 1.10, B x 0.88 / the reverse);
- ``zoom1.5``: digital zoom, the centre 1/1.5 crop enlarged (bicubic) back to W x H;
- ``screenshot``: the photo shown on a 1170 x 2532 phone screen, screenshotted: scaled to 1170 wide,
  black above and below, a status bar (time, icons) at the top;
- ``msg1600_q70`` / ``msg800_q60``: sent by a messaging app: long side to at most 1600 / 800 px
  (INTER_AREA), JPEG quality 70 / 60;
- ``exif_rot``: the pixels stored turned 90 deg with EXIF Orientation 6 (what phones write for a photo
  held upright);
- ``crop16x9``: the same capture cropped 16:9 (portrait: width = 9/16 of the height) where the before
  photo is the full frame (4:3 for Canada, 1:1 for London).

Also real pairs (no transform): the debruine camera distances (every ordered pair of 30, 45, 60 cm and
15 -> 30 cm) and pose variations of one adult (``debruine_distance``, ``debruine_pose``).

Prints per behaviour: pairs, refused, warning, ok, near copies, pairs with a false face verdict, the
number of such rows, the worst row (change / floor) and the rows most often wrong.
"""

from __future__ import annotations

import argparse
import io
import itertools
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.compare import MSG_NEAR_COPY  # noqa: E402
from facemetrics.compare.table import POSE_METRICS, UNCERTAIN, WITHIN_NOISE  # noqa: E402

FACES = next((p for p in (ROOT.parent / "shared" / "faces", Path("/work/shared/faces")) if p.is_dir()), None)

NOT_A_CLAIM = {WITHIN_NOISE, UNCERTAIN, "refused", ""}


def jpeg(x: np.ndarray, q: int = 92, exif: bytes | None = None) -> bytes:
    """``(H, W, 3)`` uint8 RGB -> JPEG bytes (4:2:0, Pillow), with EXIF bytes if given."""
    buf = io.BytesIO()
    kw = {"exif": exif} if exif else {}
    Image.fromarray(np.ascontiguousarray(x)).save(buf, "JPEG", quality=q, **kw)
    return buf.getvalue()


def barrel(x: np.ndarray, k1: float, centre_dx: float = 0.0) -> np.ndarray:
    """Radial (barrel for ``k1 < 0``) distortion of ``(H, W, 3)`` `x` about the point ``centre_dx * W``
    right of the centre; radius normalised by the half-diagonal; borders reflected."""
    h, w = x.shape[:2]
    cx, cy = (w - 1) / 2 + centre_dx * w, (h - 1) / 2
    norm = np.hypot(w, h) / 2
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    dx, dy = (xx - cx) / norm, (yy - cy) / norm
    s = 1 - k1 * (dx * dx + dy * dy)
    return cv2.remap(x, (cx + dx * s * norm).astype(np.float32), (cy + dy * s * norm).astype(np.float32),
                     cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


_HAAR = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def portrait(x: np.ndarray) -> np.ndarray:
    """Background blur outside an ellipse around the Haar face box (None: no face box found)."""
    h, w = x.shape[:2]
    g = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)
    boxes = _HAAR.detectMultiScale(g, 1.1, 5, minSize=(w // 8, w // 8))
    if len(boxes) == 0:
        return None
    bx, by, bw, bh = max(boxes, key=lambda b: b[2] * b[3])
    mask = np.zeros((h, w), np.float32)
    cv2.ellipse(mask, (int(bx + bw / 2), int(by + bh * 0.55)), (int(bw * 0.625), int(bh * 0.75)), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 0.02 * w)[..., None]
    blurred = cv2.GaussianBlur(x, (0, 0), 0.012 * w).astype(np.float32)
    return np.clip(mask * x + (1 - mask) * blurred, 0, 255).astype(np.uint8)


def clahe(x: np.ndarray, clip: float = 2.5) -> np.ndarray:
    lab = cv2.cvtColor(x, cv2.COLOR_RGB2LAB)
    lab[..., 0] = cv2.createCLAHE(clipLimit=clip, tileGridSize=(8, 8)).apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def awb(x: np.ndarray, r: float, b: float) -> np.ndarray:
    return np.clip(x * np.array([r, 1.0, b], np.float32), 0, 255).astype(np.uint8)


def zoom(x: np.ndarray, f: float) -> np.ndarray:
    h, w = x.shape[:2]
    ch, cw = int(round(h / f)), int(round(w / f))
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    return cv2.resize(x[y0:y0 + ch, x0:x0 + cw], (w, h), interpolation=cv2.INTER_CUBIC)


def screenshot(x: np.ndarray) -> np.ndarray:
    sw, sh = 1170, 2532
    h, w = x.shape[:2]
    ph = int(round(h * sw / w))
    screen = np.zeros((sh, sw, 3), np.uint8)
    y0 = (sh - ph) // 2
    screen[y0:y0 + ph] = cv2.resize(x, (sw, ph), interpolation=cv2.INTER_AREA)
    im = Image.fromarray(screen)
    d = ImageDraw.Draw(im)
    d.text((60, 40), "9:41", fill=(255, 255, 255))
    for k in range(3):
        d.rectangle([sw - 200 + 50 * k, 40, sw - 170 + 50 * k, 70], fill=(255, 255, 255))
    return np.asarray(im)


def messaging(x: np.ndarray, side: int) -> np.ndarray:
    h, w = x.shape[:2]
    s = side / max(h, w)
    return x if s >= 1 else cv2.resize(x, (int(round(w * s)), int(round(h * s))), interpolation=cv2.INTER_AREA)


def exif_rotated(x: np.ndarray) -> bytes:
    """The pixels turned 90 deg clockwise-for-storage with Orientation 6: upright when honoured."""
    ex = Image.Exif()
    ex[0x0112] = 6
    return jpeg(np.rot90(x, k=1), 92, ex.tobytes())  # stored turned counter-clockwise; 6 = rotate 90 CW to show


def crop_16x9(x: np.ndarray) -> np.ndarray:
    h, w = x.shape[:2]
    cw = int(round(h * 9 / 16))
    if cw >= w:  # landscape or square: crop the height instead
        ch = int(round(w * 9 / 16))
        y0 = (h - ch) // 2
        return x[y0:y0 + ch]
    x0 = (w - cw) // 2
    return x[:, x0:x0 + cw]


#: behaviour -> function of the (H, W, 3) uint8 photo giving the after photo's bytes (None: not made)
BEHAVIOURS = {
    "resave": lambda x: jpeg(x),
    "mirror": lambda x: jpeg(x[:, ::-1]),
    "barrel05": lambda x: jpeg(barrel(x, -0.05)),
    "barrel10": lambda x: jpeg(barrel(x, -0.10)),
    "barrel15": lambda x: jpeg(barrel(x, -0.15)),
    "barrel10_off": lambda x: jpeg(barrel(x, -0.10, centre_dx=-0.35)),
    "portrait": lambda x: (lambda p: None if p is None else jpeg(p))(portrait(x)),
    "hdr_clahe1.5": lambda x: jpeg(clahe(x, 1.5)),
    "hdr_clahe": lambda x: jpeg(clahe(x)),
    "awb_warm": lambda x: jpeg(awb(x, 1.10, 0.88)),
    "awb_cool": lambda x: jpeg(awb(x, 0.90, 1.12)),
    "zoom1.5": lambda x: jpeg(zoom(x, 1.5)),
    "screenshot": lambda x: jpeg(screenshot(x)),
    "msg1600_q70": lambda x: jpeg(messaging(x, 1600), 70),
    "msg800_q60": lambda x: jpeg(messaging(x, 800), 60),
    "exif_rot": exif_rotated,
    "crop16x9": lambda x: jpeg(crop_16x9(x)),
}


def _faces(n_canada: int, n_london: int) -> list[Path]:
    london = sorted((FACES / "london_ccby").glob("*_neutral.jpg"))[:n_london]
    canada = sorted((FACES / "canada_ccby").glob("*.jpg"))[:n_canada]
    return london + canada


def _debruine_pairs():
    d = FACES / "debruine_cc0"
    cams = {c: d / f"debruine_camera_distance_{c}cm.jpg" for c in (15, 30, 45, 60)}
    dist = [(cams[a], cams[b]) for a, b in itertools.permutations((30, 45, 60), 2)] + [(cams[15], cams[30])]
    poses = sorted(d.glob("debruine_pose_variation_*.jpg"))
    return {"debruine_distance": dist, "debruine_pose": list(itertools.permutations(poses, 2))}


def _score(c) -> dict:
    """What one comparison says: status, near copy, and its false face / pose rows."""
    df = c.to_frame()
    claims = df[~df["verdict"].isin(NOT_A_CLAIM)]
    pose = claims["metric"].isin(POSE_METRICS)
    face = claims[~pose]
    return {"status": c.status, "copy": any(str(m).startswith(MSG_NEAR_COPY) for m in c.messages),
            "face_rows": [(r.metric, r.side, r.verdict, float(r.change), float(r.noise_floor))
                          for r in face.itertuples()],
            "pose_rows": [(r.metric, r.verdict) for r in claims[pose].itertuples()],
            "messages": list(c.messages)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", type=int, default=12, help="London neutral faces (sorted by name)")
    ap.add_argument("--canada", type=int, default=40, help="Canada faces (sorted by name)")
    ap.add_argument("--only", nargs="+", metavar="BEHAVIOUR")
    ap.add_argument("--no-debruine", action="store_true")
    ap.add_argument("--csv", type=Path, help="write every false row here")
    args = ap.parse_args()
    if FACES is None:
        print("../shared/faces not present: nothing to measure")
        return
    todo = [b for b in BEHAVIOURS if not args.only or b in args.only]
    results: dict[str, list] = {b: [] for b in todo}
    t0 = time.perf_counter()
    for path in _faces(args.canada, args.faces):
        x = np.asarray(Image.open(path).convert("RGB"))
        before = analyze_photo(path.read_bytes(), name=path.name)
        if not before.ok:
            print(f"{path.name}: before photo not measured ({before.status}); skipped")
            continue
        for b in todo:
            data = BEHAVIOURS[b](x)
            if data is None:
                continue
            after = analyze_photo(data, name=f"{path.stem}_{b}.jpg")
            c = compare_photos(before, after, check_order=False)
            results[b].append((path.stem, _score(c)))
    if not args.no_debruine and (not args.only or any(k in args.only for k in _debruine_pairs())):
        for group, pairs in _debruine_pairs().items():
            results[group] = []
            for pa, pb in pairs:
                c = compare_photos(pa, pb, check_order=False)
                results[group].append((f"{pa.stem[-4:]}->{pb.stem[-4:]}", _score(c)))
    print(f"Phone capture audit ({time.perf_counter() - t0:.0f} s): the after photo is the before photo "
          f"through one phone behaviour; nothing about the face changed")
    print(f"{'behaviour':18s} {'pairs':>5s} {'refused':>7s} {'warn':>5s} {'ok':>4s} {'copy':>5s} "
          f"{'false':>5s} {'f_ok':>4s} {'rows':>5s} {'pose':>5s}  worst row (change/floor)  most often wrong")
    out = []
    for b, res in results.items():
        if not res:
            continue
        st = Counter(s["status"] for _, s in res)
        false = [(n, s) for n, s in res if s["status"] != "refused" and s["face_rows"]]
        rows = [(n, r) for n, s in false for r in s["face_rows"]]
        pose = sum(1 for _, s in res if s["status"] != "refused" and s["pose_rows"])
        worst = max(rows, key=lambda t: abs(t[1][3]) / max(t[1][4], 1e-9), default=None)
        ws = (f"{worst[0][:14]} {worst[1][0]} {worst[1][1]} {worst[1][3]:+.2f}/{worst[1][4]:.2f}"
              if worst else "-")
        common = Counter(f"{r[0]}:{r[2]}" for _, r in rows).most_common(2)
        print(f"{b:18s} {len(res):5d} {st['refused']:7d} {st['warning']:5d} {st['ok']:4d} "
              f"{sum(s['copy'] for _, s in res):5d} {len(false):5d} "
              f"{sum(s['status'] == 'ok' for _, s in false):4d} {len(rows):5d} {pose:5d}  {ws}  "
              + ", ".join(f"{k} x{v}" for k, v in common))
        for n, s in res:
            for r in s["face_rows"]:
                out.append({"behaviour": b, "face": n, "status": s["status"], "copy": s["copy"], "metric": r[0],
                            "side": r[1], "verdict": r[2], "change": r[3], "noise_floor": r[4],
                            "messages": " | ".join(m[:90] for m in s["messages"])})
    print("pairs: comparisons; copy: called a re-saved copy; false: not refused with >= 1 face row beyond its "
          "floor (f_ok: of them status ok); rows: such rows; pose: pairs with a pose row beyond its floor")
    if args.csv is not None:
        import pandas as pd
        pd.DataFrame(out).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
