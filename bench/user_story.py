"""A user's week of microcurrent and month of RF through the CLI, against a known truth (stop 62, h5).

    PYTHONPATH=. python bench/user_story.py DIR                # build, run the CLI, print truth beside each read
    PYTHONPATH=. python bench/user_story.py DIR --build-only   # the photos only
    PYTHONPATH=. python bench/user_story.py DIR --read-only    # print the reads of an earlier run

Built from the project's own sample photo (``sample_images/astronaut_before.jpg``, reduced to 800 px as ``demo``
does) and :mod:`facemetrics.simulate`'s transforms; nothing from ``../shared``.  Every photo is re-rendered at its
own hand-held head pose and camera distance (``study.DEFAULT_POSE``) and jittered (``simulate.DEFAULT_JITTER``).
The truth, written before the tool was run:

- **mc** (microcurrent, ``study add``): sessions on days 1, 3, 5 and 8 at about 08:00; a before photo 10 min before,
  after photos at 0 (5 min), 1, 3 and 6 h, and one at 24 h (``--follow-up``).  The lift is 1.2 mm just after a
  session falling *linearly* to 0 at 8 h (half of it at 4 h: not the decay model's exponential) and nothing
  lasts.  Capture times: EXIF, except day 3's photos (only in the file name, ``IMG_YYYYMMDD_HHMMSS.jpg``) and one
  photo (day 5, 3 h) with no time at all, added once without ``--taken-at`` (it should be refused with what to do)
  and then with it.  Should read: ``fades_within_a_day`` (or inconclusive with what is missing); any half-life
  between the exponential that matches 0-6 h (about 3-5 h) is honest; no lasting change; regimen flat.
- **rf** (RF, ``study import`` of a batch folder with a manifest): sessions on days 1, 8, 15, 22 at 18:00; a
  before photo 15 min before, after photos at 0.25 h and 24 h; each session adds 0.4 mm that lasts (1.6 mm after
  four).  Should read: ``persists_beyond_a_day`` for the first session (0.4 mm at 24 h, or inconclusive: 0.4 mm is
  near the margin), later sessions follow-on (their before photo carries the earlier lift), and the regimen a
  build-up of about 0.4 mm a week (1.2 mm at day 21, the last before photo).

Prints each fit's verdict row with the truth beside it; writes ``DIR/truth.csv``.
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

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 2)  # a Monday: day 1
MC_DAYS = (1, 3, 5, 8)
MC_PEAK_MM, MC_ZERO_H = 1.2, 8.0
MC_AFTER_H = (5 / 60, 1.0, 3.0, 6.0)
NAME_ONLY_DAY = 3              # photos timed by the file name only
NO_TIME = (5, 3.0)             # the photo with no time at all
RF_DAYS = (1, 8, 15, 22)
RF_STEP_MM = 0.4


def mc_mm(h: float) -> float:
    """The microcurrent truth [mm] ``h`` hours after a session: 1.2 mm at 0 falling linearly to 0 at 8 h."""
    return 0.0 if h < 0 else MC_PEAK_MM * max(0.0, 1.0 - h / MC_ZERO_H)


def rf_mm(n_sessions: int) -> float:
    """The RF truth [mm] after ``n_sessions`` sessions: 0.4 mm each, lasting."""
    return RF_STEP_MM * n_sessions


def _exp_fit_truth() -> tuple[float, float]:
    """The least-squares exponential (no lasting part) through the truth at the after photos' times: the
    (peak [mm], half-life [h]) an honest fit of this design would approach."""
    from scipy.optimize import curve_fit
    t = np.array([*MC_AFTER_H, 24.0])
    y = np.array([mc_mm(h) for h in t])
    (a, hl), _ = curve_fit(lambda x, a, hl: a * 0.5 ** (x / hl), t, y, p0=(1.2, 4.0))
    return float(a), float(hl)


class _Maker:
    def __init__(self, seed: int):
        from facemetrics import study
        self.study = study
        self.base = study._base_analysis(ROOT / "sample_images" / "astronaut_before.jpg", 800, "astronaut.png")
        self.rng = np.random.default_rng(seed)
        self._lifted: dict[float, np.ndarray] = {}
        self.pose: dict[str, dict] = {}  # photo name -> its pose truth (pose_pitch_deg, pose_yaw_deg, camera_mm)

    def image(self, mm: float) -> tuple[np.ndarray, dict]:
        from facemetrics import simulate
        key = round(mm, 3)
        if key not in self._lifted:
            self._lifted[key] = self.study._lift(self.base, key)
        rgb, pose = self.study._posed(self.base, self._lifted[key], self.rng, self.study.DEFAULT_POSE)
        return simulate.photo_jitter(rgb, self.rng, simulate.DEFAULT_JITTER)[0], pose

    def save(self, mm: float, path: Path, when: datetime | None) -> None:
        from PIL import Image
        path.parent.mkdir(parents=True, exist_ok=True)
        rgb, self.pose[path.name] = self.image(mm)
        img = Image.fromarray(rgb)
        if when is None:
            img.save(path, quality=92)
        else:
            exif = Image.Exif()
            exif.get_ifd(0x8769)[36867] = when.strftime("%Y:%m:%d %H:%M:%S")
            img.save(path, quality=92, exif=exif)


def build_mc(out: Path, mk: _Maker, truth: list) -> list[list[str]]:
    """Write mc's photos in ``out/mc``; return the ``study add`` argument lists in order."""
    cmds = []
    for day in MC_DAYS:
        treated = START + timedelta(days=day - 1, hours=8, minutes=(day * 7) % 13)
        names, later = [], []
        for h in (-1 / 6, *MC_AFTER_H, 24.0):
            when = treated + timedelta(hours=h, minutes=float(mk.rng.uniform(-4, 4)) if h >= 1 else 0)
            hh = (when - treated).total_seconds() / 3600
            mm = mc_mm(hh)
            if (day, h) == NO_TIME:
                path, stamp = out / "mc" / "mc_photo_no_time.jpg", None
            elif day == NAME_ONLY_DAY:
                path, stamp = out / "mc" / f"IMG_{when:%Y%m%d_%H%M%S}.jpg", None
            else:
                path, stamp = out / "mc" / f"mc_{when:%m%d_%H%M}.jpg", when
            mk.save(mm, path, stamp)
            truth.append(("mc", "microcurrent", path.name, when.isoformat(timespec="minutes"),
                          treated.isoformat(timespec="minutes"), round(hh, 3), round(mm, 3), round(mm, 3)))
            if (day, h) == NO_TIME:  # once as is (to be refused), then with --taken-at
                later += [[str(path), "--follow-up"],
                          [str(path), "--follow-up", "--taken-at", when.strftime("%Y-%m-%dT%H:%M")]]
            elif h == 24.0:
                later.append([str(path), "--follow-up"])
            else:
                names.append(str(path))
        cmds.append([*names, "--treatment", "microcurrent", "--treated-at", treated.strftime("%Y-%m-%dT%H:%M"),
                     "--device", "NuFace"])
        cmds += later
    return cmds


def build_rf(out: Path, mk: _Maker, truth: list) -> Path:
    """Write rf's photos and ``manifest.csv`` in ``out/rf`` (a batch folder); return the manifest."""
    rows = []
    for k, day in enumerate(RF_DAYS):
        treated = START + timedelta(days=day - 1, hours=18)
        for h, n in ((-0.25, k), (0.25, k + 1), (24.0, k + 1)):
            when = treated + timedelta(hours=h)
            path = out / "rf" / f"rf_{when:%Y%m%d_%H%M}.jpg"
            mk.save(rf_mm(n), path, when)
            rows.append((path.name, "rf_user", "rf", when.strftime("%Y-%m-%dT%H:%M"),
                         treated.strftime("%Y-%m-%dT%H:%M")))
            truth.append(("rf_user", "rf", path.name, when.isoformat(timespec="minutes"),
                          treated.isoformat(timespec="minutes"), h, rf_mm(n), rf_mm(n) - rf_mm(k)))
    man = out / "rf" / "manifest.csv"
    with open(man, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["photo", "subject", "treatment", "taken_at", "treated_at"])
        w.writerows(rows)
    return man


def _cli(args: list[str], store: Path, log) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), FACEMETRICS_STORE=str(store), COLUMNS="120")
    p = subprocess.run([sys.executable, "-m", "facemetrics", *args], capture_output=True, text=True, env=env,
                       cwd=ROOT)
    log.write(f"$ facemetrics {' '.join(Path(a).name if '/' in a else a for a in args)}  [exit {p.returncode}]\n")
    log.write(p.stdout + p.stderr + "\n")
    log.flush()
    if "Traceback" in p.stderr:
        print(p.stderr[-3000:], file=sys.stderr)
    return p


def run(out: Path, mc_cmds: list[list[str]], manifest: Path) -> None:
    store = out / "store"
    with open(out / "console.txt", "w") as log:
        for c in mc_cmds:
            _cli(["study", "add", *c, "--subject", "mc"], store, log)
        _cli(["study", "import", str(manifest.parent), "--manifest", str(manifest)], store, log)
        for subj in ("mc", "rf_user"):
            _cli(["study", "report", "--subject", subj, "-o", str(out / f"report_{subj}")], store, log)
        _cli(["batch", str(manifest.parent), "--manifest", str(manifest), "-o", str(out / "batch_rf")], store, log)
        _cli(["timeline", str(out / "batch_rf")], store, log)


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


TRUTH = {
    ("mc", "decay"): "truth: fades_within_a_day; lift 1.2 mm at 0 h, 0 from 8 h (half at 4 h); 0 at 24 h",
    ("rf_user", "decay"): "truth: persists_beyond_a_day; 0.4 mm a session, lasting (24 h: 0.4 mm)",
    ("mc", "regimen"): "truth: no build-up (0 mm/week)",
    ("rf_user", "regimen"): "truth: 0.4 mm/week (day 7: 0.4, day 14: 0.8, day 21: 1.2 mm)",
}


def read(out: Path) -> None:
    a, hl = _exp_fit_truth()
    print(f"exponential through mc's truth at its photo times: peak {a:.2f} mm, half-life {hl:.2f} h")
    for subj in ("mc", "rf_user"):
        rows = _rows(out / f"report_{subj}" / "timeline.csv")
        print(f"\n== {subj}: {len(rows)} rows of report_{subj}/timeline.csv")
        for r in rows:
            if r.get("side") not in ("", "both", "mean", None) or r.get("subject"):
                continue
            kind = r.get("kind") or "decay"
            if kind == "decay":
                print(f"  {r['metric']:<14} {r['verdict']:<24} n={r['n_photos']:>3} peak {r['peak_change']} "
                      f"[{r['peak_change_ci_low']}, {r['peak_change_ci_high']}] hl {r['half_life_h']} "
                      f"[{r['half_life_h_ci_low']}, {r['half_life_h_ci_high']}] h 24h {r['change_24h']} "
                      f"[{r['change_24h_ci_low']}, {r['change_24h_ci_high']}] {r['unit']}")
            else:
                keys = [k for k in r if k.startswith(("slope", "change_day", "day_n"))]
                print(f"  regimen {r['metric']:<14} {r['verdict']:<24} n={r['n_photos']:>3} "
                      + " ".join(f"{k}={r[k]}" for k in keys if r[k]))
        print("  " + TRUTH[(subj, "decay")] + "\n  " + TRUTH[(subj, "regimen")])


def pose_check(out: Path) -> None:
    """Each comparison's measured pitch, yaw and distance change beside the rendered truth (after - before), and
    whether its sign (the words "chin raised", "the subject's left", "closer") is right."""
    truth = {r["photo"]: r for r in _rows(out / "truth.csv")}
    n = wrong = 0
    for path in sorted(out.glob("report_*/changes.csv")) + sorted(out.glob("report_*/regimen/changes.csv")):
        for r in _rows(path):
            a, b = truth.get(r["photo"]), truth.get(r["baseline_photos"].split(";")[0].strip())
            if a is None or b is None or not r["head_yaw_change_deg"]:
                continue
            for col, key, scale in (("head_pitch_change_deg", "pitch_deg", 1.0), ("head_yaw_change_deg", "yaw_deg", 1.0),
                                    ("camera_distance_change_pct", "camera_mm", None)):
                got = float(r[col])
                want = (float(a[key]) - float(b[key]) if scale else 100 * (float(a[key]) / float(b[key]) - 1))
                n += 1
                if abs(want) > 1.0 and np.sign(got) != np.sign(want):
                    wrong += 1
                    print(f"  pose sign wrong: {r['photo']} vs {b['photo']}: {col} {got:+.1f}, truth {want:+.1f}")
    print(f"pose changes read: {n}, of them with the wrong sign (truth beyond 1): {wrong}")


def app_read(out: Path) -> None:
    """The app's *My study* page on the store the CLI filled (``streamlit run app.py`` with FACEMETRICS_STORE,
    Playwright in Debian's Chromium, as tests/test_app_study_browser.py drives it): each subject's page text is
    written to ``DIR/app_SUBJECT.txt``."""
    sys.path.insert(0, str(ROOT / "tests"))
    import browsing
    from playwright.sync_api import sync_playwright
    with browsing.running_app(out, {"FACEMETRICS_STORE": str(out / "store")}) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=browsing.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        browsing.open_app(page, url)
        page.locator("[data-testid=stRadio] label", has_text="My study").click(timeout=30_000)
        page.get_by_role("heading", name="My study").wait_for(timeout=60_000)
        for subj in ("mc", "rf_user"):
            box = page.locator("[data-testid=stSelectbox]").filter(has_text="Subject").first
            browsing.wait_settled(page, 300_000)
            if subj not in box.inner_text():
                box.click()
                page.get_by_role("option", name=subj, exact=True).click()
            page.get_by_text(f"{subj}: ", exact=False).first.wait_for(timeout=60_000)
            browsing.wait_current(page.get_by_text("after each session"), 300_000)
            browsing.wait_settled(page, 300_000)
            text = page.locator("[data-testid=stMain]").inner_text()
            (out / f"app_{subj}.txt").write_text(text)
            page.screenshot(path=str(out / f"app_{subj}.png"), full_page=True)
            print(f"app: {subj}: {len(text)} characters of page text in {out / f'app_{subj}.txt'}", flush=True)
        browser.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--read-only", action="store_true")
    ap.add_argument("--seed", type=int, default=62)
    ap.add_argument("--app", action="store_true", help="also read each subject's My study page (Chromium)")
    a = ap.parse_args(argv)
    if not a.read_only:
        a.out.mkdir(parents=True, exist_ok=True)
        mk, truth = _Maker(a.seed), []
        mc_cmds = build_mc(a.out, mk, truth)
        manifest = build_rf(a.out, mk, truth)
        with open(a.out / "truth.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["subject", "treatment", "photo", "taken_at", "treated_at", "hours_since_treatment",
                        "true_lift_mm", "true_change_mm", "pitch_deg", "yaw_deg", "camera_mm"])
            w.writerows([*r, *(round(mk.pose[r[2]][k], 3) for k in ("pose_pitch_deg", "pose_yaw_deg", "camera_mm"))]
                        for r in truth)
        print(f"{len(truth)} photos in {a.out}", flush=True)
        if a.build_only:
            return 0
        run(a.out, mc_cmds, manifest)
    read(a.out)
    pose_check(a.out)
    if a.app:
        app_read(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
