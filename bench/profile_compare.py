"""cProfile of ``compare_photos`` (or ``analyze_photo``) on stop 58's three real pairs, CPU time, the top entries by
cumulative and by own time (docs/speed.md, 'compare_photos speed, stop 58').

    PYTHONPATH=. python bench/profile_compare.py            # compare_photos: 2 calls per pair, analyses made first
    PYTHONPATH=. python bench/profile_compare.py analyze    # analyze_photo: 1 call per photo (after a warm-up call)

The pairs: the bundled sample pair; the first London face's neutral photo and it with a simulated 1.5 mm lift
(``simulate.lift``, as tests/test_compare.py); the first Canada face and it shifted (6, -4) px and brightened 1.1 x.
The face finding (MediaPipe, ``analyze_photo``, once per photo) is outside the profiled ``compare_photos`` calls;
each call starts with nothing of the before photo kept (``measure._local`` cleared).  Needs ``../shared/faces``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import compare_pairs as cp  # noqa: E402

import facemetrics  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare import measure as M  # noqa: E402


def pairs() -> list:
    out = [cp.sample_pairs()[0]]
    p = sorted(cp.LONDON.glob("*_neutral.jpg"))[0]
    a = cp.rgb(p)
    out.append(("london lift 1.5 mm", a, sim.lift(facemetrics.analyze_photo(a, name=p.name), 1.5).image))
    c = sorted(cp.CANADA.glob("*.jpg"))[0]
    a = cp.rgb(c)
    x = facemetrics.analyze_photo(a, name=c.name)
    out.append(("canada re-take", a, sim.brightness(sim.shift(x, 6.0, -4.0).image, 1.1).image))
    return out


def main() -> int:
    which = sys.argv[1] if len(sys.argv) > 1 else "compare"
    pr = cProfile.Profile(time.process_time)
    calls = 0
    for _, a, b in pairs():
        if which == "analyze":
            facemetrics.analyze_photo(a, name="x.png")
            pr.enable()
            facemetrics.analyze_photo(a, name="x.png")
            pr.disable()
            calls += 1
            continue
        x, y = facemetrics.analyze_photo(a, name="before.png"), facemetrics.analyze_photo(b, name="after.png")
        facemetrics.compare_photos(x, y)
        for _ in range(2):
            M._local.__dict__.clear()
            pr.enable()
            facemetrics.compare_photos(x, y)
            pr.disable()
            calls += 1
    for key in ("cumulative", "tottime"):
        s = io.StringIO()
        pstats.Stats(pr, stream=s).sort_stats(key).print_stats(25)
        print(f"===== {which}, {calls} calls, CPU s, sorted by {key}")
        print(s.getvalue().replace(str(HERE.parent / "facemetrics") + "/", ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
