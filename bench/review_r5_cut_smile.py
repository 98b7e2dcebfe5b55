"""Review r5 (stop 66) of k9's gate: a cut face's flow expression cues, read on real smiles and on side cuts.

    PYTHONPATH=. python bench/review_r5_cut_smile.py

Every London face (12; no parameter is chosen here, so no split): its neutral photo uncut before, and after it
(a) its smiling photo cut at the chin: the bottom edge 1 % of the height above the lowest jaw-line landmark
(``geometry.LOWER_OVAL``) of the uncut smiling photo; (b) its smiling photo cut at the image's left side: the
edge 1 % of the width right of the leftmost jaw-line landmark; (c) its neutral photo cut as in (b) (the
expression identical: any expression message is false).  Each pair is compared with the shipped gate and with
the flow cues read as before k9 (``face_cut`` ignored).  Prints one JSON row a pair; cached in /tmp/r5_*.json.
The rule: docs/validation.md section 29b.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from unittest import mock

import numpy as np
from PIL import Image

from facemetrics import analyze_photo
import importlib

from facemetrics.compare import compare_photos
from facemetrics.compare.expression import MSG_EXPRESSION, MSG_EXPRESSION_MAYBE, _flow_expression_cues
from facemetrics.geometry import LOWER_OVAL

gate_mod = importlib.import_module("facemetrics.compare.gate")
FACES = Path(__file__).resolve().parents[1].parent / "shared" / "faces" / "london_ccby"


def png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="PNG")
    return buf.getvalue()


def cut(path: Path, how: str) -> bytes:
    rgb = np.array(Image.open(path).convert("RGB"))
    a = analyze_photo(path, name=path.name)
    ph, pw = a.photo.rgb.shape[:2]
    xy = a.points[list(LOWER_OVAL), :2] / [pw, ph]
    h, w = rgb.shape[:2]
    if how == "chin":
        return png(rgb[: int((xy[:, 1].max() - 0.01) * h)])
    return png(rgb[:, int((xy[:, 0].min() + 0.01) * w):])


def said(c) -> dict:
    msgs = list(c.messages)
    return dict(maybe=any(m.startswith(MSG_EXPRESSION_MAYBE) for m in msgs),
                differs=any(m.startswith(MSG_EXPRESSION + ":") for m in msgs))


def pair(neutral: Path, after: Path, how: str) -> dict:
    b = analyze_photo(neutral, name=neutral.name)
    a = analyze_photo(cut(after, how), name=f"{after.stem}_{how}")
    if not (b.ok and a.ok):
        return dict(face=neutral.stem, after=after.stem, how=how, status="not measured")
    new = said(compare_photos(b, a))
    with mock.patch.object(gate_mod, "_flow_expression_cues", lambda c, face_cut=False: _flow_expression_cues(c)):
        old = said(compare_photos(b, a))
    return dict(face=neutral.stem, after=after.stem, how=how, cut=int(a.quality.cut_landmarks),
                new=new, old=old)


def main() -> None:
    for n in sorted(FACES.glob("*_neutral.jpg")):
        s = n.with_name(n.name.replace("_neutral", "_smiling"))
        for after, how in ((s, "chin"), (s, "side"), (n, "side")):
            cache = Path(f"/tmp/r5_{after.stem}_{how}.json")
            if not cache.exists():
                cache.write_text(json.dumps(pair(n, after, how)))
            print(cache.read_text(), flush=True)


if __name__ == "__main__":
    main()
