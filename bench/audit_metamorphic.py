"""Metamorphic audit of ``compare_photos`` / ``analyze_photo`` on real faces (task h6).

    python bench/audit_metamorphic.py                  # every set (~25 min on 2 shared cores)
    python bench/audit_metamorphic.py --sets london    # one set
    python bench/audit_metamorphic.py --out /tmp/x.csv # the violation table as CSV

Properties that must hold whatever the method, and the pass criterion of each, written before the
first run (2026-12-04).  A row is a ``comparison.csv`` row ``(metric, side)`` with its ``change``, its
``noise_floor`` f and its ``verdict``; a row whose verdict is ``uncertain`` (the pair's own checks say it
cannot be read) or a comparison that is ``refused`` makes no claim and is never a violation.  A violation
is *silent* when its comparison's status is ``ok`` (no warning a user would read first).

Compare properties (A a photo; B = TPS(A), the thin-plate warp below; pairs of real photos where
the set has them: London neutral/smiling, DeBruine pose 1/2 and camera 45/60 cm, the bundled
before/after, GRID frames 0/40 of one clip):

P1 ``identity``: compare(A, A): every row ``within_noise``.
P2 ``resave``: compare(A, JPEG q90 of A): every row ``within_noise``.
P3 ``swap``: compare(B, A) against compare(A, B): for every row read in both,
   |c_BA + c_AB| <= max(f_AB, f_BA); and when both verdicts are directional they are opposite words
   (lift/sag, deeper/shallower, ...).  A directional verdict one way and ``within_noise`` the other
   way with the sum within the floor is tabulated as ``swap_borderline`` (the floors differ by
   photo), not counted as a violation.
P4 ``mirror``: compare(mirror A, mirror B) against compare(A, B) (both photos flipped left-right):
   the mirrored pair's ``right`` row equals the original's ``left`` row (and vice versa) and ``mean``
   rows are unchanged, each within max(f, f'); verdicts equal.  The yaw and roll rows change sign.
P5 ``scale_0.5`` / ``scale_1.5``: both photos resized (INTER_AREA / INTER_CUBIC, PNG): every row
   within max(f, f') of the original pair's.
P6 ``pad`` (25 % of the width/height of edge-replicated background added on each side), ``crop``
   (a margin of background cut away, keeping the face box plus 30 % of its size), ``exif_rot``
   (pixels rotated 90 deg clockwise and the EXIF Orientation tag 8 set so an upright display
   rotates them back; JPEG q95 against the unrotated JPEG q95): every row within max(f, f') of the
   original pair's (the pad/crop pairs against the PNG originals).
P7 ``synthetic``: B = A warped by a thin-plate spline through a few Face Mesh landmarks (jaw chain,
   chin, mouth corners and jowl moved up the face, the subject's right by 2.0 mm and the left by
   1.0 mm, cheeks by half; eyes, brows, nose and the image border fixed): not the package's own lift
   model (``facemetrics.simulate.lift``'s smooth region field).  Truth per dense lift row: the 20 %
   trimmed mean of the warp's forward displacement (``-dv``, mm of the before photo's own calibration)
   over the comparison's own region mask.  Pass: the verdict's sign is the truth's (``lift``), and
   |measured - truth| <= f.  The pose rows stay ``within_noise`` (no pose change was made).

Analysis properties (INVARIANCE_COLUMNS of :mod:`facemetrics.validate`, the per-photo metrics; the
pass band is :func:`facemetrics.validate.invariance_tolerance`, the documented invariance
tolerance of docs/accuracy.md.  "Iris mm unchanged": ``mm_per_px`` (the iris calibration every mm
figure uses) moves by at most 2 % (half of the 4 % relative part of the mm tolerance)):

P8 ``bright_0.7`` / ``bright_1.3`` / ``gamma_0.8`` / ``gamma_1.25``: pixel values scaled (clipped) or
   gamma-mapped, PNG.
P9 ``a_mirror``: analyze(mirror A): the ``_right`` and ``_left`` columns swap, other columns equal.
P10 ``a_scale_0.5`` / ``a_scale_1.5`` / ``a_pad`` / ``a_crop`` / ``a_exif_rot``: as P5/P6 for one photo.
A photo whose original analysis is not ``ok`` is skipped (listed); a transformed photo whose analysis
is not ``ok`` while the original is, is a violation of kind ``refused`` (not silent).

Sets: London neutral 12 (tuning set of the project), Canada 40 (tuning 24 / held-out 16 split of
``bench/accuracy.py``), DeBruine 8, GRID frame 0 of 3 clips, the bundled sample pair.
"""
