"""Round 20 (stop 59, g4; docs/validation.md section 12): a ReFa user with an iPhone, read as she reads it.

    PYTHONPATH=. python bench/audit_refa_iphone_s59.py DIR                 # the photos, manifest.csv, truth.csv in DIR
    PYTHONPATH=. python bench/audit_refa_iphone_s59.py DIR --app           # and the app's My study page (AppTest)
    PYTHONPATH=. python bench/audit_refa_iphone_s59.py DIR --run           # and study add per day + study report,
                                                                           # batch --manifest + timeline

The user: London 087 neutral (the shared faces; exits 2 without them), a low-current device (ReFa, tens of uA) used
every morning for 14 days, 2026-11-09 to 2026-11-22, at 07:30 (+ 0-9 min, day by day).  Each morning a selfie
10 min before the session, one 10 min after it and one 2 h after it, on an iPhone: HEIC (pillow-heif, quality 90)
with the pixels stored as the sensor reads them (the portrait photo turned 90 deg counter-clockwise, a landscape
picture) and EXIF Orientation 6 (libheif's ``irot`` box written from it by pillow-heif), DateTimeOriginal the
capture time, Make/Model Apple/iPhone 15; the upright portrait is the London photo (1350 x 1350) extended to 3:4
(1350 x 1800, edges replicated).  Truth (written before the tool was run): each session adds a lift of 0.12 mm
halving every 1 h (``simulate.lifted_image``, both sides), nothing lasting: against the morning's before photo
0.107 mm at 10 min and 0.030 mm at 2 h (0.015 mm at 3 h, 0.004 mm at 5 h), the before photos 0.000 mm (the day
before's lift is 2^-24 of 0.12 mm).  So the 10-min change sits at or just above the jawline's noise floors
(0.08-0.11 mm in earlier rounds) and the 2 h change well below them.

Realistic slips (each once, in week 1 so the app's run sees them too):
- day 3: the 10-min photo held in landscape by mistake: a 1800 x 1350 HEIC, face upright, Orientation 1;
- day 4: the 2 h photo taken with another phone (a JPEG with EXIF time, the face 0.85 x as large, warmer white
  balance ``simulate.white_balance`` gains 1.08/1.0/0.92);
- day 5: the "2 h" photo taken 3 h late, at 5 h (its true change 0.004 mm);
- day 6: the 10-min photo saved as a screenshot of the photo (PNG, no EXIF: the portrait scaled to 1170 px wide on
  a black 1170 x 2532 screen), named ``IMG_0617.PNG`` as an iPhone names its screenshots.

What the tool SHOULD say: no lasting change; the initial lift small or not distinguishable from noise (a "lift" at
10 min only where the figure clears its floor, never at 2 h or 5 h beyond chance); the 24 h claim inconclusive, or
"fades" only if the data support it; never a wrong verdict ("lasting", a regimen build-up); every figure with its
unit and uncertainty; each slip either read right (orientation, time) or said plainly (the screenshot's missing
time), never a photo silently dropped or given a wrong time without a word.

Photos are made as Round 18's were (``bench/audit_words_s57.py``'s ``Face``: ``simulate.lifted_image``, a roll of
its own, ``simulate.photo_jitter``); the study commands and the app's upload through ``audit_home_month``'s
``_run``, ``findings`` and ``_app_add``.  Written outside the project.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import audit_home_month as home  # noqa: E402  (the study commands' runner, the report's lines, the app's upload)
import audit_words_s57 as words  # noqa: E402  (the face, its jitter and roll)

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 9, 7, 30)
DAYS = range(1, 15)
AFTERS = (1 / 6, 2.0)
LANDSCAPE, OTHER_PHONE, LATE, SCREENSHOT = 3, 4, 5, 6   # the days of the slips
SCREENSHOT_NAME = "IMG_0617.PNG"


def treated_at(day: int) -> datetime:
    return START + timedelta(days=day - 1, minutes=(day * 7) % 10)


def lift(h: float) -> float:
    """True lift [mm] ``h`` hours after one session (0 before it)."""
    return 0.0 if h < 0 else 0.12 * 2 ** (-h / 1.0)


def truth(when: datetime) -> float:
    """True lift [mm] at ``when``: the sum over every session before it."""
    return sum(lift((when - treated_at(d)).total_seconds() / 3600.0) for d in DAYS)


def schedule() -> list[tuple[int, str, datetime, str]]:
    """(day, file name, capture time, kind) in the order she takes them; kind: heic, landscape, other, screenshot."""
    out = []
    for day in DAYS:
        t = treated_at(day)
        for h in (-1 / 6, *AFTERS):
            hh = 5.0 if (day == LATE and h == 2.0) else h
            when = t + timedelta(hours=hh)
            kind = ("landscape" if (day == LANDSCAPE and h == 1 / 6) else
                    "other" if (day == OTHER_PHONE and h == 2.0) else
                    "screenshot" if (day == SCREENSHOT and h == 1 / 6) else "heic")
            name = {"heic": f"IMG_{when:%m%d_%H%M}.HEIC", "landscape": f"IMG_{when:%m%d_%H%M}.HEIC",
                    "other": f"PXL_{when:%Y%m%d_%H%M%S}.jpg", "screenshot": SCREENSHOT_NAME}[kind]
            out.append((day, name, when, kind))
    return out


def _pad(rgb: np.ndarray, w: int, h: int) -> np.ndarray:
    """Extend to ``w`` x ``h`` about the centre (edges replicated)."""
    import cv2
    dh, dw = h - rgb.shape[0], w - rgb.shape[1]
    return cv2.copyMakeBorder(rgb, dh // 2, dh - dh // 2, dw // 2, dw - dw // 2, cv2.BORDER_REPLICATE)


def _exif(img: Image.Image, when: datetime | None, orientation: int, make: str, model: str) -> Image.Exif:
    ex = img.getexif()
    ex[0x010F], ex[0x0110] = make, model
    if orientation != 1:
        ex[0x0112] = orientation
    if when is not None:
        ex[0x0132] = when.strftime("%Y:%m:%d %H:%M:%S")
        ex.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    return ex


def save(rgb: np.ndarray, path: Path, when: datetime, kind: str) -> None:
    import pillow_heif
    from facemetrics import simulate as sim
    pillow_heif.register_heif_opener()
    s = rgb.shape[0]
    if kind == "other":  # another phone: a JPEG, the face smaller, warmer
        rgb = sim.white_balance(sim.rescale(_pad(rgb, s, s * 4 // 3), 0.85).image).image
        img = Image.fromarray(rgb)
        img.save(path, quality=90, exif=_exif(img, when, 1, "Google", "Pixel 7"))
    elif kind == "screenshot":  # the photo on the phone's screen, screenshotted: a PNG, no EXIF
        up = Image.fromarray(_pad(rgb, s, s * 4 // 3)).resize((1170, 1560), Image.LANCZOS)
        screen = Image.new("RGB", (1170, 2532))
        screen.paste(up, (0, (2532 - 1560) // 2))
        screen.save(path)
    elif kind == "landscape":  # held sideways by mistake: a wide picture, the face upright, no turn needed
        img = Image.fromarray(_pad(rgb, s * 4 // 3, s))
        img.save(path, quality=90, exif=_exif(img, when, 1, "Apple", "iPhone 15").tobytes())
    else:  # portrait: the sensor's landscape pixels + Orientation 6 (turn 90 deg clockwise to view)
        img = Image.fromarray(np.ascontiguousarray(np.rot90(_pad(rgb, s, s * 4 // 3), 1)))
        img.save(path, quality=90, exif=_exif(img, when, 6, "Apple", "iPhone 15").tobytes())


def build(out: Path) -> None:
    d = out / "photos"
    d.mkdir(parents=True, exist_ok=True)
    face = words.Face("london_087_f31_east_asian_neutral.jpg", 59)
    rows, facts = [], []
    for day, name, when, kind in schedule():
        t = treated_at(day)
        save(face.image(truth(when)), d / name, when, kind)
        rows.append((name, "me", "refa", t.isoformat()))
        facts.append((name, day, when.isoformat(), t.isoformat(), kind, round(truth(when), 4),
                      round(truth(when) - truth(t - timedelta(minutes=10)), 4)))
    with open(out / "manifest.csv", "w", newline="") as fh:  # as she would write it: no taken_at (EXIF has it)
        w = csv.writer(fh)
        w.writerow(["photo", "subject", "treatment", "treated_at"])
        w.writerows(rows)
    with open(out / "truth.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["photo", "day", "taken_at", "treated_at", "kind", "true_lift_mm", "true_change_mm"])
        w.writerows(facts)
    print(f"{len(rows)} photos in {d}; manifest.csv and truth.csv in {out}", flush=True)


def _cli(args: list[str], log) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "facemetrics", *args], capture_output=True, text=True, env=env, cwd=ROOT)
    log.write(f"$ facemetrics {' '.join(args)}  [exit {p.returncode}]\n{p.stdout}{p.stderr}\n")


def run(out: Path) -> None:
    """``study add`` per day (the screenshot first without a time, as she would, then with ``--taken-at``) and
    ``study report``; then ``batch --manifest`` + ``timeline``; the console in ``out/console_*.txt``."""
    photos = out / "photos"
    with open(out / "console_study.txt", "w") as log:
        for day in DAYS:
            t = treated_at(day)
            mine = [str(photos / n) for d, n, _, _ in schedule() if d == day]
            p = home._run(["add", *mine, "--subject", "me", "--treatment", "refa", "--device", "ReFa",
                           "--treated-at", t.strftime("%Y-%m-%dT%H:%M")], out / "store", log)
            if day == SCREENSHOT and SCREENSHOT_NAME in p.stdout + p.stderr:
                when = t + timedelta(minutes=10)
                home._run(["add", str(photos / SCREENSHOT_NAME), "--subject", "me", "--treatment", "refa",
                           "--device", "ReFa", "--treated-at", t.strftime("%Y-%m-%dT%H:%M"),
                           "--taken-at", when.strftime("%Y-%m-%dT%H:%M")], out / "store", log)
        home._run(["list"], out / "store", log)
        home._run(["report", "--subject", "me", "-o", str(out / "study")], out / "store", log)
    with open(out / "console_batch.txt", "w") as log:
        _cli(["batch", str(photos), "--manifest", str(out / "manifest.csv"), "-o", str(out / "batch")], log)
        _cli(["timeline", str(out / "batch")], log)
    for name in ("study", "batch"):
        print(f"{name}:", *home.findings(out / name), sep="\n")


def app(out: Path, last_day: int) -> None:
    """Days 1..``last_day`` through the app's *My study* page (AppTest, a store of its own): each morning logged,
    its three photos uploaded together (the time field left as shown), the page's text after each day."""
    os.environ["FACEMETRICS_STORE"] = str(out / "app_store")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    at.text_input(key="study-new-name").input("me")
    at.button(key="study-create").click().run()
    log = []
    for day in DAYS:
        if day > last_day:
            break
        t = treated_at(day)
        toggle = [x for x in at.toggle if x.key.startswith("study-log-open")]
        if toggle and not toggle[0].value:
            toggle[0].set_value(True).run()
        at.text_input(key="study-treatment").input("refa")
        at.text_input(key="study-device").input("ReFa")
        at.text_input(key="study-treated-at").input(t.strftime("%Y-%m-%d %H:%M"))
        at.button(key="study-log").click().run()
        batch = [out / "photos" / n for d, n, _, _ in schedule() if d == day]
        up = [u for u in at.file_uploader if u.key.startswith("study-upload-")][0]
        up.set_value([(p.name, p.read_bytes(), "image/heic" if p.suffix.lower() == ".heic" else
                       "image/png" if p.suffix.lower() == ".png" else "image/jpeg") for p in batch]).run()
        before = "\n".join(home._page_texts(at))
        for c in at.checkbox:  # "Keep ... anyway": she keeps a photo the guided capture marks
            if c.key.startswith("study-insist-"):
                c.check()
        at.run()
        at.button(key="study-add").click().run()
        assert not at.exception, [e.value for e in at.exception]
        log.append(f"===== day {day}: after upload, before Add =====\n{before}\n===== day {day}: after Add =====\n"
                   + "\n".join(home._page_texts(at)))
        late = [p for p in batch if p.name == SCREENSHOT_NAME and not _stored(out / "app_store", p.name)]
        if late:  # not saved without a time of its own (since d34e61d): she types when it was taken, adds it again
            up = [u for u in at.file_uploader if u.key.startswith("study-upload-")][0]
            up.set_value([(p.name, p.read_bytes(), "image/png") for p in late]).run()
            at.text_input(key="study-taken-at").input((t + timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M")).run()
            said = "\n".join(home._page_texts(at))
            at.button(key="study-add").click().run()
            assert not at.exception, [e.value for e in at.exception]
            log.append(f"===== day {day}: the screenshot again, its time typed =====\n{said}\n===== after Add =====\n"
                       + "\n".join(home._page_texts(at)))
        print(f"app: day {day} added", flush=True)
    (out / "app_my_study.txt").write_text("\n".join(log))
    print(f"the My study page: {out / 'app_my_study.txt'}")


def _stored(store: Path, name: str) -> bool:
    """Whether the store holds a photo of that original file name."""
    from facemetrics.store import Store
    with Store(store) as s:
        p = s.photos("me")
    return bool(len(p)) and name in set(p["original_name"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to build in (outside the project)")
    ap.add_argument("--run", action="store_true", help="also run study add + report, batch + timeline")
    ap.add_argument("--app", action="store_true", help="also run the days through My study (AppTest)")
    ap.add_argument("--app-days", type=int, default=14, help="the app's run: days 1..N (default 14)")
    ap.add_argument("--no-build", action="store_true", help="use the photos already in DIR")
    args = ap.parse_args(argv)
    if not words.FACES.is_dir():
        print(f"{words.FACES}: the shared real faces are not there", file=sys.stderr)
        return 2
    if not args.no_build:
        build(args.out)
    if args.app:
        app(args.out, args.app_days)
    if args.run:
        run(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
