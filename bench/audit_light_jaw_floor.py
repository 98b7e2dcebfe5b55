"""A side light moves the jaw width: a floor term that grows with the pair's side-light shift (stop 60 g6;
docs/robustness.md "The jaw floors under a side light").

    python bench/audit_light_jaw_floor.py collect --split tune --csv /tmp/g6_tune.csv   # measure (slow)
    python bench/audit_light_jaw_floor.py choose /tmp/g6_tune.csv                       # the rows and slopes
    python bench/audit_light_jaw_floor.py collect --split held --csv /tmp/g6_held.csv
    python bench/audit_light_jaw_floor.py judge /tmp/g6_tune.csv /tmp/g6_held.csv       # the rule, once

Needs /work/wt/shared/faces (``../shared/faces``); exits 2 without it (``collect``).

Why: stop 59 (``bench/audit_light_jaw.py``) measured that a side light moves Face Mesh's oval (median side 0.66 mm
on the mesh surface, 0.85 mm on the generic one) and that ``jaw_width_mm`` changed beyond its 3.1 mm floor on 9 of
69 side-lit pairs on each surface.  Proposed: widen the floors of the oval rows by a term that grows with the pair's
side-light shift (``compare.light.light_shift``'s side, %, already read for every pair), so a side light cannot
make a false jaw change while a same-light pair keeps today's floor.

THE RULE (written and committed before any run of this bench):

Faces.  TUNING: the first 12 (by name) of the Canada tuning half (``accuracy.canada_split``) and the first 3 London
tuning neutral faces (``accuracy.london_split``).  HELD OUT: the 16 Canada held-out faces, the 6 London held-out
neutral faces, and the real same-light pairs: London neutral -> smiling of the 6 held-out London faces, the
debruine camera-distance and pose pairs and the GRID clip frames (``bench_tone_mapping.real_pairs``).  The tuning
London faces' neutral -> smiling pairs are read in the tuning run (reported, not used for a slope).

Pairs per face (each after photo a phone JPEG, quality 92, ``compare_photos(..., check_order=False)``, the package
as it is, with the term off while collecting):
- ``side``: relit, no true change (``simulate.relit``: az +-20, +-40 at 15 deg from az 0, and 30 -> -30 deg; the
  smile-line grooves of the .tem where there is one), on the ``mesh`` and on the ``generic`` surface: 10 pairs;
- ``clean``: no light change: gamma 0.8, brightness x 1.15, white balance, JPEG 70, noise 4, blur 1 px, head yaw
  5 deg (``simulate.head_pose``): 7 pairs;
- ``true``: a true narrowing of the lower face, made with a shape unlike the method's (the method reads the width
  between two oval landmarks at the mouth corners' height; the truth is a smooth horizontal squeeze of the image,
  ``-s R tanh((u - u0) / R) g(v)``, R 80 mm, ``g`` a Gaussian in height centred 12 mm below the mouth corners,
  sd 15 mm, so it is largest below the mouth and reaches the neck and cheeks), scaled so the before oval's width at
  the mouth corners' height narrows by exactly 2 mm (``narrow2``) and 4 mm (2 mm a side, ``narrow4``), same light;
  and ``narrow4`` under the az +20 mesh light (``narrow4_az+20``: what the term costs a true change under a side
  light; reported, not judged).

Candidate rows: the per-photo oval and landmark rows (``jaw_width_mm``, ``lower_face_area_mm2``,
``jawline_height_mm``, ``jowl_sag_mm``, ``jaw_angle_deg``, ``mouth_corner_height_mm``, ``cheek_height_mm``,
``jawline_lift_landmarks_mm``, ``jowl_lift_landmarks_mm``; each side and mean row it has).

The term.  A row's floor becomes ``hypot(floor, k x max(|side| - S0, 0))``, ``side`` the pair's side shift (%),
``S0`` = ``compare.light.MAX_LIGHT_SIDE_SHIFT_PCT`` (10 %: the term starts where the fold check already fires, so a
pair whose light did not move keeps its floor exactly), ``k`` per floor key (metric, side|mean), in the row's unit
per %.  A key takes a term only if its rows read a verdict on at least 2 TUNING ``side`` pairs (both surfaces
pooled).  Its slope: 1.25 x the largest ``sqrt(change^2 - floor^2) / (|side| - S0)`` over the tuning ``side``
pairs with ``|side| > S0`` whose row reads a verdict, rounded up to two significant digits (the floors' own rule:
1.25 x the largest, 2 significant digits); chosen on the tuning rows only, before the held-out run is read.

Ships (the slopes into the package, the term in ``compare.floors``) only if, on the HELD-OUT faces, read once:
(a) ``side`` pairs (both surfaces pooled, N pairs): every termed key reads a verdict on at most 1 of the N pairs
    with the term (jaw width was 9 of 69 per surface in stop 59's tuning audit);
(b) same-light pairs (``clean`` and the real pairs): each termed key's floor median (new / old) <= 1.05, and on the
    ``true`` pairs no ``jaw_width_mm`` verdict the old floor gives is lost with the term;
(c) the sample study's verdicts are unchanged (``facemetrics demo``'s study, comparisons CSV, old against new).
If any fails, nothing goes into the package; this bench and a docs section keep the measurement.
"""
