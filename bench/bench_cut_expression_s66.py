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


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson 95 % interval of the rate k/n (SciPy's ``binomtest``); NaNs for n = 0."""
    if n == 0:
        return float("nan"), float("nan")
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def summary(lines: list[str]) -> None:
    """Counts over the printed rows: cut pairs, the flow cues' false "expression may differ" as the code said it
    (``maybe``; the lips' own "expression differs" counted apart), and with the candidate (the rise cue not read
    on a cut pair: only the widening cue left), with Wilson 95 % intervals."""
    rows = [json.loads(x) for x in lines if x.startswith("{")]
    rows = [r for r in rows if r.get("cut") is not None]
    cut = [r for r in rows if r["cut"] > 0]
    from facemetrics.compare.expression import MAX_MOUTH_CORNER_RISE_MM as RISE, MAX_MOUTH_WIDENING_MM as WID
    flow_said = [r for r in cut if r["rise"] > RISE or abs(r["widening"]) > WID]
    rise = [r for r in cut if r["rise"] > RISE]
    after = [r for r in cut if abs(r["widening"]) > WID]
    maybe = [r for r in cut if r["maybe"]]
    differs = [r for r in cut if r["differs"]]
    n = len(cut)
    print(f"pairs {len(rows)} ({len({r['face'] for r in rows})} faces), cut (a jaw-line landmark outside) {n}, "
          f"uncut {len(rows) - n}")
    for name, sel in (("flow cue beyond its limit (before)", flow_said), ("rise cue beyond 0.6 mm", rise),
                      ("said 'expression may differ'", maybe), ("said 'expression differs' (lips' shape)", differs),
                      ("widening cue beyond 0.5 mm (left by the first candidate)", after)):
        lo, hi = wilson(len(sel), n)
        print(f"{name}: {len(sel)}/{n} = {100 * len(sel) / max(n, 1):.1f} % ({100 * lo:.1f}-{100 * hi:.1f} %)")
    for h in sorted({r["h"] for r in cut}):
        sub = [r for r in cut if r["h"] == h]
        print(f"  h {h}: cut pairs {len(sub)}, rise beyond {sum(r['rise'] > RISE for r in sub)}, "
              f"rise median {np.median([r['rise'] for r in sub]):.2f} mm, max {max(r['rise'] for r in sub):.1f} mm")
    print("uncut pairs with a flow cue beyond its limit:",
          sum(r["rise"] > RISE or abs(r["widening"]) > WID for r in rows if r["cut"] == 0))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--held-out", action="store_true")
    ap.add_argument("--faces", type=int, default=0)
    ap.add_argument("--heights", type=float, nargs="*", default=list(HEIGHTS))
    ap.add_argument("--summary", help="a file of this script's printed rows: the counts")
    args = ap.parse_args()
    if args.summary:
        summary(Path(args.summary).read_text().splitlines())
        return
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
