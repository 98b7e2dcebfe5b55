"""A first-time user's CLI session on a phone-like folder: what trips them (docs/validation.md §12).

    PYTHONPATH=. python bench/audit_first_user.py              # builds the folder in a temp dir (~1-3 min)
    PYTHONPATH=. python bench/audit_first_user.py --keep DIR   # ... in DIR, kept for a look
    PYTHONPATH=. python bench/audit_first_user.py --round2     # round 2's checks alone

Builds "their" photos from the bundled sample pair (``sample_images/``; no shared face is copied): HEIC
with EXIF Orientation 6 and 8 and DateTimeOriginal, a JPEG turned 90 deg with Orientation 6 and an
OffsetTimeOriginal of +01:00, a 48 MP JPEG (6000 x 8000), a PNG with alpha, a screenshot with status and
navigation bars, a WhatsApp-style copy (960 x 1200, quality 60, no EXIF), file names with spaces, accents,
CJK and dates, one sub-folder per day, a byte-identical duplicate, a truncated JPEG, a CMYK JPEG, a JPEG
named .heic and a HEIC named .jpg, a camera clock reset to 2000-01-01, a note, an empty .jpg and a Live
Photo's .MOV and an .mp4 (headers only).  Then runs, as the README says, ``batch``, ``timeline``,
``analyze`` and ``compare`` through ``python -m facemetrics`` and checks what a user sees:

- every command exits as documented, with no traceback on stderr;
- ``photos.csv`` has one row per photo file (bad ones with their ``status``), none lost;
- each file it does not read is named on the console, and so is each photo without a capture time, with
  the remedy (its taken_at in a copy of photos.csv given as ``--manifest``), which is then followed;
- the turned photos are measured upright and their hours since the treatment are the EXIF times';
- a video given to ``compare`` is named a video (exit status 2), not "not a supported image";
- ``analyze`` with its overlays saved inside the photo folder, run twice, does not measure its own overlays.

Round 2 (2026-12-05, docs/validation.md §12 "Round 2"): a second folder, two subjects and no capture time at all
(``anna/microcurrent/`` with a PNG named ``IMG_0003.HEIC``, a photo in a sub-folder ``day2/`` and a copy ``after
copy.jpg`` and a screenshot; ``ben/rf/`` whose ``pre.jpg`` and ``post.jpg`` are the same files as anna's), then ``batch``, ``batch
--manifest`` and ``study import [--manifest]`` with a partial manifest (some photos listed, some not, one listed but
missing, one time that is no time), checking that

- photos.csv's reason for a photo without a capture time says what to do, and the console's remedy names the
  photos.csv to copy and the command to run again;
- a file filed under two subjects is named, and so is the screenshot compared with a photo of another shape;
- each thing the partial manifest leaves out (photos not listed, a row whose photo is missing, a time not read) is
  one console line naming the manifest, the photos or rows and what to do, in ``batch`` and ``study import``;
- ``study import``'s remedy for photos without a capture time says what a manifest holds, and following it (a copy
  of batch's photos.csv, taken_at filled in) imports them.

Round 2's follow-up (2026-12-05): a copy within one session (``day2/after_day2 (1).jpg``) without a capture time
is named by ``batch``; ``study import`` names the file filed under two subjects; a manifest's times written with a
dot (``09.00``, ``9.30am``) are one line of their own (the time meant with colons) in ``batch`` and ``study
import``, not among the times that cannot be read; every ``study`` sub-command's ``--help`` has a description with
an example.

Prints one line per check (``ok`` / ``FAIL``) and exits 1 when any fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
VIDEO_HEAD = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 100


def _exif(taken=None, orientation=None, offset=None) -> bytes:
    """EXIF bytes: DateTimeOriginal ``taken``, Orientation, OffsetTimeOriginal ``offset``."""
    e = Image.Exif()
    if orientation is not None:
        e[0x0112] = orientation
    ifd = e.get_ifd(0x8769)
    if taken:
        ifd[0x9003] = taken
    if offset:
        ifd[0x9011] = offset
    return e.tobytes()


def build(folder: Path) -> Path:
    """The user's study folder ``folder/me/microcurrent/<day>/...`` (treated 2026-12-01 08:00); returns it."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    before = Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB")
    after = Image.open(SAMPLES / "astronaut_after.jpg").convert("RGB")
    session = folder / "me" / "microcurrent"
    d1, d2 = session / "2026-12-01", session / "2026-12-02"
    for d in (d1, d2):
        d.mkdir(parents=True)
    (session / "treated_at.txt").write_text("2026-12-01 08:00\n")
    turn6, turn8 = Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270  # stored so that 6 / 8 show it upright
    before.transpose(turn6).save(d1 / "IMG_0001.HEIC", exif=_exif("2026:12:01 07:50:00", 6), quality=90)
    after.transpose(turn8).save(d1 / "IMG_0002.HEIC", exif=_exif("2026:12:01 09:00:00", 8), quality=90)
    after.transpose(turn6).save(d1 / "Après 2h – 2026-12-01 10.02.jpg",
                                exif=_exif("2026:12:01 10:02:00", 6, "+01:00"), quality=92)
    canvas = Image.new("RGB", (6000, 8000), (200, 200, 200))  # 48 MP
    canvas.paste(after.resize((4800, 6000), Image.LANCZOS), (600, 1000))
    canvas.save(d1 / "PXL_20261201_120000000.jpg", exif=_exif("2026:12:01 12:00:00"), quality=90)
    rgba = np.array(after.convert("RGBA"))
    rgba[:200, :, 3] = rgba[-200:, :, 3] = 0
    Image.fromarray(rgba).save(d2 / "after day2 transparent.png")
    w, h = after.size
    shot = Image.new("RGB", (w, h + 300))
    shot.paste(after, (0, 120))
    shot.save(d2 / "Screenshot_20261202-091500.png")
    after.resize((960, 1200)).save(d2 / "IMG-20261202-WA0003.jpg", quality=60)
    shutil.copy(d1 / "IMG_0002.HEIC", d2 / "IMG_0002 (1).HEIC")
    after.save(d2 / "Zoë 顔 2026-12-02 08.00.jpg", quality=90)
    after.transpose(turn6).save(d2 / "IMG_0107.HEIC", exif=_exif("2026:12:02 08:00:00", 6, "+01:00"), quality=90)
    data = (d1 / "IMG_0001.HEIC").read_bytes()
    after.save(d2 / "truncated.jpg", quality=90)
    (d2 / "truncated.jpg").write_bytes((d2 / "truncated.jpg").read_bytes()[:60000])
    after.convert("CMYK").save(d2 / "cmyk.jpg", exif=_exif("2026:12:02 09:00:00"), quality=92)
    after.save(d2 / "really_jpeg.heic", exif=_exif("2026:12:02 10:00:00"), quality=92)
    (d2 / "really_heic.jpg").write_bytes(data)  # the before photo's HEIC named .jpg: a copy at its own time
    after.save(d2 / "clock_reset.jpg", exif=_exif("2000:01:01 00:00:00"), quality=92)
    (d2 / "notes.txt").write_text("felt tingly\n")
    (d2 / "empty.jpg").write_bytes(b"")
    (d2 / "IMG_0107.MOV").write_bytes(VIDEO_HEAD)
    (d2 / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 100)
    return folder


def _run(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2"}
    return subprocess.run([sys.executable, "-m", "facemetrics", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=1800)


def audit(folder: Path, out: Path) -> list[tuple[str, bool, str]]:
    """Run the session; ``(check, passed, what was seen)`` per check."""
    checks = []

    def check(name, ok, seen=""):
        checks.append((name, bool(ok), seen))

    batch = _run("batch", folder, "-o", out / "batch")
    check("batch exits 0 without a traceback", batch.returncode == 0 and "Traceback" not in batch.stderr,
          batch.stderr[-300:] if batch.returncode else "")
    print(batch.stdout)
    photos = pd.read_csv(out / "batch" / "photos.csv")
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                     if p.is_file() and p.suffix.lower() in (".jpg", ".heic", ".png"))
    check("photos.csv: one row per photo file", sorted(photos["photo"]) == on_disk,
          f"{len(photos)} rows, {len(on_disk)} files")
    print(photos["status"].value_counts().to_string())
    for name in ("IMG_0107.MOV", "clip.mp4", "notes.txt"):
        check(f"batch names {name} as not read", "not read" in batch.stdout and name in batch.stdout)
    no_time = photos.loc[photos["taken_at"].isna() & photos["status"].eq("ok"), "photo"]
    check("batch names each photo without a capture time, with the remedy",
          len(no_time) and all(p in batch.stdout for p in no_time) and "--manifest" in batch.stdout,
          ", ".join(no_time))
    rows = photos.set_index("photo")
    for name, hours in (("2026-12-01/IMG_0001.HEIC", -1 / 6), ("2026-12-01/IMG_0002.HEIC", 1.0),
                        ("2026-12-01/Après 2h – 2026-12-01 10.02.jpg", 2 + 1 / 30),
                        ("2026-12-02/IMG_0107.HEIC", 24.0)):
        r = rows.loc[f"me/microcurrent/{name}"]
        check(f"{name}: upright ({int(r.image_width_px)} x {int(r.image_height_px)}), {hours:.2f} h",
              r.image_width_px < r.image_height_px and abs(r.hours_since_treatment - hours) < 1e-3,
              f"{r.hours_since_treatment:.3f} h, taken_at {r.taken_at}")
    # the remedy printed for a photo without a capture time: its taken_at in a copy of photos.csv as the manifest
    fixed = photos.astype({"taken_at": object})
    wa = "me/microcurrent/2026-12-02/IMG-20261202-WA0003.jpg"
    fixed.loc[fixed["photo"] == wa, "taken_at"] = "2026-12-02T09:30"
    fixed.to_csv(out / "photos_fixed.csv", index=False)
    again = _run("batch", folder, "-o", out / "batch_fixed", "--manifest", out / "photos_fixed.csv")
    changes = pd.read_csv(out / "batch_fixed" / "changes.csv")
    check("the remedy: a copy of photos.csv with a taken_at filled in, as --manifest, compares that photo",
          again.returncode == 0 and wa in set(changes["photo"]) and wa not in again.stdout,
          f"{len(changes)} changes (were {len(pd.read_csv(out / 'batch' / 'changes.csv'))})")
    timeline = _run("timeline", out / "batch")
    check("timeline exits 0 without a traceback", timeline.returncode == 0 and "Traceback" not in timeline.stderr,
          timeline.stdout.splitlines()[-1] if timeline.stdout else timeline.stderr[-300:])
    analyze = _run("analyze", folder, "-o", out / "analyze.csv")
    check("analyze exits 0 and names the files not read", analyze.returncode == 0 and "IMG_0107.MOV" in analyze.stdout,
          analyze.stdout.strip()[-200:])
    day1, day2 = folder / "me/microcurrent/2026-12-01", folder / "me/microcurrent/2026-12-02"
    pair = _run("compare", day1 / "IMG_0001.HEIC", day1 / "Après 2h – 2026-12-01 10.02.jpg", "-o", out / "compare")
    check("compare of a HEIC and a turned JPEG exits 0", pair.returncode == 0, pair.stdout.splitlines()[0])
    video = _run("compare", day1 / "IMG_0001.HEIC", day2 / "IMG_0107.MOV", "-o", out / "compare_video")
    check("compare with a video: exit 2, named a video", video.returncode == 2 and "a video (MP4/QuickTime)" in
          video.stderr and "Traceback" not in video.stderr, video.stderr.strip())
    # overlays saved inside the photo folder, then the same command again: its own PNGs are no photos
    for _ in range(2):
        again = _run("analyze", folder, "-o", folder / "out" / "photos.csv", "--overlays", folder / "out" / "overlays")
    rows = pd.read_csv(folder / "out" / "photos.csv")
    check("analyze with --overlays inside the folder, run twice: its overlays are not measured",
          again.returncode == 0 and len(rows) == len(on_disk)
          and "PNGs that facemetrics wrote not read" in again.stdout,
          f"{len(rows)} rows for {len(on_disk)} photo files")
    return checks


def build_round2(folder: Path) -> Path:
    """Round 2's folder: ``anna/microcurrent/`` and ``ben/rf/`` (treated 2026-12-01 08:00), no EXIF time in any
    photo; returns it."""
    before = Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB")
    after = Image.open(SAMPLES / "astronaut_after.jpg").convert("RGB")
    anna, ben = folder / "anna" / "microcurrent", folder / "ben" / "rf"
    (anna / "day2").mkdir(parents=True)
    ben.mkdir(parents=True)
    for d in (anna, ben):
        (d / "treated_at.txt").write_text("2026-12-01T08:00\n")
    before.save(anna / "before.jpg", quality=92)
    after.save(anna / "after.jpg", quality=92)
    after.save(anna / "day2" / "after_day2.jpg", quality=90)
    after.save(anna / "IMG_0003.HEIC", format="PNG")  # a PNG named .HEIC
    shutil.copy(anna / "after.jpg", anna / "after copy.jpg")
    shutil.copy(anna / "day2" / "after_day2.jpg", anna / "day2" / "after_day2 (1).jpg")  # a copy in one session only
    shutil.copy(anna / "before.jpg", ben / "pre.jpg")  # one photo filed under two subjects
    shutil.copy(anna / "after.jpg", ben / "post.jpg")
    after.resize((960, 1200)).save(ben / "post_whatsapp.jpg", quality=60)
    w, h = after.size
    shot = Image.new("RGB", (w, h + 300))  # a screenshot: status and navigation bars above and below
    shot.paste(after, (0, 120))
    shot.save(anna / "Screenshot_20261201-110000.png")
    return folder


#: round 2's partial manifest: two photos listed with good times, one with a time that is no time, one not in
#: the folder (row 5); the other photos of the folder not listed
PARTIAL = ("photo,subject,treatment,taken_at,treated_at\n"
           "anna/microcurrent/before.jpg,anna,microcurrent,2026-12-01T07:50,2026-12-01T08:00\n"
           "anna/microcurrent/after.jpg,anna,microcurrent,2026-12-01T09:00,2026-12-01T08:00\n"
           "anna/microcurrent/day2/after_day2.jpg,anna,microcurrent,2026-12-02 9am,2026-12-01T08:00\n"
           "anna/microcurrent/after_3h.jpg,anna,microcurrent,2026-12-01T11:00,2026-12-01T08:00\n"
           "anna/microcurrent/Screenshot_20261201-110000.png,anna,microcurrent,2026-12-01T11:00,2026-12-01T08:00\n")


def audit_round2(folder: Path, out: Path) -> list[tuple[str, bool, str]]:
    """Round 2's session on :func:`build_round2`'s folder; ``(check, passed, what was seen)`` per check."""
    checks = []

    def check(name, ok, seen=""):
        checks.append((name, bool(ok), seen))

    out.mkdir(parents=True)
    batch = _run("batch", folder, "-o", out / "batch")
    check("round 2: batch exits 0 without a traceback", batch.returncode == 0 and "Traceback" not in batch.stderr,
          batch.stderr[-300:] if batch.returncode else "")
    print(batch.stdout)
    photos = pd.read_csv(out / "batch" / "photos.csv")
    heic = photos.set_index("photo").loc["anna/microcurrent/IMG_0003.HEIC"]
    check("round 2: the PNG named .HEIC and the photo in a sub-folder are measured",
          heic["status"] == "ok" and "anna/microcurrent/day2/after_day2.jpg" in set(photos["photo"]), heic["status"])
    untimed = photos.loc[photos["taken_at"].isna(), "excluded"]
    check("round 2: photos.csv's reason for no capture time says what to do",
          len(untimed) == 10 and untimed.str.contains("fill in its taken_at (e.g. ", regex=False).all(), untimed.iloc[0])
    check("round 2: the console's remedy names the photos.csv to copy and the command",
          f"a copy of {out / 'batch'}/photos.csv" in batch.stdout and "--manifest COPY)." in batch.stdout
          and f"facemetrics batch {folder}" in batch.stdout)
    check("round 2: a file filed under two subjects is named",
          "anna/microcurrent/after copy.jpg = anna/microcurrent/after.jpg = ben/rf/post.jpg (subjects 'anna', 'ben')"
          in batch.stdout and "anna/microcurrent/before.jpg = ben/rf/pre.jpg" in batch.stdout)
    check("round 2 follow-up: a copy within one session without a capture time is named",
          "1 photo is filed twice or more in one session as the same file, without a capture time: "
          "anna/microcurrent/day2/after_day2 (1).jpg = anna/microcurrent/day2/after_day2.jpg ('anna', 'microcurrent')"
          in batch.stdout and "4 identical to another photo here" in batch.stdout)
    manifest = out / "partial.csv"
    manifest.write_text(PARTIAL)
    expected = {"photos not listed: named, with 'add a row'": f"6 photos of the folder are not in {manifest}",
                "the row whose photo is missing: named": "names a photo that is not in the folder: row 5 "
                                                         "(anna/microcurrent/after_3h.jpg)",
                "the time that is no time: row and column": "row 4 (anna/microcurrent/day2/after_day2.jpg), column "
                                                            "'taken_at': '2026-12-02 9am' (if 09:00 was meant: "
                                                            "2026-12-02T09:00). Write it as"}  # round 3: the time meant
    partial = _run("batch", folder, "-o", out / "batch_partial", "--manifest", manifest)
    print(partial.stdout)
    for what, text in expected.items():
        check(f"round 2: batch --manifest partial.csv, {what}", partial.returncode == 0 and text in partial.stdout)
    check("round 2: the screenshot compared with the before photo is named a photo of another shape",
          "1 comparison of two photos of different shapes" in partial.stdout and
          "anna/microcurrent/Screenshot_20261201-110000.png 1280 × 1900 px against anna/microcurrent/before.jpg "
          "1280 × 1600 px" in partial.stdout)
    store = out / "store"
    imp = _run("study", "import", folder, "--manifest", manifest, "--store", store, "--no-measure")
    print(imp.stdout)
    for what, text in expected.items():
        check(f"round 2: study import --manifest partial.csv, {what}", imp.returncode == 0 and text in imp.stdout)
    check("round 2: study import --manifest partial.csv: no per-photo 'no subject, treatment' line",
          "no subject, treatment or treatment time" not in imp.stdout and "3 photo(s) imported" in imp.stdout,
          imp.stdout.splitlines()[0] if imp.stdout else imp.stderr[-200:])
    plain = _run("study", "import", folder, "--store", out / "store2", "--no-measure")
    check("round 2 follow-up: study import names a file filed under two subjects",
          "anna/microcurrent/before.jpg = ben/rf/pre.jpg (subjects 'anna', 'ben')" in plain.stdout
          and "remove it and import again" in plain.stdout)
    check("round 2: study import of photos without a capture time says what a manifest holds (exit 2, none imported)",
          plain.returncode == 2 and "a manifest lists every photo it imports, with photo, subject, treatment" in
          plain.stdout and "writes OUT/photos.csv, which reads as one" in plain.stdout, plain.stdout.splitlines()[-1])
    # the remedy followed: batch's photos.csv copied, the taken_at filled in, given to study import
    fixed = photos.astype({"taken_at": object})
    for name, t in (("anna/microcurrent/before.jpg", "2026-12-01T07:50"), ("anna/microcurrent/after.jpg",
                                                                          "2026-12-01T09:00")):
        fixed.loc[fixed["photo"] == name, "taken_at"] = t
    fixed.to_csv(out / "photos_fixed.csv", index=False)
    again = _run("study", "import", folder, "--manifest", out / "photos_fixed.csv", "--store", out / "store2",
                 "--no-measure")
    check("round 2: the remedy (photos.csv copied, taken_at filled in) imports those photos",
          again.returncode == 0 and "2 photo(s) imported, 0 already there" in again.stdout,
          [x for x in again.stdout.splitlines() if "imported," in x])
    # a manifest time written with a dot: its own line, with the time meant, in batch and study import
    dotted = out / "dotted.csv"
    dotted.write_text(DOTTED)
    want = (f"2 times in {dotted} are written with a dot after the hours or the minutes, so their photos are not "
            "used: row 3 (anna/microcurrent/after.jpg), column 'taken_at': '2026-12-01 09.00' (if 09:00 was meant: "
            "2026-12-01T09:00); row 4 (anna/microcurrent/day2/after_day2.jpg), column 'taken_at': '2026-12-02 "
            "9.30am' (if 09:30 was meant: 2026-12-02T09:30).")
    for what, args in (("batch", ("batch", folder, "-o", out / "batch_dotted")),
                       ("study import", ("study", "import", folder, "--store", out / "store3", "--no-measure"))):
        run = _run(*args, "--manifest", dotted)
        check(f"round 2 follow-up: {what} --manifest dotted.csv names the times written with a dot, not among "
              "'cannot be read'", want in run.stdout and "cannot be read" not in run.stdout,
              [x[:160] for x in run.stdout.splitlines() if "written with a dot" in x or "cannot be read" in x])
    # every study sub-command's --help says what it does, with an example
    for sub in ("add", "list", "report", "import", "delete"):
        hlp = _run("study", sub, "--help")
        check(f"round 2 follow-up: study {sub} --help has a description with an example",
              hlp.returncode == 0 and " ".join(hlp.stdout.split()).count(f"Example: facemetrics study {sub}") == 1)
    return checks


#: a manifest whose times are written with a dot (08.20, 8.20pm): rows 3 and 4
DOTTED = ("photo,subject,treatment,taken_at,treated_at\n"
          "anna/microcurrent/before.jpg,anna,microcurrent,2026-12-01T07:50,2026-12-01T08:00\n"
          "anna/microcurrent/after.jpg,anna,microcurrent,2026-12-01 09.00,2026-12-01T08:00\n"
          "anna/microcurrent/day2/after_day2.jpg,anna,microcurrent,2026-12-02 9.30am,2026-12-01T08:00\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="build and run in this folder (must not exist) and keep it")
    ap.add_argument("--round2", action="store_true", help="round 2's checks alone (about 1 min)")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="first_user_"))
    work.mkdir(parents=True, exist_ok=bool(args.keep is None))
    try:
        checks = [] if args.round2 else audit(build(work / "photos"), work / "out")
        checks += audit_round2(build_round2(work / "photos2"), work / "out2")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    for name, ok, seen in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {seen}" if seen else ""))
    print(f"{sum(ok for _, ok, _ in checks)} of {len(checks)} checks pass")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
