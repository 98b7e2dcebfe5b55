"""The lens check (``compare.gate.different_lenses``) on the phone audit's lens-distortion pairs.

    python bench/audit_lens_tags.py                   # needs ../shared/faces; ~1-2 min on 2 busy cores
    python bench/audit_lens_tags.py --faces 0 --canada 10

The pairs of ``bench/audit_phone.py``'s ``barrel05`` and ``barrel10_off`` rows (the before photo a real photo
as stored, the after photo the same capture with a barrel distortion, k1 = -0.05 centred / -0.10 with the face
at the side of the frame; nothing about the face changed), compared twice: as made (no lens tags, as in the
audit) and with the two photos naming different lenses (``Photo.lens`` / ``focal_length_35mm`` set as the
loader reads them from EXIF: a 26 mm wide camera before, a 13 mm ultra-wide after).  Prints per behaviour the
pairs with a false face verdict (a direction word beyond the floor, not refused; pose rows apart) and their
rows, both ways, and the metrics of the false rows left with the lens tags.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import audit_phone as ap  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402

BEFORE_LENS = ("Apple iPhone 13 back dual wide camera 5.1mm f/1.6", 26.0)
AFTER_LENS = ("Apple iPhone 13 back dual wide camera 1.54mm f/2.4", 13.0)


def with_lens(x, lens: tuple[str, float]):
    """``x`` (a PhotoAnalysis) with its photo naming ``lens`` (as the loader reads LensModel and
    FocalLengthIn35mmFilm)."""
    return dataclasses.replace(x, photo=dataclasses.replace(x.photo, lens=lens[0], focal_length_35mm=lens[1]))


def main() -> None:
    arg = argparse.ArgumentParser()
    arg.add_argument("--faces", type=int, default=12, help="London neutral faces (sorted by name)")
    arg.add_argument("--canada", type=int, default=40, help="Canada faces (sorted by name)")
    args = arg.parse_args()
    if ap.FACES is None:
        print("../shared/faces not present: nothing to measure")
        return
    todo = ("barrel05", "barrel10_off")
    tally = {b: dict(pairs=0, plain=0, plain_rows=0, lens=0, lens_rows=0, warned=0, left=Counter()) for b in todo}
    t0 = time.perf_counter()
    for path in ap._faces(args.canada, args.faces):
        x = np.asarray(Image.open(path).convert("RGB"))
        before = analyze_photo(path.read_bytes(), name=path.name)
        if not before.ok:
            continue
        for b in todo:
            after = analyze_photo(ap.BEHAVIOURS[b](x), name=f"{path.stem}_{b}.jpg")
            plain = ap._score(compare_photos(before, after, check_order=False))
            c = compare_photos(with_lens(before, BEFORE_LENS), with_lens(after, AFTER_LENS), check_order=False)
            lens = ap._score(c)
            t = tally[b]
            t["pairs"] += 1
            t["plain"] += bool(plain["face_rows"])
            t["plain_rows"] += len(plain["face_rows"])
            t["lens"] += bool(lens["face_rows"])
            t["lens_rows"] += len(lens["face_rows"])
            t["warned"] += any(m.startswith("taken with different lenses") for m in c.messages)
            t["left"].update(r[0] for r in lens["face_rows"])
    print(f"Lens tags on the audit's distortion pairs ({time.perf_counter() - t0:.0f} s)")
    print(f"{'behaviour':14s} {'pairs':>5s} {'false':>5s} {'rows':>5s} | {'warned':>6s} {'false':>5s} {'rows':>5s}"
          "  (no lens tags | different lens tags)  rows left")
    for b, t in tally.items():
        print(f"{b:14s} {t['pairs']:5d} {t['plain']:5d} {t['plain_rows']:5d} | {t['warned']:6d} {t['lens']:5d} "
              f"{t['lens_rows']:5d}  {dict(t['left']) or '-'}")


if __name__ == "__main__":
    main()
