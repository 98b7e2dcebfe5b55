"""A clinic's study folder of real and simulated faces, stop 55 (docs/validation.md §12, "Round 7").

    PYTHONPATH=. python bench/audit_clinic_study_s55.py DIR    # builds DIR/photos and DIR/manifest.csv (~1 min)
    PYTHONPATH=. python -m facemetrics batch DIR/photos --manifest DIR/manifest.csv -o DIR/out
    PYTHONPATH=. python -m facemetrics timeline DIR/out

Needs the shared real faces (``FACES``, default /work/wt/shared/faces); exits 2 without them.  Three subjects, each
three weekly sessions with a photo before and at 0, 2, 6, 24 and 48 h after (times in the manifest; dana's second
session written in +01:00, lee's third session's photos only): **dana**, the debruine CC0 person (pose variations
1-4, 30 and 45 cm: real photos, microcurrent, no effect made); **lee**, London 021 neutral with a simulated 1.5 mm
lift fading with a 6 h half-life and the demo's jitter on every photo (rf); **barack**, the White House 2012
portrait before and jittered at 0, 6 and 48 h, and two other cameras, ``obama_speaking`` (2009) at 2 h and
``obama_standing`` (2010) at 24 h (rf, no effect made).  The real photos are symbolic links (never copies); the
simulated ones are written in DIR, outside the project.  Photos reused at two times of one session are one file at
two times (left out), as a clinic's copied file is.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

HOURS = [0, 2, 6, 24, 48]
DANA = {2: ("pose_variation_1", ["pose_variation_2", "pose_variation_3", "pose_variation_4", "camera_distance_45cm",
                                 "pose_variation_2"]),
        9: ("camera_distance_45cm", ["pose_variation_1", "pose_variation_2", "camera_distance_30cm",
                                     "pose_variation_3", "pose_variation_4"]),
        16: ("pose_variation_2", ["pose_variation_1", "camera_distance_45cm", "pose_variation_4", "pose_variation_3",
                                  "pose_variation_1"])}


def _when(day: int, h: float, tz: str = "") -> str:
    return (datetime(2026, 11, day, 9, 0) + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M") + tz


def build(out: Path, faces: Path) -> int:
    import facemetrics as fm
    from facemetrics import simulate

    photos = out / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    rows = []

    def link(src: Path, name: str) -> str:
        (photos / name).unlink(missing_ok=True)
        os.symlink(src, photos / name)
        return name

    def save(rgb, name: str) -> str:
        (photos / name).unlink(missing_ok=True)
        Image.fromarray(rgb).save(photos / name, quality=92)
        return name

    for day, (before, afters) in DANA.items():
        tz = "+01:00" if day == 9 else ""
        src = {k: faces / "debruine_cc0" / f"debruine_{k}.jpg" for k in [before, *afters]}
        rows.append((link(src[before], f"dana_d{day}_pre.jpg"), "dana", "microcurrent", _when(day, -0.25, tz),
                     _when(day, 0, tz)))
        rows += [(link(src[a], f"dana_d{day}_{h}h.jpg"), "dana", "microcurrent", _when(day, h + 0.25, tz),
                  _when(day, 0, tz)) for h, a in zip(HOURS, afters)]
    base = fm.analyze_photo(faces / "london_ccby" / "london_021_m48_white_neutral.jpg")
    rng = np.random.default_rng(55)
    for day in (3, 10, 17):
        tz = "+01:00" if day == 17 else ""
        rows.append((save(simulate.photo_jitter(base.photo.rgb, rng, simulate.DEFAULT_JITTER)[0],
                          f"lee_d{day}_pre.jpg"), "lee", "rf", _when(day, -0.25, tz), _when(day, 0)))
        for h in HOURS:
            img = simulate.lifted_image(base, 1.5 * 0.5 ** ((h + 0.25) / 6.0))
            rows.append((save(simulate.photo_jitter(img, rng, simulate.DEFAULT_JITTER)[0], f"lee_d{day}_{h}h.jpg"),
                         "lee", "rf", _when(day, h + 0.25, tz), _when(day, 0)))
    wh = faces / "whitehouse_pd"
    portrait = wh / "obama_official_portrait_2012.jpg"
    offi = fm.analyze_photo(portrait)
    others = {2: wh / "obama_speaking.jpg", 24: wh / "obama_standing.jpg"}  # two other cameras
    for day in (4, 11, 18):
        rows.append((link(portrait, f"barack_d{day}_pre.jpg"), "barack", "rf", _when(day, -0.25), _when(day, 0)))
        for h in HOURS:
            name = (link(others[h], f"barack_d{day}_{h}h.jpg") if h in others else
                    save(simulate.photo_jitter(offi.photo.rgb, rng, simulate.DEFAULT_JITTER)[0],
                         f"barack_d{day}_{h}h.jpg"))
            rows.append((name, "barack", "rf", _when(day, h + 0.25), _when(day, 0)))
    with open(out / "manifest.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["photo", "subject", "treatment", "taken_at", "treated_at"])
        w.writerows(rows)
    print(f"{len(rows)} photos in {photos}; manifest {out / 'manifest.csv'}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to build the study in (outside the project)")
    ap.add_argument("--faces", type=Path, default=Path(os.environ.get("FACES", "/work/wt/shared/faces")))
    args = ap.parse_args(argv)
    if not (args.faces / "debruine_cc0").is_dir():
        print(f"{args.faces}: the shared real faces are not there", file=sys.stderr)
        return 2
    return build(args.out, args.faces)


if __name__ == "__main__":
    sys.exit(main())
