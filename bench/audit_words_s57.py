"""Round 18 (stop 57, f1; docs/validation.md section 12): this stop's new words read as a user reads them.

    PYTHONPATH=. python bench/audit_words_s57.py home DIR     # the home user: DIR/home (photos + manifest.csv)
    PYTHONPATH=. python bench/audit_words_s57.py clinic DIR   # the clinic: DIR/clinic/S1..S3 (photos + manifest.csv)

Then, as the round ran them: ``facemetrics compare DIR/home/s1_before.jpg DIR/home/s1_after_10min.jpg``,
``facemetrics batch DIR/home --manifest DIR/home/manifest.csv -o OUT`` + ``facemetrics timeline OUT`` (and the same
for the clinic), ``facemetrics study add`` of the home photos session by session and ``study report``.

- home: London 107 neutral (the shared faces; exits 2 without them).  Session 1 (2026-11-02 07:30): before photo, after
  photos at 10 min (lit from 40 deg by a window: ``simulate.relit``), 1, 5, 12, 24, 48 and 96 h; session 2 a week
  later, its before photo forgotten (after photos at 10 min, 1 and 5 h); session 3 the next day (before, 10 min,
  1 h, 5 h).  Truth: a lift of 1.0 mm halving every 3 h, then a dip 0.5 mm below the before photos at 48 h
  (gaussian, 16 h wide), gone by 96 h (``simulate.lifted_image`` with a negative lift).
- clinic: London 003, 021 and 062 neutral, one rf session each (a day apart): before, 10 min, 1, 5, 24, 48 h, the
  same lift (nothing at 48 h); S2's 10 min and 1 h photos lit from -30 deg.

Every photo is rolled (0.06 deg steps) and jittered (``simulate.photo_jitter``, ``DEFAULT_JITTER`` without its roll),
saved as JPEG 92 with its EXIF capture time; written outside the project.
"""
import csv, sys
from datetime import datetime, timedelta
from pathlib import Path
import numpy as np
from PIL import Image
import facemetrics as fm
from facemetrics import simulate as sim

FACES = next((p / "london_ccby" for p in (Path(__file__).resolve().parents[2] / "shared" / "faces",
                                         Path("/work/wt/shared/faces"), Path("/work/shared/faces")) if p.is_dir()),
             Path("/nonexistent"))
OUT = Path(".")
START = datetime(2026, 11, 2, 7, 30)

def save(rgb, path, when):
    img = Image.fromarray(rgb); exif = img.getexif()
    exif[0x0132] = when.strftime("%Y:%m:%d %H:%M:%S"); exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    path.parent.mkdir(parents=True, exist_ok=True); img.save(path, quality=92, exif=exif)

def truth(h):
    if h < 0: return 0.0
    if h >= 40: return -0.5 * np.exp(-((h - 48) / 16) ** 2)  # a dip below the before photos at 48 h, gone by 96 h
    return 1.0 * 2 ** (-h / 3.0)

class Face:
    def __init__(self, name, seed):
        self.base = fm.analyze_photo(FACES / name); self.rng = np.random.default_rng(seed); self.n = 0
    def image(self, mm, side_light=0.0):
        rgb = self.base.photo.rgb if abs(mm) < 1e-3 else sim.lifted_image(self.base, round(mm, 3))
        if side_light:
            a = fm.analyze_photo(rgb); rgb = sim.relit(a, side_light).image
        ang = (((self.n * 17) % 47) - 23) * 0.06 or 0.5; self.n += 1
        rgb = sim.roll(rgb, ang).image
        return sim.photo_jitter(rgb, self.rng, dict(sim.DEFAULT_JITTER, roll_deg=0.0))[0]

def home():
    d = OUT / "home"; f = Face("london_107_f41_white_neutral.jpg", 1); rows = []
    sessions = [START, START + timedelta(days=7), START + timedelta(days=8)]
    for i, tr in enumerate(sessions):
        if i != 1:  # the second session's before selfie forgotten
            p = d / f"s{i+1}_before.jpg"; save(f.image(0.0), p, tr - timedelta(minutes=10)); rows.append((p, tr, tr - timedelta(minutes=10)))
        hs = [1/6, 1, 5] + ([12, 24, 48, 96] if i == 0 else [])
        for h in hs:
            side = 40.0 if (i == 0 and h == 1/6) else 0.0   # the window selfie
            p = d / f"s{i+1}_after_{h:g}h.jpg".replace("0.166667h", "10min")
            save(f.image(truth(h), side), p, tr + timedelta(hours=h)); rows.append((p, tr, tr + timedelta(hours=h)))
    with open(d / "manifest.csv", "w", newline="") as fh:
        w = csv.writer(fh); w.writerow(["photo", "subject", "treatment", "taken_at", "treated_at"])
        for p, tr, at in rows:
            w.writerow([p.name, "me", "microcurrent", at.isoformat(), tr.isoformat()])

def clinic():
    d = OUT / "clinic"; rows = []
    for s, (name, seed) in enumerate([("london_003_f38_white_neutral.jpg", 3), ("london_021_m48_white_neutral.jpg", 4),
                                      ("london_062_f30_black_neutral.jpg", 5)]):
        f = Face(name, seed); tr = START + timedelta(days=s)
        p = d / f"S{s+1}" / "before.jpg"; save(f.image(0.0), p, tr - timedelta(minutes=10)); rows.append((p, f"S{s+1}", tr, tr - timedelta(minutes=10)))
        for h in [1/6, 1, 5, 24, 48]:
            side = -30.0 if (s == 1 and h < 2) else 0.0   # S2's session-day photos by the treatment room's window
            p = d / f"S{s+1}" / f"after_{h:g}h.jpg"
            save(f.image(truth(h) if h < 40 else 0.0, side), p, tr + timedelta(hours=h)); rows.append((p, f"S{s+1}", tr, tr + timedelta(hours=h)))
    with open(d / "manifest.csv", "w", newline="") as fh:
        w = csv.writer(fh); w.writerow(["photo", "subject", "treatment", "taken_at", "treated_at"])
        for p, s, tr, at in rows:
            w.writerow([str(p.relative_to(d)), s, "rf", at.isoformat(), tr.isoformat()])

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("home", "clinic"):
        sys.exit(__doc__)
    if not FACES.is_dir():
        sys.exit(2)
    OUT = Path(sys.argv[2])
    {"home": home, "clinic": clinic}[sys.argv[1]]()
