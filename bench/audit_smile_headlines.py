"""The app's comparison headline on real pairs, with each photo's own smiling flag, stop 55 (docs/validation.md §12,
"Round 6").

    PYTHONPATH=. python bench/audit_smile_headlines.py    # ~1-3 min; needs the shared real-face folder

The London set's 12 neutral -> smiling pairs, each both ways round, and the 12 ordered pairs of the debruine pose
variations 1-4 (tests/conftest.py's ``LONDON``; the debruine folder beside it), compared as the app compares an
uploaded pair (``compare_photos(..., check_repeats=False)``, the batch's result) and headlined by
:func:`facemetrics.uploads.page_headline` with the photos' :func:`facemetrics.uploads.smile_flag`.  Prints one line
per pair (each photo's flag, ``S`` smiling, and the headline), then the counts: pairs of which exactly one photo is
flagged smiling and whose headline names it ("flagged smiling"), those whose lips' check already says the expression
differs ("not a skin change"), and debruine pairs whose headline names a smile (any "smil").  Nothing is written.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import LONDON  # noqa: E402

from facemetrics import analyze_photo, uploads  # noqa: E402
from facemetrics.compare import compare_photos  # noqa: E402


def headline(before, after) -> str:
    cmp = compare_photos(before, after, check_repeats=False)
    if cmp.status == "refused":
        return "refused: " + "; ".join(cmp.messages)[:120]
    frame = cmp.to_frame()
    frame.insert(list(frame.columns).index("verdict") + 1, "change_scale_sd", list(cmp.change_scale_sds()))
    result = uploads.comparison_result(uploads.Pair(before=before, after=after, treatment="t"), cmp)
    return uploads.page_headline(frame, cmp.messages, result, (uploads.smile_flag(before), uploads.smile_flag(after)))


def main() -> int:
    debruine = LONDON.parent / "debruine_cc0"
    if not LONDON.is_dir() or not debruine.is_dir():
        print(f"the real-face folders {LONDON} and {debruine} are absent")
        return 1
    subjects = sorted(p.name.rsplit("_", 1)[0] for p in LONDON.glob("*_neutral.jpg"))
    london = [(LONDON / f"{s}_neutral.jpg", LONDON / f"{s}_smiling.jpg") for s in subjects]
    london += [(a, b) for b, a in london]
    poses = list(itertools.permutations(sorted(debruine.glob("debruine_pose_variation_*.jpg")), 2))
    seen: dict = {}
    count = {"one flagged": 0, "named": 0, "lips": 0, "debruine": 0, "debruine naming a smile": 0}
    for kind, pairs in (("london", london), ("debruine", poses)):
        for b, a in pairs:
            before, after = (seen.setdefault(p, analyze_photo(p)) for p in (b, a))
            flags = ["S" if uploads.smile_flag(x) else "-" for x in (before, after)]
            h = headline(before, after)
            print(f"{b.name} -> {a.name} {''.join(flags)} | {h}", flush=True)
            if kind == "debruine":
                count["debruine"] += 1
                count["debruine naming a smile"] += "smil" in h
            elif flags.count("S") == 1:
                count["one flagged"] += 1
                count["named"] += "flagged smiling" in h
                count["lips"] += h.startswith("not a skin change")
    print(f"London pairs with one photo flagged smiling: {count['one flagged']}; headline names the flag: "
          f"{count['named']}; the lips' check says the expression differs instead: {count['lips']}")
    print(f"debruine pose pairs: {count['debruine']}; headline naming a smile: {count['debruine naming a smile']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
