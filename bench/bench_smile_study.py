"""One gently smiling after photo in a simulated study: does it move the decay verdict? (docs/validation.md §14,
2026-12-05; the question, cells and what counts as "moved" were committed before this script was run on a face.)

Per London subject (neutral + smiling photo): a *clean* study (the neutral photo lifted by
:data:`facemetrics.study.DEFAULT_DESIGN`'s true change at every time, the demo's pose and jitter nuisances) and two
*contaminated twins* in which the 24 h (cell ``smile24``) or the 1 h (cell ``smile1``) post photo of each treatment
is made from the subject's **smiling** photo with the same lift and the same nuisance draws.  Each study is fitted
alone (:func:`facemetrics.decay.analyze_series`) and the twins' verdicts and ``change_24h`` are set against the
clean study's.

Usage::

    nice -n 10 python bench/bench_smile_study.py --measure /tmp/h10/rows.csv   # comparisons (slow: ~300)
    python bench/bench_smile_study.py --table /tmp/h10/rows.csv                # fits and the summary
    nice -n 10 python bench/bench_smile_study.py --cell before --measure /tmp/n3/before.csv  # §20: smiling before
    python bench/bench_smile_study.py --cell before --table /tmp/n3/before.csv   # §20's fits, groups, rule

``--cell before`` (docs/validation.md §20, stop 48): per treatment, a twin whose -0.5 h photo is the subject's
smiling photo (same nuisance draws) and whose post photos are the clean study's; ``--measure`` skips the faces
already in the file and starts no new face after ``--stop`` (UTC, HH:MM).

Skips (exit 0) without ``../shared/faces/london_ccby``.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics.batch import long_rows  # noqa: E402
from facemetrics.compare.gate import (MSG_CAMERA_UNCHECKED, MSG_EXPRESSION, MSG_EXPRESSION_MAYBE,  # noqa: E402
                                     MSG_FACE_CUT, MSG_FOLD_LINES, MSG_MISMATCH, MSG_NOT_ALIGNED, MSG_POSE_UNCHECKED)
from facemetrics.batch.flow_read import flow_read  # noqa: E402
from facemetrics.decay import analyze_series  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402
from facemetrics.schema import LONG_COLUMNS  # noqa: E402
from facemetrics.simulate import encode_png, head_pose, lift, photo_jitter  # noqa: E402
from facemetrics.study import DEFAULT_DESIGN, DEFAULT_JITTER, DEFAULT_POSE, true_change  # noqa: E402

LONDON = HERE.parent.parent / "shared" / "faces" / "london_ccby"
#: the post photos made from the smiling photo, one per twin (hours since treatment)
CELLS = {"smile24": 24.0, "smile1": 1.0}
#: the series fitted (the timeline's headline metrics; the fold depth per side)
SERIES = [("jawline_lift_mm", "mean"), ("mouth_corner_lift_mm", "mean"), ("nlf_depth", "right"), ("nlf_depth", "left")]
MAX_SIDE = 640  # as the demo
N_BOOT = 200


def _base(path: Path):
    """The analysis of ``path`` reduced to :data:`MAX_SIDE` px (long side), or None when it cannot be measured."""
    rgb = load_photo(path).rgb
    h, w = rgb.shape[:2]
    f = min(1.0, MAX_SIDE / max(h, w))
    if f < 1.0:
        rgb = cv2.resize(rgb, (int(round(w * f)), int(round(h * f))), interpolation=cv2.INTER_AREA)
    a = analyze_photo(encode_png(rgb), name=path.name)
    return a if a.ok else None


def _photo(ana, mm: float, seed) -> bytes:
    """JPEG bytes of ``ana``'s photo lifted by ``mm`` then re-posed and jittered with the draws of ``seed``
    (as :func:`facemetrics.study.study` makes each photo: lift, pose, jitter, JPEG)."""
    rng = np.random.default_rng(seed)
    rgb = ana.photo.rgb.copy() if abs(mm) < 1e-9 else lift(ana, mm, side="both").image
    return posed_jpeg(ana, rgb, rng)


def posed_jpeg(ana, rgb, rng) -> bytes:
    """JPEG bytes of ``rgb`` (``ana``'s photo, changed) re-posed and jittered with ``rng``'s next draws: the demo's
    pose (pitch, yaw, camera distance), its jitter and JPEG quality (as :func:`facemetrics.study.study`)."""
    pitch = float(rng.normal(0.0, DEFAULT_POSE["pitch_sd_deg"]))
    yaw = float(rng.normal(0.0, DEFAULT_POSE["yaw_sd_deg"]))
    d0 = DEFAULT_POSE["camera_mm"]
    cam = float(np.clip(rng.normal(d0, DEFAULT_POSE["camera_sd_mm"]), 300.0, 600.0))
    rgb = head_pose(ana, pitch, yaw, 0.0, image=rgb, camera_mm=d0, camera_to_mm=cam).image
    rgb = photo_jitter(rgb, rng, DEFAULT_JITTER)[0]
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=int(DEFAULT_JITTER.get("jpeg_quality", 92)))
    return buf.getvalue()


#: the gate's causes of 'uncertain' recorded per comparison (which ones fired besides the expression)
CAUSES = {"mismatch": MSG_MISMATCH, "not_aligned": MSG_NOT_ALIGNED, "pose_unchecked": MSG_POSE_UNCHECKED,
          "camera_unchecked": MSG_CAMERA_UNCHECKED, "face_cut": MSG_FACE_CUT, "fold_lines": MSG_FOLD_LINES}


def _causes(messages) -> str:
    text = " ".join(messages)
    return "+".join(k for k, m in CAUSES.items() if m in text)


def _expression(messages) -> str:
    text = " ".join(messages)
    return "lips" if MSG_EXPRESSION in text else ("flow" if MSG_EXPRESSION_MAYBE in text else "none")


def mouth_cue(messages) -> str:
    """The direction of the gate's mouth-width cue in ``messages`` ("narrower", "wider") or "" when it did not
    fire (the cue's words in :func:`facemetrics.compare.gate._flow_expression_cues`' message part)."""
    m = re.search(r"mouth corners moved [0-9.]+ mm (wider|narrower)", " ".join(messages))
    return m.group(1) if m else ""


def measure_before(i: int, neutral: Path) -> list[dict]:
    """§20: the long rows of subject ``i``'s clean study (cell ``clean``) and of its twins (cells
    ``before_<treatment>``): the treatment's post photos, the clean study's bytes, compared with a -0.5 h photo made
    from the subject's smiling photo with the clean before photo's draws.  Extra columns: ``expression``, ``mouth``
    (:func:`mouth_cue`), ``status_cmp``, ``causes``, the before photo's ``before_smile_score`` (SD) and
    ``before_smiling`` (its per-photo "smiling" flag)."""
    subj = neutral.name.split("_")[1]
    a_neu, a_smi = _base(neutral), _base(Path(str(neutral).replace("_neutral", "_smiling")))
    if a_neu is None or a_smi is None:
        return []
    rows = []
    for k, (treatment, spec) in enumerate(sorted(DEFAULT_DESIGN.items())):
        befores = {"clean": analyze_photo(_photo(a_neu, 0.0, (i, k, 0)), name="before.jpg"),
                   f"before_{treatment}": analyze_photo(_photo(a_smi, 0.0, (i, k, 0)), name="before.jpg")}
        for n, t in enumerate(spec["times_h"][1:], start=1):
            mm = float(true_change(t, spec["peak_mm"], spec["half_life_h"], spec.get("lasting_mm", 0.0)))
            after = analyze_photo(_photo(a_neu, mm, (i, k, n)), name=f"{t:g}h.jpg")
            for cell, before in befores.items():
                cmp = compare_photos(before, after)
                q = before.quality
                extra = dict(cell=cell, expression=_expression(cmp.messages), mouth=mouth_cue(cmp.messages),
                             status_cmp=cmp.status, causes=_causes(cmp.messages),
                             before_smile_score=q.smile_score if q is not None else np.nan,
                             before_smiling=q is not None and any(f.startswith("smiling") for f in q.flags))
                rows += [dict(r, **extra)
                         for r in long_rows(cmp, subject=subj, treatment=treatment, hours_since_treatment=t,
                                            photo=f"{subj}_{treatment}_{t:g}h.jpg", messages=cmp.messages)]
    return rows


def measure_subject(i: int, neutral: Path) -> list[dict]:
    """The long rows of subject ``i``'s clean study (cell ``clean``) and of its twins' smiling photos (cells of
    :data:`CELLS`, only the replaced photo's rows), each with ``cell`` and ``expression`` columns."""
    subj = neutral.name.split("_")[1]
    a_neu, a_smi = _base(neutral), _base(Path(str(neutral).replace("_neutral", "_smiling")))
    if a_neu is None or a_smi is None:
        return []
    rows = []
    for k, (treatment, spec) in enumerate(sorted(DEFAULT_DESIGN.items())):
        times = spec["times_h"]
        before = analyze_photo(_photo(a_neu, 0.0, (i, k, 0)), name="before.jpg")
        for n, t in enumerate(times[1:], start=1):
            mm = float(true_change(t, spec["peak_mm"], spec["half_life_h"], spec.get("lasting_mm", 0.0)))
            todo = [("clean", a_neu)] + [(c, a_smi) for c, h in CELLS.items() if h == t]
            for cell, base in todo:
                cmp = compare_photos(before, analyze_photo(_photo(base, mm, (i, k, n)), name=f"{t:g}h.jpg"))
                expr = _expression(cmp.messages)
                rows += [dict(r, cell=cell, expression=expr, status_cmp=cmp.status, causes=_causes(cmp.messages))
                         for r in long_rows(cmp, subject=subj, treatment=treatment, hours_since_treatment=t,
                                            photo=f"{subj}_{treatment}_{t:g}h_{cell}.jpg", messages=cmp.messages)]
    return rows


def _fit(rows: pd.DataFrame) -> pd.DataFrame:
    keep = pd.Series(False, index=rows.index)
    for m, s in SERIES:
        keep |= (rows["metric"] == m) & (rows["side"] == s)
    res = analyze_series(rows[keep][LONG_COLUMNS], n_boot=N_BOOT, seed=0, per_subject=False)
    return res.to_frame()


def table(path: Path) -> pd.DataFrame:
    """Clean vs twin per subject, cell, treatment and series: verdicts, change_24h, and whether it moved."""
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    out = []
    for subj, g in df.groupby("subject"):
        clean = g[g.cell == "clean"]
        f0 = _fit(clean).set_index(["treatment", "metric", "side"])
        for cell, h in CELLS.items():
            smile = g[g.cell == cell]
            twin = pd.concat([clean[clean.hours_since_treatment != h], smile])
            f1 = _fit(twin).set_index(["treatment", "metric", "side"])
            for key in f0.index.intersection(f1.index):
                r0, r1 = f0.loc[key], f1.loc[key]
                tr = key[0]
                expr = smile.loc[smile.treatment == tr, "expression"]
                vrow = smile[(smile.treatment == tr) & (smile.metric == key[1]) & (smile.side == key[2])]
                half = (r0["change_24h_ci_high"] - r0["change_24h_ci_low"]) / 2
                d24 = r1["change_24h"] - r0["change_24h"]
                out.append(dict(subject=subj, cell=cell, treatment=tr, metric=key[1], side=key[2],
                                expression=expr.iloc[0] if len(expr) else "missing",
                                smile_row_verdict=vrow["verdict"].iloc[0] if len(vrow) else "",
                                entered=bool(len(vrow)) and vrow["verdict"].iloc[0] not in ("uncertain", ""),
                                causes=vrow["causes"].fillna("").iloc[0] if len(vrow) else "",
                                verdict_clean=r0["verdict"], verdict_twin=r1["verdict"],
                                moved=r0["verdict"] != r1["verdict"], c24_clean=r0["change_24h"],
                                c24_twin=r1["change_24h"], d24=d24, beyond_ci=bool(abs(d24) > half),
                                # a NaN c24_twin is a series left too small to fit (021 rf: 5 photos of 6 once its
                                # 336 h photo read 'uncertain' too; stop 46): the status says so
                                status_twin=r1["status"]))
    return pd.DataFrame(out)


#: §20's rule candidates: (sign required, s), in the choice rule's order (fewest sessions flagged first)
BEFORE_ODD = [(True, 1.0), (True, 0.75), (True, 0.5), (False, 1.0), (False, 0.75), (False, 0.5)]
#: §15's stored clean lifted studies (the oblique bump; tuning and held-out faces): rows and their re-fits
LIFTED = {"tuning": Path("/tmp/h1s46/lifted.csv"), "held": Path("/tmp/h1s46/held.csv")}
CLAIM_METRICS = ("jawline_lift_mm", "mouth_corner_lift_mm")


def _series(rows: pd.DataFrame) -> pd.DataFrame:
    keep = pd.Series(False, index=rows.index)
    for m, s in SERIES:
        keep |= (rows["metric"] == m) & (rows["side"] == s)
    return rows[keep]


def _read_fit(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the fit of ``rows``' headline series, the same read through §16's flow rule as ``run_timeline`` reads it),
    each indexed by (treatment, metric, side)."""
    data = _series(rows)
    flow = sorted(set(data.loc[(data["expression"] == "flow") & (data["verdict"] != "uncertain"), "photo"]))
    data = data[LONG_COLUMNS]
    raw = analyze_series(data, n_boot=N_BOOT, seed=0, per_subject=False).to_frame()
    read = flow_read(raw, data, flow, n_boot=N_BOOT, seed=0)[0]
    key = ["treatment", "metric", "side"]
    return raw.set_index(key), read.set_index(key)


def session_cues(rows: pd.DataFrame) -> dict:
    """How the gate read one session's post comparisons (``rows``: their long rows, one ``photo`` per comparison):
    counts of lips-changed, flow-only, no cue, "narrower" and "wider" mouth cues, the group, and whether any row
    entered a fit."""
    per = rows.groupby("photo").agg(expression=("expression", "first"),
                                    mouth=("mouth", "first") if "mouth" in rows else ("expression", lambda _: ""))
    n = len(per)
    c = {e: int((per["expression"] == e).sum()) for e in ("lips", "flow", "none")}
    group = ("no cue" if c["none"] == n else "all lips-changed" if c["lips"] == n
             else "all flow-only" if c["flow"] == n else "mixed")
    point = per["expression"].isin(["lips", "flow"])
    return dict(n_post=n, n_lips=c["lips"], n_flow=c["flow"], n_none=c["none"],
                n_narrower=int((per["mouth"] == "narrower").sum()), n_wider=int((per["mouth"] == "wider").sum()),
                share_cue=point.sum() / n if n else 0.0,
                share_narrower=(point & (per["mouth"] == "narrower")).sum() / n if n else 0.0,
                group=group, entered=bool((rows["verdict"] != "uncertain").any()))


def before_odd(cues: dict, sign: bool, s: float) -> bool:
    """§20's candidate rule on one session: its before photo is the odd one out when at least ``s`` of its post
    comparisons carry an expression cue (with ``sign``: whose mouth-width cue reads "narrower") and a row of
    it enters a fit."""
    share = cues["share_narrower"] if sign else cues["share_cue"]
    return bool(cues["entered"]) and share >= s - 1e-9


def table_before(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """§20: (one row per twin series: clean vs twin verdicts after the flow rule, raw verdicts, change_24h shift,
    whether it moved and entered; one row per study, face x treatment x cell: the gate's reading of its post
    comparisons, :func:`session_cues`)."""
    df = pd.read_csv(path, dtype={"subject": str}, keep_default_na=False, na_values=[""])
    out, studies = [], []
    for (subj, tr), g in df.groupby(["subject", "treatment"]):
        clean, twin = g[g.cell == "clean"], g[g.cell == f"before_{tr}"]
        (r0, f0), (r1, f1) = _read_fit(clean), _read_fit(twin)
        for cell, rows in (("clean", clean), ("twin", twin)):
            studies.append(dict(subject=subj, treatment=tr, cell=cell, **session_cues(_series(rows)),
                                before_smile_score=rows["before_smile_score"].iloc[0],
                                before_smiling=rows["before_smiling"].iloc[0]))
        for key in f0.index.union(f1.index):
            a = f0.loc[key] if key in f0.index else None
            b = f1.loc[key] if key in f1.index else None
            vs = _series(twin)
            vs = vs[(vs.metric == key[1]) & (vs.side == key[2])]
            c0 = a["change_24h"] if a is not None else np.nan
            c1 = b["change_24h"] if b is not None else np.nan
            half = (a["change_24h_ci_high"] - a["change_24h_ci_low"]) / 2 if a is not None else np.nan
            out.append(dict(subject=subj, treatment=tr, metric=key[1], side=key[2],
                            verdict_clean=a["verdict"] if a is not None else "no fit",
                            verdict_twin=b["verdict"] if b is not None else "no fit",
                            raw_clean=r0.loc[key, "verdict"] if key in r0.index else "no fit",
                            raw_twin=r1.loc[key, "verdict"] if key in r1.index else "no fit",
                            status_twin=b["status"] if b is not None else "", c24_clean=c0, c24_twin=c1,
                            d24=c1 - c0, beyond_ci=bool(abs(c1 - c0) > half),
                            entered=bool((vs["verdict"] != "uncertain").any())))
    t = pd.DataFrame(out)
    t["moved"] = t["verdict_clean"].astype(str) != t["verdict_twin"].astype(str)
    return t, pd.DataFrame(studies)


def rule_counts(t: pd.DataFrame, st: pd.DataFrame) -> pd.DataFrame:
    """Per candidate of :data:`BEFORE_ODD`: entered moves caught (of n) and clean London studies changed (of n)."""
    moves = t[t.moved & t.entered]
    out = []
    for sign, s in BEFORE_ODD:
        flag = {(r.subject, r.treatment, r.cell): before_odd(r._asdict(), sign, s) for r in st.itertuples()}
        caught = sum(flag[(r.subject, r.treatment, "twin")] for r in moves.itertuples())
        claim = t[t.metric.isin(CLAIM_METRICS)]
        changed = {(r.subject, r.treatment) for r in claim.itertuples()
                   if flag[(r.subject, r.treatment, "clean")] and r.verdict_clean not in ("inconclusive", "no fit")}
        out.append(dict(sign=sign, s=s, moves=len(moves), caught=caught,
                        clean_flagged=sum(v for k, v in flag.items() if k[2] == "clean"),
                        clean_changed=len(changed), clean_studies=int((st.cell == "clean").sum())))
    return pd.DataFrame(out)


def lifted_cost(which: str) -> pd.DataFrame:
    """§20's sign-free candidates on §15's stored clean lifted studies (:data:`LIFTED`; their ``expression`` column
    and re-fits): per candidate s, studies, flagged, changed (a jaw or mouth verdict not already inconclusive).  The
    sign-required candidates' cost is at most the sign-free one's at the same s (the rows lack the cue's direction)."""
    rows = pd.read_csv(LIFTED[which], dtype={"subject": str}, keep_default_na=False, na_values=[""])
    fits = pd.read_csv(LIFTED[which].with_suffix(".refit.csv"), dtype={"subject": str}, keep_default_na=False)
    cues = {k: session_cues(_series(g)) for k, g in rows.groupby(["subject", "treatment"])}
    out = []
    for s in sorted({s for _, s in BEFORE_ODD}, reverse=True):
        flagged = {k for k, c in cues.items() if before_odd(c, False, s)}
        claim = fits[fits.metric.isin(CLAIM_METRICS)]
        changed = {(r.subject, r.treatment) for r in claim.itertuples()
                   if (r.subject, r.treatment) in flagged and r.verdict not in ("inconclusive", "")}
        out.append(dict(faces=which, s=s, studies=len(cues), flagged=len(flagged), changed=len(changed),
                        changed_ids=" ".join(f"{a}/{b}" for a, b in sorted(changed))))
    return pd.DataFrame(out)


def exact_cost(which: str) -> pd.DataFrame:
    """The chosen candidate's (sign required, s 1) exact cost on §15's bump studies: only the sessions the sign-free
    candidate flags at s 1 can be flagged (a subset), so only their faces are measured again (``bench_flow_refit.measure_face``
    with the face's own seeds, now recording :func:`mouth_cue`); the re-measured ``expression`` column is checked
    against the stored one (the measurement is deterministic)."""
    import bench_flow_refit as refit  # imports this module: not at the top
    stored = pd.read_csv(LIFTED[which], dtype={"subject": str}, keep_default_na=False, na_values=[""])
    cues = {k: session_cues(_series(g)) for k, g in stored.groupby(["subject", "treatment"])}
    faces = sorted({k[0] for k, c in cues.items() if before_odd(c, False, 1.0)})
    order = refit.face_order(which)
    out = []
    for i, (set_, p) in enumerate(order):
        if p.stem not in faces:
            continue
        rows = pd.DataFrame(refit.measure_face(i + (100 if which == "held" else 0), set_, p))
        for tr, g in rows.groupby("treatment"):
            c = session_cues(_series(g))
            old = stored[(stored.subject == p.stem) & (stored.treatment == tr)]
            same = (g.drop_duplicates("photo").set_index("photo")["expression"]
                    == old.drop_duplicates("photo").set_index("photo")["expression"]).all()
            out.append(dict(faces=which, subject=p.stem, treatment=tr, **c, reproduced=bool(same),
                            **{f"flag_sign_{s:g}": before_odd(c, True, s) for _, s in BEFORE_ODD[:3]}))
        print(p.name, datetime.now(timezone.utc).strftime("%H:%M:%S"), flush=True)
    return pd.DataFrame(out)


def print_before(path: Path) -> None:
    """§20's tables: moves per group, the moved series, the studies' cues, the rule on the catch side."""
    t, st = table_before(path)
    t.to_csv(path.with_suffix(".summary.csv"), index=False)
    st.to_csv(path.with_suffix(".studies.csv"), index=False)
    pd.set_option("display.width", 220)
    twin = st[st.cell == "twin"].set_index(["subject", "treatment"])
    t = t.join(twin["group"], on=["subject", "treatment"])
    print(st.round(3).to_string())
    print(t.groupby(["group", "entered", "treatment", "metric", "side"]).agg(
        n=("moved", "size"), moved=("moved", "sum"), beyond_ci=("beyond_ci", "sum"),
        d24_median=("d24", "median"), d24_max_abs=("d24", lambda d: d.abs().max())).round(3).to_string())
    print("\nmoved series:")
    print(t[t.moved][["subject", "treatment", "metric", "side", "group", "entered", "raw_clean", "raw_twin",
                      "verdict_clean", "verdict_twin", "c24_clean", "c24_twin"]].round(3).to_string())
    print("\nrule on the London studies:")
    print(rule_counts(t, st).to_string())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--measure", type=Path)
    ap.add_argument("--table", type=Path)
    ap.add_argument("--cell", choices=["after", "before"], default="after")
    ap.add_argument("--stop", default="21:05", help="no new face after this UTC time (HH:MM), --cell before")
    ap.add_argument("--cost", choices=["tuning", "held"], help="§20's sign-free candidates on §15's lifted rows")
    ap.add_argument("--exact", choices=["tuning", "held"], help="§20's sign-required cost: flagged faces re-measured")
    args = ap.parse_args(argv)
    if args.cost:
        print(lifted_cost(args.cost).to_string())
        return 0
    if args.exact:
        pd.set_option("display.width", 220)
        print(exact_cost(args.exact).to_string())
        return 0
    if not LONDON.is_dir():
        print(f"skipped: {LONDON} not found")
        return 0
    if args.cell == "before":
        return _main_before(args)
    if args.measure:
        neutrals = sorted(LONDON.glob("london_*_neutral.jpg"))
        for i, p in enumerate(neutrals):
            rows = measure_subject(i, p)
            pd.DataFrame(rows).to_csv(args.measure, mode="a", header=not args.measure.exists(), index=False)
            print(p.name, len(rows), flush=True)
    if args.table:
        t = table(args.table)
        t.to_csv(args.table.with_suffix(".summary.csv"), index=False)
        pd.set_option("display.width", 200)
        print(t.groupby(["expression", "entered", "cell", "treatment", "metric", "side"]).agg(
            n=("moved", "size"), moved=("moved", "sum"), beyond_ci=("beyond_ci", "sum"),
            d24_median=("d24", "median"), d24_max_abs=("d24", lambda d: d.abs().max())).round(3).to_string())
        print("\nmoved series:")
        print(t[t.moved][["subject", "cell", "treatment", "metric", "side", "expression", "smile_row_verdict",
                          "causes", "verdict_clean", "verdict_twin", "c24_clean", "c24_twin"]].round(3).to_string())
    return 0


def _main_before(args) -> int:
    if args.measure:
        done = set()
        if args.measure.exists():
            done = set(pd.read_csv(args.measure, usecols=["subject"], dtype={"subject": str})["subject"])
        for i, p in enumerate(sorted(LONDON.glob("london_*_neutral.jpg"))):
            if p.name.split("_")[1] in done:
                continue
            if datetime.now(timezone.utc).strftime("%H:%M") > args.stop:
                print("stopped by the clock", flush=True)
                break
            rows = measure_before(i, p)
            pd.DataFrame(rows).to_csv(args.measure, mode="a", header=not args.measure.exists(), index=False)
            print(p.name, len(rows), datetime.now(timezone.utc).strftime("%H:%M:%S"), flush=True)
    if args.table:
        print_before(args.table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
