"""Round 19 (stop 58, g4; docs/validation.md section 12): a clinic RF patient's six weeks, read as the patient reads it.

    PYTHONPATH=. python bench/audit_clinic_rf_s58.py DIR            # the photos, manifest.csv and truth.csv in DIR
    PYTHONPATH=. python bench/audit_clinic_rf_s58.py DIR --run      # and batch + timeline, study add + study report
    PYTHONPATH=. python bench/audit_clinic_rf_s58.py DIR --run --app  # and the app's My study page (AppTest)

The patient: London 107 neutral (the shared faces; exits 2 without them), radiofrequency at the clinic, said to
tighten over days to weeks.  Treatment 1 on 2026-11-02 10:00: a photo before (09:45) and right after (10:10) on
the clinic's fixed camera; a phone selfie at home 1 day and 3 days later (evening, warm light, closer: 1.15 x the
face); the clinic at 1 week; at 2 weeks the clinic's before photo of treatment 2 (2026-11-16 10:00) and one right
after it; a home selfie 3 days after treatment 2; the clinic at 4 and 6 weeks (2 and 4 weeks after treatment 2).
Truth (written before the tool was run): each treatment adds a swelling-like lift of 0.4 mm halving every 6 h and a
tightening that builds to 0.6 mm (1 - exp(-t / 7 days)); treatment 2's adds to treatment 1's.  So the change from
treatment 1's before photo is 0.40 mm at 10 min, 0.12 mm at 1 day, 0.21 mm at 3 days, 0.38 mm at 1 week, 0.52 mm at 2
weeks, then (treatment 2) about 1.3 mm at 4 weeks and 1.5 mm at 6 weeks; against treatment 2's before photo, 0.4 mm
right after, 0.42 mm at 2 weeks, 0.54 mm at 4 weeks (plus treatment 1's still growing 0.02-0.06 mm).

Photos are made as Round 18's were (``bench/audit_words_s57.py``'s ``Face``: ``simulate.lifted_image``, a roll of
its own, ``simulate.photo_jitter``; JPEG 92 with the EXIF capture time), the home selfies also rescaled and in warm,
dim light (``simulate.rescale``, ``brightness``, ``white_balance``, as ``bench/audit_home_month.py``'s far and dim
days); the study commands and the app run through ``audit_home_month``'s ``_run``, ``findings`` and ``_app_add``.
Written outside the project.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import audit_home_month as home  # noqa: E402  (the study commands' runner, the report's lines, the app's upload)
import audit_words_s57 as words  # noqa: E402  (the face, its jitter and roll, the JPEG with its EXIF time)

ROOT = Path(__file__).resolve().parents[1]
T1, T2 = datetime(2026, 11, 2, 10, 0), datetime(2026, 11, 16, 10, 0)
#: (file name, capture time, treatment it belongs to, where): in the order the patient took them
PHOTOS = [("t1_before_clinic.jpg", T1 - timedelta(minutes=15), T1, "clinic"),
          ("t1_after_clinic.jpg", T1 + timedelta(minutes=10), T1, "clinic"),
          ("day1_home.jpg", T1 + timedelta(hours=1 * 24 + 10), T1, "home"),
          ("day3_home.jpg", T1 + timedelta(hours=3 * 24 + 10), T1, "home"),
          ("week1_clinic.jpg", T1 + timedelta(days=7, minutes=5), T1, "clinic"),
          ("t2_before_clinic.jpg", T2 - timedelta(minutes=15), T2, "clinic"),
          ("t2_after_clinic.jpg", T2 + timedelta(minutes=10), T2, "clinic"),
          ("t2_day3_home.jpg", T2 + timedelta(hours=3 * 24 + 10), T2, "home"),
          ("week4_clinic.jpg", T2 + timedelta(days=14, minutes=5), T2, "clinic"),
          ("week6_clinic.jpg", T2 + timedelta(days=28, minutes=5), T2, "clinic")]


def one_treatment(h: float) -> float:
    """True lift [mm] ``h`` hours after one treatment (0 before it)."""
    if h < 0:
        return 0.0
    return 0.4 * 2 ** (-h / 6.0) + 0.6 * (1 - math.exp(-h / (7 * 24.0)))


def truth(when: datetime) -> float:
    """True lift [mm] at ``when`` against the face before treatment 1."""
    return sum(one_treatment((when - t).total_seconds() / 3600.0) for t in (T1, T2))


def build(out: Path) -> None:
    from facemetrics import simulate as sim

    d = out / "photos"
    d.mkdir(parents=True, exist_ok=True)
    face = words.Face("london_107_f41_white_neutral.jpg", 58)
    rows, facts = [], []
    for name, when, treated, where in PHOTOS:
        rgb = face.image(truth(when))
        if where == "home":  # the phone at arm's length in the evening: closer, warm and dimmer
            rgb = sim.white_balance(sim.brightness(sim.rescale(rgb, 1.15).image, 0.75).image).image
        words.save(rgb, d / name, when)
        rows.append((name, "patient", "rf", when.isoformat(), treated.isoformat()))
        base = truth(treated - timedelta(minutes=15))
        facts.append((name, when.isoformat(), treated.isoformat(), where, round(truth(when), 3),
                       round(truth(when) - base, 3)))
    with open(out / "manifest.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["photo", "subject", "treatment", "taken_at", "treated_at"])
        w.writerows(rows)
    with open(out / "truth.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["photo", "taken_at", "treated_at", "where", "true_lift_mm", "true_change_mm"])
        w.writerows(facts)
    print(f"{len(rows)} photos in {d}; manifest.csv and truth.csv in {out}")


def _cli(args: list[str], log) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "facemetrics", *args], capture_output=True, text=True, env=env, cwd=ROOT)
    log.write(f"$ facemetrics {' '.join(args)}  [exit {p.returncode}]\n{p.stdout}{p.stderr}\n")


def run(out: Path) -> None:
    """``batch`` + ``timeline`` of the manifest (``out/batch``), then ``study add`` per visit and ``study report``
    (``out/store``, ``out/study``); the console in ``out/console_batch.txt`` and ``out/console_study.txt``."""
    photos = out / "photos"
    with open(out / "console_batch.txt", "w") as log:
        _cli(["batch", str(photos), "--manifest", str(out / "manifest.csv"), "-o", str(out / "batch")], log)
        _cli(["timeline", str(out / "batch")], log)
    with open(out / "console_study.txt", "w") as log:
        for treated in (T1, T2):
            mine = [str(photos / n) for n, _, t, _ in PHOTOS if t == treated]
            home._run(["add", *mine, "--subject", "patient", "--treatment", "rf", "--treated-at",
                       treated.strftime("%Y-%m-%dT%H:%M")], out / "store", log)
        home._run(["list"], out / "store", log)
        home._run(["report", "--subject", "patient", "-o", str(out / "study")], out / "store", log)
    for name in ("batch", "study"):
        print(f"{name}:", *home.findings(out / name), sep="\n")


def app(out: Path) -> None:
    """The same two visits through the app's *My study* page (AppTest, a store of its own): the page's text."""
    os.environ["FACEMETRICS_STORE"] = str(out / "app_store")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    at.text_input(key="study-new-name").input("patient")
    at.button(key="study-create").click().run()
    for treated in (T1, T2):
        toggle = [t for t in at.toggle if t.key.startswith("study-log-open")]
        if toggle and not toggle[0].value:
            toggle[0].set_value(True).run()
        at.text_input(key="study-treatment").input("rf")
        at.text_input(key="study-treated-at").input(treated.strftime("%Y-%m-%d %H:%M"))
        at.button(key="study-log").click().run()
        home._app_add(at, treated.day, [out / "photos" / n for n, _, t, _ in PHOTOS if t == treated])
    text = "\n".join(home._page_texts(at))
    (out / "app_my_study.txt").write_text(text)
    print(f"the My study page: {len(text)} characters in {out / 'app_my_study.txt'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to build in (outside the project)")
    ap.add_argument("--run", action="store_true", help="also run batch + timeline and study add + study report")
    ap.add_argument("--app", action="store_true", help="also run the two visits through My study (AppTest)")
    args = ap.parse_args(argv)
    if not words.FACES.is_dir():
        print(f"{words.FACES}: the shared real faces are not there", file=sys.stderr)
        return 2
    build(args.out)
    if args.run:
        run(args.out)
    if args.app:
        app(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
