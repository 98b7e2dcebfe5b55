"""Batch over a study folder: metadata, bad files, sessions, resumability."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from PIL import Image

from conftest import jpeg_bytes
from facemetrics.batch import change_column, discover, hours_between, run_batch
from facemetrics.study import study

DESIGN = {"microcurrent": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-1.0, -0.5, 0.5, 4, 24])}


@pytest.fixture(scope="module")
def folder(tmp_path_factory, sample_path):
    """A 2-subject study (folder convention + manifest) plus bad files."""
    root = tmp_path_factory.mktemp("batch")
    info = study(sample_path, root / "study", subjects=2, design=DESIGN, max_side=480, seed=1)
    f = info.folder
    (f / "S01" / "microcurrent" / "broken.jpg").write_bytes(b"this is not a photo")
    (f / "S01" / "microcurrent" / "empty.png").write_bytes(b"")
    (f / "S02" / "microcurrent" / "noface.jpg").write_bytes(jpeg_bytes(np.full((300, 300, 3), 128, np.uint8)))
    # a good photo without EXIF time (re-encoded without metadata)
    src = f / "S02" / "microcurrent" / "S02_microcurrent_02_p0p5h.jpg"
    (f / "S02" / "microcurrent" / "notime.jpg").write_bytes(jpeg_bytes(np.asarray(Image.open(src).convert("RGB"))))
    return info


@pytest.fixture(scope="module")
def clean(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    res = run_batch(folder.folder, out, manifest=folder.manifest, workers=2, progress=False)
    return res, out


def test_hours_between():
    assert hours_between("2026-11-02T09:30:00", "2026-11-02T08:00:00") == 1.5
    assert hours_between("2026-11-02T09:30:00+01:00", "2026-11-02T08:00:00Z") == 0.5
    assert np.isnan(hours_between("", "2026-11-02T08:00:00"))


def test_change_column():
    assert change_column("jawline_lift_mm", "mean") == "jawline_lift_mm"
    assert change_column("jawline_lift_mm", "right") == "jawline_lift_right_mm"
    assert change_column("nlf_depth_change", "left") == "nlf_depth_change_left"


def test_folder_convention(folder):
    entries = {e.photo: e for e in discover(folder.folder)}
    e = entries["S01/microcurrent/S01_microcurrent_02_p0p5h.jpg"]
    assert (e.subject, e.treatment) == ("S01", "microcurrent")
    assert e.treated_at == folder.table.loc[0, "treated_at"]
    assert "manifest.csv" not in entries


def test_every_photo_has_a_row(clean, folder):
    res, out = clean
    photos = pd.read_csv(out / "photos.csv", keep_default_na=False)
    assert len(photos) == len(folder.table) + 4
    status = dict(zip(photos["photo"], photos["status"]))
    assert status["S01/microcurrent/broken.jpg"] != "ok"
    assert status["S01/microcurrent/empty.png"] != "ok"
    assert status["S02/microcurrent/noface.jpg"] == "no_face"
    excluded = dict(zip(photos["photo"], photos["excluded"]))
    assert "not in manifest" in excluded["S02/microcurrent/notime.jpg"]
    assert excluded["S01/microcurrent/S01_microcurrent_02_p0p5h.jpg"] == ""
    assert {"treatment", "treated_at", "hours_since_treatment"} <= set(photos.columns)
    ok = photos[photos["role"] == "post"]
    assert np.allclose(sorted(set(pd.to_numeric(ok["hours_since_treatment"]))), [0.5, 4, 24])


def test_changes_against_session_baseline(clean):
    res, out = clean
    ch = pd.read_csv(out / "changes.csv", keep_default_na=False)
    # per subject: 3 post photos + 2 baseline photos compared leave-one-out
    assert len(ch) == 2 * (3 + 2)
    post = ch[ch["role"] == "post"]
    assert (post["n_baseline"] == 2).all()
    assert {"jawline_lift_mm", "jawline_lift_right_mm", "jawline_lift_mm_noise_floor"} <= set(ch.columns)
    long = pd.read_csv(out / "long.csv")
    assert list(long.columns[:7]) == ["subject", "treatment", "hours_since_treatment", "metric", "side", "value", "unit"]
    jl = long[(long.metric == "jawline_lift_mm") & (long.side == "mean")]
    early = jl[jl.hours_since_treatment == 0.5]["value"].mean()
    late = jl[jl.hours_since_treatment == 24]["value"].mean()
    assert early > late + 0.3   # ~1.8 mm true lift at 0.5 h vs ~0 at 24 h


def test_no_manifest_reports_missing_time(folder, tmp_path):
    res = run_batch(folder.folder, tmp_path / "out", workers=1, progress=False, compare=False)
    row = res.photos.set_index("photo").loc["S02/microcurrent/notime.jpg"]
    assert row["status"] == "ok"
    assert "no capture time" in row["excluded"]


@pytest.mark.parametrize("stage,workers", [("photo", 2), ("compare", 2)])
def test_interrupted_run_resumes_identically(folder, clean, tmp_path, stage, workers):
    _, clean_out = clean
    out = tmp_path / "out"

    def hook(s, n):
        if s == stage and n >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(folder.folder, out, manifest=folder.manifest, workers=workers, progress=False, _hook=hook)
    assert any((out / ".cache").rglob("*.json"))
    res = run_batch(folder.folder, out, manifest=folder.manifest, workers=workers, progress=False)
    assert res.n_cached >= 5
    for name in ("photos.csv", "changes.csv", "long.csv"):
        assert (out / name).read_bytes() == (clean_out / name).read_bytes(), name
    again = run_batch(folder.folder, out, manifest=folder.manifest, workers=workers, progress=False)
    assert again.n_measured == 0 and again.n_compared == 0


def test_killed_subprocess_resumes(folder, clean, tmp_path):
    """A real kill (SIGKILL) of a CLI batch, then a re-run: same CSVs as one clean run."""
    import os
    import signal
    import subprocess
    import sys
    import time

    _, clean_out = clean
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "facemetrics", "batch", str(folder.folder), "-o", str(out),
           "--manifest", str(folder.manifest), "--workers", "2"]
    env = dict(os.environ, PYTHONPATH=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 60 and proc.poll() is None:
        if len(list((out / ".cache" / "photo").glob("*.json"))) >= 4:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name in ("photos.csv", "changes.csv", "long.csv"):
        assert (out / name).read_bytes() == (clean_out / name).read_bytes(), name
