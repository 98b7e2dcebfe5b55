"""Stop 66 (k9): the flow expression cues on a face cut by the image edge against the same photo uncut.

    PYTHONPATH=. python bench/bench_cut_expression_s66.py [--held-out] [--faces N]

Each neutral face (London neutral and Canada, ``bench/accuracy.py``'s splits: the tuning faces by default, the
held-out faces with ``--held-out``) is cut from the bottom to ``HEIGHTS`` of its height (in memory, PNG) and
compared with its uncut photo, both orders (cut before / cut after).  The expression is identical, so every
expression cue that fires is a false one.  Prints, per pair, the cut landmarks, the two flow cues
(``mouth_widening_mm``, ``mouth_corner_rise_mm``), the lips' shape cue and whether "expression may differ" /
"expression differs" is said; results cached in /tmp/k9_*.json.  The rule: docs/validation.md "Stop 66 (k9)".
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import canada_split, london_split  # noqa: E402

from facemetrics import analyze_photo  # noqa: E402
from facemetrics.compare import compare_photos  # noqa: E402
from facemetrics.compare.expression import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
HEIGHTS = (0.62, 0.66, 0.70)


def faces(held_out: bool) -> list[Path]:
    canada = canada_split(sorted((FACES / "canada_ccby").glob("canada_*.jpg")))
    london = london_split(sorted((FACES / "london_ccby").glob("*_neutral.jpg")))
    i = 1 if held_out else 0
    return london[i] + canada[i]


def png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def one(path: Path, h: float) -> list[dict]:
    rgb = np.array(Image.open(path).convert("RGB"))
    cut = rgb[: int(round(h * rgb.shape[0]))]
    ua = analyze_photo(path, name=path.name)
    ca = analyze_photo(png(np.ascontiguousarray(cut)), name=f"{path.stem}_cut{h}")
    out = []
    for order, (b, a) in (("cut_before", (ca, ua)), ("cut_after", (ua, ca))):
        if not (b.ok and a.ok):
            out.append(dict(face=path.stem, h=h, order=order, status="not measured"))
            continue
        c = compare_photos(b, a)
        cues = c.cues if hasattr(c, "cues") else {}
        msgs = list(c.messages)
        out.append(dict(face=path.stem, h=h, order=order, status=c.status,
                        cut=int(ca.quality.cut_landmarks),
                        widening=cues.get("mouth_widening_mm"), rise=cues.get("mouth_corner_rise_mm"),
                        jowl={s: round(float(c.lifts["jowl"][s]), 3) for s in ("right", "left")},
                        corner={s: round(float(c.lifts["mouth_corner"][s]), 3) for s in ("right", "left")},
                        maybe=any(m.startswith(MSG_EXPRESSION_MAYBE) for m in msgs),
                        differs=any(m.startswith(MSG_EXPRESSION + ":") for m in msgs),
                        expr=[m[:160] for m in msgs if m.startswith("expression")]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--held-out", action="store_true")
    ap.add_argument("--faces", type=int, default=0)
    ap.add_argument("--heights", type=float, nargs="*", default=list(HEIGHTS))
    args = ap.parse_args()
    paths = faces(args.held_out)
    if args.faces:
        paths = paths[: args.faces]
    tag = "held" if args.held_out else "tune"
    for p in paths:
        for h in args.heights:
            cache = Path(f"/tmp/k9_{tag}_{p.stem}_{h}.json")
            if cache.exists():
                rows = json.loads(cache.read_text())
            else:
                rows = one(p, h)
                cache.write_text(json.dumps(rows))
            for r in rows:
                print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
