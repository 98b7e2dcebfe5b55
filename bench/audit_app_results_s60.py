"""The app's results pages read line by line against a known truth, stop 60 (docs/validation.md §12, "Round 21").

    PYTHONPATH=. python bench/audit_app_results_s60.py DIR --compare     # the bundled example (Compare, Folds, Timeline)
    PYTHONPATH=. python bench/audit_app_results_s60.py DIR --study       # a simulated study in *My study*

Writes into DIR only: every text the app's pages show (``*.texts.txt``: one element a line, its kind first), every
table and download, and the command line's files for the same photos, to be read side by side.  AppTest drives the
app (its Chromium pages are the browser tests' business); nothing here asserts: the reading is the audit's record.

**The truth, written before any run (stop 60, g3).**

*Compare photos, the bundled example* (``sample_images/PROVENANCE.md``): ``astronaut_after.jpg`` is
``astronaut_before.jpg`` with the lower face lifted by 1.500 mm (``simulate.lift``), then rolled 1° counter-clockwise,
scaled 0.97 and made 5 % brighter. Measured truth: jawline 1.500 mm (right 1.500, left 1.500), jowl 1.500 mm, mouth
corners 1.431 mm (the subject's right 1.471, left 1.391), cheeks 0 mm, no fold darkening; the after photo 3.5 h after
the before one (EXIF). So the page should read: a jawline lift of about 1.5 mm, beyond its noise floor (``lift``),
each figure in mm with its floor or CI; the right/left columns the subject's own (right ≥ left at the mouth corners);
the folds ``within_noise`` (no darkening made; the 5 % brightness is not a fold); the cheeks about 0. The numbers of
the page's table the same as ``comparison.csv`` (the page's download) and as ``facemetrics compare`` on the same two
files, rounded as the CLI's console rounds them (mm to 2 dp).

*Compare photos, the example's Timeline tab* (``facemetrics.study.example_series``, ``DEFAULT_DESIGN``, no pose or
jitter): microcurrent peak 2.0 mm halving every 3 h, nothing lasting (0.008 mm at 24 h), photos at -0.5 (before),
0.25, 0.5, 1, 2, 4, 8, 12, 24, 48 h; RF 1.5 mm lasting with no transient (1.5 mm at every time after), photos at -0.5,
1, 6, 24, 48, 96, 168, 336 h. So: microcurrent half-life about 3 h, change at 24 h about 0 mm, ``fades_within_a_day``;
RF a lasting change about 1.5 mm at 24 h, ``persists_beyond_a_day`` (no half-life to speak of: the transient is 0).
The tab's lines, table and ``timeline.csv`` the same figures as ``facemetrics timeline`` run on the same rows
(long.csv and changes.csv written from the example's own records): same verdicts, same half-lives and CIs to the
console's rounding, the figure's caption saying what it shows, no "nan"/"None".

*My study, a simulated study* (``facemetrics.study.study`` of ``astronaut_before.jpg``, one subject S01, the default
design with its hand-held pose and nuisance jitter, imported by ``study import --manifest``): the same truth per
treatment as the example's (microcurrent 2.0 mm, 3 h half-life, nothing lasting; RF 1.5 mm lasting); with pose and
jitter the verdicts may read ``inconclusive`` where the noise hides them, never the opposite of the truth
(microcurrent ``persists``, RF ``fades``). *My study*'s report (the page's lines, its verdict table, the ZIP's
``report.md``, ``changes.csv``, ``timeline.csv``) the same as ``facemetrics study report`` of the same store (the app
fits with 200 bootstrap replicates, the CLI's ``study report`` too: ``Store.report(n_boot=200)``); every figure with
its unit and uncertainty; every figure on the page with a caption.

(Corrected after the first run, not a truth: ``study report`` fits with 400 replicates by default, the app with 200;
the run compares the page with ``study report --n-boot 200`` and with the default.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "exception",
         "metric", "text", "code")


def _cli(*args, cwd=None) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    got = subprocess.run([sys.executable, "-m", "facemetrics", *map(str, args)], capture_output=True, text=True,
                         env=env, cwd=cwd)
    return f"$ facemetrics {' '.join(map(str, args))}\n(exit {got.returncode})\n{got.stdout}{got.stderr}"


def _dump(at, path: Path, media: dict | None = None) -> None:
    """Every element's text, in page order by kind; tables as CSV; images' captions; download buttons' labels."""
    lines = []
    for kind in KINDS:
        for e in getattr(at, kind, []):
            value = getattr(e, "value", None)
            if kind == "metric":
                value = f"{e.label}: {e.value} ({e.delta})"
            lines.append(f"[{kind}] {value}")
    for e in at.get("dataframe"):
        lines.append("[dataframe]\n" + e.value.to_csv(index=False))
    for e in at.get("table"):
        lines.append("[table]\n" + e.value.to_csv(index=False))
    for e in at.get("image"):
        for i in e.proto.imgs:
            lines.append(f"[image] caption={i.caption!r}")
    for e in at.get("download_button"):
        lines.append(f"[download] {e.proto.label} help={e.proto.help!r}")
    for e in at.get("expander"):
        lines.append(f"[expander] {e.label}")
    path.write_text("\n".join(str(x) for x in lines) + "\n")


def _spy_media():
    """{file id: bytes or callable} of every media file the runs make (tests/test_app_study.py's spy)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    got: dict = {}
    keep, keep_deferred = MemoryMediaFileStorage.load_and_get_id, MediaFileManager.add_deferred

    def spy(self, data, mimetype, kind, filename=None):
        fid = keep(self, data, mimetype, kind, filename)
        got[fid] = data
        return fid

    def spy_deferred(self, data_callable, *a, **k):
        fid = keep_deferred(self, data_callable, *a, **k)
        got[fid] = data_callable
        return fid

    MemoryMediaFileStorage.load_and_get_id, MediaFileManager.add_deferred = spy, spy_deferred
    return got


def _downloads(at, media: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for d in at.get("download_button"):
        fid = d.proto.deferred_file_id or d.proto.url.rsplit("/", 1)[-1].split(".")[0]
        data = media.get(fid)
        data = data() if callable(data) else data
        if isinstance(data, (bytes, bytearray)):
            (out / d.proto.label.replace("/", "_").replace(" ", "_")[:60]).write_bytes(data)


def compare(out: Path) -> None:
    from streamlit.testing.v1 import AppTest

    out.mkdir(parents=True, exist_ok=True)
    media = _spy_media()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    next(b for b in at.sidebar.button if b.label == "Load the bundled example").click()
    at.run()
    _dump(at, out / "compare_side_by_side.texts.txt")
    _downloads(at, media, out / "compare_downloads")
    for view in ("Overlay", "Folds"):
        at.segmented_control[0].set_value(view).run()
        _dump(at, out / f"compare_{view.lower()}.texts.txt")
    # the command line on the same two files, and `timeline` on the example's own rows
    (out / "cli_compare.txt").write_text(_cli("compare", SAMPLES / "astronaut_before.jpg",
                                              SAMPLES / "astronaut_after.jpg", "-o", out / "cli_compare"))
    import facemetrics.study as fm_study

    records: list = []
    long = fm_study.example_series(SAMPLES / "astronaut_before.jpg", records_out=records)
    tl = out / "cli_timeline"
    tl.mkdir(exist_ok=True)
    long.to_csv(tl / "long.csv", index=False)
    pd.DataFrame(records).to_csv(tl / "changes.csv", index=False)
    (out / "cli_timeline.txt").write_text(_cli("timeline", tl))


def study(out: Path, sim: Path) -> None:
    from streamlit.testing.v1 import AppTest

    out.mkdir(parents=True, exist_ok=True)
    store = out / "store"
    if not store.exists():
        (out / "cli_import.txt").write_text(_cli("study", "import", sim, "--manifest", sim / "manifest.csv",
                                                 "--store", store))
    # the app fits with 200 replicates (study_report: Store.report(n_boot=200)), `study report` with 400 by default
    for n in (200, 400):
        (out / f"cli_study_report_{n}.txt").write_text(_cli("study", "report", "--subject", "S01", "-o",
                                                            out / f"cli_report_{n}", "--store", store,
                                                            "--n-boot", n))
    os.environ["FACEMETRICS_STORE"] = str(store)
    media = _spy_media()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    _dump(at, out / "study.texts.txt")
    _downloads(at, media, out / "study_downloads")
    for z in (out / "study_downloads").glob("*"):
        if zipfile.is_zipfile(z):
            with zipfile.ZipFile(z) as f:
                f.extractall(out / "study_zip")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir", type=Path)
    p.add_argument("--compare", action="store_true")
    p.add_argument("--study", action="store_true")
    p.add_argument("--sim", type=Path, help="the simulated study folder (facemetrics.study.study), for --study")
    a = p.parse_args(argv)
    if a.compare:
        compare(a.dir / "compare")
    if a.study:
        study(a.dir / "study", a.sim)
    return 0


if __name__ == "__main__":
    sys.exit(main())
