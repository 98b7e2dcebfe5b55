"""A photo of two faces of about the same size is not measured (status ``several_faces``); a clearly
smaller second face keeps the warning (docs/robustness.md 'Several faces of similar size')."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from skimage import data

from conftest import jpeg_bytes
from facemetrics import analyze_photo
from facemetrics.analyze import SEVERAL_FACES_SHARE
from facemetrics.batch import run_batch


def _face() -> np.ndarray:
    # the astronaut's face, 480 px: in the whole 512 px picture side by side Face Mesh finds one face only
    return cv2.resize(data.astronaut()[20:260, 105:345], (480, 480), interpolation=cv2.INTER_CUBIC)


def two_faces(scale: float, gap: int = 40) -> np.ndarray:
    """Two copies of the astronaut's face side by side on grey, the right one resized by ``scale``."""
    a = _face()
    n = round(a.shape[0] * scale)
    b = cv2.resize(a, (n, n), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    canvas = np.full((a.shape[0], a.shape[1] + gap + n, 3), 128, np.uint8)
    canvas[:, :a.shape[1]] = a
    canvas[a.shape[0] - n:, a.shape[1] + gap:] = b
    return canvas


@pytest.fixture(scope="module")
def results():
    return {s: analyze_photo(jpeg_bytes(two_faces(s)), name=f"two_{s}.jpg") for s in (1.0, 0.9, 0.5)}


def test_two_faces_of_the_same_size_are_not_measured(results):
    res = results[1.0]
    assert res.status == "several_faces" and not res.ok
    assert res.n_faces == 2
    assert "crop the photo to the one face" in res.error and "2 faces of about the same size" in res.error
    # which figure is the limit is said ("the second 99.1 % of the largest; at least 98 %" left it to the reader)
    assert re.search(r"\(the second is \d+\.\d % the size of the largest, at or above the 98 % limit\)", res.error), res.error
    row = res.to_row()
    assert row["status"] == "several_faces" and row["jaw_width_mm"] is None and row["nlf_depth_right"] is None


def test_a_photo_of_two_faces_not_measured_does_not_say_it_measured_the_largest(results):
    """Its row said "2 faces found; measured the largest, the one on the left" in `warnings` beside the error
    "which one to measure cannot be told" (first-user audit, stop 54): a photo not measured names no face measured."""
    res = results[1.0]
    row = res.to_row()
    said = " ".join(res.warnings) + " " + str(row["warnings"] or "")
    assert "measured the largest" not in said, said
    assert row["n_faces"] == 2  # how many faces were found is still given


@pytest.mark.parametrize("scale", [0.9, 0.5])
def test_a_smaller_second_face_is_measured_with_the_warning(results, scale):
    res = results[scale]
    assert res.ok and res.n_faces == 2, (res.status, res.error)
    assert any("2 faces found; measured the largest" in w for w in res.warnings)
    # the measured face is the larger one: the left copy (x below the picture's first 480 px)
    assert res.points[:, 0].max() < 480


def test_threshold_is_above_what_a_090_copy_reads():
    assert 0.9 < SEVERAL_FACES_SHARE <= 1.0


def test_batch_goes_on_past_a_photo_of_two_faces(tmp_path, sample_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "two.jpg").write_bytes(jpeg_bytes(two_faces(1.0)))
    (folder / "one.jpg").write_bytes(sample_path.read_bytes())
    res = run_batch(folder, tmp_path / "out", workers=1, progress=False, compare=False)
    rows = res.photos.set_index("photo")
    assert rows.loc["two.jpg", "status"] == "several_faces"
    assert "crop the photo" in rows.loc["two.jpg", "error"]
    assert rows.loc["one.jpg", "status"] == "ok"


def test_the_app_sets_a_photo_of_two_faces_aside(results, sample_analysis):
    """The app's roles: the photo that cannot be measured is 'ignore'; the others keep their roles."""
    from conftest import app_module

    app = app_module()
    roles = app.default_roles([sample_analysis, results[1.0], results[0.5]], "rf").set_index("photo")
    assert roles.loc["two_1.0.jpg", "role"] == "ignore"
    assert set(roles.loc[[sample_analysis.name, "two_0.5.jpg"], "role"]) <= {"before", "after"}
    assert app.own_error(results[1.0]).startswith("2 faces of about the same size")
