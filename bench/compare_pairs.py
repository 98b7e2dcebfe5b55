"""The pairs ``bench/bench_compare_work.py`` compares (and ``tests/test_compare_work.py`` a few of): photos as
RGB arrays (H, W, 3) uint8, so that each package under test analyses them itself.

- ``sample``: the bundled before / after pair, both ways round, and the after photo against itself;
- ``glasses``: the sample wearing the dark glasses of ``bench/glasses.py`` (no iris visible) in the after photo, in
  both photos, and in the before photo only (re-seated in the after photo);
- ``faces``: ``bench/bench_faces_cost.py``'s canvases: the subject's other photo against 2 and 3 faces (one side),
  and 2 faces against 2 faces (both sides), and the two-people White House crop against the sample (no match);
- ``mirror``: pairs that run the mirror-image checks: the sample's after photo against its own mirror image (the
  upper faces match roughly as taken, so the flipped fit is made: refused as a mirror image), the sample against the
  after photo's mirror image (flipped fit made, not a mirror of it), the sample turned 15 deg
  (``facemetrics.simulate.head_pose``) against its mirror image (refused on the pose before any flow, both fits made
  by the pose mirror check) and against the sample turned 15 deg the other way;
- ``london``: each London face's neutral photo against its smiling photo, and a neutral photo with a simulated
  1.5 mm lift (``facemetrics.simulate.lift``), one with a wayfarer pair re-seated (``glasses.pair_for``);
- ``canada``: Canada faces against themselves with a 1 mm lift, a 3 deg roll or 0.9 x rescale (simulated), the first
  also shifted (6, -4) px and brightened 1.1 x, and two Canada faces of different people (refused).

The London and Canada pairs need ``../shared/faces`` (absent: left out).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

SAMPLES = ROOT / "sample_images"
FACES = ROOT.parent / "shared" / "faces"
LONDON = FACES / "london_ccby"
CANADA = FACES / "canada_ccby"
WHITEHOUSE = FACES / "whitehouse_pd"

#: opaque enough that no iris is seen through the lens (tests/test_glasses_frames.py's DARK)
DARK = dict(rim_mm=2.0, transmission=0.02)


def rgb(path: Path) -> np.ndarray:
    return np.array(Image.open(path).convert("RGB"))


def _decoded(jpeg: bytes) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(jpeg)).convert("RGB"))


def sample_pairs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    a, b = rgb(SAMPLES / "astronaut_before.jpg"), rgb(SAMPLES / "astronaut_after.jpg")
    return [("sample", a, b), ("sample reversed", b, a), ("sample after, itself", b, b.copy())]


def glasses_pairs(analyze) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``analyze``: the current package's ``analyze_photo`` (the glasses are placed with its landmarks)."""
    from glasses import Glasses, wear

    a, b = rgb(SAMPLES / "astronaut_before.jpg"), rgb(SAMPLES / "astronaut_after.jpg")
    xa, xb = analyze(a, name="a.png"), analyze(b, name="b.png")
    g = Glasses("aviator", 0.5, gradient=True, **DARK)
    ga = wear(a, xa.points, xa.calibration.mm_per_px, g)
    gb = wear(b, xb.points, xb.calibration.mm_per_px, g.reseated(0.0, 2.0, 1.5))
    w = Glasses("wayfarer", 0.45, **DARK)
    wb = wear(b, xb.points, xb.calibration.mm_per_px, w)
    return [("glasses: after only (aviator)", a, gb), ("glasses: both (aviator, re-seated)", ga, gb),
            ("glasses: before only (aviator)", ga, b), ("glasses: after only (wayfarer)", a, wb)]


def faces_pairs(with_one: bool = False) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``with_one``: also the one-face canvas against the one-face canvas (last), the others' reference cost."""
    from bench_faces_cost import canvas

    a, b = rgb(SAMPLES / "astronaut_before.jpg"), rgb(SAMPLES / "astronaut_after.jpg")
    one = _decoded(canvas(a, a, 1))
    out = [("faces: 1 against 2", one, _decoded(canvas(b, b, 2))),
           ("faces: 1 against 3", one, _decoded(canvas(b, b, 3))),
           ("faces: 2 against 1", _decoded(canvas(a, a, 2)), _decoded(canvas(b, b, 1))),
           ("faces: 2 against 2", _decoded(canvas(a, a, 2)), _decoded(canvas(b, b, 2)))]
    if (WHITEHOUSE / "two_people.jpg").exists():
        out.append(("faces: two people against the sample", a, rgb(WHITEHOUSE / "two_people.jpg")))
    if with_one:
        out.append(("faces: 1 against 1", one, _decoded(canvas(b, b, 1))))
    return out


def mirror_pairs(analyze) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``analyze``: the current package's ``analyze_photo`` (the head is turned with its landmarks)."""
    from facemetrics import simulate as sim

    a, b = rgb(SAMPLES / "astronaut_before.jpg"), rgb(SAMPLES / "astronaut_after.jpg")
    flipped = np.ascontiguousarray(b[:, ::-1])
    xa = analyze(a, name="a.png")
    turned = sim.head_pose(xa, yaw_deg=15.0).image
    other = sim.head_pose(xa, yaw_deg=-15.0).image
    return [("mirror: after against its mirror image", b, flipped),
            ("mirror: sample against the after photo's mirror image", a, flipped.copy()),
            ("mirror: turned 15 deg against its mirror image", turned, np.ascontiguousarray(turned[:, ::-1])),
            ("mirror: turned 15 deg against turned -15 deg", turned, other)]


def london_pairs(analyze, n: int = 4) -> list[tuple[str, np.ndarray, np.ndarray]]:
    from facemetrics import simulate as sim
    from glasses import pair_for, wear

    if not LONDON.is_dir():
        return []
    out = []
    neutral = sorted(LONDON.glob("*_neutral.jpg"))[:n]
    for i, p in enumerate(neutral):
        a = rgb(p)
        s = p.with_name(p.name.replace("_neutral", "_smiling"))
        if s.exists():
            out.append((f"london {p.stem[:10]}: neutral / smiling", a, rgb(s)))
        x = analyze(a, name=p.name)
        if i % 2 == 0:
            out.append((f"london {p.stem[:10]}: lift 1.5 mm", a, sim.lift(x, 1.5).image))
        else:
            g, seat = pair_for(i)
            out.append((f"london {p.stem[:10]}: {g.style} glasses, re-seated", wear(a, x.points, x.mm_per_px, g),
                        wear(a, x.points, x.mm_per_px, g.reseated(*seat))))
    return out


def canada_pairs(analyze, n: int = 5) -> list[tuple[str, np.ndarray, np.ndarray]]:
    from facemetrics import simulate as sim

    if not CANADA.is_dir():
        return []
    paths = sorted(CANADA.glob("*.jpg"))[:n]
    out = []
    for i, p in enumerate(paths):
        a = rgb(p)
        x = analyze(a, name=p.name)
        change = (("lift 1 mm", lambda: sim.lift(x, 1.0).image), ("roll 3 deg", lambda: sim.roll(x, 3.0).image),
                  ("rescale 0.9", lambda: sim.rescale(x, 0.9).image))[i % 3]
        out.append((f"canada {p.stem}: {change[0]}", a, change[1]()))
        if i == 0:  # a re-take of the same picture: shifted and brightened (stop 58's profile pair)
            out.append((f"canada {p.stem}: shift (6, -4) px, brightness 1.1", a,
                        sim.brightness(sim.shift(x, 6.0, -4.0).image, 1.1).image))
    if len(paths) >= 2:
        out.append((f"canada {paths[0].stem} / {paths[1].stem} (different people)", rgb(paths[0]), rgb(paths[1])))
    return out


def all_pairs(analyze, *, small: bool = False) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Every pair above (``small``: one of each kind, for the test)."""
    if small:
        s, g, f = sample_pairs(), glasses_pairs(analyze), faces_pairs()
        return [s[0], g[0], g[1], f[0], f[3]]
    return (sample_pairs() + glasses_pairs(analyze) + faces_pairs() + mirror_pairs(analyze)
            + london_pairs(analyze) + canada_pairs(analyze))
