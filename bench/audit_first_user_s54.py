"""A first-time user's batch folder of bad inputs beside good photos, stop 54 (docs/validation.md §12, "Round 4").

    PYTHONPATH=. python bench/audit_first_user_s54.py              # builds the folder in a temp dir (~30 s-2 min)
    PYTHONPATH=. python bench/audit_first_user_s54.py --keep DIR   # ... in DIR, kept for a look

Builds ``me/microcurrent/`` (``treated_at.txt`` 2026-12-01T08:00) from the bundled sample pair and skimage's
coffee cup (no shared face is copied): a good before and after photo, an empty file, a truncated JPEG, a text file
named .jpg, a PNG with alpha, a CMYK JPEG, a 16-bit grey and a 16-bit colour PNG, a grey JPEG, an upright picture
that kept an EXIF Orientation 6 (an editor turned the pixels and left the tag), a 12000 x 9000 JPEG, a 60 x 80 one,
a landscape with no face, the face twice side by side, a mirrored copy, a name with spaces, accents and CJK, a
sub-folder with a photo and a symbolic link to its parent (a loop), a link to itself, a dangling link and a HEIC.
Then runs ``python -m facemetrics batch`` and ``analyze`` on it and checks what a user sees:

- both exit 0, with no traceback on stderr, and the link loop does not hang or repeat photos;
- ``photos.csv`` has one row per photo file, each not measured with its ``status`` and an ``error``;
- the photo of two faces is not said to have been measured ("measured the largest");
- the tagged upright picture's error names its EXIF orientation tag, not "may have been lost";
- the mirrored copy's comparison is refused as a mirror image, without naming the before photo the likely cause.

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

#: each bad file's expected status (None: measured, ``ok``)
EXPECTED = {
    "pre.jpg": "ok", "post_1h.jpg": "ok", "empty.jpg": "empty", "truncated.jpg": "unreadable",
    "notes.jpg": "not_an_image", "alpha.png": "ok", "cmyk.jpg": "ok", "gray16.png": "ok", "rgb16.png": "ok",
    "gray.jpg": "ok", "tagged6.jpg": "sideways", "huge.jpg": "too_large", "tiny.jpg": "too_small",
    "landscape.jpg": "no_face", "two_faces.jpg": "several_faces", "mirrored.jpg": "ok",
    "Après 2h – ñ 顔.jpg": "ok", "day2/post_24h.jpg": "ok", "dangling.jpg": "unreadable", "phone.heic": "ok",
}


def _exif(taken: str, orientation: int | None = None) -> bytes:
    e = Image.Exif()
    if orientation:
        e[0x0112] = orientation
    e.get_ifd(0x8769)[0x9003] = taken
    return e.tobytes()


def build(folder: Path) -> Path:
    """The study folder ``folder/me/microcurrent`` with every case of :data:`EXPECTED`; returns ``folder``."""
    import cv2
    import pillow_heif
    from skimage import data

    pillow_heif.register_heif_opener()
    d = folder / "me" / "microcurrent"
    (d / "day2").mkdir(parents=True)
    (d / "treated_at.txt").write_text("2026-12-01T08:00\n")
    before = Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB")
    after = Image.open(SAMPLES / "astronaut_after.jpg").convert("RGB")
    before.save(d / "pre.jpg", exif=_exif("2026:12:01 07:50:00"), quality=95)
    after.save(d / "post_1h.jpg", exif=_exif("2026:12:01 09:00:00"), quality=95)
    (d / "empty.jpg").write_bytes(b"")
    raw = (SAMPLES / "astronaut_after.jpg").read_bytes()
    (d / "truncated.jpg").write_bytes(raw[: len(raw) // 2])
    (d / "notes.jpg").write_text("this is not a photo\n")
    rgba = np.array(after.convert("RGBA"))
    rgba[:50, :, 3] = 0
    Image.fromarray(rgba).save(d / "alpha.png", exif=_exif("2026:12:01 10:00:00"))
    after.convert("CMYK").save(d / "cmyk.jpg", exif=_exif("2026:12:01 11:00:00"))
    Image.fromarray(np.array(after.convert("L")).astype(np.uint16) * 257).save(d / "gray16.png")
    cv2.imwrite(str(d / "rgb16.png"), (np.array(after).astype(np.uint16) * 257)[..., ::-1])
    after.convert("L").save(d / "gray.jpg", exif=_exif("2026:12:01 12:00:00"))
    after.save(d / "tagged6.jpg", exif=_exif("2026:12:01 13:00:00", 6))  # upright pixels, a tag left behind
    after.resize((12000, 9000)).save(d / "huge.jpg", quality=80, exif=_exif("2026:12:01 14:00:00"))
    after.resize((60, 80)).save(d / "tiny.jpg", exif=_exif("2026:12:01 15:00:00"))
    Image.fromarray(data.coffee()).save(d / "landscape.jpg", exif=_exif("2026:12:01 16:00:00"))
    w, h = after.size
    two = Image.new("RGB", (2 * w, h))
    two.paste(after, (0, 0))
    two.paste(after, (w, 0))
    two.save(d / "two_faces.jpg", exif=_exif("2026:12:01 17:00:00"))
    after.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(d / "mirrored.jpg", exif=_exif("2026:12:01 18:00:00"))
    after.rotate(1.0, fillcolor=(128, 128, 128)).save(d / "Après 2h – ñ 顔.jpg", exif=_exif("2026:12:01 19:00:00"))
    after.save(d / "day2" / "post_24h.jpg", exif=_exif("2026:12:02 08:00:00"))
    os.symlink("..", d / "day2" / "loop")
    os.symlink("loopself", d / "loopself")
    os.symlink("/nonexistent/x.jpg", d / "dangling.jpg")
    after.save(d / "phone.heic", exif=_exif("2026:12:01 20:00:00"))
    return folder


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "facemetrics", *args], capture_output=True, text=True, env=env,
                          timeout=1800)


def audit(folder: Path) -> list[tuple[bool, str]]:
    checks = []
    out = folder.parent / f"{folder.name}_out"
    batch = _run(["batch", str(folder), "-o", str(out)])
    checks.append((batch.returncode == 0 and "Traceback" not in batch.stderr,
                   f"batch exits 0 without a traceback (exit {batch.returncode})"))
    analyze = _run(["analyze", str(folder), "-o", str(out / "analyze.csv")])
    checks.append((analyze.returncode == 0 and "Traceback" not in analyze.stderr,
                   f"analyze exits 0 without a traceback (exit {analyze.returncode})"))
    photos = pd.read_csv(out / "photos.csv").set_index("photo")
    names = {p.removeprefix("me/microcurrent/"): r for p, r in photos.iterrows()}
    checks.append((set(names) == set(EXPECTED), f"photos.csv: one row per photo file ({len(names)} rows, "
                                                f"{len(EXPECTED)} expected; the link loop not followed)"))
    wrong = {n: (r["status"], s) for n, s in EXPECTED.items() if (r := names.get(n)) is not None and r["status"] != s}
    checks.append((not wrong, f"each file's status as expected {wrong or ''}"))
    no_error = [n for n, r in names.items() if r["status"] != "ok" and not str(r.get("error") or "").strip()]
    checks.append((not no_error, f"every photo not measured has an error {no_error or ''}"))
    two = names.get("two_faces.jpg")
    checks.append((two is not None and "measured the largest" not in str(two.get("warnings") or ""),
                   "the photo of two faces is not said to have been measured"))
    tagged = str(names["tagged6.jpg"].get("error") if "tagged6.jpg" in names else "")
    checks.append(("its EXIF orientation tag (6: " in tagged and "may have been lost" not in tagged,
                   "the upright picture that kept Orientation 6 is named by its tag"))
    changes = pd.read_csv(out / "changes.csv")
    mirror = changes[changes["photo"].str.endswith("mirrored.jpg")]
    said = " ".join(mirror["messages"].astype(str))
    checks.append((len(mirror) == 1 and (mirror["status"] == "refused").all() and "mirror image" in said
                   and "the before photo is the likely cause" not in said,
                   "the mirrored copy is refused as a mirror image, the before photo not blamed"))
    return checks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", metavar="DIR", help="build the folder in DIR (emptied first) and keep it")
    args = ap.parse_args(argv)
    tmp = None
    if args.keep:
        base = Path(args.keep)
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        base = Path(tmp.name)
    try:
        checks = audit(build(base / "study"))
    finally:
        if tmp is not None:
            tmp.cleanup()
    for ok, what in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
    failed = sum(not ok for ok, _ in checks)
    print(f"{len(checks) - failed} of {len(checks)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
