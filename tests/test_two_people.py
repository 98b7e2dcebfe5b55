"""Two different people in one photo, compared with a photo of one of them: the comparison measures the
face that matches (facemetrics.compare.faces; bench/bench_two_people.py, docs/robustness.md 'Several
faces of similar size').  Before, the largest face was measured: with the friend's face larger the
pair was compared on the friend."""

from __future__ import annotations

import io
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from facemetrics import analyze_photo, compare_photos
from facemetrics.compare.faces import choose, matching_face
from facemetrics.compare.gate import MSG_DIFFERENT_PEOPLE
from facemetrics import uploads

LONDON = Path(__file__).resolve().parents[2] / "shared" / "faces" / "london_ccby"
SAMPLES = Path(__file__).resolve().parents[1] / "sample_images"


def _m(before_mm: float, after_mm: float = float("nan")):
    """A face's statistic (gate.upper_face_match) from its two orders' residuals, mm; NaN, NaN: not measured."""
    from facemetrics.compare.gate import upper_face_match
    return None if not np.isfinite(before_mm) else upper_face_match(before_mm, after_mm)


@pytest.mark.parametrize("orders, chosen", [
    ([(1.30, 1.20), (2.90, 3.10)], 0),   # one face the identity check would not refuse (mean 1.25, 3.00)
    ([(2.90, 3.10), (1.30, 1.20)], 1),
    ([(2.00, 2.20), (2.50, 2.40)], None),  # both refused: neither is the person
    ([(1.00, 1.10), (1.40, 1.50)], 0),   # both at most 1.7 mm, one below 1.08 (no two people read less)
    ([(1.20, 1.10), (1.40, 1.30)], None),  # both at most 1.7, neither below 1.08: cannot be told
    ([(0.10, 0.12), (0.30, 0.28)], None),  # both below 1.08 mm: the same person twice
    ([(np.nan, np.nan), (1.20, 1.10)], 1),  # a face not measured is no candidate
    ([(np.nan, np.nan), (np.nan, np.nan)], None),
    ([(1.70, 1.70), (3.0, 3.0)], 0),     # the limit itself is not refused (the comparison refuses above it)
    ([(1.72, 1.70), (3.0, 3.0)], None),  # above it: refused
    ([(1.75, 1.55), (2.9, 3.1)], 0),     # one order 1.75 would not be matched (above 1.6); the mean, 1.65, is
    ([(1.55, np.nan), (2.9, 3.1)], 0),   # a reverse fit failed: that face's one order against 1.6
    ([(1.65, np.nan), (2.9, 3.1)], None),
])
def test_choose_takes_the_one_face_the_identity_check_would_not_refuse(orders, chosen):
    assert choose([_m(*o) for o in orders]) == chosen


def test_a_photo_of_one_face_is_left_as_it_is(sample_analysis):
    assert matching_face(sample_analysis, sample_analysis) is sample_analysis


def _jpeg(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=92)
    return buf.getvalue()


@pytest.mark.skipif(not LONDON.is_dir(), reason="shared faces absent")
def test_a_friend_with_the_larger_face_is_not_what_the_comparison_measures():
    """London 003 (neutral) beside the larger London 021, compared with 003's smiling photo: the largest face
    (021) was measured and the pair refused as two people; now 003's face is measured, the pair is not
    refused as two people, and the messages say which face and why."""
    a = np.array(Image.open(LONDON / "london_003_f38_white_neutral.jpg").convert("RGB"))
    b = np.array(Image.open(LONDON / "london_021_m48_white_neutral.jpg").convert("RGB"))
    a = cv2.resize(a, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)  # the friend's face ~1.2 x larger
    canvas = np.full((b.shape[0], a.shape[1] + b.shape[1], 3), 128, np.uint8)
    canvas[b.shape[0] - a.shape[0]:, :a.shape[1]] = a
    canvas[:, a.shape[1]:] = b
    canvas = cv2.resize(canvas, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    seam = a.shape[1] / 2
    two = analyze_photo(_jpeg(canvas), name="two.jpg")
    assert two.n_faces == 2 and two.points[:, 0].mean() > seam  # the largest: the friend's, on the right
    other = analyze_photo(LONDON / "london_003_f38_white_smiling.jpg")
    c = compare_photos(other, two, check_order=False)
    assert c.after.points[:, 0].mean() < seam  # 003's face, on the left
    assert not any(m.startswith(MSG_DIFFERENT_PEOPLE) for m in c.messages), c.messages
    said = [m for m in c.messages if "measured the one on the left, which matches the before photo" in m]
    assert len(said) == 1 and said[0].startswith("2 faces found in the after photo"), c.messages
    res = c.after.extra["face_residuals"]  # the mean of both orders, mm RMS
    assert res[1] <= 1.7 < res[0], res  # face 1 (the smaller) matches, face 0 (the larger) is refused
    # either order: the several-face photo as the before photo
    c2 = compare_photos(two, other, check_order=False)
    assert c2.before.points[:, 0].mean() < seam, c2.messages
    assert any("2 faces found in the before photo; measured the one on the left, which matches the after photo" in m
               for m in c2.messages), c2.messages


@pytest.mark.skipif(not LONDON.is_dir(), reason="shared faces absent")
def test_the_batch_compares_the_matching_face_too(tmp_path):
    """The batch's and the series' comparisons go through compare_photos (batch.workers._task_compare): the
    message reaches changes.csv's `messages` column."""
    from facemetrics.batch.workers import _task_compare

    a = np.array(Image.open(LONDON / "london_024_m47_east_asian_neutral.jpg").convert("RGB"))
    b = np.array(Image.open(LONDON / "london_037_m37_west_asian_neutral.jpg").convert("RGB"))
    canvas = cv2.resize(np.concatenate([b, a], axis=1), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    two = analyze_photo(_jpeg(canvas), name="two.jpg")
    other = analyze_photo(LONDON / "london_024_m47_east_asian_smiling.jpg")
    out = _task_compare([other], two, {}, str(tmp_path / "c.json"))
    said = [m for m in out["messages"] if "which matches the before photo" in m]
    assert len(said) == 1 and "measured the one on the right" in said[0], out["messages"]
    assert not any(m.startswith(MSG_DIFFERENT_PEOPLE) for m in out["messages"]), out["messages"]


@pytest.mark.skipif(not LONDON.is_dir(), reason="shared faces absent")
def test_the_chosen_face_keeps_the_scale_the_user_gave():
    """Each face is measured again: with the user's mm_per_px of that photo, not the iris's."""
    names = sorted(LONDON.glob("*_neutral.jpg"))
    a = np.array(Image.open(names[2]).convert("RGB"))
    b = np.array(Image.open(names[3]).convert("RGB"))
    canvas = cv2.resize(np.concatenate([b, a], axis=1), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    two = analyze_photo(_jpeg(canvas), name="two.jpg", mm_per_px=0.5)
    other = analyze_photo(Path(str(names[2]).replace("_neutral.jpg", "_smiling.jpg")))
    chosen = matching_face(two, other)
    assert chosen.extra["face_matched"] and chosen.points[:, 0].mean() > canvas.shape[1] / 2, chosen.warnings
    assert chosen.calibration.source == "user_mm_per_px" and abs(chosen.mm_per_px - 0.5) < 1e-9


def _astronaut_and_stranger(stretch: float = 1.25) -> np.ndarray:
    """The sample's after photo (the astronaut) on the left, and on the right a larger 'stranger': the same
    picture stretched ``stretch`` x wider (and 1.1 x larger), whose upper face the identity check tells from
    the astronaut's (2.5 mm at 1.25 against the sample's before photo; the astronaut's own 0.02 mm)."""
    a = np.array(Image.open(SAMPLES / "astronaut_after.jpg").convert("RGB"))
    f = cv2.resize(a, None, fx=stretch * 1.1, fy=1.1, interpolation=cv2.INTER_CUBIC)
    canvas = np.full((f.shape[0], a.shape[1] + f.shape[1], 3), 128, np.uint8)
    canvas[f.shape[0] - a.shape[0]:, :a.shape[1]] = a
    canvas[:, a.shape[1]:] = f
    return canvas


def test_photos_csv_describes_the_face_changes_csv_compared(tmp_path):
    """A batch whose post photo holds the subject and a larger stranger: the comparison measures the subject's
    face (the one on the left), and the photo's row in photos.csv now describes that face too (its measured
    columns are the face's own, not the largest's), its warnings saying which face and why; the before photo's
    row is untouched."""
    from facemetrics.analyze import analyze_loaded
    from facemetrics.batch import run_batch
    from facemetrics.loader import load_photo

    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "before.jpg").write_bytes((SAMPLES / "astronaut_before.jpg").read_bytes())
    (folder / "after.jpg").write_bytes(_jpeg(_astronaut_and_stranger()))
    (tmp_path / "m.csv").write_text("photo,subject,treatment,taken_at,treated_at\n"
                                    "before.jpg,S1,rf,2026-01-01T09:00,2026-01-01T10:00\n"
                                    "after.jpg,S1,rf,2026-01-02T10:00,2026-01-01T10:00\n")
    res = run_batch(folder, tmp_path / "out", manifest=tmp_path / "m.csv", workers=1, progress=False)
    photos = res.photos.set_index("photo")
    changes = res.changes.set_index("photo")
    assert changes.loc["after.jpg", "status"] != "refused", changes.loc["after.jpg", "messages"]
    assert "measured the one on the left, which matches the before photo" in changes.loc["after.jpg", "messages"]
    row = photos.loc["after.jpg"]
    assert row["n_faces"] == 2 and row["status"] == "ok"
    assert row["warnings"].startswith("2 faces found; measured the one on the left, the face that matches "
                                      "before.jpg (the face its comparison in changes.csv measured"), row["warnings"]
    assert "measured the largest" not in row["warnings"]
    # the statistic said as the comparison's sentence says it (the mean of both orders), not a bare "X mm apart"
    said = re.search(r"upper faces (.+?) apart after alignment", changes.loc["after.jpg", "messages"]).group(1)
    assert "the mean of" in said and f"upper faces {said} apart after alignment" in row["warnings"], row["warnings"]
    assert "mm on the same statistic)" in row["warnings"], row["warnings"]
    photo = load_photo((folder / "after.jpg").read_bytes(), name="after.jpg")
    left, largest = analyze_loaded(photo, face=1), analyze_loaded(photo)
    assert row["face_width_px"] == pytest.approx(left.to_row()["face_width_px"])
    assert abs(row["face_width_px"] - largest.to_row()["face_width_px"]) > 20  # the stranger's is wider
    assert row["jaw_width_mm"] == pytest.approx(left.to_row()["jaw_width_mm"])
    assert photos.loc["before.jpg", "n_faces"] == 1 and "faces found" not in str(photos.loc["before.jpg", "warnings"])
    # the same again from the cache: the stored comparison carries the face
    again = run_batch(folder, tmp_path / "out", manifest=tmp_path / "m.csv", workers=1, progress=False)
    assert again.photos.set_index("photo").loc["after.jpg", "warnings"] == row["warnings"]


def _side_by_side(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    h = max(left.shape[0], right.shape[0])
    canvas = np.full((h, left.shape[1] + right.shape[1], 3), 128, np.uint8)
    canvas[h - left.shape[0]:, :left.shape[1]] = left
    canvas[h - right.shape[0]:, left.shape[1]:] = right
    return canvas


def _sample(name: str, fx: float = 1.0, fy: float = 1.0) -> np.ndarray:
    a = np.array(Image.open(SAMPLES / name).convert("RGB"))
    return a if fx == fy == 1.0 else cv2.resize(a, None, fx=fx, fy=fy, interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def two_after():
    """The astronaut (left) and a larger stranger (right), the sample's after photo."""
    return analyze_photo(_jpeg(_astronaut_and_stranger()), name="two_after.jpg")


def test_several_faces_in_both_photos_compare_the_before_photos_largest_and_its_match(two_after):
    """Before: the astronaut (larger, right) beside the stranger; after: the astronaut (smaller, left) beside
    the larger stranger.  The before photo's largest face (the astronaut) is compared with its match in the
    after photo (not the after photo's largest), and both photos' messages say which face."""
    stranger = _sample("astronaut_before.jpg", fx=1.25 * 0.8, fy=0.8)
    before = analyze_photo(_jpeg(_side_by_side(stranger, _sample("astronaut_before.jpg"))), name="two_before.jpg")
    assert before.n_faces == 2 and before.points[:, 0].mean() > before.photo.rgb.shape[1] / 2
    assert two_after.n_faces == 2 and two_after.points[:, 0].mean() > two_after.photo.rgb.shape[1] / 2
    c = compare_photos(before, two_after, check_order=False)
    assert c.status != "refused", c.messages
    assert c.after.points[:, 0].mean() < two_after.photo.rgb.shape[1] / 2  # the astronaut, on the left
    assert c.before.points[:, 0].mean() > before.photo.rgb.shape[1] / 2
    said = " | ".join(c.messages)
    assert ("2 faces found in the after photo; measured the one on the left, which matches the before photo's "
            "largest face (the one on the right): upper faces") in said, said
    assert ("2 faces found in the before photo; measured the largest, the one on the right: the person compared"
            in said), said
    res = c.after.extra["face_residuals"]
    assert res[1] < 1.08 and res[0] > 1.7, res


def test_several_faces_in_both_photos_refused_when_the_match_is_not_one_to_one(two_after):
    """Before: the astronaut twice (0.9 x beside 1 x): the after photo's astronaut matches the before photo's
    largest face, but also its other copy: which person is compared cannot be told, the pair is refused
    saying so (before this rule: the largest faces compared, the astronaut against the stranger)."""
    before = analyze_photo(_jpeg(_side_by_side(_sample("astronaut_before.jpg"),
                                               _sample("astronaut_before.jpg", 0.9, 0.9))), name="twice.jpg")
    assert before.ok and before.n_faces == 2
    c = compare_photos(before, two_after, check_order=False)
    assert c.status == "refused"
    said = " | ".join(c.messages)
    assert "after photo not measured (several_faces): two_after.jpg: its face on the left matches the before " \
           "photo's largest face (the one on the left) at 0.02 mm (the mean of both orders, each photo as the " \
           "reference) but not only it" in said, said
    assert "which person to compare cannot be told: crop both photos to the one face" in said, said


def test_several_faces_in_both_photos_refused_when_no_face_matches(two_after):
    """The before photo's largest face a stranger not in the after photo: refused, naming each face's residual."""
    other = _sample("astronaut_before.jpg", fx=0.8, fy=1.1)  # narrower: another 'person'
    before = analyze_photo(_jpeg(_side_by_side(other, _sample("astronaut_before.jpg", 0.5, 0.5))), name="b.jpg")
    assert before.ok and before.n_faces == 2
    c = compare_photos(before, two_after, check_order=False)
    said = " | ".join(c.messages)
    assert c.status == "refused" and "faces can be told to match the before photo's largest face" in said, said


def test_each_face_is_aligned_for_its_residual_only(two_after, monkeypatch):
    """The cost of a second face (bench/bench_faces_cost.py): the largest face is not analysed again, each face
    is aligned for its residual alone (upper_face_residual: no floor-term refits, lifts, folds), which reads
    the value compare's whole measurement reads; the chosen pair is measured once, by the comparison."""
    import facemetrics.compare as cmp_pkg
    import facemetrics.compare.faces as faces_mod
    from facemetrics.compare.faces import _faces
    from facemetrics.compare.measure import _measure, upper_face_residual

    other = analyze_photo(SAMPLES / "astronaut_before.jpg")
    faces = _faces(two_after)
    assert faces[0].points is two_after.points and faces[1].points is not None
    assert not any("measured the largest" in w for w in faces[0].warnings)
    for y in faces:  # the stranger (2.5 mm) and the astronaut (0.02 mm), both orders
        assert upper_face_residual(other, y) == _measure(other, y).alignment.residual_mm
        assert upper_face_residual(y, other) == _measure(y, other).alignment.residual_mm
    calls = {"analyses": 0, "residuals": 0, "measures": 0}
    analyze, residual, measure = faces_mod.analyze_loaded, faces_mod.upper_face_residual, cmp_pkg._measure

    def counting(key, fn):
        def wrapped(*a, **kw):
            calls[key] += 1
            return fn(*a, **kw)
        return wrapped

    monkeypatch.setattr(faces_mod, "analyze_loaded", counting("analyses", analyze))
    monkeypatch.setattr(faces_mod, "upper_face_residual", counting("residuals", residual))
    monkeypatch.setattr(cmp_pkg, "_measure", counting("measures", measure))
    c = compare_photos(other, two_after, check_order=False)
    # the second face analysed whole once (each face is the reference of one of its two fits, which reads its
    # frame, jaw and folds: 2026-12-05, h2), each face fitted both ways, the chosen pair measured once
    assert calls == {"analyses": 1, "residuals": 4, "measures": 1}, calls
    # what the gate then reads: the same statistic of the same pair
    assert c.after.extra["face_residuals"][1] == 0.5 * (c.alignment.residual_mm + upper_face_residual(c.after, other))


def test_the_apps_photos_csv_describes_the_face_the_page_compared():
    """A fresh user's audit (2026-12-04): the app's photos.csv download described the largest face of a
    several-face photo while the comparison on the page measured another (the one matching the before photo);
    it now gives the compared face's row, its warnings saying which and why, as the batch's photos.csv does
    (app.photos_rows: batch.runner.agree_faces).  A pair not compared leaves the largest face's row."""
    from conftest import app_module

    app = app_module()
    before = analyze_photo((SAMPLES / "astronaut_before.jpg").read_bytes(), name="before.jpg")
    two = analyze_photo(_jpeg(_astronaut_and_stranger()), name="after.jpg")
    assert two.n_faces == 2
    pair = app.Pair(before, two, treatment="rf")
    c = compare_photos(before, two, check_order=False)
    assert c.after.extra.get("face") == 1, c.messages  # the page compared the astronaut, not the largest face
    rows = {r["photo"]: r for r in app.photos_rows([before, two], {"p": pair}, lambda p: c)}
    row = rows["after.jpg"]
    assert row["warnings"].startswith("2 faces found; measured the one on the left, the face that matches "
                                      f"before.jpg (the face its comparison {uploads.ON_THE_PAGE} measured"), row["warnings"]
    assert row["face_width_px"] == pytest.approx(c.after.to_row()["face_width_px"])
    assert abs(row["face_width_px"] - two.to_row()["face_width_px"]) > 20  # not the stranger's (the largest)
    assert rows["before.jpg"] == before.to_row()
    untouched = {r["photo"]: r for r in app.photos_rows([before, two], {"p": pair}, lambda p: None)}
    assert untouched["after.jpg"] == two.to_row() and "measured the largest" in untouched["after.jpg"]["warnings"]


def test_the_batch_note_on_the_face_says_the_comparisons_statistic():
    """photos.csv's note on the face a comparison measured said "upper faces 0.02 mm apart after alignment"
    without naming the statistic, the mean of both orders since stop 42 (or one order when a reverse fit
    failed): it now quotes the comparison's own words (compare.faces' ``extra["face_said"]``, carried by
    batch.workers.faces_used), one order included; a comparison stored without them keeps its value alone."""
    from facemetrics.batch.runner import agree_faces
    from facemetrics.compare.faces import _said
    from facemetrics.compare.gate import upper_face_match

    def run(said):
        row = dict(photo="after.jpg", n_faces=2, warnings="", jaw_width_mm=1.0)
        face = {"face": 1, "place": "the one on the left", "row": dict(photo="after.jpg", jaw_width_mm=2.0),
                "largest_warnings": "", "own_warnings": "", "residuals": [2.5, 0.02]}
        if said is not None:
            face["said"] = said
        agree_faces([(row, [dict(photo="before.jpg")])], {0: {"status": "ok", "faces": {"after": face}}})
        assert row["jaw_width_mm"] == 2.0
        return row["warnings"]

    both = _said(upper_face_match(0.02, 0.03), "this face", "the before photo")
    one = _said(upper_face_match(0.02), "this face", "the before photo")
    assert "the mean of 0.02 mm with this face as the reference and 0.03 mm with the before photo" in both
    assert "on one order" in one
    for said in (both, one):
        note = run(said)
        assert f"upper faces {said} apart after alignment, the largest face 2.50 mm on the same statistic)" in note
    assert "upper faces 0.02 mm apart after alignment" in run(None)
