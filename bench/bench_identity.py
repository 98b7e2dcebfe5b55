"""Can the upper-face residual tell two people apart?  Every pair of the 52 annotated neutral faces
in ``../shared/faces`` (40 Canada, 12 London: 1326 pairs of different people) and the pairs of one
person (the debruine set's poses and camera distances, 56 ordered pairs; the 12 London neutral ->
smiling pairs), each through :func:`facemetrics.compare_photos`; writes one row per pair
(``docs/data/identity_pairs.csv`` with ``--write``) and prints the distributions against the gate's
limits (``gate.DIFFERENT_PEOPLE_RESIDUAL_MM``, refusal; ``gate.DIFFERENT_PEOPLE_POSSIBLE_MM``, the
'may also be two different people' clause).  docs/compare.md, 'Comparability gate' (Identity).

    python bench/bench_identity.py [--write]      # about 5 min on 2 cores
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
OUT = ROOT / "docs" / "data" / "identity_pairs.csv"


def pairs() -> list[tuple[Path, Path, str]]:
    """``(before, after, kind)``: kind ``different_CC/CL/LL`` (Canada, London), ``same_smile`` or
    ``same_debruine``."""
    canada = sorted((FACES / "canada_ccby").glob("*.jpg"))
    london = sorted((FACES / "london_ccby").glob("*neutral.jpg"))
    out = []
    for a, b in itertools.combinations(canada + london, 2):
        kind = "".join(sorted("C" if p in canada else "L" for p in (a, b)))
        out.append((a, b, f"different_{kind}"))
    out += [(p, p.with_name(p.name.replace("neutral", "smiling")), "same_smile") for p in london]
    out += [(a, b, "same_debruine") for a, b in itertools.permutations(sorted((FACES / "debruine_cc0").glob("*.jpg")), 2)]
    return out


def measure() -> pd.DataFrame:
    import facemetrics as fm

    todo = pairs()
    analyses = {p: fm.analyze_photo(p) for p in sorted({q for a, b, _ in todo for q in (a, b)})}
    rows = []
    for a, b, kind in todo:
        c = fm.compare_photos(analyses[a], analyses[b])
        r = c.alignment.residual_mm if c.alignment is not None else float("nan")
        rows.append(dict(before=a.stem, after=b.stem, kind=kind, residual_mm=round(float(r), 4), status=c.status))
    return pd.DataFrame(rows)


def summary(df: pd.DataFrame) -> None:
    from facemetrics.compare.gate import DIFFERENT_PEOPLE_POSSIBLE_MM, DIFFERENT_PEOPLE_RESIDUAL_MM

    print(f"| pairs | n | residual mm min / 5 % / median / max | refused | residual <= {DIFFERENT_PEOPLE_RESIDUAL_MM} "
          f"| >= {DIFFERENT_PEOPLE_POSSIBLE_MM} and not refused |")
    print("|---|---|---|---|---|---|")
    for kind, g in df.groupby("kind"):
        x = g["residual_mm"].to_numpy(float)
        q = np.nanpercentile(x, [0, 5, 50, 100])
        print(f"| {kind} | {len(g)} | {' / '.join(f'{v:.2f}' for v in q)} | {int((g['status'] == 'refused').sum())} | "
              f"{int(np.sum(x <= DIFFERENT_PEOPLE_RESIDUAL_MM))} | "
              f"{int(np.sum((x >= DIFFERENT_PEOPLE_POSSIBLE_MM) & (g['status'] != 'refused').to_numpy()))} |")
    diff = df[df["kind"].str.startswith("different")]
    print(f"smallest residual between different people: {np.nanmin(diff['residual_mm']):.4f} mm "
          f"(the clause starts at {DIFFERENT_PEOPLE_POSSIBLE_MM} mm)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    p.add_argument("--from-csv", action="store_true", help="summarise the stored CSV instead of measuring")
    args = p.parse_args()
    if not FACES.is_dir():
        raise SystemExit(f"needs {FACES}")
    df = pd.read_csv(OUT) if args.from_csv else measure()
    if args.write and not args.from_csv:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(OUT, index=False)
    summary(df)


if __name__ == "__main__":
    main()
