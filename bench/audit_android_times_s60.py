"""Round 21 (stop 60, g4; docs/validation.md section 12): an Android user's photos back from Google Photos and
WhatsApp, across a clock change, read as she reads them.

    PYTHONPATH=. python bench/audit_android_times_s60.py DIR            # the photos (DIR/tree), manifest.csv, truth.csv
    PYTHONPATH=. python bench/audit_android_times_s60.py DIR --run      # and batch (with and without the manifest),
                                                                        # timeline, study import, study add
    PYTHONPATH=. python bench/audit_android_times_s60.py DIR --app      # and the app's My study page (AppTest)

The user (written before the tool was run): London 107 neutral (the shared faces; exits 2 without them), in
Europe/London, a microcurrent device three mornings a week (Tue, Thu, Sat) for three weeks, 2026-10-20 to
2026-11-07, at 07:30 local wall-clock time (+ 0-9 min, session by session).  The clocks go back on Sunday
2026-10-25 at 02:00 BST (+01:00) to 01:00 GMT (+00:00): the first three sessions are in BST, the other six in GMT.
Each session: a photo 10 min before, at +10 min, at +3 h, and the next morning at the session's wall-clock time
(+24 h, except after Saturday 24 October: the next morning at 07:30 GMT is 25 h after 07:30 BST).  She logs each
session's treated_at in local wall-clock time without an offset, as she reads her watch (the manifest's
treated_at, treated_at.txt, ``study add --treated-at``).

Truth: each session adds a lift of 1.5 mm (``simulate.lifted_image``, both sides) halving every 4 h, nothing lasting:
1.46 mm at 10 min, 0.89 mm at 3 h, 0.023 mm at 24 h and 0.019 mm at 25 h; a before photo 48 h after the previous
session under 0.001 mm.  The true hours since the treatment are instants' differences (``zoneinfo``
Europe/London): -0.17, 0.17, 3.0 and 24.0 h (25.0 h for the Saturday-24-October session's next-morning photo).

The phones and the copies, as they come back (a mix, by session and photo; ``sources()``):
- ``pxl``: a Pixel camera file, ``PXL_20261020_062012345.jpg`` (the name's time is UTC, to the millisecond), EXIF
  DateTimeOriginal local wall-clock time with OffsetTimeOriginal (``+01:00``/``+00:00``) and SubSecTimeOriginal;
- ``samsung``: a Samsung camera file, ``20261022_073012.jpg`` (local time), EXIF DateTimeOriginal local, no offset;
- ``img``: another Android camera, ``IMG_20261024_074012.jpg`` (local time), EXIF local with OffsetTimeOriginal;
- ``takeout``: a Google Photos / Takeout export with the EXIF stripped and a sidecar ``NAME.jpg.json`` holding
  ``photoTakenTime.timestamp`` (UTC epoch seconds) and its ``formatted`` text; once as
  ``NAME.jpg.supplemental-metadata.json`` (newer Takeouts);
- ``pxl_bare``: a Pixel file re-saved without its EXIF and without a sidecar: only the UTC time in its name;
- ``whatsapp``: a WhatsApp copy, ``IMG-20261027-WA0003.jpg``: EXIF stripped, a date in the name but no time of day.
The Saturday-24-October session (the one across the change) has a ``pxl`` before photo (+01:00), an ``img`` 10 min
photo (+01:00), a ``takeout`` 3 h photo (UTC epoch) and a ``pxl`` next-morning photo (+00:00).
Added after the first run (its truth as above): the Thursday-22-October (BST, Samsung) session's 3 h photo is a
``takeout`` copy, a UTC time in a session whose other photos carry no offset (the first run's code summed
instants of one tzinfo as wall-clock times, so its truth.csv said 24.0 h for the 25 h photo; fixed before any
finding was taken from it, and the sessions moved to the folder convention's ``me/microcurrent/DATE/``).

What the tool SHOULD say: each photo's hours since its treatment right to the minute (the truth above; the
next-morning photo after 24 October 25.0 h, not 24.0 h), or a clear message asking for the time (the WhatsApp
copies: never read as midnight, never silently used); a UTC time (the Takeout sidecar, a Pixel's name) never
shifted by the UTC offset against the local treated_at; ``taken_at_source`` naming where each time came from; the
verdicts from the right hours (a lift at 10 min and 3 h, fading, nothing lasting).

Photos are made as Round 18's were (``bench/audit_words_s57.py``'s ``Face``: ``simulate.lifted_image``, a roll,
``simulate.photo_jitter``), JPEG 92; the study commands through ``audit_home_month``'s ``_run`` and ``findings``.
Written outside the project.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import audit_home_month as home  # noqa: E402  (the study commands' runner, the report's lines)
import audit_words_s57 as words  # noqa: E402  (the face, its jitter and roll)

ROOT = Path(__file__).resolve().parents[1]
LONDON = ZoneInfo("Europe/London")
SESSION_DAYS = (datetime(2026, 10, 20), datetime(2026, 10, 22), datetime(2026, 10, 24),
                datetime(2026, 10, 27), datetime(2026, 10, 29), datetime(2026, 10, 31),
                datetime(2026, 11, 3), datetime(2026, 11, 5), datetime(2026, 11, 7))
KINDS = ("before", "10min", "3h", "next")
HALF_LIFE_H, LIFT_MM = 4.0, 1.5
# (session index, photo index) -> source; the rest "pxl"
SOURCES = {
    **{(1, j): "samsung" for j in range(4)}, **{(8, j): "samsung" for j in range(4)},
    (1, 2): "takeout",  # added after the first run (below)
    (2, 1): "img", (2, 2): "takeout",
    (3, 0): "takeout_supp", (3, 1): "pxl_bare", (3, 2): "whatsapp", (3, 3): "samsung",
    (5, 1): "whatsapp", (5, 2): "takeout", (6, 1): "img", (6, 2): "img", (7, 2): "whatsapp", (7, 3): "pxl_bare",
}


def treated_local(i: int) -> datetime:
    """Session ``i``'s treatment time, local wall-clock (naive), as she logs it."""
    return SESSION_DAYS[i] + timedelta(hours=7, minutes=30 + (i * 7) % 10)


def instant(local: datetime) -> datetime:
    """A local wall-clock time as an aware Europe/London instant."""
    return local.replace(tzinfo=LONDON)


def photo_local(i: int, j: int) -> datetime:
    t = treated_local(i)
    if KINDS[j] == "next":  # the next morning at the session's wall-clock time
        return t + timedelta(days=1, seconds=12)
    return t + timedelta(minutes={"before": -10, "10min": 10, "3h": 180}[KINDS[j]], seconds=12)


def hours_apart(later: datetime, earlier: datetime) -> float:
    """Hours between two aware instants, counted in UTC (two datetimes of one tzinfo subtract as wall-clock times)."""
    return (later.astimezone(timezone.utc) - earlier.astimezone(timezone.utc)).total_seconds() / 3600.0


def true_hours(i: int, j: int) -> float:
    return hours_apart(instant(photo_local(i, j)), instant(treated_local(i)))


def lift(h: float) -> float:
    return 0.0 if h < 0 else LIFT_MM * 2 ** (-h / HALF_LIFE_H)


def truth(when: datetime) -> float:
    """True lift [mm] at the aware instant ``when``: the sum over every session before it."""
    return sum(lift(hours_apart(when, instant(treated_local(i)))) for i in range(len(SESSION_DAYS)))


def name_of(src: str, local: datetime, wa: int) -> str:
    utc = instant(local).astimezone(timezone.utc)
    if src in ("pxl", "pxl_bare", "takeout_supp"):
        return f"PXL_{utc:%Y%m%d_%H%M%S}{utc.microsecond // 1000:03d}.jpg"
    if src == "samsung":
        return f"{local:%Y%m%d_%H%M%S}.jpg"
    if src in ("img", "takeout"):
        return f"IMG_{local:%Y%m%d_%H%M%S}.jpg"
    return f"IMG-{local:%Y%m%d}-WA{wa:04d}.jpg"


def schedule() -> list[dict]:
    out, wa = [], 0
    for i in range(len(SESSION_DAYS)):
        for j in range(4):
            src = SOURCES.get((i, j), "pxl")
            wa += src == "whatsapp"
            local = photo_local(i, j)
            out.append(dict(session=i, kind=KINDS[j], source=src, local=local, name=name_of(src, local, wa + 2),
                            treated_at=treated_local(i), hours=true_hours(i, j)))
    return out


def save(rgb, path: Path, local: datetime, src: str) -> None:
    img = Image.fromarray(rgb)
    if src in ("takeout", "takeout_supp", "pxl_bare", "whatsapp"):  # EXIF stripped
        img.save(path, quality=92)
    else:
        ex = img.getexif()
        ex[0x010F], ex[0x0110] = ("samsung", "SM-S911B") if src == "samsung" else ("Google", "Pixel 7")
        ifd = ex.get_ifd(0x8769)
        ifd[0x9003] = local.strftime("%Y:%m:%d %H:%M:%S")
        if src in ("pxl", "img"):
            off = instant(local).utcoffset()
            ifd[0x9011] = f"+{int(off.total_seconds()) // 3600:02d}:00"
            ifd[0x9291] = "345"
        img.save(path, quality=92, exif=ex)
    if src in ("takeout", "takeout_supp"):
        ts = int(instant(local).timestamp())
        side = path.parent / (path.name + (".json" if src == "takeout" else ".supplemental-metadata.json"))
        side.write_text(json.dumps({
            "title": path.name, "description": "",
            "creationTime": {"timestamp": str(ts + 86400), "formatted": "later (upload)"},
            "photoTakenTime": {"timestamp": str(ts), "formatted": datetime.fromtimestamp(ts, timezone.utc).strftime(
                "%d %b %Y, %H:%M:%S UTC")},
            "geoData": {"latitude": 0.0, "longitude": 0.0, "altitude": 0.0},
        }, indent=2))


def build(out: Path) -> None:
    face = words.Face("london_107_f41_white_neutral.jpg", 60)
    rows, facts = [], []
    for p in schedule():
        folder = out / "tree" / "me" / "microcurrent" / f"{p['treated_at']:%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "treated_at.txt").write_text(p["treated_at"].strftime("%Y-%m-%dT%H:%M") + "\n")
        when = instant(p["local"])
        save(face.image(truth(when)), folder / p["name"], p["local"], p["source"])
        rel = f"me/microcurrent/{folder.name}/{p['name']}"
        rows.append((rel, "me", "microcurrent", p["treated_at"].strftime("%Y-%m-%dT%H:%M")))
        base = truth(instant(p["treated_at"] - timedelta(minutes=10)))
        facts.append((rel, p["session"], p["kind"], p["source"], when.isoformat(), p["treated_at"].isoformat(),
                      round(p["hours"], 3), round(truth(when), 4), round(truth(when) - base, 4)))
    with open(out / "manifest.csv", "w", newline="") as fh:  # as she writes it: no taken_at, local treated_at
        w = csv.writer(fh)
        w.writerow(["photo", "subject", "treatment", "treated_at"])
        w.writerows(rows)
    with open(out / "truth.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["photo", "session", "kind", "source", "taken_at", "treated_at", "true_hours", "true_lift_mm",
                    "true_change_mm"])
        w.writerows(facts)
    print(f"{len(rows)} photos in {out / 'tree'}; manifest.csv and truth.csv in {out}", flush=True)


def _cli(args: list[str], log, store: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **({"FACEMETRICS_STORE": str(store)} if store else {}))
    p = subprocess.run([sys.executable, "-m", "facemetrics", *args], capture_output=True, text=True, env=env, cwd=ROOT)
    log.write(f"$ facemetrics {' '.join(args)}  [exit {p.returncode}]\n{p.stdout}{p.stderr}\n")
    if "Traceback" in p.stderr:
        print(f"  TRACEBACK in {args[:2]}: {p.stderr.strip().splitlines()[-1]}")
    return p


def hours_check(out: Path, table: Path) -> list[str]:
    """Each photo's hours in ``table`` (long.csv or changes.csv) against the truth: the ones off by a minute or more."""
    import pandas as pd
    if not table.is_file():
        return [f"  {table}: none"]
    t = pd.read_csv(table).copy()
    truth_t = pd.read_csv(out / "truth.csv")
    truth_t["base"] = truth_t["photo"].map(lambda s: Path(s).name)
    t["base"] = t["photo"].map(lambda s: Path(str(s)).name)
    col = "hours_since_treatment"
    per = t.groupby("base").agg(h=(col, "first"), src=("taken_at_source", "first") if "taken_at_source" in t else
                                (col, "size")).reset_index()
    both = truth_t.merge(per, on="base", how="left")
    lines = []
    for _, r in both.iterrows():
        if r["kind"] == "before":
            continue
        if pd.isna(r["h"]) or abs(r["h"] - r["true_hours"]) * 60 >= 1:
            lines.append(f"  {r['base']} ({r['source']}, {r['kind']}): {r['h']} h read (source {r['src']}), "
                         f"true {r['true_hours']:.3f} h")
    return [f"{table.parent.name}/{table.name}: {len(lines)} after photos not read right"] + lines


def run(out: Path) -> None:
    tree = out / "tree"
    with open(out / "console_batch.txt", "w") as log:
        for name, extra in (("batch_manifest", ["--manifest", str(out / "manifest.csv")]), ("batch_tree", [])):
            _cli(["batch", str(tree), *extra, "-o", str(out / name)], log)
            _cli(["timeline", str(out / name)], log)
            for table in ("long.csv", "changes.csv"):
                print(*hours_check(out, out / name / table), sep="\n")
            print(f"{name}:", *home.findings(out / name), sep="\n", flush=True)
    with open(out / "console_study.txt", "w") as log:
        _cli(["study", "import", str(tree), "--manifest", str(out / "manifest.csv")], log, out / "store_import")
        _cli(["study", "report", "--subject", "me", "-o", str(out / "study_import")], log, out / "store_import")
        print(*hours_check(out, out / "study_import" / "long.csv"), sep="\n")
        for folder in sorted((tree / "me" / "microcurrent").iterdir()):
            t = (folder / "treated_at.txt").read_text().strip()
            _cli(["study", "add", *map(str, sorted(folder.glob("*.jpg"))), "--subject", "me", "--treatment",
                  "microcurrent", "--treated-at", t], log, out / "store_add")
        _cli(["study", "report", "--subject", "me", "-o", str(out / "study_add")], log, out / "store_add")
        print(*hours_check(out, out / "study_add" / "long.csv"), sep="\n")
    for name in ("study_import", "study_add"):
        print(f"{name}:", *home.findings(out / name), sep="\n")


def app(out: Path, last: int) -> None:
    """Sessions 1..``last`` through the app's *My study* page (AppTest, a store of its own): each session logged,
    its photos uploaded together (the time field left as shown), the page's text after each."""
    os.environ["FACEMETRICS_STORE"] = str(out / "app_store")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    at.text_input(key="study-new-name").input("me")
    at.button(key="study-create").click().run()
    log = []
    for i in range(min(last, len(SESSION_DAYS))):
        t = treated_local(i)
        toggle = [x for x in at.toggle if x.key.startswith("study-log-open")]
        if toggle and not toggle[0].value:
            toggle[0].set_value(True).run()
        at.text_input(key="study-treatment").input("microcurrent")
        at.text_input(key="study-device").input("microcurrent")
        at.text_input(key="study-treated-at").input(t.strftime("%Y-%m-%d %H:%M"))
        at.button(key="study-log").click().run()
        folder = out / "tree" / "me" / "microcurrent" / f"{t:%Y-%m-%d}"
        batch = sorted(folder.glob("*.jpg"))
        up = [u for u in at.file_uploader if u.key.startswith("study-upload-")][0]
        up.set_value([(p.name, p.read_bytes(), "image/jpeg") for p in batch]).run()
        before = "\n".join(home._page_texts(at))
        for c in at.checkbox:
            if c.key.startswith("study-insist-"):
                c.check()
        at.run()
        at.button(key="study-add").click().run()
        assert not at.exception, [e.value for e in at.exception]
        log.append(f"===== session {i} ({t}): after upload, before Add =====\n{before}\n===== after Add =====\n"
                   + "\n".join(home._page_texts(at)))
        print(f"app: session {i} added", flush=True)
    (out / "app_my_study.txt").write_text("\n".join(log))
    from facemetrics.store import Store
    with Store(out / "app_store") as s:
        p = s.photos("me")
    p.to_csv(out / "app_photos.csv", index=False)
    print(f"the My study page: {out / 'app_my_study.txt'}; its photos: {out / 'app_photos.csv'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to build in (outside the project)")
    ap.add_argument("--run", action="store_true", help="also run batch (+ timeline), study import and study add")
    ap.add_argument("--app", action="store_true", help="also run the sessions through My study (AppTest)")
    ap.add_argument("--app-sessions", type=int, default=4, help="the app's run: sessions 1..N (default 4)")
    ap.add_argument("--no-build", action="store_true", help="use the photos already in DIR")
    args = ap.parse_args(argv)
    if not words.FACES.is_dir():
        print(f"{words.FACES}: the shared real faces are not there", file=sys.stderr)
        return 2
    if not args.no_build:
        build(args.out)
    if args.run:
        run(args.out)
    if args.app:
        app(args.out, args.app_sessions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
