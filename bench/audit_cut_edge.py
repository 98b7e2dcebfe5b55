"""A face cut by the picture's edge through its middle: what ``analyze`` says (docs/robustness.md, 'A face cut
at the left edge (h15)').

    PYTHONPATH=. python bench/audit_cut_edge.py            # the sample (640 x 800 and 1280 x 1600) + shared faces
    PYTHONPATH=. python bench/audit_cut_edge.py --sample   # the sample only (~10 s)

Each picture is cut from the left through its face (the columns up to ``depth`` times the face-oval width
past the oval's left end removed; the oval from Face Mesh on the uncut picture) and, the same pixels
mirrored, from the right.  For each cut it prints what the analysis' first step gives: ``measured (k cut)``
(Face Mesh finds the face; k of the 23 jaw-line landmarks outside the picture: the existing flag "face cut by
the image edge" when k > 0), ``no_face: cut <edges>`` (Face Mesh finds nothing; the message names the edge,
:func:`facemetrics.landmarks.cut_face_edges`) or ``no_face: plain`` (the generic message).  Shared faces:
the 16 held-out Canada faces and the 6 held-out London neutral faces of ``bench/accuracy.py``'s split
(:data:`~facemetrics.landmarks.CUT_BORDER_SHARE` was set on the sample alone, no face was used), skipped
when ``../shared/faces`` is absent; and the uncut faces, where nothing may say "cut".
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from facemetrics.geometry import FACE_OVAL
from facemetrics.landmarks import cut_face_edges, detect_landmarks
from facemetrics.quality import cut_landmarks

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
DEPTHS = (0.25, 0.4, 0.5, 0.6, 0.75)


def verdict(rgb: np.ndarray) -> str:
    found = detect_landmarks(rgb)
    if found is not None:
        return f"measured ({cut_landmarks(found.points, (rgb.shape[1], rgb.shape[0]))} cut)"
    edges = cut_face_edges(rgb)
    return f"no_face: cut {'+'.join(edges)}" if edges else "no_face: plain"


def cuts(rgb: np.ndarray) -> dict[float, tuple[str, str]]:
    """``{depth: (left cut, mirrored right cut)}`` verdicts of ``rgb`` (H, W, 3) uint8."""
    pts = detect_landmarks(rgb).points[list(FACE_OVAL), 0]
    lo, width = float(pts.min()), float(np.ptp(pts))
    mirror = np.ascontiguousarray(rgb[:, ::-1])
    out = {}
    for d in DEPTHS:
        x = int(round(lo + d * width))
        out[d] = (verdict(np.ascontiguousarray(rgb[:, x:])),
                  verdict(np.ascontiguousarray(mirror[:, :rgb.shape[1] - x])))
    return out


def held_out_faces() -> list[Path]:
    canada = sorted((FACES / "canada_ccby").glob("canada_*.jpg"))
    london = sorted((FACES / "london_ccby").glob("*_neutral.jpg"))
    return [p for i, p in enumerate(canada) if i % 5 in (1, 3)] + london[1::2]  # bench/accuracy.py's held out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", action="store_true", help="the sample only")
    args = ap.parse_args(argv)
    im = Image.open(ROOT / "sample_images" / "astronaut_before.jpg").convert("RGB")
    pictures = {"sample 640x800": np.asarray(im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS)),
                "sample 1280x1600": np.asarray(im)}
    print("picture            depth  left cut                 mirrored, right cut")
    for name, rgb in pictures.items():
        for d, (a, b) in cuts(rgb).items():
            same = "" if a.replace("left", "EDGE") == b.replace("right", "EDGE") else "   <- differs"
            print(f"{name:18s} {d:5.2f}  {a:24s} {b}{same}")
    if args.sample or not FACES.is_dir():
        if not args.sample:
            print(f"(no shared faces at {FACES}: skipped)")
        return 0
    tally: dict[float, Counter] = {d: Counter() for d in DEPTHS}
    uncut = Counter()
    differs = []
    faces = held_out_faces()
    for p in faces:
        rgb = np.asarray(Image.open(p).convert("RGB"))
        uncut[verdict(rgb)[:8]] += 1
        for d, (a, b) in cuts(rgb).items():
            tally[d][a.replace("left", "EDGE")] += 1
            tally[d][b.replace("right", "EDGE") + " (mirrored)"] += 1
            if a.split(" (")[0].replace("left", "EDGE") != b.split(" (")[0].replace("right", "EDGE"):
                differs.append(f"{p.name} {d}: {a} / {b}")
    print(f"\nheld-out shared faces ({len(faces)}): uncut: {dict(uncut)}")
    for d in DEPTHS:
        kinds = Counter()
        for k, n in tally[d].items():
            kinds[k.split(" (")[0] + (" (mirrored)" if k.endswith("(mirrored)") else "")] += n
        print(f"  depth {d:.2f}: " + "; ".join(f"{k}: {n}" for k, n in sorted(kinds.items())))
    print(f"left cut and mirrored right cut differ in kind: {len(differs)} of {len(faces) * len(DEPTHS)}")
    for line in differs:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
