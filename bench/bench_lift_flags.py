"""Does a lift set off the per-photo flags ('smiling', a covered jaw)?  On a lift the method does not assume.

    nice -n 10 python bench/bench_lift_flags.py -o /tmp/lift_flags.csv            # tuning faces
    python bench/bench_lift_flags.py --summary /tmp/lift_flags.csv                 # the rates
    nice -n 10 python bench/bench_lift_flags.py --heldout -o /tmp/lift_flags_h.csv # Canada held-out, read once

Skips with a message (exit status 0) when ``../shared/faces`` is absent; no photo is copied.

Question and rule (written and committed before any run, 2026-12-05, h14)
-------------------------------------------------------------------------
Question: does a real lift of the lower cheek make the *after* photo read as 'smiling'
(:func:`facemetrics.quality.smile_score` > ``MAX_SMILE_SCORE``) or as a covered jaw/chin
(:func:`facemetrics.occlusion.photo_occlusion`, regions ``jaw_right``, ``chin``, ``jaw_left``), and
does the comparison then lose the jaw rows (``jawline_*`` rows ``uncertain`` with the
``MSG_PHOTO_COVERED`` message)?

Lift: ``bench/bench_coverage.py``'s oblique Wendland bump (30 deg outward, R 45 mm, its own code reused), peak
vertical A = 1, 2, 3 mm, both sides and subject's left only; controls: A = 0 with the same nuisance kind
(roll, scale, shift, brightness, sensor noise, JPEG; ``bench_coverage.nuisance``), three draws per face.
Faces: tuning only (London 12 neutral + Canada tuning split of ``bench/accuracy.py::canada_split``), London
first then Canada, interleaved so a run cut short still holds both sets; n stated.

Counted per after photo: ``smiling`` (flag), ``jaw cover`` (any jaw/chin region covered in the after photo and
not in the before photo, i.e. what ``one_photo_covered`` turns into uncertain jaw rows), and ``jaw rows lost``
(the comparison's ``jawline_height_mm`` mean row reads ``uncertain``).  Wilson 95 % intervals.

Fault (decided now): a flag is set off by the lift when, pooled over the lifted cases (1-3 mm, both- and
one-sided), its rate is >= 5 % (a user meets it in 1 of 20 lifted photos) AND the Wilson 95 % interval of the
lifted rate lies wholly above the unlifted controls' rate (point estimate).  Otherwise: no fault; the figures go
in docs/robustness.md with a test pinning the finding.

Fix the rule names, if the cover check is at fault: a jaw/chin region flagged in the after photo alone counts as
covered only when its largest not-skin area exceeds the before photo's own area in that region by the limit
(``OCCLUSION_PHOTO_MIN_AREA_MM2``), i.e. compare against the before photo's own value, in
``facemetrics.compare.occlusion.one_photo_covered``; accepted only if on the tuning faces it clears >= half of the
lifted photos' lost jaw rows and still catches the pasted covers of ``bench/bench_occlusion_photo.py`` at the
rate docs/robustness.md states; then the Canada held-out split is read once.  For 'smiling' no fix is named
(the per-photo flag has no before photo; the comparison's own expression check reads the change): a fault
there is reported, not fixed.
"""
