"""A home user's month with a microcurrent device, stop 56 (docs/validation.md §12, "Round 13").

    PYTHONPATH=. python bench/audit_home_month.py DIR                 # all three users (~10-20 min on 2 cores)
    PYTHONPATH=. python bench/audit_home_month.py DIR --users fading  # one of them
    PYTHONPATH=. python bench/audit_home_month.py DIR --build-only    # the photos and the commands, not run
    PYTHONPATH=. python bench/audit_home_month.py DIR --users fading --app   # and its week 1 in the app (AppTest)
    PYTHONPATH=. python bench/audit_home_month.py DIR --users fading --drop-before 2   # day 2's before photo forgotten

Follows a home user through the README's "Your own study" commands for four weeks: a short session most mornings
(07:30 plus a few minutes), a selfie before it (10 min before) and one or two after (10 min, some days 1 h), on some
days one at lunch (5 h) or in the evening (12 h, ``study add --follow-up``); days 6, 13, 19, 20 and 27 skipped; on
day 15 a second session in the evening (19:00); days 8 and 22 taken farther from the camera (0.8 x the face),
days 11 and 25 in dim, warm light.  Capture times are the photos' EXIF DateTimeOriginal.  ``study list`` and
``study report`` run after day 7, day 14 and day 28 (``DIR/USER/week1`` ...), each in its own store
(``DIR/USER/store``).  The photos are written in ``DIR`` (outside the project; never the shared faces' copies in
the project).

Three users, one truth each (written before the tool was run):

- **fading**: London 107 neutral with a simulated lift of 1.0 mm (``simulate.lifted_image``) that holds 2 h after
  each session, then falls linearly to 0 at 10 h (not the decay model's exponential); nothing lasts.
  Should read: the lift fades within a day (``fades_within_a_day``), or inconclusive with what is missing; no
  lasting change; the regimen flat.
- **fading_skip**: the fading user who, on each day without a session, takes a selfie at the usual morning time
  (24 h, 48 h after the last session; ``--follow-up``).  Should read as fading, with fits where fading has none.
- **placebo**: London 107 neutral as the others, no effect made.  Should read: no lift, nothing fading; no regimen
  change.
- **placebo_real**: the debruine CC0 person's real photos (poses 1-4, 30/45 cm; 60 cm on the far days), no effect
  made.  Should read: no lift, nothing fading (or photos refused as too different, each with its reason).
- **rf**: London 107 neutral with a lasting lift that builds up by 0.8/14 mm a session day to 0.8 mm at day 14 and
  stays (no within-day fading).  Should read: nothing fading (each session's change is ~0.06 mm, under the floor);
  the Regimen section sees the build-up (~0.8 mm by week 3-4).

Every photo is turned by its own roll (0.06 deg apart, within +-1.45 deg) and jittered by ``simulate.photo_jitter``\n(``DEFAULT_JITTER`` without its roll), so no two are copies.  Prints each
report's verdict rows and the lines a user reads; needs the shared faces (``FACES``, default
/work/wt/shared/faces) and exits 2 without them.
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

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 2)  # a Monday: day 1
SKIPPED = {6, 13, 19, 20, 27}
FAR = {8, 22}                  # farther from the camera: the face 0.8 x as large
DIM = {11, 25}                 # dim warm light
LUNCH = {3, 10, 17, 24}        # a photo 5 h after
EVENING = {2, 5, 9, 12, 16, 23, 26}  # a photo 12 h after, added with --follow-up
SECOND = {15: 11.5}            # a second session that day, hours after the morning one
REPORT_AFTER = {7: "week1", 14: "week2", 28: "week4"}
USERS = ("fading", "placebo", "rf", "placebo_real", "fading_skip")


def fading_mm(h: float) -> float:
    """The fading user's true lift [mm] ``h`` hours after a session: 1.0 to 2 h, linear to 0 at 10 h."""
    return 1.0 if h <= 2 else max(0.0, 1.0 * (10 - h) / 8)


def rf_mm(day: int) -> float:
    """The rf user's true lasting lift [mm] after the session of ``day`` (0.8 mm reached at day 14)."""
    return 0.8 * min(day, 14) / 14


def sessions(skip_photos: bool = False) -> list[tuple[int, float, list[float], list[float]]]:
    """(day, treated hour of day, after photos' hours, follow-up hours) of the month, in order; ``skip_photos``: on
    a day without a session, a selfie at the usual morning time, added with ``--follow-up`` (24 h, 48 h after)."""
    out = []
    for day in range(1, 29):
        if day in SKIPPED:
            continue
        at = 7.5 + (day % 4) * 0.05
        afters = [1 / 6] + ([1.0] if day % 2 == 0 else []) + ([5.0] if day in LUNCH else [])
        follow = [12.0] if day in EVENING else []
        gap = 1
        while skip_photos and day + gap in SKIPPED:
            follow.append(24.0 * gap)
            gap += 1
        out.append((day, at, afters, follow))
        if day in SECOND:
            out.append((day, at + SECOND[day], [1 / 6], []))
    return out


def _stamp(day: int, hour: float) -> datetime:
    return START + timedelta(days=day - 1, hours=hour)


def _save(rgb: np.ndarray, path: Path, when: datetime) -> None:
    img = Image.fromarray(rgb)
    exif = img.getexif()
    exif[0x0132] = when.strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    img.save(path, quality=92, exif=exif)


class _Faces:
    """The user's face on a given day: a real photo, the truth's lift, the day's distance and light, jittered."""

    def __init__(self, user: str, faces: Path, seed: int):
        import facemetrics as fm
        self.user, self.rng = user, np.random.default_rng(seed)
        if user == "placebo_real":
            names = ["pose_variation_1", "pose_variation_2", "pose_variation_3", "pose_variation_4",
                     "camera_distance_30cm", "camera_distance_45cm"]
            self.real = [np.asarray(Image.open(faces / "debruine_cc0" / f"debruine_{n}.jpg").convert("RGB"))
                         for n in names]
            self.far = np.asarray(Image.open(faces / "debruine_cc0" / "debruine_camera_distance_60cm.jpg")
                                  .convert("RGB"))
        else:
            self.base = fm.analyze_photo(faces / "london_ccby" / "london_107_f41_white_neutral.jpg")
        self._lifted: dict[float, np.ndarray] = {}
        self.count = 0

    def truth(self, day: int, h: float, treated: bool) -> float:
        """True lift [mm] at ``h`` h after the day's session (``treated`` False: the photo before it)."""
        if self.user.startswith("fading"):
            return fading_mm(h) if treated else 0.0
        if self.user == "rf":
            return rf_mm(day) if treated else rf_mm(day - 1)
        return 0.0

    def image(self, day: int, mm: float) -> np.ndarray:
        from facemetrics import simulate
        if self.user == "placebo_real":
            rgb = self.far if day in FAR else self.real[int(self.rng.integers(len(self.real)))]
        else:
            key = round(mm, 3)
            if key not in self._lifted:
                self._lifted[key] = (self.base.photo.rgb if key == 0 else simulate.lifted_image(self.base, key))
            rgb = self._lifted[key]
            if day in FAR:
                rgb = simulate.rescale(rgb, 0.8).image
        if day in DIM:
            rgb = simulate.white_balance(simulate.brightness(rgb, 0.7).image).image
        # each photo its own roll: the first -1.45 deg, the others 0.06 deg apart in +-1.38 deg (47 steps; photos 47
        # apart share one, never one photo and its own before photo or the first one): two draws of the jitter
        # closer than 0.05 deg are one picture re-saved to the copy check (simulate.DEFAULT_JITTER's note); two
        # differ by at most 2.9 deg, under the app's 3 deg guided-capture limit (capture.LIMITS), though the roll
        # it measures has an error of its own (--app: 1 of week 1's 17 photos marked "tilted sideways 3°")
        angle = -1.45 if self.count == 0 else (((self.count - 1) * 17) % 47 - 23) * 0.06
        self.count += 1
        rgb = simulate.roll(rgb, angle).image
        return simulate.photo_jitter(rgb, self.rng, dict(simulate.DEFAULT_JITTER, roll_deg=0.0))[0]


def build(user: str, out: Path, faces: Path, drop_before: tuple[int, ...] = ()) -> list[tuple[int, list[str]]]:
    """Write the user's photos in ``out/photos`` and return (day, study command arguments) in order; on the days
    ``drop_before`` the before photo is forgotten (written, not added: its session's after photos have no
    baseline; docs/validation.md §12, Round 17)."""
    photos = out / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    gen = _Faces(user, faces, seed=56 + USERS.index(user))
    commands, truth = [], []
    for day, at, afters, follow in sessions(skip_photos=user.endswith("_skip")):
        treated = _stamp(day, at)
        names = []
        before_mm = gen.truth(day, -1 / 6, False)
        for h in [-1 / 6, *afters]:
            mm = gen.truth(day, h, h >= 0)
            when = treated + timedelta(hours=h)
            name = photos / f"{user}_{when:%m%d_%H%M}.jpg"
            _save(gen.image(day, mm), name, when)
            if not (h < 0 and day in drop_before):
                names.append(str(name))
            truth.append((name.name, when.isoformat(timespec="minutes"), treated.isoformat(timespec="minutes"), mm,
                          mm - before_mm))
        commands.append((day, [*names, "--treatment", "microcurrent", "--treated-at",
                               treated.strftime("%Y-%m-%dT%H:%M"), "--device", "NuFace"]))
        for h in follow:
            when = treated + timedelta(hours=h)
            name = photos / f"{user}_{when:%m%d_%H%M}.jpg"
            _save(gen.image(day, gen.truth(day, h, True)), name, when)
            truth.append((name.name, when.isoformat(timespec="minutes"), treated.isoformat(timespec="minutes"),
                          gen.truth(day, h, True), gen.truth(day, h, True) - before_mm))
            commands.append((day, [str(name), "--follow-up"]))
    with open(out / "truth.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["photo", "taken_at", "treated_at", "true_lift_mm", "true_change_mm"])
        w.writerows(truth)
    print(f"{user}: {len(truth)} photos, {len(commands)} study add commands in {photos}", flush=True)
    return commands


def _run(args: list[str], store: Path, log) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), FACEMETRICS_STORE=str(store))
    p = subprocess.run([sys.executable, "-m", "facemetrics", "study", *args], capture_output=True, text=True,
                       env=env, cwd=ROOT)
    log.write(f"$ facemetrics study {' '.join(Path(a).name if '/' in a else a for a in args)}  [exit {p.returncode}]\n")
    log.write(p.stdout + p.stderr + "\n")
    if "Traceback" in p.stderr:
        print(f"  TRACEBACK in study {args[0]}: {p.stderr.strip().splitlines()[-1]}")
    return p


def findings(report: Path) -> list[str]:
    """The lines a user reads first: each verdict row of timeline.csv, and report.md's Regimen lines."""
    import pandas as pd
    lines = []
    tl = report / "timeline.csv"
    if tl.is_file():
        t = pd.read_csv(tl)
        keep = [c for c in ("kind", "metric", "side", "verdict", "n_photos", "half_life_h", "lasting",
                            "reason") if c in t.columns]
        for _, r in t[keep].iterrows():
            lines.append("  " + " | ".join(f"{c}={str(r[c])[:160]}" for c in keep))
    md = report / "report.md"
    if md.is_file():
        text = md.read_text()
        at = text.find("## Regimen")
        lines.append("  report.md Regimen: " + (text[at:at + 600].replace("\n", " / ") if at >= 0 else "(none)"))
    return lines


def truth_check(out: Path, report: Path) -> list[str]:
    """Measured jawline lift against the truth, and the fit the follow-on rule would have let through."""
    import pandas as pd
    from facemetrics.decay.claim import analyze_series
    long = report / "long.csv"
    if not long.is_file():
        return []
    lg = pd.read_csv(long)
    jaw = lg[(lg.metric == "jawline_lift_mm") & (lg.side == "mean")]
    truth = pd.read_csv(out / "truth.csv")
    # the change from the before photo of the row's session (a next session's before photo is a row of the earlier
    # session since Round 14: its truth is its lift less that session's before photo's, not its own session's 0)
    truth["at"] = pd.to_datetime(truth["treated_at"])
    base = (truth["true_lift_mm"] - truth["true_change_mm"]).groupby(truth["at"]).first().rename("base_mm")
    both = jaw[jaw.verdict != "uncertain"].merge(truth[["photo", "true_lift_mm"]], on="photo")
    both = both.merge(base, left_on=pd.to_datetime(both["treated_at"]), right_index=True, how="left")
    both["true_change_mm"] = both["true_lift_mm"] - both["base_mm"]
    err = (both["value"] - both["true_change_mm"]).abs()
    lines = [f"  jawline_lift_mm (mean) of {len(both)} after photos read (not 'uncertain') vs truth: median |error| "
             f"{err.median():.2f} mm, max {err.max():.2f} mm; {int((jaw.verdict == 'uncertain').sum())} more read "
             "'uncertain'"]
    every = lg[lg.metric == "jawline_lift_mm"].copy()
    every["subject"] = every["subject"] + "@" + every["treated_at"].astype(str)  # each session a first session
    for f in analyze_series(every, per_subject=False, n_boot=200).fits:
        if f.side == "mean":
            lines.append(f"  without the follow-on rule (each session fitted as a first one): {f.verdict}, "
                         f"{f.n_photos} photos, change at 24 h {f.change_24h:.2f} mm, lasting {f.lasting:.2f} mm, "
                         f"half-life {f.half_life_h:.1f} h")
    return lines


def run(user: str, out: Path, commands) -> None:
    store = out / "store"
    with open(out / "console.txt", "w") as log:
        for i, (day, args) in enumerate(commands):
            _run(["add", *args, "--subject", user], store, log)
            last = i + 1 == len(commands) or commands[i + 1][0] != day
            if last and day in REPORT_AFTER:
                name = REPORT_AFTER[day]
                _run(["list"], store, log)
                _run(["report", "--subject", user, "-o", str(out / name)], store, log)
                print(f"{user} after day {day} ({name}):")
                print("\n".join(findings(out / name) + truth_check(out, out / name)), flush=True)


def _page_texts(at) -> list[str]:
    return [f"[{kind}] {e.value}" for kind in ("subheader", "markdown", "caption", "info", "warning", "error", "success")
            for e in getattr(at, kind)]


def _app_add(at, day: int, batch: list[Path]) -> None:
    """Upload ``batch`` to the session chosen (the latest), keep a photo the guided capture marks, add it."""
    up = [u for u in at.file_uploader if u.key.startswith("study-upload-")][0]
    up.set_value([(p.name, p.read_bytes(), "image/jpeg") for p in batch]).run()
    for c in at.checkbox:  # "Keep ... anyway": the user keeps a photo the guided capture marked
        if c.key.startswith("study-insist-"):
            print(f"  day {day}: marked: " + "; ".join(t for t in _page_texts(at) if "retake it" in t)[:300])
            c.check()
    at.run()
    at.button(key="study-add").click().run()
    assert not at.exception, [e.value for e in at.exception]


def app_week(user: str, out: Path, last_day: int = 7) -> None:
    """The user's first ``last_day`` days through the app's *My study* page (AppTest; a store of its own,
    ``out/app_store``): log each session, upload its photos and the follow-ups, then print the page."""
    os.environ["FACEMETRICS_STORE"] = str(out / "app_store")
    from streamlit.testing.v1 import AppTest

    photos = out / "photos"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    at.text_input(key="study-new-name").input(user)
    at.button(key="study-create").click().run()
    for day, hour, afters, follow in sessions(skip_photos=user.endswith("_skip")):
        if day > last_day:
            break
        treated = _stamp(day, hour)
        toggle = [t for t in at.toggle if t.key.startswith("study-log-open")]
        if toggle and not toggle[0].value:
            toggle[0].set_value(True).run()
        at.text_input(key="study-treatment").input("microcurrent")
        at.text_input(key="study-device").input("NuFace")
        at.text_input(key="study-treated-at").input(treated.strftime("%Y-%m-%d %H:%M"))
        at.button(key="study-log").click().run()
        name = lambda h: photos / f"{user}_{treated + timedelta(hours=h):%m%d_%H%M}.jpg"  # noqa: E731
        for batch in [[name(h) for h in [-1 / 6, *afters]]] + [[name(h)] for h in follow]:
            _app_add(at, day, batch)
    print(f"{user}: the My study page after day {last_day}:")
    print("\n".join("  " + t[:1500] for t in _page_texts(at)), flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to build the month in (outside the project)")
    ap.add_argument("--users", nargs="+", choices=USERS, default=list(USERS))
    ap.add_argument("--build-only", action="store_true", help="write the photos and truth.csv, run nothing")
    ap.add_argument("--app", action="store_true",
                    help="also run each user's first week through the app's My study page (AppTest; slow, ~10 min)")
    ap.add_argument("--drop-before", type=int, nargs="+", default=[], metavar="DAY",
                    help="days whose before photo the user forgot (not added; its after photos are)")
    ap.add_argument("--faces", type=Path, default=Path(os.environ.get("FACES", "/work/wt/shared/faces")))
    args = ap.parse_args(argv)
    if not (args.faces / "debruine_cc0").is_dir():
        print(f"{args.faces}: the shared real faces are not there", file=sys.stderr)
        return 2
    for user in args.users:
        out = args.out / user
        commands = build(user, out, args.faces, tuple(args.drop_before))
        if not args.build_only:
            run(user, out, commands)
            if args.app:
                app_week(user, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
