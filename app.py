"""facemetrics in the browser: ``streamlit run app.py``.

A thin shell over the library: every number on the page comes from
:func:`facemetrics.analyze_photo`, :func:`facemetrics.compare.compare_photos`
and :func:`facemetrics.decay.analyze_series`; this file only lays out
widgets, tables, images and download buttons.

Privacy: uploaded photos are read into memory (Streamlit keeps them for the
session), measured in the app's worker process on this machine (:func:`photo_worker`: the bytes go
through a pipe between the two processes) and never written to disk or sent
anywhere; ``.streamlit/config.toml`` binds the server to ``localhost`` (not
reachable from the network, and no look-up of the machine's external IP at
start-up) and turns Streamlit's usage statistics off.  It also turns the file
watcher off: a facemetrics changed on disk was reloaded under running sessions,
whose kept analyses then failed the new classes' checks (:func:`safe_compare`
says so if it happens all the same, never a traceback).

A native crash (docs/robustness.md, 'A native crash in analyze, compare and the app'): every
photo is measured in one worker process of the server (:func:`photo_worker`,
:class:`facemetrics.isolated.Worker`), so that a photo that crashes the face finder (SIGSEGV or
SIGABRT in MediaPipe or OpenCV) ends that process, never the server: the photo is an ``error``
analysis naming the crash (:func:`measure`), the page says so (:func:`show_crashes`), every other
result of every session stays, and the next photo is measured in a new worker.  The comparisons
(:func:`compare_in_worker`) and the *My study* page's adds and measurements of stored photos
(:func:`store_add`, :func:`stored_analyses`) run in that process too, each crash said on the page.

Caching: :func:`warm_up` starts the worker process (it imports the analysis and builds its Face
Mesh graph) in a background thread when the page is first shown, and :func:`face_mesh` makes
sure it was started before the first analysis (both ``st.cache_resource``, once
per process).  Everything derived from a user's photos (analyses,
thumbnails, overlays, comparisons, timelines) is kept in that user's
``st.session_state`` only (:func:`session_memo`), keyed by the photos'
SHA-256 (content, never the file name: phones name every upload
``image.jpg``), and pruned to the photos currently uploaded; it goes away
with the session.  The worker process also keeps, in its memory only, the last
analyses it made (at most :data:`facemetrics.isolated.KEEP_MAX`, pixels included), so that a
comparison sends their keys rather than the analyses (:func:`compare_in_worker`): a key holds the
photo's SHA-256, so only a session that has the photo can name one; they are dropped as newer ones
come and when the worker ends.  Only the bundled example is cached process-wide
(``st.cache_data``).  Two uploads with the same content are analysed once
and shown as a duplicate; two different photos with the same name get
distinct labels (``image.jpg``, ``image (2).jpg``).

Time to the first result (issue 12, ``docs/speed.md``): after an upload the
script sends the page's frame, analyses the photos, compares them and draws
the headline before anything else that costs the browser time (the roles
editor's data grid, the photo cards, the figures, the downloads), each still
drawn in its place on the page.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import sys
import threading
import traceback
import unicodedata
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

import facemetrics as fm
from facemetrics import decay as fm_decay
from facemetrics import plots as fm_plots
from facemetrics import report as fm_report
from facemetrics import study as fm_study
from facemetrics.batch import name_key
from facemetrics.batch.discover import name_text
from facemetrics.batch.tables import MSG_BEFORE_TAKEN_AFTER, MSG_SAME_PICTURE_LEFT_OUT
from facemetrics.compare import DEFAULT_NOISE_FLOORS, pair_mm_per_px, resolution_floors
from facemetrics.compare.floors import SCALE_COVERAGE_K
from facemetrics.compare.table import float_or_nan
from facemetrics.compare.disagreement import MSG_BASELINES_DISAGREE, MSG_FLOORS_FROM_DISAGREEMENT
from facemetrics.compare.gate import (MSG_CAMERA_UNCHECKED, MSG_EXPRESSION, MSG_EXPRESSION_MAYBE, MSG_POSE_UNCHECKED,
                                      REMEDY_SWAP, refusal_reasons)
from facemetrics.decay.wording import UNIT_WORDS, change_unit, decimals_for
from facemetrics.flags import IPD_REMEDY
from facemetrics.rounding import fixed, fixed_uncertainty
from facemetrics.decay.claim import MIN_LAST_HOURS, MIN_PHOTOS, MIN_TIMES, SAME_PHOTO_TIME_H
from facemetrics.decay.near_claim import FAR_FROM_CLAIM_H
from facemetrics.decay.fit_needs import fit_needs
from facemetrics.messages import top_level
from facemetrics.naming import download_names, download_part
from facemetrics.export import csv_bytes, figure_png, mark_png, rows_frame, zip_bytes
from facemetrics.analyze import read_remedy
from facemetrics.overlay import OVERLAY_MAX_SIDE, photo_overlay
from facemetrics.pairing import MANIFEST_REMEDY
from facemetrics.schema import (LONG_COLUMNS, PHOTO_FORMATS, PHOTO_SUFFIXES, REGIMEN_COLUMNS_DEF, TIMELINE_COLUMNS_DEF,
                                metric_rank)
# an upload session as a study (roles, pairs, the rows of the downloads and the fits): facemetrics.uploads
from facemetrics.uploads import (PER_PHOTO_SCALE_NOTE, Pair, comparison_frame, comparison_result, default_roles,
                                 hours_from, late_before_note, page_headline, pair_key, pairs_of, per_photo_cell,
                                 photos_rows, photos_table, same_roles, session_disagreement, smile_flag, timeline_rows,
                                 treatment_time_text, unique_uploads, untimed_after_photos, with_batch_verdicts,
                                 with_sidecars)

ROOT = Path(__file__).resolve().parent
SAMPLES = ROOT / "sample_images"
EXAMPLE_PAIR = (SAMPLES / "astronaut_before.jpg", SAMPLES / "astronaut_after.jpg")

#: accepted upload types (file name suffixes)
PHOTO_TYPES = [s.lstrip(".") for s in PHOTO_SUFFIXES]  # every format the loader reads (schema.PHOTO_FORMATS)
ROLES = ["before", "after", "ignore"]

st.set_page_config(page_title="facemetrics: did the device change the face?", page_icon=":straight_ruler:",
                   layout="wide")


#: characters Markdown (and Streamlit's LaTeX) reads as formatting, escaped in text that comes from
#: users (file names, subject and treatment names) or quotes it (the library's messages)
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$")


def md(text) -> str:
    """``text`` shown literally by ``st.markdown`` / ``st.warning`` ...: an upload named
    ``[x](y) **b**.jpg`` is shown as that name, not as a link and bold text."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in str(text))


#: the content widths (px) below which a wide table is swapped for its compact form (:func:`fitted`), by the
#: size class ``fitted`` is given: "" the comparison table (its columns take 822 px, :data:`TABLE_COLUMNS`) and
#: My study's photo table (846 px at 390 px; at 1366 x 768 with the sidebar open the page's content is 906 px);
#: "s" a photo's figures beside its card (500 px, :data:`FIGURE_COLUMNS`; the column is 600 px at 1366 x 768)
#: "f" the comparison's figure in its 3/5 column (356 px on a 390 px phone, about 530 px at 1366 x 768 with the
#: sidebar open, about 410 px on a 768 px tablet: plots.comparison_overlay's layouts; the "column" layout above,
#: its text 1/50 of its width: 9.6 px at 480 px); "t" the Timeline table in its expander (its 41 columns take
#: 4560 px: the compact form on a phone, 322 px, the wide grid at 1366 x 768, about 870 px)
NARROW_PX = {"": 860, "s": 520, "f": 480, "t": 640}

#: the column widths (% of the table's) of a compact table of ``len(widths)`` columns, by :data:`NARROW_PX`'s size
#: class: see :data:`LAYOUT_CSS`
COMPACT_WIDTHS = {"t": (24, 30, 23, 23), "s": (25, 31, 20, 24)}

#: CSS of the wide / compact pairs drawn by :func:`fitted`: a CSS container query on the width of the pair's own
#: container (not the window's: the sidebar takes 300 px of it), no script.  At 390 px (a phone) the
#: comparison table's verdict column began 142 px past the table's right edge (498 px into 822 px of columns in
#: 356; app on a phone, 2026-12-05).
#: A compact table (``st.table``) has the container's width, its columns shared equally; its codes break after
#: an underscore (:func:`md_cells`), and a word still wider than its column anywhere rather than widen it.  The
#: compact Timeline table's first table (verdict, fit, change at 24 h, half-life) shares its width 24/30/23/23 %:
#: in equal quarters (80 px in its 322 px expander at 390 px) the example's treatment read "microcurr / ent"; at
#: 33 % (106 px) "microcurrent" is whole, and "persists_" still fits the verdict's 25 % (2026-12-05, h11).  Since
#: :func:`cell_breaks` keeps a number with its unit, a piece wider than its column is broken anywhere ("-0.01 m / m"
#: in the 21 % the change had), so the cells' text is 14 px (0.875rem, the wide grid's size; Streamlit draws a
#: table's 16 px), padding 0.3rem, and the change and the half-life have 23 % (63 px of text: "+1.50 mm" is 57 px),
#: the fit 30 % (86 px: "microcurrent" 77 px), the verdict 24 % (66 px: "within_a_" 58 px).  A photo's compact
#: figures ("s": figure, value, ± scale, floor) 25/31/20/24 %: the value's "0.1908 mm/px" is 83 px, the floor's
#: "0.84 index" 59 px (h6 of stop 44, 2026-12-05, Chromium at 390 x 844).
#: Last, the note on a result in part (:data:`DRAWING_KEY`): fixed at the page's top right under the toolbar, out of
#: its flow, transparent until 0.6 s after it is drawn; a click goes through it (``pointer-events: none``) to what
#: it covers, e.g. on a phone whatever is scrolled under it while a stopped run's note stays.
#: And a spinner shown while no script runs is hidden: it is a stopped run's (``st.spinner`` clears its text with a
#: message sent in its ``finally``, which a stopped run may no longer send, so "Analysing 2 photos..." stayed on the
#: page after Stop, said as still working; docs/speed.md, stop 51-54).  The app root's script state is the attribute
#: Streamlit 1.60 renders on it (``data-test-script-state``, the browser tests' settled state).
LAYOUT_CSS = "<style>\n" + "".join(
    f"""[class*="st-key-fm-fit{c}-"] {{ container-type: inline-size; }}
@container (max-width: {px - 0.02}px) {{ [class*="st-key-fm-wide{c}-"] {{ display: none !important; }} }}
@container (min-width: {px}px) {{ [class*="st-key-fm-compact{c}-"] {{ display: none !important; }} }}
[class*="st-key-fm-compact{c}-"] table {{ table-layout: fixed; width: 100%; }}
[class*="st-key-fm-compact{c}-"] td, [class*="st-key-fm-compact{c}-"] th {{ padding: 0.3rem 0.3rem; }}
[class*="st-key-fm-compact{c}-"] td *, [class*="st-key-fm-compact{c}-"] th * {{ overflow-wrap: anywhere !important;
  font-size: 0.875rem !important; }}
""" for c, px in NARROW_PX.items()) + "".join(
    f"""[class*="st-key-fm-compact{c}-"] thead:has(th:nth-child({len(widths)}):last-child) th:nth-child({k + 1}) {{ width: {w}%; }}
""" for c, widths in COMPACT_WIDTHS.items() for k, w in enumerate(widths)) + """.st-key-fm-drawing {
  position: fixed; top: 4.25rem; right: 1rem; z-index: 999990; width: auto !important;
  max-width: min(24rem, calc(100vw - 2rem)); padding: 0.5rem 0.75rem; border-radius: 0.5rem;
  background: #fff8db; border: 1px solid #e0c35c; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.15);
  opacity: 0; animation: fm-drawing-shown 0s linear 0.6s forwards; pointer-events: none; }
.st-key-fm-drawing p { color: #3d3100 !important; }
@keyframes fm-drawing-shown { to { opacity: 1; } }
[data-testid="stApp"][data-test-script-state="notRunning"] [data-testid="stSpinner"] { display: none !important; }
</style>"""


#: a zero-width space: a line may break there, nothing is drawn (:func:`md_cells` puts one after each underscore)
ZWSP = "\u200b"
#: a no-break space: drawn as a space, never a line's end (:func:`cell_breaks`: "1.93 mm", "± 0.07", "95% CI")
NBSP = "\u00a0"
#: a word joiner: nothing drawn, no line break there ("mm/px": Chromium may break after a "/")
WJ = "\u2060"
#: a soft hyphen: a line may break there, drawn as "-" only where it does (:func:`cell_breaks`' long words)
SHY = "\u00ad"

#: units a compact cell never begins a line with (:func:`cell_breaks`): the schema's (facemetrics.schema) and the
#: figures' (plots._UNIT_WORDS), longest first so "mm²" is not read as "mm"
CELL_UNITS = ("mm/px", "mm²", "mm2", "mm", "deg", "°", "index", "px", "%", "pct", "pp", "h", "days", "day", "weeks",
              "week", "µA", "cm", "ratio")
_UNIT_SPACE = re.compile(r"(?<=\d) (?=(?:" + "|".join(re.escape(u) for u in CELL_UNITS) + r")(?![\w²]))")
#: the spaces a quantity keeps: after "±" before its figure, "95% CI", either side of a "/" between words
_QUANTITY_SPACE = re.compile(r"(?<=±) (?=[-+−]?\d)|(?<=%) (?=CI\b)|(?<=\w) (?=/ \w)|(?<=\w /) (?=\w)")
#: a file name's extension: a line may break before its "." ("m0p25h / .jpg")
_EXTENSION = re.compile(r"(?<=[A-Za-z0-9])(?=\.[A-Za-z][A-Za-z0-9]{0,4}\b)")
#: a run of letters long enough to be wider than a compact column gets soft hyphens (:func:`_syllable_breaks`):
#: a word of its own from 10 letters, a run inside a code (touching an underscore) from 12 ("microcurrent" in a
#: photo's name).  Shorter ones fit a compact column on a line of their own (9 letters, "shallower", about 60 px at
#: the tables' 14 px; the narrowest compact column holds 64 px of text at 390 px, :data:`COMPACT_WIDTHS`), where
#: the browser puts them whole: with a soft hyphen in "resolved" the Timeline table's "not resolved" read "not re- /
#: solved", in "meaningful" a column's name "smallest_mea- / ningful_change", though either word fits its column
LONG_WORD_LETTERS = 10
LONG_CODE_WORD_LETTERS = 12
_LONG_WORD = re.compile(r"(?<![A-Za-z_])[A-Za-z]{%d,}(?![A-Za-z_])|(?<![A-Za-z])[A-Za-z]{%d,}(?![A-Za-z])"
                        % (LONG_WORD_LETTERS, LONG_CODE_WORD_LETTERS))
#: a run of letters and digits as long, mixed ("S01microcurrent00"): a line may break where letters meet digits
_LONG_CODE = re.compile(r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{%d,}" % LONG_CODE_WORD_LETTERS)
_VOWELS = frozenset("aeiouy")
#: consonant pairs a syllable begins with ("mi-cro", "radio-fre-quency"): a break may come before one
_ONSETS = frozenset("bl br cl cr dr fl fr gl gr kn pl pr qu sc sk sl sm sn sp st sw tr tw wr".split())
#: consonant pairs never split: the onsets and the digraphs ("ch", "ck", "ng", "th", ...)
_NO_SPLIT = _ONSETS | frozenset("ch ck gh ng ph sh th wh".split())
#: the end of a word a syllable break may not leave alone: consonants then a silent "e" ("resol-ved", "smoo-thed")
_SILENT_END = re.compile(r"[^aeiouy]+e[ds]?")


def _syllable_breaks(word: str, left: int = 2, right: int = 4) -> list[int]:
    """Where a long word of letters may be hyphenated (indices of the letter a new line would begin with), at least
    ``left`` letters before and ``right`` after, the part before holding a vowel and the part after not a silent
    "e" ending: before a consonant between two vowels ("micro-current"), between two consonants before a vowel
    unless they are one sound or a syllable's onset (:data:`_NO_SPLIT`: "cur-rent", "coun-ter", "clock-wise"),
    before an onset followed by a vowel ("radio-fre-quency", "counter-clock").  A rule of thumb for English, no
    dictionary (Chromium's ``hyphens: auto`` has none on Linux): "resolved" reads "re-solved", "shallower"
    "shal-lower"."""
    w = word.lower()
    v = [c in _VOWELS for c in w]
    out = []
    for i in range(left, len(w) - right + 1):
        if not any(v[:i]) or _SILENT_END.fullmatch(w[i:]):
            continue
        if v[i - 1] and not v[i] and v[i + 1]:                                           # V | C V
            out.append(i)
        elif not v[i - 1] and not v[i] and v[i + 1] and w[i - 1:i + 1] not in _NO_SPLIT:  # C | C V
            out.append(i)
        elif (not v[i] and w[i:i + 2] in _ONSETS and i + 2 < len(w) and v[i + 2]
              and w[i - 1:i + 1] not in _NO_SPLIT):                                       # | C C V (an onset)
            out.append(i)
    return out


def _soft_hyphens(m: re.Match) -> str:
    w = m.group(0)
    cuts = [0, *_syllable_breaks(w), len(w)]
    return SHY.join(w[a:b] for a, b in zip(cuts, cuts[1:]))


def cell_breaks(text: str) -> str:
    """``text`` with the line breaks a compact table's narrow column may take where a reader expects them and no
    others: a number never apart from its unit ("1.93 mm", "95% CI", "mm/px", "mm / week") and a "±" never apart
    from its figure ("± 0.07 mm": no-break spaces, :data:`NBSP`, a word joiner, :data:`WJ`; a line may still break
    before the "±", "+1.59 / ± 0.07 mm", when the whole does not fit); a file name before its extension's "."; a
    long run of letters (:data:`LONG_WORD_LETTERS`) at its syllables, drawn with a hyphen (:data:`SHY`,
    :func:`_syllable_breaks`: "microcur- / rent" in 80 px at 390 px, not "microcurre / nt"), a mixed run of
    letters and digits of :data:`LONG_CODE_WORD_LETTERS` where letters meet digits.  (Underscores:
    :func:`md_cells`.)  Nothing drawn changes but the hyphen at a break; removing :data:`NBSP` (as a space),
    :data:`WJ`, :data:`SHY` and :data:`ZWSP` gives ``text`` back (:func:`plain_cell`)."""
    text = _UNIT_SPACE.sub(NBSP, str(text))
    text = _QUANTITY_SPACE.sub(NBSP, text).replace("mm/px", "mm/" + WJ + "px")
    text = _EXTENSION.sub(ZWSP, text)
    text = _LONG_CODE.sub(lambda m: re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", ZWSP, m.group(0)), text)
    return _LONG_WORD.sub(_soft_hyphens, text)


def plain_cell(shown: str) -> str:
    """A compact cell's text as the CSVs write it: :func:`md_cells`' break marks and escapes taken out."""
    return re.sub(r"\\(.)", r"\1", shown.replace(ZWSP, "").replace(WJ, "").replace(SHY, "").replace(NBSP, " "))


def md_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s cells as texts shown literally (:func:`md`) by ``st.table``, which reads each cell as Markdown (a
    photo named ``*a*.jpg`` would be shown as an italic a), with a line break allowed after each underscore
    (:data:`ZWSP`): a compact table's narrow column breaks ``fades_within_a_day`` at its words ("fades_ /
    within_a_ / day" in 80 px at 390 px), not anywhere ("fades_wit / hin_a_da / y" in a 75 px column at 390 px; 2026-12-05);
    and the other breaks a reader expects, no more (:func:`cell_breaks`: a number kept with its unit and its ±, a
    long word hyphenated at a syllable).  The codes stay the CSVs' (the downloads are not these texts); a word
    wider than its column with no such break still breaks anywhere (:data:`LAYOUT_CSS`) rather than widen the
    table."""
    return plain(frame.astype(str).map(lambda v: md(cell_breaks(v)).replace("\\_", "\\_" + ZWSP)))


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (not copied) without its ``attrs``, for Streamlit to draw: the timeline table's notes for the CSV
    writer and the figure (e.g. ``attrs[FIGURES_LEFT_OUT]``, a dict keyed by tuples) are not the table's cells, and
    Streamlit, which sends a frame's attrs to the browser, warns at each such table ("Could not serialize
    pd.DataFrame.attrs") and drops them anyway."""
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


def layout_css() -> None:
    """:data:`LAYOUT_CSS` on the page (a style-only ``st.html``: no space taken, no script)."""
    st.html(LAYOUT_CSS)


def fitted(name: str, where=st, size: str = ""):
    """Two containers side by side in the page's flow, ``(wide, compact)``, of which the browser shows one: the wide
    one when the pair's container is at least ``NARROW_PX[size]`` px wide (:data:`NARROW_PX`), the compact one below
    that (:data:`LAYOUT_CSS`: a phone), in ``where`` (a container; default: the current one).  ``name``: unique
    among the page's pairs in a run (letters, digits, '-')."""
    outer = where.container(key=f"fm-fit{size}-{name}")
    return outer.container(key=f"fm-wide{size}-{name}"), outer.container(key=f"fm-compact{size}-{name}")


#: a code span of the library's messages: a column or command name in backticks ("(`covered_columns`)",
#: "`study report`"), which :func:`md_message` keeps as code
_CODE_SPAN = re.compile(r"`([A-Za-z_][A-Za-z0-9_ .\-]*)`")


#: the library's remedies worded for the command line, each with the app's way of doing it (its control), which
#: :func:`app_remedy` puts in their place on the page: "compare again with the earlier photo as the before photo"
#: told an app user no way to do it (browser audit, 2026-12-05); the downloads keep the library's words.  The
#: implausible inter-pupillary distance flag's "(on the command line: --ipd-mm or --mm-per-px)" likewise: the app
#: takes no known scale, so its card says what an app user can do, and where a known scale can be given (stop 66)
APP_REMEDIES = {
    REMEDY_SWAP: ("set the earlier photo's 'role' to 'before' and the later one's to 'after' in the roles table "
                  "(its 'role' column), to compare them with the earlier photo as the before photo"),
    IPD_REMEDY: ("(the app cannot be told the scale: take the photo again facing the camera, both eyes open and "
                 "uncovered, without glasses; or measure it with the command line, which takes your own "
                 "inter-pupillary distance, --ipd-mm, or the scale, --mm-per-px)"),
}


def app_remedy(text: str) -> str:
    """A message of the library's ``text`` with each remedy worded for the command line replaced by the app's way of
    doing it (:data:`APP_REMEDIES`); the rest unchanged."""
    for words, here in APP_REMEDIES.items():
        text = text.replace(words, here)
    return text


def md_message(text) -> str:
    """A message of the library's (it may quote file names) for ``st.warning`` / ``st.markdown``, its command-line
    remedies in the app's words (:func:`app_remedy`): shown literally
    (:func:`md`) but for its code spans (:data:`_CODE_SPAN`), which Markdown draws as code.  Through :func:`md` a
    photo card read "... may be read on the cover, not the face (`covered_columns`)" with its backticks (the app on a
    phone, 2026-12-05)."""
    text, out, at = app_remedy(str(text)), [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [md(text[at:m.start()]), m.group(0)]
        at = m.end()
    return "".join(out) + md(text[at:])


# --------------------------------------------------------------------------
# cached library calls
# --------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def photo_worker():
    """The server's one worker process that measures every photo (:class:`facemetrics.isolated.Worker`: shared by
    all sessions, one photo at a time, as the Face Mesh graph is; started by :func:`warm_up`, started again
    after a crash)."""
    from facemetrics.isolated import Worker

    return Worker()


def face_mesh() -> bool:
    """Make sure the worker process with its Face Mesh graph was started (:func:`warm_up` starts it when the page
    is first shown); the first photo then waits only for what is left of its start-up."""
    after_warm_up()
    photo_worker().start()
    return True


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Start, once per process when the page is first shown, what the first upload would otherwise
    wait for: the worker process that measures photos (:func:`photo_worker`: MediaPipe's import and the
    Face Mesh graph there, 1-4 s), and the imports of the comparison and its figure here.  Runs in a
    background thread that holds nothing of any user."""
    def run() -> None:
        for _ in range(2):  # a second try: a cold start once failed the build (CI, 2026-12-03)
            try:
                photo_worker().start()
                import facemetrics.compare  # noqa: F401
                fm_plots.import_matplotlib()  # one thread at a time (plots.import_matplotlib)
                return
            except Exception as exc:  # noqa: BLE001 - the first upload builds it again and shows any error
                t.errors.append(repr(exc))  # kept for diagnosis (tests print it), nothing of any user

    t = threading.Thread(target=run, name="facemetrics-warm-up", daemon=True)
    t.errors = []
    t.start()
    return t


def after_warm_up() -> None:
    """Wait for :func:`warm_up`'s thread (at once when it is done), so that no module is imported by
    it and by a script thread at the same time."""
    warm_up().join()


#: session_state key of the per-session memo (see :func:`session_memo`)
MEMO_KEY = "_facemetrics_memo"


def session_memo(kind: str, key: tuple, compute):
    """``compute()`` memoised in *this session's* ``st.session_state`` under ``(kind, key)``.

    Nothing derived from a user's photos goes into a process-wide cache:
    another session never sees it, and it is freed with the session.
    ``key`` starts with the SHA-256 digest(s) of the photos it depends on
    (:func:`prune_memo` drops entries of photos no longer uploaded).
    """
    return memo_get(st.session_state.setdefault(MEMO_KEY, {}), kind, key, compute)


def memo_get(memo: dict, kind: str, key: tuple, compute):
    """``compute()`` memoised in ``memo`` under ``(kind, key)``: the layout of :func:`session_memo`'s memo
    (``st.session_state[MEMO_KEY]``), for a caller that holds the memo itself (:func:`all_comparisons_csv`,
    run outside the script)."""
    if (kind, key) not in memo:
        memo[(kind, key)] = compute()
    return memo[(kind, key)]


def _shas_of(key) -> set[str]:
    out = set()
    for k in key if isinstance(key, tuple) else (key,):
        if isinstance(k, tuple):
            out |= _shas_of(k)
        elif isinstance(k, str) and len(k) == 64:
            out.add(k)
    return out


def prune_memo(current: set[str]) -> None:
    """Forget everything derived from photos that are no longer uploaded in this session."""
    memo = st.session_state.get(MEMO_KEY, {})
    for k in [k for k in list(memo) if not _shas_of(k[1]) <= current]:  # a snapshot: a download's thread
        memo.pop(k, None)  # may add to the memo meanwhile (the all-pairs CSV is built when clicked)


def analyse(data: bytes, name: str, sha: str | None = None) -> fm.PhotoAnalysis:
    """:func:`facemetrics.analyze_photo` of a photo's bytes in the worker process (:func:`measure`; memoised per
    session on content + label, a crash too: the page does not crash the worker again on every re-run)."""
    sha = sha or hashlib.sha256(data).hexdigest()
    after_warm_up()
    return session_memo("analysis", (sha, name), lambda: measure(data, name))


#: what to do after a photo crashed the face finder (:data:`facemetrics.isolated.MSG_PHOTO_CRASHED`)
APP_AGAIN = "upload that file instead: your other photos and results are kept"


def measure(data: bytes, name: str) -> fm.PhotoAnalysis:
    """:func:`facemetrics.analyze_photo` of ``data`` in :func:`photo_worker`'s process; a photo whose measuring
    ended that process twice (a native crash) is an ``error`` analysis saying so, and the server goes on."""
    from facemetrics.isolated import NativeCrash, analyze_kept_task, crashed_analysis

    try:  # kept in the worker too: a comparison sends its key, not the analysis (compare_in_worker)
        return photo_worker().call(analyze_kept_task, data, name=name)
    except NativeCrash as exc:
        print(f"facemetrics app: {name} crashed the face finder ({exc.how}, twice)", file=sys.stderr)
        return crashed_analysis(name, exc.how, APP_AGAIN)


def show_crashes(analyses: list[fm.PhotoAnalysis]) -> None:
    """An error box on the page for each photo that crashed the face finder (its card says it too)."""
    from facemetrics.isolated import CRASHED

    for a in analyses:
        if a.status == "error" and CRASHED in str(a.error):
            st.error(md(a.error), icon=":material/error:")


def thumbnail(sha: str, analysis: fm.PhotoAnalysis, side: int = 360) -> np.ndarray:
    def make():
        img = Image.fromarray(analysis.photo.rgb)
        img.thumbnail((side, side))
        return np.asarray(img)

    return session_memo("thumbnail", (sha, side), make)


#: the width (px) at which the Folds view sends each photo's fold overlay (unless "Full size" is on): a "narrow"
#: figure's (:data:`facemetrics.plots.NARROW_WIDTH_IN` x :data:`~facemetrics.plots.NARROW_DPI`, 1200 px), over 3
#: device px a CSS px on a phone, where the view's two columns stack (356 px each at 390 px), and about 2 in a
#: desktop's half-page column (445-650 px at 1366-1920 px).  The overlay as drawn (up to
#: :data:`facemetrics.overlay.OVERLAY_MAX_SIDE`, 1600 px) was handed to ``st.image`` as an array, encoded again on
#: every run that showed it, and decoded, resized and encoded once more when wider than :data:`ST_IMAGE_MAX_PX`
#: (stop 59: bench/bench_fold_view.py)
FOLDS_SHOWN_PX = round(fm_plots.NARROW_WIDTH_IN * fm_plots.NARROW_DPI)

#: the JPEG quality of the Folds view's overlays: Streamlit's own when it resizes an image it sends (``st.image``'s
#: ``_ensure_image_size_and_format``)
FOLDS_JPEG_QUALITY = 90


def fold_overlay(sha: str, analysis: fm.PhotoAnalysis, full: bool = False) -> tuple[bytes, int]:
    """:func:`facemetrics.overlay.photo_overlay` (jaw contour, fold bands, valley maps, fold lines) as JPEG bytes to
    show, and its width (px): at most :data:`FOLDS_SHOWN_PX` wide (the same drawing, resized), or as drawn when
    ``full``; encoded once per session (memoised), so that ``st.image`` sends the bytes as they are on every run."""
    def make():
        img = Image.fromarray(photo_overlay(analysis))
        if not full and img.width > FOLDS_SHOWN_PX:
            img = img.resize((FOLDS_SHOWN_PX, max(1, round(img.height * FOLDS_SHOWN_PX / img.width))),
                             Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=FOLDS_JPEG_QUALITY)
        return buf.getvalue(), img.width

    # keyed by the face too: a comparison may measure another face of a photo with several (compare.faces)
    return session_memo("fold_overlay", (sha, analysis.extra.get("face", 0), bool(full)), make)


def compare(key: tuple, before: fm.PhotoAnalysis, after: fm.PhotoAnalysis, before_repeats: tuple = (),
            check_order: bool = True):
    """:func:`facemetrics.compare.compare_photos`, memoised per session on the photos' SHA-256 (``key``);
    ``check_order``: warn when the 'before' photo was taken after the 'after' photo (the roles follow the file
    names before the times: :func:`default_roles`), not for a no-change check (:func:`order_checked`); the
    'before' photos' disagreement is the page's own check (:func:`session_disagreement`), not compare's."""
    # check_repeats=False: the page checks a treatment's 'before' photos against each other itself, as the batch
    # does (its no-change pairs, session_disagreement: the batch's message, once per treatment), not per pair again
    return crash_raised(session_memo("compare", key,
                                     lambda: compare_in_worker(before, after, before_repeats, check_order)))


def compare_in_worker(before: fm.PhotoAnalysis, after: fm.PhotoAnalysis, before_repeats: tuple = (),
                      check_order: bool = True):
    """:func:`facemetrics.compare.compare_photos` (``check_repeats=False``) in :func:`photo_worker`'s process (Face
    Mesh runs again there for a photo with several faces: ``compare.faces``); when the comparison ended that
    process twice (a native crash: the second time on the same analyses in a new worker,
    :data:`facemetrics.isolated.COMPARE_CRASHES`), the :class:`facemetrics.isolated.NativeCrash` *returned* (not raised), so that
    the session's memo keeps it and a re-run of the page does not crash the worker again (:func:`crash_raised`)."""
    from facemetrics.isolated import NativeCrash, compare_kept

    if is_stale(before, after, *before_repeats):  # sent by key, the worker's own would be compared in their place
        raise TypeError("analyses of a facemetrics class from before the package was reloaded: out of date")
    try:
        # the analyses the worker made (measure) sent by their keys (the analyses themselves only when the worker
        # does not have them: started again after a crash); the comparison sent back without them (this process
        # has them) and with what the page shows and exports only (isolated.NOT_SENT left there, masks and lift
        # map packed: 4.5 of 25 MB for the sample pair)
        return compare_kept(photo_worker(), before, after, tuple(before_repeats), check_order=check_order,
                            check_repeats=False)
    except NativeCrash as exc:
        print(f"facemetrics app: comparing {after.name} with {before.name} crashed the face finder ({exc.how}, "
              "twice)", file=sys.stderr)
        exc.pair = (before.name, after.name)
        return exc


def crash_raised(cmp):
    """``cmp`` (a memoised comparison), or its :class:`~facemetrics.isolated.NativeCrash` raised."""
    from facemetrics.isolated import NativeCrash

    if isinstance(cmp, NativeCrash):
        raise cmp
    return cmp


def made_comparison(memo: dict, pair: "Pair"):
    """The comparison of ``pair`` kept in the session's ``memo``, or None when it was not made or crashed."""
    from facemetrics.isolated import NativeCrash

    got = memo.get(("compare", pair_key(pair)))
    return None if isinstance(got, NativeCrash) else got


def comparison_crashed_message(exc) -> str:
    """What the page says when a comparison crashed the face finder: the finding of
    :data:`facemetrics.isolated.MSG_COMPARISON_CRASHED` (``COMPARISON_CRASHED_FINDING``) with the app's remedy."""
    from facemetrics.isolated import COMPARISON_CRASHED_FINDING

    before, after = getattr(exc, "pair", ("the before photo", "the after photo"))
    return (COMPARISON_CRASHED_FINDING.format(after=after, before=before, how=exc.how)
            + "; no changes for this pair. Re-save these photos as PNG or JPEG and upload those files instead: your "
              "other photos and results are kept")


def order_checked(pair: "Pair") -> bool:
    """Whether the comparison of ``pair`` checks the photos' capture-time order
    (:func:`facemetrics.compare.gate.order_messages`): not for a no-change check, which compares two 'before'
    photos in either order on purpose."""
    return not pair.no_change


#: shown instead of a traceback when a result kept in the session is of a facemetrics class that has been
#: reloaded since (the package changed on disk while the app ran: Streamlit's file watcher, which
#: .streamlit/config.toml turns off, reloads it; the kept analyses then fail the new class's checks)
STALE_MESSAGE = ("The analysis of these photos is out of date (the facemetrics package changed while the app was "
                 "running): press R or reload the page to analyse them again.")


def is_stale(*objs) -> bool:
    """Whether any of ``objs`` is an instance of a facemetrics class that its module no longer defines
    (a class from before the package was reloaded: ``isinstance`` against the new class fails)."""
    for o in objs:
        cls = type(o)
        if not cls.__module__.startswith("facemetrics"):
            continue
        current = sys.modules.get(cls.__module__)
        for part in cls.__qualname__.split("."):  # a nested class: Outer.Inner
            current = getattr(current, part, None)
        if current is not cls:
            return True
    return False


def show_failure(what: str, exc: Exception, *inputs) -> None:
    """An unexpected exception of ``what`` ("The comparison") as a message on the page, never a traceback:
    :data:`STALE_MESSAGE` when ``inputs`` are of a reloaded class, else a generic one; the traceback
    goes to the server's stderr."""
    print(f"facemetrics app: {what} failed:", file=sys.stderr)
    traceback.print_exception(exc, file=sys.stderr)
    if is_stale(*inputs):
        st.error(STALE_MESSAGE, icon=":material/refresh:")
    else:
        st.error(f"{what} failed unexpectedly ({md(type(exc).__name__)}). Reload the page to try again; if it "
                 "happens again, the details are in the log of the terminal running the app.",
                 icon=":material/error:")


def safe_compare(pair: "Pair"):
    """:func:`compare` of a pair, or None after :func:`show_failure` (an unexpected exception)."""
    from facemetrics.isolated import NativeCrash

    try:
        return compare(pair_key(pair), pair.before, pair.after, pair.repeats, order_checked(pair))
    except NativeCrash as exc:  # the worker process ended twice: said, the server and the session's results stay
        st.error(md(comparison_crashed_message(exc)), icon=":material/error:")
        return None
    except Exception as exc:  # noqa: BLE001 - a message on the page, the traceback in the log
        show_failure("The comparison", exc, pair.before, pair.after, *pair.repeats)
        return None


def timeline(changes: pd.DataFrame, metrics: tuple[str, ...], records: tuple[dict, ...] = ()):
    """:func:`facemetrics.decay.analyze_series` and its plot for ``metrics`` (memoised per session):
    ``(table, png, reason)``, the plot drawn for a phone (``layout="narrow"``); no plot (None) and the result's
    ``reason`` when nothing could be fitted.  The plot for a desktop's column: :func:`timeline_column_png`.
    ``records``: the comparisons as ``changes.csv`` has them (:func:`timeline_rows`' ``records_out``): the table
    read by every series-reading rule as ``facemetrics timeline`` reads it
    (:func:`facemetrics.batch.series_read.read_series`: §16's flow-only photo, §20's smiling before photo), and the
    plot drawn from that table as ``timeline.png`` is (:func:`timeline_figures`)."""
    table, why, (_, result) = _timeline_fit(changes, metrics)
    if result is None:
        return table, None, why
    return timeline_read(changes, metrics, records), timeline_figures(changes, metrics, records)[0], why


def _timeline_key(changes: pd.DataFrame, metrics: tuple[str, ...], records: tuple[dict, ...] = ()) -> tuple:
    """The memo key of a timeline: the changes' digest, the metrics and the records' digest ("" for none)."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(changes, index=False).values.tobytes()).hexdigest()[:16]
    said = hashlib.sha256(repr([sorted((str(k), str(v)) for k, v in r.items()) for r in records]).encode()).hexdigest()
    return digest, metrics, said[:16] if records else ""


def timeline_read(changes: pd.DataFrame, metrics: tuple[str, ...], records: tuple[dict, ...] = (),
                  memo: dict | None = None) -> pd.DataFrame:
    """:func:`timeline`'s table: the fits read by every series-reading rule from ``records``
    (:func:`facemetrics.batch.series_read.read_series`, memoised per session, or in ``memo``: :func:`_memo`); the
    fitted table itself without records or a fit."""
    reading = timeline_reading(changes, metrics, records, memo)
    return _timeline_fit(changes, metrics, memo)[0] if reading is None else reading.table


def timeline_reading(changes: pd.DataFrame, metrics: tuple[str, ...], records: tuple[dict, ...] = (),
                     memo: dict | None = None):
    """:func:`facemetrics.batch.series_read.read_series` of :func:`timeline`'s fits from ``records`` (memoised per
    session, or in ``memo``: :func:`_memo`): the table read (:func:`timeline_read`) and the rules' checks (§16's
    flow checks name the photos that stand out from the curve, :func:`timeline_expression_notes`); None without
    records or a fit."""
    table, _, (sub, result) = _timeline_fit(changes, metrics, memo)
    if result is None or not records:
        return None
    from facemetrics.batch.series_read import read_series

    return _memo("timeline_read", _timeline_key(changes, metrics, records),
                 lambda: read_series(table, sub, records), memo)


def _memo(kind: str, key: tuple, compute, memo: dict | None):
    """:func:`session_memo`, or :func:`memo_get` in ``memo`` when one is given: the session's memo taken by the
    script's run for a call made outside it (a download made on its click: Streamlit calls it in a thread with no
    ``ScriptRunContext``, where ``st.session_state`` is a process-wide stand-in, not the session's; stop 60)."""
    return session_memo(kind, key, compute) if memo is None else memo_get(memo, kind, key, compute)


def timeline_expression_notes(changes: pd.DataFrame, metrics: tuple[str, ...], records: tuple[dict, ...],
                              notes) -> list:
    """The Timeline tab's lines of the comparisons fitted although the expression may differ (``notes``:
    :func:`timeline_kept_notes`' first list), each of a photo §16's rule flagged followed by "; stands out from the
    curve of the other photos: its series reads inconclusive" and each of a photo it could not check by "; could
    not be checked against the other photos" (:func:`facemetrics.batch.flow_read.stands_out_notes`), as
    ``facemetrics timeline``, report.md and *My study* say them, as
    :class:`~facemetrics.batch.fit_notes.KeptNote` records (``str`` of one is its line).  The tab's lines lacked both
    (stop 59)."""
    from facemetrics.batch.flow_read import stands_out_notes

    reading = timeline_reading(changes, metrics, records)
    return stands_out_notes(list(notes), () if reading is None else reading.flow_checks)


def _plot_timeline(changes, metrics, records, layout: str, memo: dict | None = None):
    """The fit of ``changes`` drawn in ``layout`` from the table as read (:func:`timeline_read`: a row a rule
    changed is drawn as the table gives it, its legend the row's verdict: docs/validation.md §21, §21b)."""
    fitted, _, (sub, result) = _timeline_fit(changes, metrics, memo)
    read = timeline_read(changes, metrics, records, memo)
    # no records to read the fits by: the table is the fitted one, the figure the fits as fitted (``table=`` unneeded)
    return fm_plots.plot_timeline(sub, result, layout=layout, **({} if read is fitted else {"table": read}))


def timeline_figures(changes: pd.DataFrame, metrics: tuple[str, ...],
                     records: tuple[dict, ...] = ()) -> tuple[bytes | None, bytes | None]:
    """:func:`timeline`'s plots as PNGs, (phone's, desktop column's) (``layout`` "narrow" and "column", text a share
    of the width, :data:`facemetrics.plots.NARROW_DPI` and :data:`COLUMN_DPI`), drawn from the table as read
    (:func:`_plot_timeline`),
    memoised per session; (None, None) when nothing could be fitted.  One panel a row on a phone (356 px wide), two
    a row in a desktop's column (528 px at 1366 x 768: the narrow one was 1568 px tall there for the example, 2
    panels; h5, 2026-12-05)."""
    if _timeline_fit(changes, metrics)[2][1] is None:
        return None, None
    return session_memo("timeline_png", _timeline_key(changes, metrics, records), lambda: tuple(
        png_bytes_of_figure(_plot_timeline(changes, metrics, records, layout), dpi)
        for layout, dpi in (("narrow", fm_plots.NARROW_DPI), ("column", COLUMN_DPI))))


def timeline_column_png(changes: pd.DataFrame, metrics: tuple[str, ...],
                        records: tuple[dict, ...] = ()) -> bytes | None:
    """:func:`timeline`'s plot drawn for a desktop's column (``layout="column"``: two panels a row, text 1/50 of
    the width), from the same fit and table; None when nothing could be fitted."""
    return timeline_figures(changes, metrics, records)[1]


#: dpi of the Timeline tab's ``timeline.png`` download: the CLI's (``batch.timeline``: ``figure_png(..., dpi=110)``)
TIMELINE_DOWNLOAD_DPI = 110


def timeline_download_png(changes: pd.DataFrame, metrics: tuple[str, ...],
                          records: tuple[dict, ...] = (), memo: dict | None = None) -> bytes | None:
    """The Timeline tab's ``timeline.png`` download: :func:`timeline`'s fit drawn as ``facemetrics timeline`` draws
    it (the wide layout, two panels a row, 110 dpi; from the table as read, :func:`timeline_read`; byte for byte
    the CLI's figure of the same fit), the figure to keep; the page shows the phone's or the column's.  It was the
    phone's figure (one panel a row, 1200 px, about three times as tall) on every device (2026-12-05).  Drawn when
    asked for (the download's click), memoised per session; None when nothing could be fitted.  ``memo``: the
    session's memo, which the click's call is given (:func:`_memo`): it took ``st.session_state`` there, Streamlit's
    process-wide stand-in, fitted the timeline again and kept the fit and figure of a user's photos in it, shared by
    every session and never freed (stop 60: "missing ScriptRunContext" in the server's log at each click)."""
    if _timeline_fit(changes, metrics, memo)[2][1] is None:
        return None
    return _memo("timeline_download", _timeline_key(changes, metrics, records), lambda: png_bytes_of_figure(
        _plot_timeline(changes, metrics, records, "wide", memo), TIMELINE_DOWNLOAD_DPI), memo)


def _timeline_fit(changes: pd.DataFrame, metrics: tuple[str, ...], memo: dict | None = None):
    """:func:`facemetrics.decay.analyze_series` of ``changes``' rows of ``metrics``, memoised per session:
    ``(table, reason, (rows fitted, SeriesResult or None))``, None when nothing could be fitted.  No ``sessions``
    (nor to :func:`timeline_read`'s refits): the tab's upload has one treatment time (the roles editor's), so one
    session per treatment, and a session none of whose photos was compared cannot be an earlier session of another
    one (the follow-on rule is per subject and treatment; docs/validation.md section 12, Round 17b)."""
    def run():
        sub = changes[changes["metric"].isin(metrics)]
        try:
            result = fm_decay.analyze_series(sub, metrics=list(metrics))
        except fm.SeriesError as exc:  # a table the fit refuses (e.g. a row without a side): say why
            return None, str(exc), (sub, None)
        if result.status != "ok":  # every row 'uncertain' or empty: no plot ("nothing to plot" was raised)
            return result.to_frame(), result.reason, (sub, None)
        return result.to_frame(), "", (sub, result)

    return _memo("timeline", _timeline_key(changes, metrics), run, memo)


@st.cache_data(show_spinner=False)
def example_files() -> list[tuple[str, bytes]]:
    """The bundled before/after pair (the after photo is a simulated 1.5 mm lift)."""
    return [(p.name, p.read_bytes()) for p in EXAMPLE_PAIR]


@st.cache_data(show_spinner=False)
def example_series() -> tuple[pd.DataFrame, tuple[dict, ...]]:
    """The bundled example's simulated microcurrent-vs-RF series: (tidy changes table, its comparisons as
    ``changes.csv`` has them), so that the series-reading rules read the example as ``demo`` reads its batch."""
    records = []
    return fm_study.example_series(EXAMPLE_PAIR[0], records_out=records), tuple(records)


# --------------------------------------------------------------------------
# glue (no measurement here: PNG bytes; the upload session read as a study is facemetrics.uploads)
# --------------------------------------------------------------------------


#: the widest image Streamlit sends to the browser as given (``streamlit.elements.lib.image_utils``'
#: ``MAXIMUM_CONTENT_WIDTH``, 2 x 730 px): a wider one is decoded, resized and encoded again by ``st.image`` on every
#: run that shows it.  *My study*'s desktop timeline, 1600 px at :data:`facemetrics.plots.NARROW_DPI`, was: about
#: 3 s of CPU of each 4 s view of the page (every click; stop 58's bench/bench_study_page.py --profile)
ST_IMAGE_MAX_PX = 1460

#: resolution of the desktop column's timeline (:data:`facemetrics.plots.COLUMN_WIDTH_IN` wide, its text a share of
#: the width): 1456 px, under :data:`ST_IMAGE_MAX_PX` (the browser was sent 1460 px of the 1600 drawn)
COLUMN_DPI = int(ST_IMAGE_MAX_PX // fm_plots.COLUMN_WIDTH_IN)


def png_bytes_of_figure(fig, dpi: int = 110) -> bytes:
    """A figure as PNG bytes marked as facemetrics' (:func:`facemetrics.export.figure_png`), as the CLI's; a
    "narrow" figure at :data:`facemetrics.plots.NARROW_DPI` (1200 px: sharp at a phone's 3 device px a CSS px)."""
    return figure_png(fig, dpi=dpi)


def png_bytes(rgb: np.ndarray, compress_level: int = 6) -> bytes:
    """An RGB image as PNG bytes marked as facemetrics' (:func:`facemetrics.export.mark_png`): the
    ``overlay.png`` download carries the mark compare's does, so a later ``facemetrics compare -o`` into
    the folder it was saved in replaces it as its own."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG", compress_level=compress_level)
    return mark_png(buf.getvalue())


# --------------------------------------------------------------------------
# page
# --------------------------------------------------------------------------


#: said when "Create subject" is clicked with its name field empty (the button is never disabled: see its call)
NAME_MISSING = "Type the subject's name (or a code) first, then click Create subject."

#: the sidebar's words under "Load the bundled example" (until it is loaded)
EXAMPLE_CAPTION = ("A sample before/after pair (simulated 1.5 mm lift) and a simulated microcurrent-vs-RF series: "
                   "every view, before you upload anything.")


#: session key: how many choices in the sidebar asked to close it (:func:`chose_in_sidebar`, :func:`close_sidebar`)
SIDEBAR_CHOICE_KEY = "sidebar-choices"
#: the script :func:`close_sidebar` runs once after a choice in the sidebar: on a phone the sidebar lies over the page
#: and stayed open after choosing *My study* (or loading the example), so the user saw nothing change (stop 54's app
#: audit at 390 x 844); it is closed as its own button closes it (which remembers it closed), only where it covers
#: the page (Streamlit's "md" breakpoint, 768 px: wider, it sits beside the page and stays).  ``{n}``: the choice's
#: count, so that a second choice re-runs it (Streamlit runs a script again only when its text changes).
CLOSE_SIDEBAR_JS = """<script>/* choice {n} */ (() => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  if (!bar || bar.getAttribute("aria-expanded") !== "true" || window.innerWidth > 768) return;
  const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (button) button.click();
})();</script>"""


def chose_in_sidebar() -> None:
    """Count a choice made in the sidebar (the mode, the example): the run it starts closes a phone's sidebar."""
    st.session_state[SIDEBAR_CHOICE_KEY] = st.session_state.get(SIDEBAR_CHOICE_KEY, 0) + 1


def close_sidebar() -> None:
    """After a choice in the sidebar (:func:`chose_in_sidebar`), :data:`CLOSE_SIDEBAR_JS` in the sidebar, once: a
    phone shows the page chosen, not the sidebar still lying over it."""
    n = st.session_state.get(SIDEBAR_CHOICE_KEY, 0)
    if n and st.session_state.get(SIDEBAR_CHOICE_KEY + "-done") != n:
        st.session_state[SIDEBAR_CHOICE_KEY + "-done"] = n
        st.sidebar.html(CLOSE_SIDEBAR_JS.replace("{n}", str(n)), unsafe_allow_javascript=True)


def load_example() -> None:
    """"Load the bundled example"'s click: the example asked for, and shown, in *Compare photos* (chosen for it: in
    *My study* the click changed nothing on the page; a newcomer's walk, stop 65); a phone's sidebar closes
    (:func:`chose_in_sidebar`)."""
    st.session_state["example"] = True
    st.session_state["mode"] = "Compare photos"
    chose_in_sidebar()


def sidebar() -> None:
    with st.sidebar:
        st.header("Start here")
        # what the example holds is a caption, not the button's tooltip: the tooltip stayed over "Start here"
        # while the pointer rested on the button after the click (a newcomer's walkthrough, stop 52)
        st.button("Load the bundled example", type="primary", width="stretch", on_click=load_example)
        if st.session_state.get("example"):
            if st.button("Clear the example", width="stretch"):
                st.session_state["example"] = False
                st.rerun()
        else:
            st.caption(EXAMPLE_CAPTION)
        st.divider()
        st.markdown(
            "**How to take the photos**: face the camera, neutral expression, mouth closed, same "
            "place, light and distance before and after. The iris calibrates the millimetres."
        )
        st.divider()
        st.caption(
            ":lock: **Privacy**: your photos stay in this app's memory for your session only. Nothing "
            "is written to disk (except in *My study*, which keeps copies in a local folder until you delete "
            "them), nothing is sent anywhere, and usage statistics are off."
        )
        st.caption(f"facemetrics {fm.__version__}")


def upload_limit_note() -> str:
    """What the uploaders' help and the empty page say of Streamlit's upload limit (``server.maxUploadSize``,
    MB, ``.streamlit/config.toml``): a larger file is refused in the browser and never reaches the app, so
    the page could only say "Upload a 'before' and an 'after' photo" (h9, 2026-12-04); "" when the limit is
    not a positive number."""
    try:
        limit = float(st.get_option("server.maxUploadSize"))
    except (TypeError, ValueError, RuntimeError):
        return ""
    if not math.isfinite(limit) or limit <= 0:
        return ""
    return (f"the upload limit is {limit:g} MB per photo (Streamlit's `server.maxUploadSize`): a larger file is "
            "refused by the uploader, which marks it in red, and never reaches the app")


#: the main page without photos (then the upload limit: :func:`upload_limit_note`)
EMPTY_PAGE_INFO = "Upload a 'before' and an 'after' photo, or load the bundled example from the sidebar."
#: said under the uploader when the example was asked for while photos are uploaded: the page shows the uploads, and
#: a click on "Load the bundled example" changed nothing but the sidebar's buttons (a newcomer's walk, stop 63)
EXAMPLE_HIDDEN_BY_UPLOADS = ("The bundled example is loaded but not shown: the page shows your uploaded photos. "
                             "Remove them (the × beside each name) to see the example.")


def uploads_section() -> list[tuple[str, bytes]]:
    limit = st.get_option("server.maxUploadSize")
    note = upload_limit_note()
    files = st.file_uploader(
        "Upload your before and after photos (several at once)",
        type=PHOTO_TYPES, accept_multiple_files=True, key="uploads",
        help=f"Accepted: {', '.join(PHOTO_FORMATS)}" + (f"; {note}." if note else "."),
    )
    st.caption(f"Accepted types: {', '.join(PHOTO_FORMATS)} · up to {limit} MB per photo · "
               "photos stay in memory, never stored.")
    return [(f.name, f.getvalue()) for f in files or []]


#: more photos than this to analyse get a progress bar; fewer, a spinner (shown only after 0.5 s).
#: Each progress update is a message the browser re-renders the page for before it can show the
#: comparison's headline: a pair's two analyses take about 0.1 s, a bar for them only delays it.
PROGRESS_MIN_PHOTOS = 3


def analyse_all(files: list[tuple[str, bytes, str]]) -> list[fm.PhotoAnalysis]:
    prune_memo({sha for _, _, sha in files})
    memo = st.session_state.get(MEMO_KEY, {})
    todo = sum(("analysis", (sha, name)) not in memo for name, _, sha in files)
    if not todo:  # all analysed in an earlier run of this session (a widget changed)
        return [analyse(data, name, sha) for name, data, sha in files]
    if todo < PROGRESS_MIN_PHOTOS:
        with st.spinner(f"Analysing {todo} photo{'s' if todo > 1 else ''}..."):
            face_mesh()
            return [analyse(data, name, sha) for name, data, sha in files]
    bar = st.progress(0.0, text="Loading the face model...")
    face_mesh()
    out = []
    for i, (name, data, sha) in enumerate(files):
        bar.progress(i / len(files), text=f"Analysing {md(name)} ({i + 1} of {len(files)})...")
        out.append(analyse(data, name, sha))
    bar.empty()
    return out


def own_error(a: fm.PhotoAnalysis) -> str:
    """A photo's ``error`` without the file name it starts with (the card it is shown on is titled with it:
    "Cannot be used: truncated.jpg: truncated JPEG data" under a card named truncated.jpg)."""
    return str(a.error or "").removeprefix(f"{a.name}: ")


def photo_cards(analyses: list[fm.PhotoAnalysis], figures: bool = False, example: bool = False) -> None:
    """A thumbnail per photo with why it cannot be used, or its quality flags; with ``figures`` (no
    comparison on the page: one usable photo), one photo a row, a usable one with its main figures
    beside it (:func:`photo_figures`); ``example``: the bundled example's photos (:func:`photo_card`)."""
    if figures:
        for a in analyses:
            left, right = st.columns([1, 2])
            with left:
                photo_card(a, example)
            if a.ok:
                # the floors at this photo's pixel size as a comparison reads them (pair_mm_per_px: per
                # analysed pixel; a pair's is the coarser photo's)
                figures = photo_figures(a.to_row(), pair_mm_per_px(a, a))
                wide, compact = fitted(f"figures-{a.photo.sha256[:12]}", right, size="s")
                wide.dataframe(figures, hide_index=True, width="stretch", column_config=FIGURE_COLUMNS)
                compact.table(md_cells(figures_compact(figures)), hide_index=True)  # a phone: no sideways scroll
                right.caption(FIGURES_NOTE)
        return
    # a row of four at a time: a phone stacks a row's columns, so the cards read in the photos' order there too (four
    # columns for all, photo k in column k % 4, read 1, 5, 2, 6, 3, 4 on a phone; a newcomer's walk, stop 65)
    for start in range(0, len(analyses), 4):
        for col, a in zip(st.columns(4), analyses[start:start + 4]):
            with col:
                photo_card(a, example)


def photo_card(a: fm.PhotoAnalysis, example: bool = False) -> None:
    """One photo's thumbnail (or name) and why it cannot be used, or its quality flags and what to do about them
    (:func:`facemetrics.flags.flag_advice`): for the next photos, or with ``example`` (the bundled example: the
    project's sample photos, which the user did not take; stop 66) for the user's own."""
    if a.photo is not None:
        st.image(thumbnail(a.photo.sha256, a), caption=md(a.name), width="stretch")
    else:
        st.markdown(f"**{md(a.name)}**")
    if not a.ok:  # a file that cannot be read in the CLI's words (read_failure); else why it cannot be measured
        unread = read_failure(a)
        todo = read_remedy(a)  # what to do about it (h7's browser audit, 2026-12-05)
        st.error(md(unread[0].upper() + unread[1:] + (f": {todo}" if todo else "")) if unread else
                 f"Cannot be used: {md(own_error(a))}", icon=":material/block:")
        return
    notes = flag_notes(a, example)
    if notes:
        st.warning("Usable, but: " + notes, icon=":material/warning:")
    else:
        st.success("Usable", icon=":material/check:")


def flag_notes(a: fm.PhotoAnalysis, example: bool = False) -> str:
    """A usable photo's quality flags and warnings as its card says them (markdown), then what to do about the flags
    (:func:`facemetrics.flags.flag_advice`: for the next photos, or with ``example``, the bundled example's photos,
    for the user's own); ``""`` for none.  *My study*'s line of a new photo says the same (stop 66: a later photo's
    line said "taken like your baseline" of a smiling photo, its flags unsaid, and the first photo's had no advice)."""
    from facemetrics.flags import NEXT_PHOTOS, OWN_PHOTOS, flag_advice  # what to do (stop 65)

    flags = a.quality.flags if a.quality is not None else ()
    notes = [*flags, *a.warnings]
    if not notes:
        return ""
    todo = flag_advice(flags, OWN_PHOTOS if example else NEXT_PHOTOS)
    said = md_message("; ".join(notes))
    return f"{said.rstrip('.')}. {md(todo)}" if todo else said


#: how :func:`photo_cards` shows a photo's figures: each value with its ± at about 95 %, as the comparison tables show
#: a photo's before and after (:data:`PER_PHOTO_HELP`); the mm scale's 1 SD had its own column, and so 1 SD beside
#: the tables' 95 % (stop 56, c1)
FIGURE_COLUMNS = {
    "figure": st.column_config.TextColumn("figure", width="medium"),
    "value": st.column_config.TextColumn("value ± about 95 %", width="small",
                                         help="the photo's value ± about 95 %, as the comparison tables show each "
                                              "photo's: its share of a change's noise floor (floor / √2) and, for a "
                                              "length, 1.96 × the mm scale's 1 SD, added in quadrature"),
    "unit": st.column_config.TextColumn("unit", width="small"),
    "change_noise_floor": st.column_config.TextColumn("change noise floor", width="small"),
}


#: the figures of :func:`photo_figures`: ``(label, photos.csv column, unit, noise-floor key)``; right /
#: left are the subject's own sides
PHOTO_FIGURES = (
    ("jawline height below the pupils", "jawline_height_mm", "mm", ("jawline_height_mm", "mean")),
    ("jaw width", "jaw_width_mm", "mm", ("jaw_width_mm", "mean")),
    ("jaw angle, right", "jaw_angle_right_deg", "deg", ("jaw_angle_deg", "side")),
    ("jaw angle, left", "jaw_angle_left_deg", "deg", ("jaw_angle_deg", "side")),
    ("fold depth index, right", "nlf_depth_right", "index", ("nlf_depth", "side")),
    ("fold depth index, left", "nlf_depth_left", "index", ("nlf_depth", "side")),
)

#: under a photo's figures: what the ± and the floor are (docs/metrics.md, docs/compare.md)
FIGURES_NOTE = ("right / left: the subject's own sides. Each value ± about 95 %, as the comparison tables show each "
                "photo's before and after: its share of a change's noise floor (floor / √2: the repeatability of "
                "photos of one unchanged face, not of the light) and, for a length in mm, the mm scale's (1.96 × "
                "`mm_per_px_uncertainty_pct`, its 1 SD: iris size, calibration, landmarks), added in quadrature; the "
                "scale moves every mm of the photo together and cancels in a before/after change. The scale's own ± "
                "is 1.96 × that %. Change noise floor: the default smallest change between two photos that is not "
                "noise, at this photo's resolution (wider for a coarse photo; a comparison uses the coarser photo's). "
                "The measurements and `mm_per_px_uncertainty_pct` are in photos.csv (Downloads); the ± and floor "
                "columns are derived here.")


def figures_compact(figures: pd.DataFrame) -> pd.DataFrame:
    """:func:`photo_figures`' table as a phone shows it (``st.table``, no sideways scroll): the value with its ± and
    unit, then the change's floor under a shorter header ("floor")."""
    value = [v if v == "n/a" else _unit_text(v, u) for v, u in zip(figures["value"], figures["unit"])]
    return pd.DataFrame({"figure": figures["figure"].to_numpy(), "value": value,
                         "floor": figures["change_noise_floor"].to_numpy()})


def photo_figures(row: dict, floor_mm_per_px: float = float("nan")) -> pd.DataFrame:
    """A photo's main figures (``row``: :meth:`PhotoAnalysis.to_row`) with their units, each value with its ± at
    about 95 % as the comparison tables show a photo's (:func:`facemetrics.uploads.per_photo_cell`: its share of a
    change's noise floor, floor / √2, and for a mm value 1.96 × the mm scale's 1 SD ``mm_per_px_uncertainty_pct``,
    in quadrature; the scale's own row ± 1.96 × that SD), and the default noise floor of a change
    (:data:`facemetrics.compare.DEFAULT_NOISE_FLOORS`) widened for the photo's pixel size as a comparison widens it
    (:func:`facemetrics.compare.resolution_floors` at ``floor_mm_per_px``, mm per analysed pixel:
    :func:`facemetrics.compare.pair_mm_per_px` of the photo with itself; NaN: the defaults).  The mm scale's 1 SD
    had its own column beside the floor's, where the comparison tables give each photo's value ± about 95 % (stop
    56, c1).  Text columns ``figure``, ``value``, ``unit``, ``change_noise_floor``: "n/a" for a figure not
    measured; a scale the user gave (no uncertainty) is named in its row's figure, and its mm values carry the
    floor's share alone, as in the comparison tables."""
    floors = resolution_floors(DEFAULT_NOISE_FLOORS, floor_mm_per_px)
    pct = float_or_nan(row.get("mm_per_px_uncertainty_pct"))
    scale = float_or_nan(row.get("mm_per_px"))
    given = (row.get("calibration_source") or "") == "user_mm_per_px"
    u = SCALE_COVERAGE_K * scale * pct / 100  # the scale's own ± at about 95 %
    rows = [dict(figure="mm per pixel (scale, set by you)" if given else "mm per pixel (scale)",
                 value=("n/a" if not math.isfinite(scale) else fixed(scale, 4) if not math.isfinite(u)
                        else f"{fixed(scale, max(decimals_for(u), 4))} ± {fixed(u, max(decimals_for(u), 4))}"),
                 unit="mm/px", change_noise_floor="")]
    for label, col, unit, floor_key in PHOTO_FIGURES:
        v = float_or_nan(row.get(col))
        rows.append(dict(figure=label, value=per_photo_cell(v, floors[floor_key], unit, pct) or "n/a", unit=unit,
                         change_noise_floor=f"{round(floors[floor_key], 2):g} {unit}"))
    return pd.DataFrame(rows)


def roles_key(analyses: list[fm.PhotoAnalysis], treated_at: str = "") -> str:
    """The roles editor's widget key: new photos or a new treatment time, a new table (and no edits carried
    over: an hour typed against the old time would be read against the new one)."""
    return "roles-" + "|".join(f"{a.name}:{a.photo.sha256[:8] if a.photo else ''}" for a in analyses) + \
        (f"@{treated_at}" if treated_at else "")


#: session_state key of the roles editor's treatment time field (:func:`treatment_time_text`)
TREATED_AT_KEY = "treated_at"


def given_treatment_time() -> str:
    """The treatment time typed in the roles editor this session (:data:`TREATED_AT_KEY`), ISO 8601; "" for none
    or one refused (its field says why)."""
    return treatment_time_text(st.session_state.get(TREATED_AT_KEY, ""))[0]


def apply_edits(table: pd.DataFrame, state) -> pd.DataFrame:
    """``table`` with a data editor's cell edits applied (a copy).

    ``state`` is the editor's value in ``st.session_state``, as Streamlit documents it:
    ``{"edited_rows": {row position: {column: value}}, "added_rows": [...], "deleted_rows": [...]}``
    (the roles table has a fixed set of rows, so only ``edited_rows`` occurs).
    """
    out = table.copy()
    for row, changes in ((state or {}).get("edited_rows") or {}).items():
        for col, value in changes.items():
            if col in out.columns and 0 <= int(row) < len(out):
                out.iat[int(row), out.columns.get_loc(col)] = value
    return out


def current_roles(analyses: list[fm.PhotoAnalysis]) -> pd.DataFrame:
    """The table :func:`roles_editor` will return in this run, read from the session's widget state.

    The comparison is made, and its headline shown, before the editor is drawn: drawing it
    first made the browser lay out a data grid before it could show the headline.
    """
    treatment, treated_at = st.session_state.get("treatment", "treatment"), given_treatment_time()
    return apply_edits(default_roles(analyses, treatment or "treatment", treated_at),
                       st.session_state.get(roles_key(analyses, treated_at)))


#: session_state key: draw the roles editor before the comparison (set if :func:`current_roles`
#: ever disagrees with the editor, so that session runs in the editor's order from then on)
EDITOR_FIRST_KEY = "_roles_editor_first"


def roles_section(analyses: list[fm.PhotoAnalysis]) -> pd.DataFrame:
    """The roles editor in its expander; returns the edited table (:func:`roles_editor`).  Above it, outside
    the expander (collapsed by default, where the only word of it was: a photo dated 2031 was dropped
    from the page with nothing said on it; an outside user's audit, 2026-12-04), a warning per photo set
    to 'ignore' for its capture time (:func:`too_far_note`)."""
    for name, why in default_roles(analyses, "treatment", given_treatment_time()).attrs.get("too_early", {}).items():
        st.warning(md(too_far_note(name, why)), icon=":material/event_busy:")
    with st.expander("Which photos are 'before' and which 'after'? (default: by file name and capture time, or "
                     "by the treatment time given)" if given_treatment_time() else
                     "Which photos are 'before' and which 'after'? (default: by file name and capture time; set the "
                     "treatment time here)", expanded=False):
        table = roles_editor(analyses)
    late = late_before_note(table)
    if late:  # contradictory input: outside the expander, where it is seen (h3, 2026-12-04)
        st.warning(md(late), icon=":material/event_busy:")
    return table


def too_far_note(name: str, why: str) -> str:
    """The roles editor's warning on a photo set to 'ignore' for a capture time too far from the others'
    (``why``: :func:`facemetrics.pairing.too_early` / :func:`~facemetrics.pairing.too_late`), without
    the batch's remedy (a manifest's ``taken_at``, :data:`facemetrics.pairing.MANIFEST_REMEDY`: the app
    has no manifest; an outside user's audit, 2026-12-04) and with the app's: set its role and hours."""
    why = why.replace(f" {MANIFEST_REMEDY}", "")
    return (f"{name}: {why}; it is set to 'ignore': if its capture time is wrong, set its role and its hours "
            "since treatment in the table under \"Which photos are 'before' and which 'after'?\" below.")


#: what the roles table's default roles and hours are and what they do, without a treatment time ...
ROLES_CAPTION = (
    "By default a photo whose file name says before, pre or baseline is 'before' and one that says after or post is "
    "'after'; the first photo by capture time (EXIF; then by file name) not named 'after' is 'before', as is one "
    f"taken less than {SAME_PHOTO_TIME_H * 60:.0f} min after it (a retake; unless no photo would be 'after'), and "
    "the others are 'after'. Edit any cell. Without a treatment time, hours since treatment are counted from the "
    "first 'before' photo's capture time: give the treatment time above to count them from it (negative for photos "
    "taken before it). Each 'after' photo is compared with the earliest 'before' photo, the other 'before' photos "
    "are its repeats (they set the noise floor), and two or more 'before' photos are also checked against each "
    "other (no-change checks), as `facemetrics batch` does. photos.csv's `role` column names 'before' `baseline` "
    "and 'after' `post`, as the batch's photos.csv does.")
#: ... and with one (:func:`roles_at_treatment`)
ROLES_CAPTION_TIMED = (
    "Hours since treatment count from the treatment time above; a photo taken before it is 'before', one taken at "
    "or after it 'after', whatever its file name says, as `facemetrics batch` reads treated_at (a photo without a "
    "capture time: by its file name, with no hours). Edit any cell. Each 'after' photo is compared with the "
    "earliest 'before' photo, the other 'before' photos are its repeats (they set the noise floor), and two or "
    "more 'before' photos are also checked against each other (no-change checks). photos.csv's `role` column "
    "names 'before' `baseline` and 'after' `post`, as the batch's photos.csv does.")


def roles_editor(analyses: list[fm.PhotoAnalysis]) -> pd.DataFrame:
    treatment = st.text_input("Treatment name", value="treatment", key="treatment",
                              help="Written to the tables; give photos of another device another name below.")
    text = st.text_input("Treatment time (optional)", key=TREATED_AT_KEY, placeholder="e.g. 2026-11-02 08:20",
                         help="When the treatment started, as year-month-day and 24-hour time (a UTC offset such as "
                              "+01:00 optional). Given, each photo's hours since treatment count from it and a photo "
                              "taken before it is 'before', one taken at or after it 'after', as `facemetrics batch` "
                              "reads treated_at.")
    treated_at, why = treatment_time_text(text)
    if why:
        st.warning(md(f"{why}. The hours count from the first 'before' photo until it is corrected."),
                   icon=":material/event_busy:")
    table = default_roles(analyses, treatment or "treatment", treated_at)
    key = roles_key(analyses, treated_at)
    st.caption(ROLES_CAPTION_TIMED if treated_at else ROLES_CAPTION)
    # the hours in words beside them ("3 min after the treatment", not "0.05 h"), from the hours as edited so far
    # (a keyed editor of fixed rows keeps its edits when only values change: Streamlit 1.60)
    shown = with_when(table, apply_edits(table, st.session_state.get(key)))
    edited = st.data_editor(
        shown, key=key, hide_index=True, width="stretch", column_order=ROLES_DRAWN,
        disabled=["photo", "taken", WHEN_COLUMN], placeholder=TABLE_PLACEHOLDER,  # no time: blank, not "None"
        column_config=roles_column_config(),
    )
    fitted("roles-hint", size="f")[1].caption(ROLES_PHONE_HINT)  # a phone's only (a CSS container query)
    edited = edited.drop(columns=[WHEN_COLUMN])  # words only: the roles table is the batch's columns
    edited.attrs.update(table.attrs)  # the treatment time the hours count from (hours_from), the photos set aside
    return edited


def roles_column_config() -> dict:
    """The roles editor's ``column_config``: its labels, the role's choices, the hours' format, the photo's column
    pinned and the hours aligned left (:data:`ROLES_DRAWN`: what a phone shows of it)."""
    return {
        "photo": st.column_config.TextColumn("photo", pinned=True),  # kept on screen when scrolled (ROLES_DRAWN)
        "taken": st.column_config.TextColumn("taken (EXIF)"),
        "role": st.column_config.SelectboxColumn("role", options=ROLES, required=True,
                                                 help="before: taken before the treatment (`baseline` in "
                                                      "photos.csv); after: at or after it (`post`); ignore: "
                                                      "not compared"),
        "treatment": st.column_config.TextColumn("treatment"),
        "hours_since_treatment": st.column_config.NumberColumn("hours since treatment", format="%.2f h",
                                                               alignment="left"),  # ROLES_DRAWN
        WHEN_COLUMN: st.column_config.TextColumn("when", help="the hours in words: minutes below 1 h"),
    }


#: the roles editor's column of each photo's hours in words (:func:`with_when`); not part of the roles table
WHEN_COLUMN = "when"
#: the roles editor's columns, left to right: what a user reads and edits (role, hours) beside the photo's name, the
#: capture time and the treatment's name after them.  At 390 px the editor (a grid that scrolls sideways) showed
#: photo, taken and role, and the hours lay past the screen's edge (h7's browser audit, 2026-12-05)
#:
#: At 390 px that editor is 324 px wide: its columns sized to their contents, the hours column began 208 px in and
#: its figures, aligned right, lay past the edge (a screenshot: the column's header cut, its cells blank; n1,
#: 2026-12-05).  Now the hours are aligned left (their column's first 116 px on screen: "0.00 h", "3.50 h" in a
#: screenshot), the photo's column is pinned (Streamlit's ``column_config`` ``pinned``: swiped to taken and
#: treatment, each row still names its photo) and a phone is told the grid goes on (:data:`ROLES_PHONE_HINT`).
#: Widths are left to Streamlit (sized to the contents): fixed ones fitting 324 px cut the photos' names and "when"
#: on a desktop too (tried: "astronaut_before.jp", "at the time of the first 'befor" at 1366 px).
ROLES_DRAWN = ("photo", "role", "hours_since_treatment", WHEN_COLUMN, "taken", "treatment")
#: under the roles editor on a phone only (:func:`fitted`): its last columns lie past the screen's edge
ROLES_PHONE_HINT = ("Swipe the table sideways for its other columns (when, taken, treatment); the photo's name "
                    "stays at its left.")


def with_when(table: pd.DataFrame, hours: pd.DataFrame) -> pd.DataFrame:
    """``table`` (a copy) with :data:`WHEN_COLUMN` after its hours: each photo's ``hours_since_treatment`` in
    ``hours`` (the same rows, as edited) in the messages' words, :func:`facemetrics.batch.tables.when_text`
    (minutes below 1 h, :func:`facemetrics.timekeys.since_text`: "3 min after the treatment", where the hours
    column reads 0.05 h; "... after the first 'before' photo" when the hours count from it, :func:`hours_from`);
    "" without hours."""
    from facemetrics.batch.tables import when_text

    h = pd.to_numeric(hours["hours_since_treatment"], errors="coerce").astype(float)
    words = ["" if not math.isfinite(x) else when_text(x, hours_from(hours, "" if pd.isna(t) else str(t)))
             for x, t in zip(h, hours["treatment"])]
    out = table.copy()
    out.insert(list(out.columns).index("hours_since_treatment") + 1, WHEN_COLUMN, words)
    return out


#: under the comparison table: what its columns mean (the page's only key to the sides and the floors)
TABLE_NOTE = ("right / left: the subject's own sides (the subject's right is on the left of the photo). "
              "before, after, change and floor (the noise floor) are in the row's unit, a change of a % (the fold "
              "contrast) in pp, percentage points; in the `*_lift_*` rows + is "
              "up. `within_noise`: the change is within its noise floor; `uncertain`: the row cannot be read, whatever "
              "its change (the messages above say why); any other verdict: the change is beyond its noise floor.")

#: ... and when the gate found an expression change: the lips' shape changed (every row but the
#: head-pose rows carries no verdict), or only the mouth corners' motion shows it (the verdicts are kept: a lift does that too)
EXPRESSION_TABLE_NOTE = ("**The expression differs (see above)**: the lips' shape changed, so every row but the "
                         "head-pose rows (lifts, folds, jaw, mouth and cheek metrics) is shown without a verdict "
                         "(`uncertain`): they would measure the expression, not the skin.")
EXPRESSION_MAYBE_TABLE_NOTE = ("**The expression may differ (see above)**: each verdict in this table compares a "
                               "change with its noise floor only, so a 'lift', 'sag', 'deeper' or 'shallower' "
                               "here may be the expression, not the skin.")


#: the comparison table's columns in the order shown: the change with its unit, floor and verdict first (at
#: 1400 px the verdict and unit were off-screen: app audit, 2026-12-03), then before / after; the change's scale ±
#: (``change_scale_sd``) is in the table's data, last, and shown in the change's cell ("+1.59 ± 0.07",
#: :func:`table_styled`): its own column needed a horizontal scroll at 1366 px (h4, 2026-12-05)
TABLE_ORDER = ("metric", "side", "change", "unit", "noise_floor", "verdict", "before", "after", "change_scale_sd")
#: the columns the comparison table draws (``st.dataframe(column_order=...)``): :data:`TABLE_ORDER` without
#: ``change_scale_sd``, which the change's cell shows
TABLE_DRAWN = tuple(c for c in TABLE_ORDER if c != "change_scale_sd")

#: the before / after columns' help: how each photo's ± is made (:func:`facemetrics.uploads.per_photo_cell`)
PER_PHOTO_HELP = ("blank: a lift has no value of its own. Each photo's value ± about 95 %, in the row's unit: its "
                  "share of the change's floor (floor / √2) and, in a mm or mm² row, the iris scale's (1.96 × its "
                  "1 SD, the % under the table; twice that % for mm²), added in quadrature. The scale's share is the "
                  "same in before and after (both are read in the before photo's scale), so it cancels in the change")

#: how the comparison table shows them (labels, widths, number formats; the unit differs by row)
TABLE_COLUMNS = {
    "metric": st.column_config.TextColumn("metric", width=230),
    "side": st.column_config.TextColumn("side", width=50, help="the subject's own right / left, or their mean"),
    # the change with comparison.csv's change_scale_sd, as the CLI's "(lift; noise floor 0.07 mm; scale ± 0.07 mm)"
    "change": st.column_config.NumberColumn("change ± scale", width=110,
                                            help="after - before, in the row's unit, to about a tenth of its floor; "
                                                 "± the mm scale's share of its uncertainty, 1 SD (comparison.csv's "
                                                 "change_scale_sd): every mm is read in the before photo's iris "
                                                 "scale; it does not enter the verdict. No ±: a row without a mm "
                                                 "scale (index, deg, %), or a scale given without an uncertainty"),
    "unit": st.column_config.TextColumn("unit", width=52),
    "noise_floor": st.column_config.NumberColumn("floor", width=56,
                                                 help="noise floor: the smallest change distinguishable from noise, "
                                                      "in the row's unit"),
    "verdict": st.column_config.TextColumn("verdict", width=124),
    "before": st.column_config.NumberColumn("before", width=100, help=PER_PHOTO_HELP),
    "after": st.column_config.NumberColumn("after", width=100, help=PER_PHOTO_HELP),
}
# no number format above: each row's figures are formatted by table_styled (a format here would override it)


#: what :func:`comparison_view`'s table shows for a missing value (a lift row's before / after): blank, not
#: Streamlit's default "None" (``st.dataframe(placeholder=...)``)
TABLE_PLACEHOLDER = ""


def table_frame(cmp) -> pd.DataFrame:
    """The comparison table the page shows: :meth:`~facemetrics.compare.Comparison.to_frame` with the mm scale's
    share of each change's uncertainty (``change_scale_sd``, 1 SD in the row's unit, NaN where none applies:
    :meth:`~facemetrics.compare.Comparison.change_scale_sds`, as ``comparison.csv`` and the CLI's
    "scale ± 0.07 mm") after ``verdict``."""
    frame = cmp.to_frame()
    frame.insert(list(frame.columns).index("verdict") + 1, "change_scale_sd", list(cmp.change_scale_sds()))
    return frame


def scale_table_note(pct: float) -> str:
    """Under the comparison table: what its ``scale ±`` column says, in the CLI's words
    (:func:`facemetrics.report.scale_note` at the before photo's scale uncertainty ``pct``, %, 1 SD), then what it
    does to each photo's before and after (:data:`facemetrics.uploads.PER_PHOTO_SCALE_NOTE`); "" when it is
    unknown (a scale the user gave: the column is blank, each photo's ± is its floor / √2 alone)."""
    try:
        pct = float(pct)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(pct):
        return ""
    return fm_report.scale_note(pct).strip()[1:-1] + ". " + PER_PHOTO_SCALE_NOTE


def table_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as the page shows it: columns in :data:`TABLE_ORDER` (others after), and
    ``before`` / ``after`` as numbers (NaN where a row has none, a lift row: shown blank through
    :data:`TABLE_PLACEHOLDER`; each row's decimals through :func:`table_styled`), so the browser sorts them as
    numbers (as text, "10.00" sorted before "9.00"); ``change`` and ``noise_floor`` stay numbers too."""
    cols = [c for c in TABLE_ORDER if c in frame.columns] + [c for c in frame.columns if c not in TABLE_ORDER]
    out = frame[cols].copy()
    for c in ("before", "after"):
        if c in out.columns:  # None (object column) -> NaN (float column)
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def _number_text(dp: int, sign: str = ""):
    """A Styler formatter: a number with ``dp`` decimals (``sign`` "+": signed; a rounded zero without a sign,
    :func:`facemetrics.decay.wording.fixed`), blank for NaN."""
    return lambda v: "" if not math.isfinite(float(v)) else fixed(v, dp, sign=sign == "+")


def _per_photo_text(floor: float, unit, scale_pct: float = math.nan):
    """A Styler formatter: a row's before or after value with its ± (:func:`facemetrics.uploads.per_photo_cell`:
    floor / √2, and for a mm or mm² row the mm scale's 1 SD ``scale_pct`` x 1.96, in quadrature), blank for NaN."""
    return lambda v: per_photo_cell(v, floor, unit, scale_pct)


def table_decimals(shown: pd.DataFrame) -> pd.Series:
    """The decimals each row of :func:`table_shown`'s table is shown with, one count for a metric's mean and
    sides (the mean change had 3 decimals, its sides 2: a fresh user's audit, 2026-12-04): the CLI's for the
    rows it prints (:data:`facemetrics.report.SUMMARY_DECIMALS`: the lifts, the pose, the folds); for the
    others as many as the metric's largest noise floor supports (:func:`facemetrics.decay.wording.decimals_for`:
    steps of about a tenth of the floor, 0-3), 2 without one."""
    floors = pd.to_numeric(shown["noise_floor"], errors="coerce")
    metric = shown["metric"] if "metric" in shown.columns else pd.Series("", index=shown.index)
    widest = floors.where(floors > 0).groupby(metric).transform("max")  # NaN: no positive floor in the metric
    return pd.Series([fm_report.SUMMARY_DECIMALS.get(m, decimals_for(f) if math.isfinite(f) else 2)
                      for m, f in zip(metric, widest)], index=shown.index)


def table_styled(shown: pd.DataFrame, scale_pct: float = math.nan):
    """:func:`table_shown`'s table with each row's figures shown with no more decimals than its noise floor
    supports (:func:`table_decimals`): ``lower_face_area_mm2`` −91 against a 380 mm² floor, not −91.16.  Each
    row's before and after carry their ± (:func:`facemetrics.uploads.per_photo_cell`: floor / √2, and in a mm or
    mm² row the mm scale's, ``scale_pct``: the comparison's ``scale_uncertainty_pct``, 1 SD, %; "96.2 ± 8.9"),
    and each change its scale ± (``change_scale_sd``, with the change's decimals: "+1.59 ± 0.07"; none where it
    is blank), the cell the table draws for it (:data:`TABLE_DRAWN`).
    A :class:`pandas.io.formats.style.Styler`: the browser shows these texts and sorts by the numbers under
    them (the columns stay numbers); the comparison.csv download keeps every digit."""
    dp = table_decimals(shown)
    styler = shown.style
    if "unit" in shown.columns:  # "%" and "mm²" as the page writes them; the data (and its sort) keep the codes
        styler = styler.format(unit_shown, subset=["unit"])
    # a change of a percentage (the fold contrast) is in percentage points: its change and floor cells say "pp"
    # (the unit column's "%" is its before / after's; "-0.6" beside "%" read as a relative change: Round 21)
    pp = pd.Series([_pp_suffix(u, m) for u, m in zip(
        shown["unit"] if "unit" in shown.columns else [""] * len(shown),
        shown["metric"] if "metric" in shown.columns else [""] * len(shown))], index=shown.index)
    for col, sign in (("change", "+"), ("noise_floor", ""), ("change_scale_sd", "")):
        if col in shown.columns:
            for d in sorted(set(dp)):
                for suffix in sorted(set(pp)):
                    rows = shown.index[(dp == d) & (pp == suffix)]
                    if len(rows):
                        fmt = (_scale_sd_text(int(d)) if col == "change_scale_sd"
                               else _suffixed(_number_text(int(d), sign), suffix))
                        styler = styler.format(fmt, subset=pd.IndexSlice[rows, [col]])
    floors = pd.to_numeric(shown["noise_floor"], errors="coerce").fillna(-1.0)  # -1: no floor (a NaN groups apart)
    units = shown["unit"].fillna("").astype(str) if "unit" in shown.columns else pd.Series("", index=shown.index)
    for (f, unit), rows in shown.groupby([floors, units]).groups.items():  # before / after: with their ±
        cols = [c for c in ("before", "after") if c in shown.columns]
        styler = styler.format(_per_photo_text(f if f >= 0 else math.nan, unit, scale_pct),
                               subset=pd.IndexSlice[rows, cols])
    if "change_scale_sd" in shown.columns and "change" in shown.columns:  # "+1.59 ± 0.07": the scale ± in the cell
        sd = pd.to_numeric(shown["change_scale_sd"], errors="coerce")
        for d in sorted(set(dp)):
            for txt in sorted(set(_scale_sd_text(int(d))(v) for v in sd[dp == d])):
                for suffix in sorted(set(pp)):
                    rows = shown.index[(dp == d) & (sd.map(_scale_sd_text(int(d))) == txt) & (pp == suffix)]
                    if len(rows):
                        styler = styler.format(_suffixed(_change_scale_text(int(d), txt), suffix),
                                               subset=pd.IndexSlice[rows, ["change"]])
    return styler


def _scale_sd_text(dp: int):
    """A change's scale ± (``change_scale_sd``) with the change's ``dp`` decimals, as the CLI writes it: one that
    rounds to zero reads "< 0.05" at one decimal (:func:`facemetrics.rounding.fixed_uncertainty`; a landmark lift's
    read "± 0.0": Round 21), blank for NaN."""
    return lambda v: "" if not math.isfinite(float(v)) else fixed_uncertainty(v, dp)


def _pp_suffix(unit, metric) -> str:
    """What the wide comparison table writes after a row's change and floor: ``" pp"`` where a change is in
    another unit than the row's ``unit`` column says (a percentage's change: percentage points,
    :func:`facemetrics.decay.wording.change_unit`), else ""."""
    word = change_unit_shown(unit, metric)
    return f" {word}" if isinstance(unit, str) and unit and word != unit_shown(unit) else ""


def _suffixed(fmt, suffix: str):
    """A Styler formatter: ``fmt``'s text with ``suffix`` after it, blank text left blank."""
    return fmt if not suffix else (lambda v: (lambda t: t + suffix if t else t)(fmt(v)))


def _change_scale_text(dp: int, scale: str):
    """A Styler formatter: a change with ``dp`` decimals, signed (a rounded zero without a sign,
    :func:`facemetrics.decay.wording.fixed`, as the CLI prints it), then ``" ± "`` and its scale ± ``scale`` (already
    formatted; "" for none: the change alone), blank for NaN."""
    return lambda v: "" if not math.isfinite(float(v)) else fixed(v, dp, sign=True) + (f" ± {scale}" if scale else "")


def _unit_text(text: str, unit) -> str:
    """``text`` with ``unit`` after it, a unit code as a page writes it (:func:`unit_shown`: "%" for ``pct``, the
    fold contrast's unit, which the phone's table wrote "pct": stop 56, c1); blank text: blank; no unit: the text
    alone."""
    return f"{text} {unit_shown(unit)}" if text and isinstance(unit, str) and unit else text


def change_unit_shown(unit, metric=""):
    """A unit code as a page writes a CHANGE in it (:func:`facemetrics.decay.wording.change_unit`): ``pp``
    (percentage points) for a percentage's change (the fold contrast, ``nlf_contrast_pct``), ``%`` for a
    metric that is itself a relative change (``camera_distance_change_pct``), otherwise :func:`unit_shown`'s."""
    return change_unit(unit, "" if metric is None or (not isinstance(metric, str) and pd.isna(metric)) else str(metric))


def unit_shown(unit):
    """A unit code of the tables (``schema``: ``pct``, ``mm2``) as a page writes it (``%``, ``mm²``:
    :data:`facemetrics.decay.wording.UNIT_WORDS`, as the reasons and report.md write them); other units, and
    anything that is not text, as given.  The CSV downloads keep the codes (and their columns' ``_pct``)."""
    return UNIT_WORDS.get(unit, unit) if isinstance(unit, str) else unit


def compact_table(shown: pd.DataFrame) -> pd.DataFrame:
    """The comparison table (:func:`table_shown`'s) as a phone shows it: the verdict first, then the change with its
    scale ± and unit ("+1.59 ± 0.07 mm", the wide table's cell and decimals: :func:`table_styled`), its noise floor
    with its unit, and the metric with its side; the per-photo values are :func:`compact_values`.  Text columns
    (blank where the wide table is blank).

    Parameters
    ----------
    shown : DataFrame
        :func:`table_shown`'s table: ``metric``, ``side``, ``change``, ``unit``, ``noise_floor``, ``verdict``
        (``change_scale_sd`` optional), one row per metric and side.

    Returns
    -------
    DataFrame
        Columns ``verdict``, ``change ± scale``, ``floor``, ``metric``; one row per row of ``shown``.
    """
    dp = table_decimals(shown)
    sd = (pd.to_numeric(shown["change_scale_sd"], errors="coerce") if "change_scale_sd" in shown.columns
          else pd.Series(math.nan, index=shown.index))
    change, floor = [], []
    for k in shown.index:
        d, unit = int(dp[k]), shown.at[k, "unit"]
        word = change_unit_shown(unit, shown.at[k, "metric"]) if isinstance(unit, str) else unit  # "pp": a % change
        change.append(_unit_text(_change_scale_text(d, _scale_sd_text(d)(sd[k]))(float_or_nan(shown.at[k, "change"])), word))
        floor.append(_unit_text(_number_text(d)(float_or_nan(shown.at[k, "noise_floor"])), word))
    return pd.DataFrame({"verdict": shown["verdict"].fillna("").astype(str).to_numpy(), "change ± scale": change,
                         "floor": floor,
                         "metric": [f"{m}, {sd_}" if sd_ else str(m) for m, sd_ in zip(shown["metric"],
                                                                                      shown["side"].fillna(""))]})


def compact_values(shown: pd.DataFrame, scale_pct: float = math.nan) -> pd.DataFrame:
    """Each photo's own value of the comparison table's rows that have one (a lift has none), as a phone shows them
    under :func:`compact_table`: the metric with its side, ``before`` and ``after`` with their ± and unit as the wide
    table shows them (:func:`facemetrics.uploads.per_photo_cell`, ``scale_pct`` the mm scale's 1 SD, %)."""
    rows = []
    for k in shown.index:
        unit = shown.at[k, "unit"]
        text = _per_photo_text(float_or_nan(shown.at[k, "noise_floor"]), unit, scale_pct)
        b, a = (text(shown.at[k, c]) for c in ("before", "after"))
        if b or a:
            side = shown.at[k, "side"]
            rows.append({"metric": f"{shown.at[k, 'metric']}, {side}" if isinstance(side, str) and side
                         else str(shown.at[k, "metric"]),
                         "before": _unit_text(b, unit), "after": _unit_text(a, unit)})
    return pd.DataFrame(rows, columns=["metric", "before", "after"])


def show_headline(box, msg: str) -> None:
    """``msg`` (:func:`page_headline`) as the page's headline in ``box``, capitalised; shown literally
    (:func:`md`) when it quotes the batch's message, which names the photos (compare's own names none)."""
    text = msg[0].upper() + msg[1:]
    quotes = any(start in msg for start in (MSG_SAME_PICTURE_LEFT_OUT, MSG_BASELINES_DISAGREE, MSG_BEFORE_TAKEN_AFTER))
    box.subheader(md(text) if quotes else text, anchor=False)


def unquoted(messages, headline: str) -> list:
    """``messages`` less those the page's ``headline`` (:func:`page_headline`) quotes word for word: the
    batch's reason a "No lift or sag can be claimed ...: <reason>" headline gives is said there once, not again
    as a warning under it (browser audit, 2026-12-05)."""
    return [m for m in messages if m not in headline]


def comparison_view(pair: Pair, label: str, pairs: dict | None = None) -> dict:
    """Before/after view and numbers; returns the downloads it offers.  Its headline, its messages, its
    table's verdicts and the status, messages and verdicts of its ``comparison.csv`` are the batch's
    (:func:`comparison_result`, :func:`page_headline`), with its treatment's 'before' photos checked against
    each other among ``pairs`` (:func:`session_disagreement`; after the headline and the table are drawn,
    which are redrawn when the check makes their verdicts ``uncertain``: they do not wait for it)."""
    with st.spinner("Aligning the photos and measuring the change..."):
        cmp = safe_compare(pair)
    if cmp is None:
        return {}
    frame = table_frame(cmp)  # with each change's scale ± (comparison.csv's change_scale_sd)
    result = comparison_result(pair, cmp)  # worded as the batch's changes.csv
    said, added = result["messages"][:len(cmp.messages)], result["messages"][len(cmp.messages):]
    if cmp.status == "refused":  # the batch adds only the before photo's messages to a refused comparison
        reasons, others = refusal_reasons(said)
        st.error("These photos cannot be compared: " + md("; ".join(m.rstrip(".") for m in reasons)) + ".",
                 icon=":material/block:")
        for m in added:  # the before photo is the likely cause: not a difference to take alike
            st.warning(md_message(m), icon=":material/warning:")
        others = refused_others(others)
        if others:  # named apart: the reason is not lost in them (app audit, 2026-12-03)
            st.caption("Also different between the two photos (take them alike when you retake):")
            for m in others:
                st.warning(md_message(m), icon=":material/warning:")
        return {"comparison.csv": comparison_csv(cmp, pair, result)}  # its rows say refused, and why
    head = st.empty()  # redrawn when the 'before' photos' check below makes its jawline row 'uncertain'
    smiles = (smile_flag(pair.before), smile_flag(pair.after))  # each photo's own flag (its card's), named in it
    headline = page_headline(frame, cmp.messages, result, smiles)
    show_headline(head, headline)
    if pair.no_change:
        st.caption("No-change check: two 'before' photos compared. Any change here is how much your photos of "
                   "one state differ (the noise), not an effect of the treatment.")
    for m in unquoted(said, headline):
        st.warning(md_message(m), icon=":material/warning:")
    disagree_box = st.container()  # the batch's next message: the 'before' photos disagree (filled below)
    for m in unquoted(added, headline):  # the headline's reason is said there only
        st.warning(md_message(m), icon=":material/warning:")
    note = fm_report.noise_source_note(cmp.noise_source)
    if note and cmp.noise_source != "default":  # the default floors' advice (CLI wording) is on the page already
        used = cmp.noise_source.startswith("repeats")
        st.caption(("Noise floors from your repeat photos: " if used else "Noise floors: ") + md(note))

    drawn = []

    def draw_table(box) -> None:  # the batch's verdicts (same picture, 'before' photos that disagree)
        shown = table_shown(with_batch_verdicts(frame, result))
        # a wide table and, on a phone, its compact form (verdict and change first; the per-photo values below)
        wide, compact = fitted(f"cmp-{hashlib.sha1(label.encode()).hexdigest()[:8]}-{len(drawn)}", box.container())
        drawn.append(1)
        wide.dataframe(table_styled(shown, cmp.scale_uncertainty_pct), hide_index=True, width="stretch", height=420,
                       column_config=TABLE_COLUMNS, placeholder=TABLE_PLACEHOLDER, column_order=TABLE_DRAWN)
        with compact:
            st.table(md_cells(compact_table(shown)), hide_index=True)
            with st.expander("Each photo's values (before, after)"):
                st.table(md_cells(compact_values(shown, cmp.scale_uncertainty_pct)), hide_index=True)

    # the table across the page, under the headline, then the figure with the table's notes beside it: beside the
    # figure (half the page) its columns needed a horizontal scroll at 1366 px to reach the scale ± (632 px of
    # columns in 435), and a fold's before / after ("16.35 ± 0.59") lost its first digits however they were
    # narrowed; across the page every column and cell fits at 1366 x 768 with the sidebar open (h4, 2026-12-05;
    # tests/test_app_browser.py)
    table_box = st.empty()  # redrawn when the 'before' photos' check below changes its verdicts
    draw_table(table_box)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        over = comparison_figure(pair, cmp, label)
    with right:
        table_notes(cmp)
    if pairs and any(p.no_change and p.treatment == pair.treatment for p in pairs.values()):
        with st.spinner("Checking the 'before' photos against each other..."):
            disagreement = session_disagreement(pair, pairs, safe_compare)
        if disagreement[0]:  # in changes.csv's order: after compare's messages, before the others
            result = comparison_result(pair, cmp, disagreement)
            if disagreement[1]:  # left out of the fits: its rows read 'uncertain', as in changes.csv
                headline = page_headline(frame, cmp.messages, result, smiles)
                show_headline(head, headline)
                draw_table(table_box)
            disagreement_warnings(disagree_box, disagreement[0], result, headline)
    # the PNG is encoded when its button is clicked (a 0.2 s encode would otherwise delay every rerun)
    return {"comparison.csv": comparison_csv(cmp, pair, result), "overlay.png": lambda: png_bytes(over())}


def comparison_figure(pair: Pair, cmp, label: str):
    """The comparison's figure under its table, in the view chosen (side by side, overlay, folds); returns a
    callable giving the CLI's side-by-side figure (RGB, the ``overlay.png`` download, drawn when asked for)
    whichever view is shown."""
    view = st.segmented_control("View", ["Side by side", "Overlay", "Folds"], default="Side by side",
                                key=f"view-{label}")

    def over() -> np.ndarray:
        return comparison_image(pair_key(pair), cmp)

    if view == "Overlay":
        mix = st.slider("Before ← → after", 0.0, 1.0, 0.5, 0.05, key=f"mix-{label}")
        c1, _ = st.columns([2, 1])
        c1.image(blend(cmp, mix), caption=f"before × {1 - mix:.0%} + aligned after × {mix:.0%}", width="stretch")
    elif view == "Folds":
        full = st.toggle("Full size", key=f"folds-full-{label}",
                         help=f"The overlays at the resolution they were drawn (up to {OVERLAY_MAX_SIDE} px on "
                              f"the long side), to zoom in on them; off, the same drawing {FOLDS_SHOWN_PX} px wide "
                              "(faster)")
        c1, c2 = st.columns(2)
        # the faces the comparison measured (in a photo with several, the one matching the other photo)
        for col, photo, face, role in ((c1, pair.before, cmp.before, "before"), (c2, pair.after, cmp.after, "after")):
            data, width = fold_overlay(photo.photo.sha256, face, full)
            # full size: its own width, which Streamlit sends unresized (the page still shows it the column's width)
            col.image(data, caption=f"{role}: {md(photo.name)}", width=width if full else "stretch")
    else:
        # a phone's width: the photos and the map stacked, text a share of the width (plots.comparison_overlay's
        # "narrow" layout); a desktop's column: the photos side by side, the map under them, text 1/50 of the
        # width ("column": the CLI's figure, 16.5 in wide, had 2.6-3.6 px text in its 528 px at 1366 x 768;
        # h5, 2026-12-05); a CSS container query shows one
        wide, compact = fitted(f"cmpfig-{hashlib.sha1(label.encode()).hexdigest()[:8]}", size="f")
        wide.image(comparison_image(pair_key(pair), cmp, "column"),
                   caption="aligned side by side: jaw contours and vertical displacement (mm)", width="stretch")
        compact.image(comparison_image(pair_key(pair), cmp, "narrow"),
                      caption="aligned: jaw contours and vertical displacement (mm)", width="stretch")
    return over


def table_notes(cmp) -> None:
    """The comparison table's notes, beside its figure: what its columns say, its scale ± (the CLI's note),
    and, when the expression differs or may, how to read its verdicts."""
    st.caption(TABLE_NOTE + (f" {md(scale)}" if (scale := scale_table_note(cmp.scale_uncertainty_pct)) else ""))
    if any(m.startswith(MSG_EXPRESSION_MAYBE) for m in cmp.messages):
        st.caption(EXPRESSION_MAYBE_TABLE_NOTE)
    elif any(m.startswith(MSG_EXPRESSION) for m in cmp.messages):
        st.caption(EXPRESSION_TABLE_NOTE)


def disagreement_warnings(box, message: str, result: dict, headline: str = "") -> None:
    """The batch's ``message`` on a treatment whose 'before' photos disagree, unless the page's ``headline``
    quotes it already (:func:`unquoted`), then, when the comparison's
    noise floors were built from them, the message saying so (``result``: :func:`comparison_result`;
    :func:`facemetrics.compare.disagreement.disagreement_floors_note`: a 20 mm jawline floor was shown with nothing
    said of it, h3 2026-12-04), as warnings in ``box``."""
    for m in unquoted([message], headline):
        box.warning(md(m), icon=":material/warning:")
    for m in result["messages"]:
        if m.startswith(MSG_FLOORS_FROM_DISAGREEMENT):
            box.warning(md_message(m), icon=":material/warning:")


#: a clause of the gate's messages that speaks of a measured comparison (what was corrected, what was
#: added to the noise floors, which rows have no verdict, what the rows may reflect): a refused comparison has none
#: of these, so :func:`refused_others` leaves such clauses out (app audit, 2026-12-03: "±13.54 mm ... added to its
#: noise floor"; "so the lifts, folds and mouth metrics may reflect either" of rows a refused pair has not)
_MEASURED_ONLY = ("this was measured", "noise floor", "without a verdict", "no verdict", MSG_CAMERA_UNCHECKED,
                  MSG_POSE_UNCHECKED, "may reflect either")


def _clauses(message: str) -> list[list[str]]:
    """``message`` split after each ``"; "``, ``": "`` and ``". "`` outside round and square brackets
    (:func:`facemetrics.messages.top_level`, the bracket rule of the library's one splitter of messages,
    :func:`~facemetrics.messages.split_messages`; a stray closing bracket no longer stopped every later
    split, a square bracket's ``"; "`` is no clause): ``[[clause, separator after it], ...]``, the last
    separator ""."""
    cuts = sorted(i for sep in ("; ", ": ", ". ") for i in top_level(message, sep))
    out, start = [], 0
    for i in cuts:
        out.append([message[start:i], message[i:i + 2]])
        start = i + 2
    return out + [[message[start:], ""]]


#: a figure's own noise floor, said with its value ("(noise floor 0.02 mm; limit 0.5 mm)": a flow cue's), which a
#: refused pair's message keeps; "its noise floor is ...", "... is added to its noise floor" speak of a row's floor
FIGURE_FLOOR = re.compile(r"noise floor [0-9][0-9.]*")


def _topic(text: str) -> str:
    """``text`` without its figures' own floors (:data:`FIGURE_FLOOR`), for the :data:`_MEASURED_ONLY` check."""
    return FIGURE_FLOOR.sub("", text)


def refused_others(messages) -> list[str]:
    """A refused comparison's other messages (:func:`facemetrics.compare.gate.refusal_reasons`) as the
    page lists them: without the clauses that speak of corrections, noise floors and verdicts
    (:data:`_MEASURED_ONLY`; a clause a dropped one introduces with ": " goes with it), and without the
    repeat photos' messages (they only set noise floors)."""
    out = []
    for m in messages:
        if m.startswith("repeat photo "):
            continue
        kept, drop_next = [], False
        for text, sep in _clauses(m):
            # never the first clause (the message's subject: "head pose differs", "the camera was ...")
            # a figure's own floor ("(noise floor 0.02 mm; limit 0.5 mm)") is not the clause's topic
            dropped = bool(kept) and (drop_next or any(w in _topic(text).lower() for w in _MEASURED_ONLY))
            drop_next = dropped and sep == ": "
            if not dropped:
                kept.append([text, sep])
            else:  # the clause before it ends as the dropped one did ("" at the message's end)
                kept[-1][1] = sep
        out.append("".join(t + sep for t, sep in kept))
    return out


#: the download of every pair's comparison (``comparison.csv`` is the pair shown)
ALL_PAIRS_CSV = "comparison_all_pairs.csv"


def all_comparisons_csv(pairs: dict, memo: dict) -> bytes:
    """Every pair's ``comparison.csv`` rows in one CSV, in the order of the page's list (before/after
    comparisons, then no-change checks); each row names its pair in ``before_photo`` / ``after_photo``, and
    carries the status, messages and verdicts the batch gives the pair in ``changes.csv``
    (:func:`comparison_frame`, with its treatment's :func:`session_disagreement`).

    Made when its download is clicked, outside the script run: comparisons already made in this session
    are read from its memo ``memo`` (``st.session_state``'s, passed in), the others are made and kept there."""
    from facemetrics.isolated import NativeCrash

    def comparison_of(pair: Pair):
        """The pair's comparison (made in the worker process), or None when it crashed the face finder (the page
        said so; left out, as a failed comparison is)."""
        got = memo_get(memo, "compare", pair_key(pair),
                       lambda: compare_in_worker(pair.before, pair.after, pair.repeats, order_checked(pair)))
        return None if isinstance(got, NativeCrash) else got

    frames, disagreements = [], {}
    for pair in pairs.values():
        cmp = comparison_of(pair)
        if cmp is None:
            continue
        if pair.treatment not in disagreements:  # once per treatment (its no-change checks), as timeline_rows
            disagreements[pair.treatment] = session_disagreement(pair, pairs, comparison_of)
        result = comparison_result(pair, cmp, disagreements[pair.treatment])
        frames.append(comparison_frame(cmp, pair, result))
    return csv_bytes(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame())


def comparison_csv(cmp, pair: Pair, result: dict | None = None) -> bytes:
    """:func:`comparison_frame` as CSV bytes: the ``comparison.csv`` download."""
    return csv_bytes(comparison_frame(cmp, pair, result))


def comparison_image(key: tuple, cmp, layout: str = "wide") -> np.ndarray:
    """:func:`facemetrics.plots.comparison_overlay`: the aligned pair with jaw contours and the
    vertical-displacement map in mm; memoised per session.  ``layout`` "wide": the same figure as ``facemetrics
    compare`` writes; "narrow": stacked for a phone's width, at 200 dpi (1200 px wide: sharp at a phone's 3 device
    px a CSS px); "column": a desktop page's column (two photos a row), at 200 dpi (1600 px wide)."""
    from facemetrics.plots import comparison_overlay

    if layout == "wide":
        return session_memo("comparison_image", key, lambda: comparison_overlay(cmp))
    return session_memo("comparison_image", (*key, layout), lambda: comparison_overlay(cmp, dpi=200, layout=layout))


def blend(cmp, mix: float) -> np.ndarray:
    """The before photo and the aligned after photo (both on the comparison's grid), cross-faded."""
    b, a = cmp.before_grid.astype(np.float32), cmp.after_grid.astype(np.float32)
    return (b * (1 - mix) + a * mix).round().astype(np.uint8)


#: the Timeline tab's metrics chosen by default, in :data:`facemetrics.schema.METRIC_ORDER`: the headline lift when
#: present, the others when they can be fitted (:func:`timeline_default_metrics`); the jaw width from the flow is what
#: an RF user comes for (does the narrowing last?), the mouth corners a microcurrent user's second lift.  The fold
#: index (two series, a side each) is left to the picker: five lines on a phone's figure
TIMELINE_DEFAULTS = (fm_report.HEADLINE_METRIC, "mouth_corner_lift_mm", "jaw_width_flow_mm")


def timeline_fit_needs(changes: pd.DataFrame, metrics=TIMELINE_DEFAULTS) -> dict[str, str]:
    """What each of ``metrics`` present in ``changes`` lacks for a decay curve (:func:`facemetrics.decay.fit_needs.
    fit_needs`: the fit's own rule, "" for a metric that can be fitted)."""
    return fit_needs(changes, metrics)


def timeline_default_metrics(changes: pd.DataFrame, needs: dict[str, str] | None = None) -> list[str]:
    """The Timeline tab's default metrics (:data:`TIMELINE_DEFAULTS`) among ``changes``' (the tidy table,
    ``long.csv``'s columns): the headline lift when it has rows; each other one when a decay curve can be fitted
    to it (``needs``: :func:`timeline_fit_needs`, computed when not given; "" for a metric that can be fitted).
    The fits leave out the rows read ``uncertain`` (:data:`facemetrics.decay.inputs.UNREAD_VERDICTS`), retakes
    count once.  The tab chose the headline lift and the mouth corners only, so an RF user's width was one more
    click away (stop 63, h7); it then counted 4 distinct times alone, not the fit's 6 photos and a photo at 12 h
    (stop 64, h2)."""
    present = set(changes["metric"].unique()) if "metric" in changes else set()
    if needs is None:
        needs = timeline_fit_needs(changes)
    return [m for m in TIMELINE_DEFAULTS
            if m in present and (m == fm_report.HEADLINE_METRIC or needs.get(m, "x") == "")]


def timeline_picker_help(needs: dict[str, str]) -> str:
    """The Timeline picker's help: the default's rule and each default metric left out or chosen that cannot be
    fitted, with what it lacks (``needs``: :func:`timeline_fit_needs`)."""
    lines = [f"Chosen by default: `{fm_report.HEADLINE_METRIC}`, and each of "
             + ", ".join(f"`{m}`" for m in TIMELINE_DEFAULTS if m != fm_report.HEADLINE_METRIC)
             + f" when a decay curve can be fitted to it: at least {MIN_PHOTOS} photos (those before the treatment "
             f"count) and {MIN_TIMES} distinct times after the treatment (retakes count once, photos read `uncertain` "
             f"not at all), one at {MIN_LAST_HOURS:g} h or later."]
    lines += [f"`{m}` has no curve: it {why}." for m, why in needs.items() if why]
    return "\n\n".join(lines)


def timeline_view(changes: pd.DataFrame, records: tuple[dict, ...] = ()) -> dict[str, bytes]:
    # the options in the series' one order (schema.metric_rank: lifts, folds, width), as `timeline` and report.md
    options = sorted(changes["metric"].unique(), key=metric_rank)
    # the defaults' fits without their bootstrap, once per table (0.2-0.5 s for three series on this machine)
    needs = session_memo("timeline-needs", _timeline_key(changes, TIMELINE_DEFAULTS),
                         lambda: timeline_fit_needs(changes))
    metrics = st.multiselect("Metrics", options, default=timeline_default_metrics(changes, needs), key="tl-metrics",
                             help=timeline_picker_help(needs))
    if not metrics:
        st.info("Choose at least one metric.")
        return {}
    with st.spinner("Fitting the decay curves..."):
        table, png, why = timeline(changes, tuple(metrics), records)
    if png is None:
        st.info(md(why))
        return {"long.csv": csv_bytes(changes)}
    left, right = st.columns([3, 2], gap="medium")
    with left:  # a phone's figure below 480 px of column, a desktop's above (a CSS container query shows one)
        wide, compact = fitted("timeline-plot", size="f")
        wide.image(timeline_column_png(changes, tuple(metrics), records), width="stretch",
                   caption=timeline_caption(table))
        compact.image(png, width="stretch", caption=timeline_caption(table))
    with right:
        with_mean = set(table.loc[table["side"] == "mean", "metric"])
        marked = []  # the causes of 'uncertain' said once, under the lines that refer to them (h12)
        for r in table[table["subject"].map(fm_report.is_pooled).astype(bool)].itertuples():
            if r.side != "mean" and r.metric in with_mean:
                continue
            side = "" if r.side == "mean" else f" ({r.side})"  # metrics with no mean row: one line per side
            reason = fm_report.short_reason(r.reason)
            marked += [f"{r.treatment} · {r.metric}{side}"] if reason != r.reason else []
            st.markdown(f"**{md(r.treatment)} · {r.metric}{side}**: half-life {fmt_h(r)} · "
                        f"verdict **{r.verdict}**  \n{reason}")
        for note in fm_report.unread_note(marked):
            st.caption(md(note))
        for note in table.attrs.get("before_notes", ()):  # §20: the line `timeline` prints and report.md lists
            st.warning(md(note), icon=":material/photo_camera:")
        left_out_as_uncertain(timeline_uncertain_notes(table, records))  # each 'uncertain' one and why (stop 60)
        face, light = timeline_kept_notes(table, records)  # fitted although the gate warned (report.md's lists), the
        face = timeline_expression_notes(changes, tuple(metrics), records, face)  # photos §16's rule flagged said so
        kept_with_warning(face, light)
    with st.expander("Timeline table"):
        # on a phone its compact form: the fit's 41 columns took 4560 px in 322 at 390 px (h5, 2026-12-05)
        wide, compact = fitted("timeline-table", size="t")
        wide.dataframe(plain(table), hide_index=True, width="stretch", column_config=TIMELINE_TABLE_COLUMNS,
                       column_order=timeline_wide_order(table.columns))
        with compact:
            st.table(md_cells(timeline_compact(table)), hide_index=True)
            labels = [timeline_fit_label(r) for r in table.itertuples()]
            if labels:
                k = st.selectbox("Every column of", range(len(labels)), format_func=labels.__getitem__,
                                 key="tl-row")
                st.table(md_cells(timeline_row_columns(table.iloc[k if k is not None else 0])), hide_index=True)
        st.caption(TIMELINE_TABLE_NOTE)
    # the tidy table of the changes, as the batch's long.csv (its changes.csv is the wide one); the plot as
    # `facemetrics timeline` writes it (it was on the page only: an outside user's audit, 2026-12-04): the wide
    # figure, drawn on the click (timeline_download_png; it was the phone's figure, h11 2026-12-05), in the session's
    # memo taken here: the click's call has no st.session_state of its own (stop 60)
    memo = st.session_state.setdefault(MEMO_KEY, {})
    return {"timeline.csv": csv_bytes(table),
            "timeline.png": lambda: timeline_download_png(changes, tuple(metrics), records, memo),
            "long.csv": csv_bytes(changes)}


def timeline_kept_notes(table: pd.DataFrame, records) -> tuple[list, list]:
    """The Timeline tab's comparisons kept in its fits with a warning, ``(expression, lighting)``: those fitted
    although the expression may differ (:func:`facemetrics.batch.fit_notes.expression_kept`) and those whose
    fold rows were fitted although the lighting differs (:func:`~facemetrics.batch.fit_notes.light_kept`), of
    ``records`` (the comparisons as ``changes.csv`` has them) for the columns of ``table``'s fits, as records
    (:class:`~facemetrics.batch.fit_notes.KeptNote`, whose line is ``facemetrics timeline``'s); ([], []) without
    records."""
    from facemetrics.batch.fit_notes import expression_kept, light_kept
    from facemetrics.batch.series_read import fitted_columns

    if not records:
        return [], []
    rows = [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]
    columns = fitted_columns(table)
    return expression_kept(rows, columns), light_kept(rows, columns)


def kept_with_warning(expression=(), light=()) -> None:
    """The comparisons kept in the fits with a warning, as ``report.md`` lists them (the Timeline tab, *My study*):
    one warning box per list, its heading, paragraph and items report.md's sections
    (:func:`facemetrics.report.kept_sections`: the headings and paragraphs of
    :data:`~facemetrics.report.KEPT_SECTIONS`, one item per note of ``expression`` and ``light``,
    :class:`facemetrics.batch.fit_notes.KeptNote` records or their lines, as a table's attrs hold them); nothing for an
    empty list.  The app showed neither list (stop 59): the console and report.md did; until stop 60 it read the
    heading, paragraph and items back out of report.md's lines."""
    for head, text, notes in fm_report.kept_sections(expression, light):
        st.warning("  \n".join([f"**{md(head)}**", md_message(text)]) + "\n\n"
                   + "\n".join(f"- {md_message(str(n))}" for n in notes), icon=":material/warning:")


def timeline_uncertain_notes(table: pd.DataFrame, records) -> list[str]:
    """The Timeline tab's comparisons left out of its fits as ``uncertain``, each with its reason
    (:func:`facemetrics.batch.timeline.uncertain_notes` of ``records``, the comparisons as ``changes.csv`` has them, for
    the columns of ``table``'s fits), as report.md lists them; [] without records."""
    from facemetrics.batch.series_read import fitted_columns
    from facemetrics.batch.timeline import uncertain_notes

    if not records:
        return []
    rows = [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]
    return uncertain_notes(rows, fitted_columns(table))


def timeline_fit_label(r) -> str:
    """A timeline row's fit in words: ``treatment · metric, side``, and the subject when it is one subject's own
    fit (the pooled fit's has none)."""
    who = "" if fm_report.is_pooled(getattr(r, "subject", None)) else f" · subject {r.subject}"
    return f"{r.treatment} · {r.metric}, {r.side}{who}"


def _ci_text(r, name: str, dp: int, unit: str, sign: str = "", ci: str = "", level: str = "95%") -> str:
    """Row ``r``'s figure ``name`` with its CI (``<ci>_low`` / ``<ci>_high``, ``ci`` by default ``name_ci``, at
    ``level``) and ``unit`` after the figure and after the CI's upper end, as the verdicts' reasons write a CI
    ("95% CI 1.69 to 2.15 mm") and :func:`half_life_ci_text` the half-life beside it: ``+1.21 mm (95% CI +0.95 to
    +1.49 mm)`` (the phone's table gave no unit after the upper end: stop 60's note); "n/a" when not estimated, no CI when the
    bootstrap gave none.  A figure that rounds to zero reads "0.00", never "-0.00" (:func:`facemetrics.rounding.fixed`,
    as the verdict's reason beside it: the example's microcurrent jawline read "-0.00 mm (90% CI ...)" in the Timeline
    tab's table and "0.00 mm" in its line; stop 60)."""
    v = float_or_nan(getattr(r, name, float("nan")))
    ci = ci or f"{name}_ci"
    if not math.isfinite(v):
        return "n/a"
    lo, hi = float_or_nan(getattr(r, f"{ci}_low", float("nan"))), float_or_nan(getattr(r, f"{ci}_high", float("nan")))
    text = _unit_text(fixed(v, dp, sign == "+"), unit)
    if math.isfinite(lo) and math.isfinite(hi):
        # a CI that spans zero shows both signs, as every text writes a CI (decay.wording.ci_range; stop 61)
        both = sign == "+" or fixed(lo, dp).startswith("-")
        text += f" ({level} CI {fixed(lo, dp, sign == '+')} to {_unit_text(fixed(hi, dp, both), unit)})"
    return text


def claim_ci_text(r) -> str:
    """Row ``r``'s change at 24 h with the interval its verdict was decided on (``change_24h_test_ci_*`` at
    ``test_confidence``, worded as the verdict's reason, the figure's legend and report.md word it:
    ``0.03 mm (90% CI -0.72 to +0.80 mm)``, ``0.20 mm (90% CI 0.01 to 0.41 mm)``: a ``+`` only on the upper end of a
    CI that spans zero, :func:`facemetrics.decay.wording.ci_range`'s rule; it read "+0.20 mm (90% CI +0.01 to +0.41
    mm)" beside the reason's "0.20 mm (90% CI 0.01 to 0.41 mm)", stop 64 h2), in the row's ``unit`` with 2
    decimals; "n/a" when not estimated.
    The 24 h change's 95% CI (``change_24h_ci_*``) stays in the wide table and timeline.csv (h7's audit,
    2026-12-05: the two sat side by side, a reader compared them)."""
    # a change: "pp" for a percentage's (the fold contrast), as report.md and the reasons write it (stop 60)
    unit = "" if pd.isna(r.unit) else change_unit_shown(r.unit, getattr(r, "metric", ""))
    return _ci_text(r, "change_24h", 2, unit, ci="change_24h_test_ci",
                    level=fm_report.claim_level_text(getattr(r, "test_confidence", float("nan"))))


def timeline_compact(table: pd.DataFrame) -> pd.DataFrame:
    """The Timeline table as a phone shows it (:func:`fitted`): ``verdict`` first, the fit in words
    (:func:`timeline_fit_label`), the change at 24 h with the verdict's 90% CI (:func:`claim_ci_text`, as the
    text beside the figure quotes it) and the half-life with its 95% CI, each with its unit (changes in the row's
    ``unit`` with 2 decimals, hours with 1, as the wide table shows them); one row per fit, as the wide table.
    Every column of one fit: :func:`timeline_row_columns`."""
    rows = []
    for r in table.itertuples():
        resolved = fm_report.decay_resolved(r._asdict())
        rows.append({"verdict": "" if pd.isna(r.verdict) else str(r.verdict), "fit": timeline_fit_label(r),
                     "change at 24 h": claim_ci_text(r),
                     "half-life": (half_life_ci_text(*(float_or_nan(getattr(r, k, float("nan"))) for k in
                                                       ("half_life_h", "half_life_h_ci_low", "half_life_h_ci_high")))
                                   if resolved and math.isfinite(float_or_nan(getattr(r, "half_life_h", float("nan"))))
                                   else "n/a" if resolved else fm_report.not_resolved_text(r._asdict()))})
    return pd.DataFrame(rows, columns=["verdict", "fit", "change at 24 h", "half-life"])


def timeline_row_columns(row: pd.Series) -> pd.DataFrame:
    """One Timeline table row's every column, one a line (``column``, ``value``): what the wide table's row says,
    readable at a phone's width; numbers with 6 significant digits (timeline.csv keeps every digit), each with its
    unit (:data:`facemetrics.schema.TIMELINE_COLUMNS_DEF`'s: hours in h, a change in the row's ``unit`` as a page
    writes a change, pp for a percentage's; a user's-eye pass of stop 64, h2: "peak_change 1.98975" had none)."""
    units = {c.name: c.unit for c in TIMELINE_COLUMNS_DEF}
    change = change_unit_shown(row.get("unit"), row.get("metric", "")) if isinstance(row.get("unit"), str) else ""

    def text(k, v) -> str:
        if isinstance(v, (float, np.floating)):
            unit = change if units.get(k) == "as `unit`" else "h" if units.get(k) == "h" else ""
            return "" if not math.isfinite(v) else f"{v:.6g}" + (f" {unit}" if unit else "")
        return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)

    return pd.DataFrame({"column": list(row.index), "value": [text(k, v) for k, v in row.items()]})


def _timeline_table_columns() -> dict:
    """How the "Timeline table" shows its numbers: a change (in the row's ``unit``) with 2 decimals, hours
    with 1, as ``report.md`` and the verdicts give them; it showed the raw floats ("1.990540", "2.003670e+00")
    beside CIs a few tenths wide (an audit, 2026-12-04: more digits than the uncertainty supports).  The
    downloaded ``timeline.csv`` keeps every digit."""
    out = {}
    for c in (*TIMELINE_COLUMNS_DEF, *REGIMEN_COLUMNS_DEF):
        if c.unit.startswith("as `unit`"):
            out[c.name] = st.column_config.NumberColumn(c.name, format="%.2f",
                                                        help=CLAIM_CI_HELP.get(c.name) or LASTING_HELP.get(c.name))
        elif c.unit in ("h", "day") and c.name not in ("last_time_h", "half_life_h_min", "day_n"):
            # estimates only: the photos' own times (the last, half the first) are exact and shown as they are
            out[c.name] = st.column_config.NumberColumn(c.name, format=f"%.1f {c.unit}")
    return out


#: the tooltips of the 24 h change's two intervals in the wide "Timeline table": the claim's (the verdict's 90% CI,
#: the one the text beside the figure, the figure, report.md and `facemetrics timeline` quote) and the 95% CI kept
#: beside it in timeline.csv (h7's audit, 2026-12-05: both labelled, but a reader compared them)
CLAIM_CI_HELP = {
    "change_24h_test_ci_low": "the verdict's 90% CI of change_24h, lower end: the interval the claim is read on",
    "change_24h_test_ci_high": "the verdict's 90% CI of change_24h, upper end: the interval the claim is read on",
    "change_24h_ci_low": "95% CI of change_24h, lower end, as the other figures' CIs; not the claim's interval "
                         "(change_24h_test_ci_*)",
    "change_24h_ci_high": "95% CI of change_24h, upper end, as the other figures' CIs; not the claim's interval "
                          "(change_24h_test_ci_*)",
}

#: the tooltips of the wide "Timeline table"'s lasting level: an empty cell there is a level withheld (Round 18: the
#: cell was empty with no word; report.md's says "not shown: ...", ``decay.claim.LASTING_WITHHELD_CELL``)
LASTING_HELP = {c: f"{what}; empty when the photos after a day do not follow the fitted curve (the row's reason then "
                   "says: the lasting level is not shown), or when the row shows no fit's figures (its reason says why)"
                for c, what in (("lasting", "the change that does not wear off"),
                                ("lasting_ci_low", "95% CI of lasting, lower end"),
                                ("lasting_ci_high", "95% CI of lasting, upper end"))}

#: the "Timeline table"'s number formats (:func:`_timeline_table_columns`)
TIMELINE_TABLE_COLUMNS = _timeline_table_columns()


def timeline_wide_order(columns) -> list[str]:
    """The wide "Timeline table"'s column order: timeline.csv's, but the verdict's interval of the 24 h change
    (``change_24h_test_ci_*``) right after ``change_24h`` and its 95% CI after it, so the claim's interval is the
    one read beside the figure it qualifies."""
    columns = list(columns)
    claim = [c for c in ("change_24h_test_ci_low", "change_24h_test_ci_high") if c in columns]
    if "change_24h" not in columns or not claim:
        return columns
    rest = [c for c in columns if c not in claim]
    at = rest.index("change_24h") + 1
    return rest[:at] + claim + rest[at:]

#: under the "Timeline table"
TIMELINE_TABLE_NOTE = ("Changes in the row's `unit` (2 decimals; a `pct` row's changes are percentage points, pp), "
                       "hours in h (1 decimal). The change at 24 h is "
                       "given with the verdict's 90% CI (`change_24h_test_ci_*`), the interval the claim is read "
                       "on, as the text beside the figure, the figure and report.md give it; each figure's 95% CI "
                       "is in its `_ci_low` / `_ci_high` columns (the change at 24 h's too, not the claim's). "
                       "`change_24h_source` says where the 24 h figures come from: the fitted curve (`curve`), the "
                       "photos taken 18-30 h after treatment when the curve or its shape misses them (`photos_18_30h`), or the "
                       "curve with no photo at 18-30 h to check it (`curve_unchecked`: take one about 24 h after a "
                       "treatment). timeline.csv (Downloads) keeps every digit.")


def timeline_caption(table: pd.DataFrame) -> str:
    """The timeline plot's caption: it names the fitted decay and its band only when a pooled fit was made
    (``fit_ok``; too few photos: the photos alone, as the verdicts say)."""
    pooled = table[table["subject"].map(fm_report.is_pooled).astype(bool)]
    if "fit_ok" in pooled.columns and pooled["fit_ok"].fillna(False).astype(bool).any():
        return "change vs hours since treatment: fitted decay with its 95% CI band, grey = noise floor"
    return ("change vs hours since treatment: the photos only, no decay was fitted (too few photos or times: "
            "see the verdicts), grey = noise floor")


def fmt_h(r) -> str:
    hl = getattr(r, "half_life_h", float("nan"))
    if not isinstance(hl, float) or not math.isfinite(hl):
        return "n/a"
    lo, hi = getattr(r, "half_life_h_ci_low", float("nan")), getattr(r, "half_life_h_ci_high", float("nan"))
    row = r._asdict() if hasattr(r, "_asdict") else vars(r)
    if fm_report.peak_against_photos(row):  # said "no fading part to time", not this row's reason (stop 66, r1)
        return ("not resolved (the fitted curve's change at the session has the sign opposite to the photos' "
                "change beyond their noise: report.md's half point line gives the photos' own account)")
    if fm_report.peak_unshown(row):  # half_point_basis 'signs_differ' (stop 66, k8; docs/validation.md 26i)
        return ("not resolved (the fitted curve's change at the session has the sign opposite to the photos' larger "
                "change, and the photos do not show the curve's sign at two photo times or more beyond their noise)")
    if not fm_report.decay_resolved(row):
        if fm_report.unresolved_span(row):  # the rule report.md and timeline.png follow (docs/validation.md, 2026-12-05)
            return (f"{fm_report.not_resolved_text(row)}: the photos do not show the fading part halve; "
                    "timeline.csv keeps the fit's figures")
        return ("not resolved (no fading part to time: its 95% CI has no width, reaches the fit's bound, or "
                "cannot exclude a fade faster than the first photo)")
    return half_life_ci_text(hl, lo, hi)


def half_life_ci_text(hl: float, lo: float, hi: float) -> str:
    """A resolved half-life with its 95% CI, the one form of the Timeline tab's line (:func:`fmt_h`) and its
    phone table (:func:`timeline_compact`): ``"3.4 h (95% CI 2.5 to 5.4 h)"``, "to" as every CI the verdicts'
    reasons print on the console (``facemetrics timeline``: "95% CI 1.69 to 2.15 mm") and the app's other CIs
    write it; the line wrote "3.0-3.1 h" and the table beside it "3.0 to 3.1" (Round 21, stop 60).  One end only:
    "?" for the other (as `validate` prints it); no CI (``n_boot`` 0, or too few replicates fitted): it says so
    (an audit, 2026-12-04: it read "3.4 h" alone, a half-life without its uncertainty)."""
    if math.isfinite(lo) or math.isfinite(hi):
        return f"{fixed(hl, 1)} h (95% CI {_h_or(lo)} to {_h_or(hi)} h)"
    return f"{fixed(hl, 1)} h ({NO_CI})"


def _h_or(v: float, text: str = "?") -> str:
    """``v`` in hours with one decimal, or ``text`` when it is not finite."""
    return fixed(v, 1) if math.isfinite(v) else text


#: what stands for a figure's CI when the fit has none (:func:`fmt_h`)
NO_CI = "no 95% CI: the bootstrap gave none, see the verdict's reason"


#: download buttons a row: seven in one row at 1366 px (the sidebar open) broke their names mid-word
#: ("comparison.cs" / "v", "comparison_al" / "l_pairs.csv"); three a row keep "comparison_all_pairs.csv" on one line
#: (h7's browser audit, 2026-12-05)
DOWNLOADS_PER_ROW = 3


def downloads(files: dict, names: dict | None = None) -> None:
    """A download button per file, :data:`DOWNLOADS_PER_ROW` a row: ``{kind: bytes or a callable returning bytes
    (made on click)}``, each button labelled with its kind (``comparison.csv``) and saved under its name in ``names``
    (:func:`facemetrics.naming.download_names`: after what it holds; two comparisons were saved as
    ``comparison.csv`` and ``comparison (1).csv``, stop 54's app audit), which its tooltip says."""
    if not files:
        return
    names = names or {}
    st.subheader("Downloads", anchor=False)
    items = list(files.items())
    cols = [c for i in range(0, len(items), DOWNLOADS_PER_ROW) for c in st.columns(DOWNLOADS_PER_ROW)]
    mime = {"csv": "text/csv", "png": "image/png"}
    for col, (kind, data) in zip(cols, items):
        name = names.get(kind, kind)
        help_ = f"{DOWNLOAD_HELP[kind]}. Saved as `{name}`" if kind in DOWNLOAD_HELP else f"Saved as `{name}`"
        col.download_button(kind, data, file_name=name, mime=mime[kind.rsplit(".", 1)[1]],
                            on_click="ignore", width="stretch", key=f"dl-{kind}", help=help_)


#: what each download holds (its button's tooltip)
DOWNLOAD_HELP = {
    "photos.csv": "every measurement of each photo, one row per photo, with its treatment, hours since treatment and "
                  "role as `facemetrics batch` writes them: `baseline` for a 'before' photo, `post` for an 'after' "
                  "photo",
    "comparison.csv": "the comparison shown above (the pair chosen under Comparison), as `facemetrics compare` "
                      "writes it, with the status, messages and verdicts `facemetrics batch` gives it",
    ALL_PAIRS_CSV: "every pair's comparison in one table; before_photo and after_photo name each row's pair",
    "overlay.png": "the aligned before/after figure of the comparison shown",
    "timeline.csv": "the decay fits of the Timeline tab",
    "timeline.png": "the plot of the Timeline tab: each change over the hours since treatment, with the fitted decay, "
                    "as `facemetrics timeline` draws it (two panels a row, for a desktop or print)",
    "long.csv": "the changes of the Timeline tab, one row per photo, metric and side (as `facemetrics batch`)",
}


# --------------------------------------------------------------------------
# My study: the persistent study store shared with `facemetrics study`
# --------------------------------------------------------------------------

NEW_SUBJECT = "+ new subject"

#: the default of ``facemetrics study report --n-boot`` (``cli._add_fit_options``; tests/test_app_study.py checks it)
STUDY_REPORT_N_BOOT = 400
#: the bootstrap replicates *My study* fits with (:func:`study_report`): the CLI's, since stop 62 (h8).  With 200 (half
#: the CLI's, for the page's speed) the page left a session out of a fold fit that `study report` kept (Round 23);
#: 400 cost the page's report 0.94-1.10 x the time of 200 (the fits are a small share of it;
#: bench/bench_study_n_boot.py on Round 23's store and the simulated six weeks)
STUDY_N_BOOT = STUDY_REPORT_N_BOOT
#: under *My study*'s figures: how many replicates its CIs come from, and that they are the CLI's (the page said neither
#: until Round 21, stop 60)
STUDY_BOOT_NOTE = (f"95% CIs (and the verdicts read on them) from {STUDY_N_BOOT} bootstrap replicates with seed 0, "
                   "as `facemetrics study report` by default (`--n-boot`, `--seed`): the same figures and verdicts")
#: the tooltip of *My study*'s ZIP download buttons (the other downloads' have one: :data:`DOWNLOAD_HELP`)
STUDY_ZIP_HELP = ("the study as `facemetrics study report` writes it: photos.csv, changes.csv, long.csv, "
                  "timeline.csv, report.md, timeline.png (and the regimen's tables and regimen.png when the study "
                  f"has one), fitted here with {STUDY_N_BOOT} bootstrap replicates")
STUDY_TABLES_ZIP_HELP = ("the study's tables as `facemetrics study report` writes them (photos.csv, changes.csv, "
                         "long.csv): their `messages` and `verdict` columns say why nothing could be fitted")


def study_store():
    """The study store of :mod:`facemetrics.store` ($FACEMETRICS_STORE or the user data folder), opened
    for this run (SQLite connections are not shared across Streamlit's threads).  Lazy: opening the
    page creates nothing on disk; the first write (a subject created) does."""
    from facemetrics.store import Store

    return Store(lazy=True)


@st.cache_data(max_entries=8, show_spinner=False)
def study_report(store_dir: str, subject: str, key: tuple) -> dict:
    """:meth:`facemetrics.store.Store.report` in a temporary folder: ``{"table": timeline table (None when
    nothing could be fitted), "files": {relative name: bytes} (CSV, report.md, PNGs; not the cache; the batch's
    tables also when nothing could be fitted; without ``timeline.png`` and ``regimen.png``, which only the ZIP holds:
    :func:`study_zip` draws them when it is asked for), "figures": {"timeline.png"/"regimen.png": PNG bytes} the
    same plots drawn at a phone's width (:func:`study_figures`; the batch's own, the CLI's, when they cannot be),
    "fits": the :class:`~facemetrics.batch.timeline.TimelineFits` they are drawn from (None when nothing could be
    fitted), "notes": the batch's lines on its sessions, as ``study report`` prints them (:func:`study_notes`),
    "error": why nothing could be fitted ("" when it was)}``.  Cached on
    ``key`` (the subject's photos and sessions); measurements and comparisons are cached in the store, so after
    a restart only the fits are redone.  The batch's two figures were drawn on every report (two of its five; stop
    59, bench/bench_study_zip.py)."""
    import tempfile

    from facemetrics.errors import FacemetricsError
    from facemetrics.store import Store

    notes: list[str] = []
    fits: list = []
    with tempfile.TemporaryDirectory() as tmp, Store(store_dir) as store:
        out = Path(tmp) / "report"
        table, error = None, ""
        try:
            _, table = store.report(out, subject, n_boot=STUDY_N_BOOT, workers=1,
                                    batch_done=lambda res, reg: notes.extend(study_notes(res.change_rows)),
                                    fits_done=fits.append, figures=False)
        except FacemetricsError as exc:  # "no changes to fit yet", "every row 'uncertain'": said with the notes
            error = str(exc)
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
                 if p.is_file() and ".cache" not in p.relative_to(out).parts} if out.is_dir() else {}
    done = fits[0] if fits and not error else None
    figures = study_figures(done) if done is not None else {}
    wanted = {"timeline.png", *(("regimen.png",) if done is not None and done.regimen is not None else ())}
    if done is not None and not wanted <= set(figures):
        try:  # one could not be drawn at a phone's width: the batch's own is shown instead
            figures = {**done.figure_files(), **figures}
        except Exception as exc:  # noqa: BLE001 - no figure, the verdicts are shown; the traceback in the log
            traceback.print_exception(exc, file=sys.stderr)
    return {"table": table, "files": files, "figures": figures, "fits": done, "notes": notes, "error": error}


@st.cache_data(max_entries=2, show_spinner=False)
def study_zip(store_dir: str, subject: str, key: tuple) -> bytes:
    """*My study*'s ZIP of ``subject``'s report (:func:`study_report` of the same ``key``): its files with
    ``timeline.png`` and ``regimen.png`` drawn now, as ``study report`` writes them
    (:meth:`~facemetrics.batch.timeline.TimelineFits.figure_files` of its fits: the same bytes).  Made when the
    download is clicked (outside the script's run: the button's data is this call), cached on ``key``."""
    rep = study_report(store_dir, subject, key)
    files = dict(rep["files"])
    if rep.get("fits") is not None:
        files.update(rep["fits"].figure_files())
    return zip_bytes(files)


def study_unfitted_notes(files: dict) -> list[str]:
    """The reason of each comparison of a study whose timeline could not be fitted, from the batch's ``changes.csv``
    and ``long.csv`` in ``files`` (:func:`study_report`'s; :func:`facemetrics.batch.timeline.unfitted_notes`); []
    when either is missing or cannot be read."""
    from facemetrics.batch.timeline import unfitted_notes

    try:
        changes, long = (pd.read_csv(io.BytesIO(files[n]), keep_default_na=False) for n in ("changes.csv", "long.csv"))
    except (KeyError, ValueError, pd.errors.ParserError):
        return []
    return unfitted_notes(changes, long)


#: :func:`study_figures`' key of the timeline drawn for a desktop's column (``layout="column"``; not a file of the
#: study's ZIP)
STUDY_TIMELINE_COLUMN = "timeline (column)"


def study_figures(fits) -> dict[str, bytes]:
    """*My study*'s plots drawn at a phone's width (:func:`facemetrics.plots.plot_timeline` and
    :func:`~facemetrics.plots.plot_regimen`, ``layout="narrow"``, :data:`facemetrics.plots.NARROW_DPI`) from the
    rows and fits the batch drew ``timeline.png`` and ``regimen.png`` from (``fits``: its
    :class:`~facemetrics.batch.timeline.TimelineFits`, its ``table`` the rows as read): ``{name: PNG bytes}``, a
    figure that cannot be drawn left out (the batch's is shown).  The batch's two-panels-a-row PNGs, shown 356 px
    wide on a 390 px phone, had text 3-4 px tall (2026-12-05); the download keeps them as the CLI writes them."""
    out = {}
    try:
        # drawn from the rows as read, as timeline.png (a row §21 or §21b changed: no curve; the legend's verdicts)
        # (a next session's before photo read twice is marked: fits.changes' second_read column, as in timeline.png)
        out["timeline.png"] = png_bytes_of_figure(fm_plots.plot_timeline(fits.changes, fits.result, layout="narrow",
                                                                         table=fits.table), fm_plots.NARROW_DPI)
        # a desktop's column: two panels a row (the narrow one was about 2700 px tall in 437 px at 1366 x 768)
        out[STUDY_TIMELINE_COLUMN] = png_bytes_of_figure(
            fm_plots.plot_timeline(fits.changes, fits.result, layout="column", table=fits.table), COLUMN_DPI)
        if fits.regimen is not None:
            out["regimen.png"] = png_bytes_of_figure(fm_plots.plot_regimen(fits.levels, fits.regimen,
                                                                           layout="narrow"), fm_plots.NARROW_DPI)
    except Exception as exc:  # noqa: BLE001 - the batch's figure is shown instead; the traceback in the log
        traceback.print_exception(exc, file=sys.stderr)
    return out


def study_notes(change_rows) -> list[str]:
    """The batch's lines on a study's sessions that *My study* shows above its verdicts, as ``study report``
    prints them (:mod:`facemetrics.batch.tables`): a before photo passed over or at fault, before photos that
    disagree (and the noise floors built from them), one picture at two times.  The page said only "each
    comparison's messages say why" when nothing could be fitted, with no messages on it and no tables to
    download (h3's fresh-user pass, 2026-12-04)."""
    from facemetrics.batch.tables import session_notes

    return session_notes(change_rows)


def _now_text() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M")


def my_study_view() -> None:
    """The "My study" mode: subjects, sessions, photos, timeline, export and delete from the store."""
    st.title("My study", anchor=False)
    try:
        store = study_store()
    except Exception as exc:  # noqa: BLE001 - e.g. a store from a newer facemetrics
        st.error(f"The study store cannot be opened: {md(exc)}")
        return
    try:
        _study_page(store)
    finally:
        store.close()


def _study_new_subject(store) -> None:
    """*My study*'s "New subject" form: a name field and "Create subject"."""
    name = st.text_input("New subject's name (or a code)", key="study-new-name")
    # never disabled: a field's value reaches the script when it loses focus, so a button disabled until then
    # took the click that moved the focus and did nothing (two clicks per subject; a newcomer's walk, stop 63)
    clicked = st.button("Create subject", key="study-create")
    if clicked and not name.strip():
        study_said(st.warning, NAME_MISSING, action=True)
    elif clicked:
        # a stored subject of that name (``Anna`` for ``anna``) is selected, not said to be created (review g3)
        stored = [n for n in store.subjects()["name"].tolist() if name_key(n) == name_key(name_text(name))]
        store.subject_id(name.strip(), create=True)
        st.session_state["study-pending"] = name_text(name)  # as stored: composed (NFC), stripped
        from facemetrics.timekeys import control_note  # a pasted tab or line break: said, as the CLI says it

        note = control_note(name.strip())
        study_flash(f"Subject {md(repr(stored[0]))} is already in this study: selected." if stored else
                    f"Subject {md(repr(name_text(name)))} created. Log a treatment session next."
                    + (f" ({md(note)})" if note else ""))
        st.rerun()


def _study_delete_subject(store, subject: str) -> None:
    """*My study*'s "Delete this subject" form: the name typed again to confirm, and "Delete subject"."""
    st.warning(f"Deletes every photo copy, session and measurement of {md(repr(subject))} from this machine. "
               "This cannot be undone.")
    confirm = st.text_input("Type the subject's name to confirm", key="study-delete-confirm")
    same = unicodedata.normalize("NFC", confirm.strip()) == unicodedata.normalize("NFC", subject)
    clicked = st.button("Delete subject", key="study-delete")  # never disabled: see "Create subject"
    if clicked and not same:
        study_said(st.warning, f"Type the subject's name, {md(repr(subject))}, in the field above to delete it.",
                   action=True)
    elif clicked:
        out = store.delete_subject(subject)
        study_report.clear()
        st.session_state["study-pending"] = ""
        left = out["files_left"]
        study_flash(f"Deleted {md(repr(subject))}: {out['photos']} photo(s), verified gone." if not left else
                    f"Deleted the records of {md(repr(subject))}, but these files could not be removed: "
                    + md(", ".join(left)), warn=bool(left))  # files left behind: a warning, not a success
        st.rerun()


def study_flash(text: str, warn: bool = False) -> None:
    """Keep ``text``, what the action just done did, to be shown above *My study*'s subject (:func:`_study_show_flash`):
    a warning when ``warn`` (a photo not saved, a file left behind), else a success."""
    st.session_state["study-flash"] = (text, bool(warn))
    st.session_state.pop("study-flash-for", None)
    # the warnings already standing on the page: they do not take its place (study_said)
    st.session_state[_SAID_STANDING] = {*st.session_state.get(_SAID_BEFORE, ()), *st.session_state.get(_SAID_NOW, ())}


def _study_show_flash(subject: str | None) -> None:
    """The last action's message (:func:`study_flash`), shown on every run until another action replaces it or
    another subject than ``subject`` (the one chosen when it was first shown) is chosen.

    It was shown on the next run only: the run a field's focus change starts (a name typed, then a click on "Delete
    subject") removed it, every element under it moved up while the click was on its way, and the click landed
    beside the button and did nothing (1 click in 4 under load, the field typed after "Subject ... created";
    Streamlit issue 8725).  Kept, the page under it does not move."""
    st.session_state[_FLASH_SLOT] = None  # a placeholder of an earlier run is none of this one's
    st.session_state[_SAID_BEFORE] = st.session_state.pop(_SAID_NOW, set())  # what the last run said (study_said)
    st.session_state[_SAID_NOW] = set()
    flash = st.session_state.get("study-flash")
    if not flash:
        return
    shown_for = st.session_state.setdefault("study-flash-for", subject)
    if shown_for != subject:
        for key in ("study-flash", "study-flash-for"):
            st.session_state.pop(key, None)
        return
    text, warn = flash
    slot = st.empty()  # emptied by an action's error or warning (study_said)
    (slot.warning if warn else slot.success)(text)
    st.session_state[_FLASH_SLOT] = slot


#: where :func:`_study_show_flash` keeps this run's placeholder of the kept message (None: none shown)
_FLASH_SLOT = "study-flash-slot"
#: the texts :func:`study_said` said in this run, in the run before it, and on the runs just before the kept message
#: was kept (:func:`study_flash`: the warnings standing then)
_SAID_NOW, _SAID_BEFORE, _SAID_STANDING = "study-said-now", "study-said-before", "study-said-standing"


def study_said(say, text: str, action: bool = False, **kwargs) -> None:
    """Show ``text`` with ``say`` (``st.error``, ``st.warning``), what went wrong with the action just done, in place
    of the last action's kept message (:func:`study_flash`), which is forgotten: it stayed beside the new error, a
    success and an error about different actions at once (review of stop 64).  A text already shown when the message
    was kept (a warning that stands on every run while its cause does: a file in the uploader) is shown beside it:
    it forgot every later action's message on the run it was first shown (review r4, stop 65).  A kept warning (a
    copy of a photo that could not be deleted, a photo not saved) is not forgotten either: it named the file once.
    An ``action``'s own message (a button's: a name missing or mistyped, a session not logged) never stands: said on
    the run before a success was kept and said again by the same click, it stood beside the success (stop 66)."""
    st.session_state.setdefault(_SAID_NOW, set()).add(text)
    flash = st.session_state.get("study-flash")
    if (text in st.session_state.get(_SAID_STANDING, ()) and not action) or (flash and flash[1]):
        say(text, **kwargs)
        return
    for key in ("study-flash", "study-flash-for"):
        st.session_state.pop(key, None)
    slot = st.session_state.pop(_FLASH_SLOT, None)
    if slot is not None:
        slot.empty()
    say(text, **kwargs)


def _study_page(store) -> None:
    from facemetrics.store import StoreError

    st.caption(f"Kept on this machine in `{store.dir}` (copies of your photos without GPS or camera "
               "metadata), shared with the `facemetrics study` command. Nothing is sent anywhere. Delete a "
               "subject below, or that folder to delete everything.")
    names = store.subjects()["name"].tolist()
    pending = st.session_state.pop("study-pending", None)
    if pending is not None:
        # the stored spelling of a name that matches it (``anna`` created as the stored ``Anna``) is selected
        same = [n for n in names if pending and name_key(n) == name_key(pending)]
        st.session_state["study-subject"] = (pending if pending in names else same[0] if same
                                             else names[0] if names else NEW_SUBJECT)
    _study_show_flash(st.session_state.get("study-subject"))
    pick = st.selectbox("Subject", names + [NEW_SUBJECT], key="study-subject")
    if pick == NEW_SUBJECT:
        _study_new_subject(store)
        return
    subject = pick
    sessions = store.sessions(subject)

    # a keyed toggle, not an expander: it stays open across the reruns of typing in its fields
    if st.toggle("Log a treatment session", value=sessions.empty, key=f"study-log-open-{len(sessions)}"):
        st.session_state.setdefault("study-treated-at", _now_text())
        c1, c2 = st.columns(2)
        treatment = c1.text_input("Treatment", value="microcurrent", key="study-treatment")
        device = c2.text_input("Device (optional)", key="study-device")
        when = c1.text_input("Treated at (YYYY-MM-DD HH:MM)", key="study-treated-at")
        settings = c2.text_input("Settings (optional, e.g. intensity 3, 300 µA)", key="study-settings")
        if st.button("Log session", key="study-log"):
            try:
                store.log_session(subject, treatment, when, device=device,
                                  settings={"settings": settings} if settings.strip() else None)
            except StoreError as exc:
                study_said(st.error, md(exc), action=True)
            else:
                study_flash(f"Session logged: {md(treatment)} at {md(when)}.")
                st.rerun()

    if sessions.empty:
        st.info("Log a treatment session, then add the photos taken before and after it.")
    else:
        _study_add_photos(store, subject, sessions)

    photos = store.photos(subject)
    st.subheader(f"{md(subject)}: {len(photos)} photo(s), {len(sessions)} session(s)", anchor=False)
    if len(photos):
        _study_photos_table(store, photos)
    if (photos["role"] == "post").any() and (photos["role"] == "baseline").any():
        _study_timeline(store, subject, photos, sessions)
    else:
        st.info("The timeline needs a photo taken before a session and one after it.")

    with st.expander("Delete this subject"):
        _study_delete_subject(store, subject)


def _study_photos_table(store, photos: pd.DataFrame) -> None:
    """My study's table of the stored photos with each one's measurement status; on a phone its compact form
    (:func:`study_compact`, the full table in an expander under it: :func:`fitted`)."""
    shown = photos[["taken_at", "role", "treatment", "treated_at", "original_name", "capture_note", "note"]].copy()
    with st.spinner("Measuring the stored photos (first view with this version only)..."):
        shown["status"], shown["error"] = _stored_statuses(store, photos)  # cached: the timeline reuses them
    shown["role"] = study_roles(photos, shown["status"])  # a before photo read a second time says so
    wide, compact = fitted("study-photos")
    wide.dataframe(shown, hide_index=True, width="stretch")
    with compact:  # a phone: each photo's status first (it was past the table's right edge at 390 px)
        st.table(md_cells(study_compact(shown)), hide_index=True)
        with st.expander("All columns"):
            st.dataframe(shown, hide_index=True, width="stretch")
    _study_stuck_photos(store, photos, shown)


def study_roles(photos: pd.DataFrame, statuses) -> list[str]:
    """My study's ``role`` column: each stored photo's role, and for a before photo the report's batch reads a second
    time as the previous session's photo at that time (:func:`facemetrics.batch.tables.stored_second_reads`, the
    photos whose ``statuses`` are ``ok``) that role too: ``"baseline; also the 23.8 h photo of the session of
    2026-11-02 08:00"`` (it showed ``baseline`` alone: docs/validation.md section 12, Round 17).  Cached on the
    photos' table and the statuses themselves (:func:`_study_roles`), not on the store: Streamlit runs the page again
    on every click, and the pairing ran each time (10-60 ms for 10-60 photos idle; stop 58's
    bench/bench_study_page.py); a photo added, removed or given another role is another table, read again."""
    return list(_study_roles(photos, tuple(str(s) for s in statuses)))


@st.cache_data(max_entries=16, show_spinner=False)
def _study_roles(photos: pd.DataFrame, statuses: tuple) -> list[str]:
    """:func:`study_roles`, cached: Streamlit hashes the whole table (every row and column: ids, times, roles,
    sessions) with the statuses."""
    from facemetrics.batch.tables import stored_second_reads
    from facemetrics.timekeys import clock_text, since_text

    twice = stored_second_reads(photos, ok={i: s == "ok" for i, s in zip(photos["id"], statuses)})
    out = []
    for pid, role in zip(photos["id"], photos["role"].fillna("").astype(str)):
        if int(pid) in twice:
            prev, h, ready = twice[int(pid)]
            role += (f"; also the {since_text(h)} photo of the session of {clock_text(prev)}"
                     + ("" if ready else " (once this session has an after photo)"))
        out.append(role)
    return out


def _study_stuck_photos(store, photos: pd.DataFrame, shown: pd.DataFrame) -> None:
    """For each stored photo whose measuring crashed the face finder (:data:`STORED_CRASHED`) or whose stored copy
    is gone (``unreadable``): what happened, and two buttons, "Measure again" (its crash forgotten: measured again
    in the worker when the page is shown) and "Remove this photo" (:meth:`facemetrics.store.Store.remove_photo`:
    nothing else of the study changes).  Such a photo was left in the study with nothing to do about it (stop 44)."""
    from facemetrics.isolated import CRASHED

    for pid, name, status, error in zip(photos["id"], photos["original_name"], shown["status"], shown["error"]):
        if not (CRASHED in str(error) or status == "unreadable"):
            continue
        pid = int(pid)
        st.error(f"{md(name)}: {md(error)}", icon=":material/error:")
        c1, c2 = st.columns(2)
        if CRASHED in str(error) and c1.button("Measure again", key=f"study-remeasure-{pid}",
                                               help="A crash that does not come back: the photo is measured again"):
            st.session_state.get(MEMO_KEY, {}).pop(stored_crash_key(store, pid), None)
            st.rerun()
        if c2.button("Remove this photo", key=f"study-remove-{pid}",
                     help="Removes this photo's copy and measurements from the study; its session and the other "
                          "photos stay"):
            crash_key = stored_crash_key(store, pid)  # before the row is gone
            out = store.remove_photo(pid)
            st.session_state.get(MEMO_KEY, {}).pop(crash_key, None)
            study_report.clear()
            left = out["files_left"]
            study_flash(f"{md(name)}: removed from the study." if not left else
                        f"{md(name)}: removed from the study, but its copy could not be deleted: "
                        + md(", ".join(left)), warn=bool(left))
            st.rerun()


def study_compact(shown: pd.DataFrame) -> pd.DataFrame:
    """My study's photo table as a phone shows it: ``status`` first, then ``role``, ``taken_at`` and the photo's
    ``original_name``, and ``error`` and the store's ``note`` (which frame of a file of several was stored) when a
    photo has one (the full table is in an expander under it)."""
    cols = ["status", "role", "taken_at", "original_name"]
    for col in ("error", "note"):
        if col in shown.columns and shown[col].fillna("").astype(str).str.strip().ne("").any():
            cols.append(col)
    return shown[[c for c in cols if c in shown.columns]].fillna("").astype(str).reset_index(drop=True)


#: *My study*'s 'Taken at' field (:func:`_study_add_photos`)
STUDY_TAKEN_LABEL = ("Taken at: YYYY-MM-DD HH:MM. A time you type is used for every photo added now, over its own "
                     "capture time; left as shown, it is used only for camera photos (an uploaded photo without a "
                     "capture time of its own needs one typed)")


def _study_zone_field() -> str | None:
    """*My study*'s time-zone field, beside 'Taken at' (:data:`STUDY_ZONE_LABEL`): the zone typed (``""``: none), or
    None for one that is not read, whose reason is shown (:func:`study_time_zone`)."""
    zone, why = study_time_zone(st.text_input(STUDY_ZONE_LABEL, key="study-time-zone"))
    if why:
        study_said(st.error, md(why))
        return None
    return zone


def _study_add_photos(store, subject: str, sessions: pd.DataFrame) -> None:
    """Upload or camera photos -> guided-capture check against the baseline -> store."""
    from facemetrics.capture import capture_check, first_photo_note

    labels = [f"{r.treated_at} · {r.treatment}" + (f" ({r.device})" if r.device else "")
              for r in sessions.itertuples()]
    k = st.selectbox("Session the new photos belong to", list(range(len(labels))), index=len(labels) - 1,
                     format_func=labels.__getitem__, key=f"study-session-{len(labels)}")  # new session: latest
    sess = sessions.iloc[k]
    n = st.session_state.setdefault("study-upload-n", 0)
    items, sidecars = _study_uploads(n)
    uploaded = {name for name, _ in items}
    if st.toggle("Take a photo with the camera", key="study-use-camera"):
        cam = st.camera_input("Face the camera, neutral expression, same light and distance as your baseline",
                              key=f"study-camera-{n}")
        if cam is not None:
            items.append((f"camera_{datetime.now().strftime('%Y%m%d_%H%M%S')}.jpg", cam.getvalue()))
    if not items:
        return
    # the time shown (now, for camera photos); one the user types is their word: it wins (taken_at_wins)
    shown = st.session_state.setdefault("study-taken-at-shown", _now_text())
    st.session_state.setdefault("study-taken-at", shown)
    taken = st.text_input(STUDY_TAKEN_LABEL, key="study-taken-at")
    zone = _study_zone_field()  # None: a zone typed that is not read (said)
    base_row, base_file, like = _study_reference(store, subject)
    keep, why_not = {}, {}
    typed = taken.strip() != shown.strip()
    analysed = [(name, data, analyse(data, name)) for name, data in items]
    roles, before_ok = ({}, False) if base_row is not None else _first_roles(store, analysed, sess, taken, typed,
                                                                             {n: t for n, (t, _) in sidecars.items()},
                                                                             zone or "")
    _say_sidecar_times(items, sidecars, typed)
    for name, data, new_ana in analysed:
        unread = read_failure(new_ana)
        if unread:  # a 0-byte file or no image: no retake cures it (a fresh user's audit, 2026-12-04)
            study_said(st.warning, f"{md(name)}: {md(unread)}. Not saved: choose the photo's own file.",
                       icon=":material/broken_image:")
            why_not[name] = unread
            continue
        if base_row is not None:
            check = capture_check(base_row, new_ana.to_row(), reference=check_reference(like))
            advice = [] if check.ok else list(check.advice)
            if new_ana.ok:
                _capture_outline(base_file, new_ana, name, like)
        else:  # no baseline yet: nothing to compare with, but the photo's own reason it cannot be used
            advice = [] if new_ana.ok else [f"It cannot be measured: {own_error(new_ana)}."]
        if advice:
            study_said(st.warning, f"{md(name)}: retake it. " + md(" ".join(advice)), icon=":material/photo_camera:")
            # only a measured photo can be kept anyway: a file that is no photo, or shows no face, would be
            # stored as a session photo that no comparison can use (app audit, 2026-12-03)
            if new_ana.ok and st.checkbox(f"Keep {md(name)} anyway (it is marked)", key=f"study-insist-{n}-{name}"):
                keep[name] = "kept despite: " + " ".join(advice)
            why_not[name] = " ".join(advice)  # said again after "Add" (it said only "retake it")
            continue
        keep[name] = ""
        notes = flag_notes(new_ana)  # its flags, and what to do about them (stop 66: unsaid once it was checked)
        if base_row is not None and notes:
            st.warning(f"{md(name)}: taken like {like}, but: {notes}", icon=":material/warning:")
        elif base_row is not None:
            st.success(f"{md(name)}: taken like {like}.", icon=":material/check:")
        else:  # a before photo may become the baseline every later photo is checked against
            _say_first_photo(name, notes, first_photo_note(roles.get(name, ""), before_ok))
    if not typed:  # an uploaded photo with no time of its own was stored at the time shown, now (Round 20)
        for name, data, new_ana in analysed:  # a file that cannot be read said so above
            said = (_no_own_time(name, data, shown, zone or "", sidecars.get(name, ("", ""))[0])
                    if name in uploaded and not read_failure(new_ana) else "")
            if said:
                study_said(st.warning, f"{md(name)}: {md(said)}.", icon=":material/schedule:")
                keep.pop(name, None)
                why_not[name] = said
    c1, c2 = st.columns(2)
    if c2.button("Retake (clear these photos)", key="study-retake"):
        st.session_state["study-upload-n"] = n + 1
        st.rerun()
    if c1.button("Add to my study", key="study-add", type="primary", disabled=not keep or zone is None):
        msgs, failed = _study_save(store, subject, sess, items, keep, taken, why_not, typed=typed, zone=zone or "",
                                   sidecars={name: t for name, (t, _) in sidecars.items()})
        st.session_state["study-upload-n"] = n + 1
        for key in ("study-taken-at", "study-taken-at-shown"):  # the next photos: a fresh time, not this one
            st.session_state.pop(key, None)
        study_flash(md(saved_summary(msgs)), warn=failed)
        st.rerun()


#: *My study*'s uploader's help (then the upload limit: :func:`upload_limit_note`)
STUDY_UPLOAD_HELP = (f"Accepted: {', '.join(PHOTO_FORMATS)}, and each photo's Google Photos / Takeout sidecar "
                     "(IMG_1234.jpg.json or IMG_1234.jpg.supplemental-metadata.json, uploaded with IMG_1234.jpg): a "
                     "photo whose EXIF is gone is timed by it")


def _study_uploads(n: int) -> tuple[list, dict]:
    """*My study*'s uploader: ``(the photos uploaded, {photo name: (its sidecar's time, the sidecar's name)})``
    (:func:`facemetrics.uploads.with_sidecars`: a JSON is never a photo); each JSON not read says why."""
    note = upload_limit_note()
    files = st.file_uploader("Add photos taken before and after this session", type=[*PHOTO_TYPES, "json"],
                             accept_multiple_files=True, key=f"study-upload-{n}",
                             help=STUDY_UPLOAD_HELP + (f"; {note}." if note else "."))
    photos, times, unread = with_sidecars([(f.name, f.getvalue()) for f in files or []])
    for side, why in unread.items():
        study_said(st.warning, f"{md(side)}: {md(why)}.", icon=":material/data_object:")
    return photos, times


def _say_sidecar_times(items: list, sidecars: dict, typed: bool) -> None:
    """Each upload timed by the Google Photos sidecar uploaded with it (no EXIF time: the store's chain,
    :func:`facemetrics.store.own_capture`) says so; with a time typed, that it is not used (the typed time wins)."""
    from facemetrics.store import own_capture
    from facemetrics.timekeys import clock_text, utc_instant

    for name, data in items:
        if name not in sidecars:
            continue
        side_time, side = sidecars[name]
        when, source = own_capture(name, data, side_time)
        if source != "sidecar":
            continue
        said = clock_text(when).removesuffix(" +00:00") + " UTC" if utc_instant(when) else clock_text(when)
        st.info(f"{md(name)}: " + (f"its Google Photos sidecar {md(side)} says taken {said}; the time typed is used "
                                   "instead." if typed else f"taken {said}, by its Google Photos sidecar {md(side)}."),
                icon=":material/schedule:")


#: an uploaded photo without a capture time of its own (no EXIF time, none in its file name) and no time typed:
#: it was stored at the time shown, the upload's (a screenshot of a 10-min photo read 23 days after its session;
#: docs/validation.md section 12, Round 20); ``{shown}``: that time
MSG_NO_OWN_TIME = ("no capture time of its own ({exif}, none in its file name, no Google Photos sidecar "
                   "uploaded with it: a screenshot or a photo sent through a messaging app loses it), and the time "
                   "shown, {shown}, is now. Type when it was taken in 'Taken at' above, then add it")


def _no_own_time(name: str, data: bytes, shown: str, zone: str = "", sidecar: str = "") -> str:
    """Why an upload is not saved at the time shown (``""``: it is): no capture time of its own
    (:data:`MSG_NO_OWN_TIME`), or only a UTC one, a Pixel name's or its Google Photos sidecar's (``sidecar``, uploaded
    with it: :data:`MSG_UTC_OWN_TIME`; Round 21), unless a time zone is given (``zone``, :func:`study_time_zone`: the
    UTC time is stored converted into it; stop 61).  An EXIF time that is present but blank or no date is named as
    the CLI names it (:func:`facemetrics.metadata.time_not_read_of`), not "no EXIF time" (stop 64)."""
    from facemetrics.metadata import time_not_read_of
    from facemetrics.store import own_capture
    from facemetrics.timekeys import utc_instant

    own, source = own_capture(name, data, sidecar)
    said = MSG_NO_OWN_TIME if not own else MSG_UTC_OWN_TIME if utc_instant(own) and not zone else ""
    whence = "its Google Photos sidecar" if source == "sidecar" else "its file name"
    exif_why = time_not_read_of(data) if said else ""
    return said.format(shown=shown, utc=own, whence=whence, exif=exif_why or "no EXIF time",
                       exif_with=f"and {exif_why}" if exif_why else "with no EXIF time")


#: *My study*'s word on an upload whose only time is a UTC one (a Pixel's ``PXL_`` name without EXIF): saved at it,
#: its hours were counted on the wall clock against the session's local time, off by the UTC offset (Round 21)
MSG_UTC_OWN_TIME = ("its only capture time is in UTC ({utc}, from {whence}, {exif_with}), and its "
                    "local time cannot be told here, and the time shown, {shown}, is now. Type when it was taken, on your clock, "
                    "in 'Taken at' above, or the zone your clocks were in, in 'Time zone', then add it")


#: *My study*'s time-zone field, beside "Taken at" (:func:`study_time_zone`; empty: times as written, as before)
STUDY_ZONE_LABEL = ("Time zone (optional): the zone your clocks were in, e.g. Europe/London or +01:00. A photo's "
                    "time without a UTC offset is read in it, a UTC one (a Pixel's file name) converted into it; "
                    "left empty, times are stored as written")


def study_time_zone(text: str) -> tuple[str, str]:
    """*My study*'s time zone as typed: ``(the zone's text, "")`` for one :func:`facemetrics.timekeys.read_time_zone`
    reads (``("", "")`` for none), ``("", why not)`` otherwise (one sentence, never a traceback)."""
    from facemetrics.timekeys import read_time_zone

    try:
        return ("" if read_time_zone(text) is None else text.strip()), ""
    except ValueError as exc:
        return "", f"{exc}."


def _first_roles(store, analysed: list, sess, taken: str, typed: bool, sidecars: dict | None = None,
                 zone: str = "") -> tuple[dict, bool]:
    """No measured photo of the subject yet: ``({name: the role each new photo would get}, whether a usable one is
    a before photo)`` (:func:`facemetrics.store.role_when_added`, the store's reading of its time), so that an after
    photo is not told "the first photo taken before a session becomes it" (stop 54's audit); each read among the
    photos added with it and those stored in the session, as the store reads it (stop 55); ``sidecars``:
    ``{name: its uploaded sidecar's time}``; ``zone``: the time zone typed (:func:`study_time_zone`), read as
    :func:`_study_save` gives it to the store (a Pixel name's UTC 07:30 is 08:30 in London in June: after an 08:00
    session, not before it; stop 61, g9)."""
    from facemetrics.store import roles_when_added

    wins = "typed" if typed and taken.strip() else False
    found = roles_when_added([(name, data) for name, data, _ in analysed], sess["treated_at"], taken or None, wins,
                             among=store.session_taken(int(sess["id"])), sidecars=sidecars, time_zone=zone or None)
    roles = {name: role for (name, _, _), role in zip(analysed, found)}
    return roles, any(a.ok and roles.get(name) == "baseline" for name, _, a in analysed)


def _say_first_photo(name: str, notes: str, first: str) -> None:
    """A usable photo's line when no photo is measured yet: its flags and warnings and what to do about them
    (``notes``, :func:`flag_notes`), then ``first`` (:func:`facemetrics.capture.first_photo_note`)."""
    if notes:
        st.warning(f"{md(name)}: usable, but: {notes.rstrip('.')}. " + first, icon=":material/warning:")
    else:
        st.success(f"{md(name)}: usable. " + first, icon=":material/check:")


def _study_reference(store, subject: str) -> tuple[dict | None, Path | None, str]:
    """The stored photo a new photo of ``subject`` is checked against: ``(its analysis row, its file, how the page
    names it)``, ``(None, None, ...)`` with no measured photo.  The first measured baseline (before) photo; a subject
    with only after photos stored has no baseline, so the first measured photo, named as such (stop 54: the page
    said "taken like your baseline" of the first stored photo whatever its role)."""
    base = store.photos(subject)
    measured = [(r, row) for r, row in zip(base.itertuples(), stored_analyses(store, base["id"]))
                if isinstance(row, dict) and row.get("status") == "ok"]
    ref = next(((r, row) for r, row in measured if r.role == "baseline"), measured[0] if measured else None)
    if ref is None:
        return None, None, "your baseline"
    like = ("your baseline" if ref[0].role == "baseline"
            else f"your first stored photo, {md(ref[0].original_name or ref[0].file)} (no before photo is stored yet, "
                 "so there is no baseline)")
    return ref[1], store.dir / ref[0].file, like


def read_failure(a: fm.PhotoAnalysis) -> str:
    """Why an upload could not be read as the CLI says it (``"cannot be read (empty: file is empty (0 bytes))"``,
    its loader status and reason: :func:`facemetrics.analyze.read_failure`, the one function the CLI's
    ``analyze`` line uses too), or "" for a file that was read (measured or not)."""
    from facemetrics.analyze import read_failure as rule

    return rule(a)


def saved_summary(msgs: list[str]) -> str:
    """The one line *Add to my study* leaves: each photo's message (:func:`_study_save`), joined by "; ", each
    without its closing full stop (a photo not saved, its reason a sentence, read "... crop the photo to the one
    face.; b.jpg: added as post": first-user audit, stop 54), the line ended by one."""
    said = [m.rstrip().rstrip(".") for m in msgs if m.strip()]
    return "; ".join(said) + "." if said else ""


def _study_save(store, subject: str, sess, items: list, keep: dict, taken: str,
                why_not: dict | None = None, typed: bool = False, zone: str = "",
                sidecars: dict | None = None) -> tuple[list[str], bool]:
    """Add the kept photos ``items`` (``(name, bytes)``) to the session ``sess``; ``(one message per
    photo, whether any was not saved)``.  A photo not kept says why (``why_not[name]``, the advice shown
    before the click); one the store refuses (a truncated file: the loader's reason) says so, by its file name.

    ``typed``: the user typed ``taken`` (not the time shown): it is their word on when the photos were taken and
    wins over each photo's EXIF and file-name time (``taken_at_source`` ``typed``; a photo whose EXIF time differs
    says so); it lost to a file-name time without a word (h12's finding, stop 45).  Not typed: ``taken`` is used
    only for a photo with neither.  ``zone``: the time zone typed (:func:`study_time_zone`), the store's
    ``time_zone``; ``sidecars``: ``{name: the time of the Google Photos sidecar uploaded with it}``, the store's."""
    from facemetrics.isolated import MSG_STORE_CRASHED, NativeCrash

    msgs, failed, notes = [], False, []
    for name, data in items:
        if name not in keep:  # not all saved: the message is a warning, not a success (app audit, 2026-12-03)
            why = (why_not or {}).get(name, "")
            # a file that cannot be read is no capture to retake: its reason (read_failure) says so
            msgs.append(f"{name}: not saved ({why})" if why.startswith("cannot be read")
                        else f"{name}: not saved, {why}" if why.startswith(("no capture time", "its only capture time"))
                        else f"{name}: not saved (retake it)" + (f". {why}" if why else ""))
            failed = True
            continue
        try:
            res = store_add(store, subject, name, data, treatment=sess["treatment"], treated_at=sess["treated_at"],
                            taken_at=taken or None, capture_note=keep[name],
                            taken_at_wins="typed" if typed and taken.strip() else False, time_zone=zone or None,
                            sidecars={name: (sidecars or {})[name]} if name in (sidecars or {}) else None)
        except NativeCrash as exc:  # the worker process ended: said; the server, the store and the page go on
            msgs.append(MSG_STORE_CRASHED.format(name=name, how=exc.how))
            failed = True
            continue
        except Exception as exc:  # noqa: BLE001 - a bad time etc.: a message, not a traceback
            msgs.append(f"{name}: not saved ({exc})")
            failed = True
            continue
        why = res.message.removeprefix(f"{name}: ")  # the store's messages start with the name
        # the store's note (a spelling matched to the stored one, a zone not used, a treatment offset the zone does
        # not give) is about the add, not the photo: said once after the photos' messages (it was never shown, h3)
        notes += [res.note] if res.note and res.note not in notes else []
        if res.status == "error":  # "cannot be stored (truncated JPEG data ...)", "no capture time ..."
            msgs.append(f"{name}: {why}")
            failed = True
            continue
        msgs.append(f"{name}: {res.status}" + (f" as {res.role}" if res.role else "")
                    + (f" ({why})" if why else ""))
    return msgs + notes, failed


def store_add(store, subject: str, name: str, data: bytes, **kwargs):
    """:meth:`facemetrics.store.Store.add_photos` of one photo, in :func:`photo_worker`'s process (it is measured
    there: a native crash ends that process, not the server); its :class:`~facemetrics.store.AddResult`.
    :class:`facemetrics.isolated.NativeCrash` when it ended the process (not tried again; the photo is measured
    before it is stored, so a crash stores nothing: :meth:`~facemetrics.store.Store.add_photos`)."""
    from facemetrics.isolated import store_add_task

    # the subject and its session were written before (the page offers no session otherwise): the database is on disk
    return photo_worker().call(store_add_task, str(store.dir), subject, name, data, retry=False, **kwargs)


#: a stored photo's measurement row when measuring it crashed the face finder (``{how}``: "SIGSEGV", ...)
STORED_CRASHED = ("measuring it crashed the face finder (the process ended with {how}, twice); remove it, re-save "
                  "the photo as PNG or JPEG and add that file instead")


def stored_crash_key(store, photo_id: int) -> tuple:
    """The session memo's key of a stored photo whose measuring crashed the face finder (:func:`stored_analyses`):
    the store's folder, the photo's id and its stored copy (``photos/<subject id>/<sha256[:20]>.jpg``; "" for an id
    not in the store).  The copy too: the store gives a removed photo's id to the next photo added (``id INTEGER
    PRIMARY KEY``), which was shown as crashed (*Delete subject*, or "Remove this photo" in another session)."""
    row = store.con.execute("SELECT file FROM photos WHERE id = ?", (int(photo_id),)).fetchone()
    return ("stored crash", (str(store.dir), int(photo_id), str(row[0]) if row else ""))


def stored_analyses(store, photo_ids) -> list:
    """:meth:`facemetrics.store.Store.analysis` of each stored photo in ``photo_ids``, in :func:`photo_worker`'s
    process (a photo not yet measured is measured there): for each photo its row (a dict), or the
    :class:`~facemetrics.store.StoreError` / :class:`OSError` it raised.  When that ended the worker process, each
    photo is asked for on its own; one that ends it twice gets an ``error`` row saying so (kept in the session:
    a re-run of the page does not crash the worker again)."""
    from facemetrics.isolated import NativeCrash, store_analyses_task

    ids = [int(i) for i in photo_ids]
    memo = st.session_state.setdefault(MEMO_KEY, {})
    keys = {i: stored_crash_key(store, i) for i in ids}
    crashed = {i: memo[keys[i]] for i in ids if keys[i] in memo}
    todo = [i for i in ids if i not in crashed]
    got: dict = {}
    if todo:
        try:
            got = dict(zip(todo, photo_worker().call(store_analyses_task, str(store.dir), todo, retry=False)))
        except NativeCrash:
            for i in todo:  # each on its own: the one that crashes again is named
                try:
                    got[i] = photo_worker().call(store_analyses_task, str(store.dir), [i])[0]
                except NativeCrash as exc:
                    print(f"facemetrics app: stored photo {i} crashed the face finder ({exc.how}, twice)",
                          file=sys.stderr)
                    got[i] = memo[keys[i]] = {
                        "status": "error", "error": STORED_CRASHED.format(how=exc.how)}
    return [crashed[i] if i in crashed else got[i] for i in ids]


def check_reference(like: str) -> str:
    """How the capture advice names the stored photo a new one is checked against (:func:`_study_reference`'s
    ``like``): "the baseline", or, with only after photos stored, "your first stored photo" (the advice said "the
    camera is further away than in the baseline" of a before photo checked against an after photo: stop 54)."""
    return "the baseline" if like == "your baseline" else "your first stored photo"


def _capture_outline(base_file: Path, new_ana, name: str, like: str = "your baseline") -> None:
    """The reference photo's jaw and fold outline over the new photo (:func:`facemetrics.capture.capture_overlay`);
    ``like``: how :func:`_study_reference` names that photo."""
    from facemetrics.capture import capture_overlay

    base_ana = analyse(base_file.read_bytes(), base_file.name)
    if base_ana.ok:
        c1, _ = st.columns([1, 2])
        c1.image(capture_overlay(base_ana, new_ana, reference="baseline" if like == "your baseline"
                                 else "first stored photo's"), width="stretch",
                 caption=f"{md(name)}: {'your baseline' if like == 'your baseline' else 'your first stored photo'}'s "
                         "jaw and folds (cyan), placed by the eyes and nose")


def study_report_key(subject: str, photos: pd.DataFrame, sessions: pd.DataFrame) -> tuple:
    """:func:`study_report`'s cache key: what its report is made of, the subject's stored photos (their files,
    sessions, roles and capture times) and the times of their sessions, with facemetrics' version.  A session with
    no photo is not part of it (the report's batch reads the photos): every "Log session" fitted the whole timeline
    again (61 s of a test's run under load, tests/test_app_study_browser.py, stop 58), and once more when its photos
    were added."""
    used = sessions[sessions["id"].isin(photos["session_id"])]
    return (subject, tuple(photos["file_sha256"]), tuple(photos["session_id"].astype(str)),
            tuple(photos["role"].fillna("").astype(str)), tuple(photos["taken_at"].fillna("").astype(str)),
            tuple(used["treated_at"]), fm.__version__)


def _study_timeline(store, subject: str, photos: pd.DataFrame, sessions: pd.DataFrame) -> None:
    key = study_report_key(subject, photos, sessions)
    with st.spinner("Measuring new photos and fitting the timeline..."):
        try:
            rep = study_report(str(store.dir), subject, key)
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback
            st.error(f"The timeline could not be made: {md(exc)}")
            return
    for note in rep["notes"]:  # the sessions' notes, as `study report` prints them
        st.warning(md_message(note), icon=":material/warning:")
    files = rep["files"]
    if rep["error"]:
        st.error(f"The timeline could not be made: {md(rep['error'])}")
        for line in study_unfitted_notes(files):  # each comparison's own reason, not only where to find it
            st.markdown(f"- {md_message(line)}")
        if files:  # the tables whose messages say why
            st.download_button("Download the study's tables (ZIP: CSV)", zip_bytes(files),
                               file_name=study_zip_name(subject), mime="application/zip",
                               on_click="ignore", key="study-zip",
                               help=f"{STUDY_TABLES_ZIP_HELP}. Saved as `{study_zip_name(subject)}`")
        return
    table = rep["table"]
    pooled = table[table["subject"].map(fm_report.is_pooled).astype(bool)]
    st.subheader("Verdicts", anchor=False)
    marked = []  # the causes of 'uncertain' said once, under the lines that refer to them (h12)
    for r in pooled.itertuples():
        kind = getattr(r, "kind", "decay")
        label = "over the weeks" if kind == "regimen" else "after each session"
        reason = fm_report.short_reason(r.reason)
        marked += [f"{r.treatment} · {r.metric} ({r.side}), {label}"] if reason != r.reason else []
        st.markdown(f"**{md(r.treatment)} · {r.metric} ({r.side}), {label}**: **{r.verdict}**  \n{reason}")
    for note in fm_report.unread_note(marked):
        st.caption(md(note))
    if note := table.attrs.get("next_before_note"):  # a before photo read also as the earlier session's (Round 16)
        st.caption(md_message(note))
    if table.attrs.get("follow_on_notes"):  # sessions left out as follow-ons: what would let them count (stop 56)
        st.caption(fm_report.follow_on_advice(table))
    if note := table.attrs.get("regimen_note"):  # the regimen batch ran but nothing of it could be fitted
        st.info(md(note))
    # the comparisons left out as 'uncertain', each with its reason: the verdicts say "N more photos were left out
    # because their comparison read 'uncertain' (why: see the note on 'uncertain' below)" (stop 60)
    left_out_as_uncertain(table.attrs.get("uncertain_notes", ()))
    # the comparisons fitted although the gate warned (expression, lighting): report.md's two lists, as it words them
    kept_with_warning(table.attrs.get("expression_kept_notes", ()), table.attrs.get("light_kept_notes", ()))
    # drawn at a phone's width (study_figures): the page's width on a phone (columns stack); on a desktop the
    # timeline in 3/5 of the page drawn for it (two panels a row, text 1/50 of its width: the phone's one was
    # about 2700 px tall in half the page, 437 px; h5, 2026-12-05), the regimen in 2/5 drawn for a phone
    figures = rep.get("figures", {})
    if figures:
        cols = st.columns([3, 2], gap="medium")
        if "timeline.png" in figures:
            caption = "change after each session vs hours since treatment"
            wide, compact = fitted("study-timeline", cols[0], size="f")
            wide.image(figures.get(STUDY_TIMELINE_COLUMN, figures["timeline.png"]), caption=caption, width="stretch")
            compact.image(figures["timeline.png"], caption=caption, width="stretch")
        if "regimen.png" in figures:
            cols[1].image(figures["regimen.png"],
                          caption="pre-session photos vs day 0: the change built up over the weeks", width="stretch")
    st.caption(STUDY_BOOT_NOTE)  # where the page shows the fit: its replicates, and the CLI's default
    # the ZIP's two figures (the CLI's) are drawn when it is asked for: the page shows its own (stop 59)
    st.download_button("Download the study (ZIP: CSV, report, plots)",
                       lambda: study_zip(str(store.dir), subject, key),
                       file_name=study_zip_name(subject), mime="application/zip", on_click="ignore",
                       key="study-zip", help=f"{STUDY_ZIP_HELP}. Saved as `{study_zip_name(subject)}`")


#: the heading of report.md's list of the comparisons left out of the fits as 'uncertain' (:func:`left_out_as_uncertain`)
UNCERTAIN_HEAD = "### Comparisons left out of the fits: read 'uncertain'"


def left_out_as_uncertain(notes) -> None:
    """*My study*'s and the Timeline tab's list of the comparisons the fits left out as ``uncertain``, each with its
    own reason, in one
    warning box with report.md's heading and paragraph (:func:`facemetrics.report.excluded_lines`' section of
    ``notes``: :func:`facemetrics.batch.timeline.uncertain_notes`' lines); nothing for none.  The page's verdicts said
    "3 more photos were left out because their comparison read 'uncertain' (why: see the note on 'uncertain'
    below)" and the note below gave only the general causes: which photos, and why, were in the ZIP's report.md
    alone (stop 60's audit: a simulated study's three RF photos turned 6-8 deg)."""
    notes = [str(n) for n in notes if n]
    if not notes:
        return
    lines = fm_report.excluded_lines(pd.DataFrame(columns=["photo", "excluded"]), notes)
    section = lines[lines.index(UNCERTAIN_HEAD):] if UNCERTAIN_HEAD in lines else []
    items = [x[2:] for x in section if x.startswith("- ")]
    text = " ".join(x for x in section[1:] if x and not x.startswith(("#", "- ")))
    st.warning("  \n".join([f"**{md(UNCERTAIN_HEAD.lstrip('# '))}**", md_message(text)]) + "\n\n"
               + "\n".join(f"- {md_message(n)}" for n in items), icon=":material/warning:")


def study_zip_name(subject: str) -> str:
    """The file name of *My study*'s ZIP of ``subject``: ``facemetrics_study_<subject>.zip``, the subject's name safe
    on every system (:func:`facemetrics.naming.download_part`: "A/B" was saved by the browser as it chose)."""
    return f"facemetrics_study_{download_part(subject, 'subject', file=False)}.zip"


def page_setup() -> None:
    """What every run draws first, in either mode: the Face Mesh warm-up, the layout's CSS, the sidebar."""
    warm_up()
    layout_css()
    sidebar()


#: the note each run draws first and clears at its very end (:func:`main`): a run ended by the running indicator's Stop
#: leaves it on the page beside what the run drew, a result in part (f3b, stop 51: the comparison's headline alone,
#: with no table, photos nor downloads).  Streamlit refuses every message of a stopped run (its next ``st`` call
#: raises ``StopException``, and so does each after it), so nothing can be drawn or cleared once Stop is pressed: the
#: note must be on the page before the result's first part is.
DRAWING_NOTE = ("Drawing the result\u2026 Until this note goes, the page is incomplete. If you pressed Stop, ask "
                "again: choose the photos or load the example again (in My study, reload the page).")
#: the key of the note's container: :data:`LAYOUT_CSS` draws it over the page's top right corner (out of the page's
#: flow: no element moves when it comes or goes), shown 0.6 s into a run (the running indicator's own delay is 0.5 s),
#: so that a run shorter than that (a slider moved) does not flash it
DRAWING_KEY = "fm-drawing"


def drawing_note():
    """:data:`DRAWING_NOTE`, drawn now in a placeholder; returns the placeholder, which :func:`main` empties once the
    run has drawn everything (an emptied placeholder takes no space: the page is as it was without the note)."""
    box = st.empty()
    box.container(key=DRAWING_KEY).caption(DRAWING_NOTE)
    return box


def main() -> None:
    page_setup()
    note = drawing_note()  # before any result: a stopped run leaves it with what it drew
    mode = st.sidebar.radio("Mode", ["Compare photos", "My study"], key="mode", on_change=chose_in_sidebar,
                            help="My study keeps your photos and sessions on this machine over weeks")
    close_sidebar()  # on a phone: the page chosen shown, not the sidebar over it
    if mode == "My study":
        my_study_view()
    else:
        compare_view()
    note.empty()  # the run's last message: the result is whole


def example_shown(uploaded: list) -> bool:
    """Whether the page shows the bundled example: asked for in the sidebar and no photo uploaded.  Asked for while
    photos are uploaded, the page says it shows the uploads (:data:`EXAMPLE_HIDDEN_BY_UPLOADS`)."""
    if st.session_state.get("example") and uploaded:
        st.info(EXAMPLE_HIDDEN_BY_UPLOADS)
    return bool(st.session_state.get("example")) and not uploaded


def compare_view() -> None:
    """The "Compare photos" mode: the uploads (or the bundled example), their comparisons, the timeline and the
    downloads."""
    st.title("Did the device change the face?", anchor=False)
    st.caption("Jawline lift and nasolabial folds from ordinary before/after photos, in millimetres, "
               "each with its noise floor. Photos are analysed in memory on this machine and never stored.")
    uploaded = uploads_section()
    example = example_shown(uploaded)
    files = example_files() if example else uploaded
    if not files:
        prune_memo(set())  # uploads removed: forget everything derived from them
        st.info(EMPTY_PAGE_INFO + (f" {note[0].upper()}{note[1:]}." if (note := upload_limit_note()) else ""))
        return
    if example:
        st.info("Showing the bundled example: a sample photo and a copy lifted by a simulated 1.5 mm. "
                "The sample portrait smiles with its mouth open, so its cards say so; both photos "
                "share that expression, so the comparison is still read. Your own photos: a neutral "
                "face, mouth closed.")

    files, duplicates = unique_uploads(files)
    # The page's frame is sent before the analyses, with the title and the uploader (the browser
    # renders the page once per batch of messages; fewer batches before the headline, sooner
    # headline).  The photo cards and the roles editor are drawn in their places but after the
    # comparison: its headline is the first result a user waits for, and the browser would lay out
    # the thumbnails and the editor's data grid before showing it.  The roles come from the
    # editor's state in this session (current_roles) and are checked against what it returns.
    status_box = st.container()
    photos_box = st.container()
    roles_box = None if example else st.container()
    tabs = st.tabs(["Before / after", "Timeline"])
    with status_box:
        analyses = analyse_all(files)
        show_crashes(analyses)
    editor_first = bool(st.session_state.get(EDITOR_FIRST_KEY))
    out: dict[str, bytes] = {"photos.csv": csv_bytes(rows_frame([a.to_row() for a in analyses]))}
    by_name = {a.name: a for a in analyses}

    if example:
        roles = default_roles(analyses, "example")
    elif editor_first:
        with roles_box:
            roles = roles_section(analyses)
    else:
        roles = current_roles(analyses)
    all_roles = roles
    pairs = pairs_of(roles, by_name)

    with tabs[0]:
        usable = [a for a in analyses if a.ok]
        if len(usable) < 2:  # say what to add, and where a measured photo's numbers are
            measured = (f" The main figures of {md(usable[0].name)} are on its card under Photos, with the mm "
                        "scale's uncertainty; every measurement is in photos.csv under Downloads." if usable else "")
            # none usable: "add a second one" said to a newcomer whose only photo could not be used (first-user
            # audit, stop 54) counted a photo they do not have
            add = ("add a second one (before or after the treatment)" if usable else
                   "none of these can be used: retake them (see Photos), or add a before and an after photo")
            st.info("A comparison needs two usable photos of the same face: " + add
                    + (", or retake the ones that cannot be used (see Photos)"
                       if usable and len(analyses) > len(usable) else "") + "." + measured)
        elif all(p.no_change for p in pairs.values()):
            st.info("Mark at least one usable photo 'before' and one 'after' with the same treatment name "
                    "(photos of different treatments are not compared).")
        if pairs:
            out.update(comparisons_section(pairs))
    if roles_box is not None and not editor_first:
        with roles_box:
            drawn = roles_section(analyses)
        if not same_roles(drawn, all_roles):  # not expected: then this session draws the editor first
            st.session_state[EDITOR_FIRST_KEY] = True
            st.rerun()
    with photos_box:
        st.subheader("Photos", anchor=False)
        for note in duplicates:
            st.warning("Duplicate: " + md(note), icon=":material/content_copy:")
        photo_cards(analyses, figures=sum(a.ok for a in analyses) == 1, example=example)  # one usable: its figures
    with tabs[1]:
        out.update(timeline_tab(pairs, example))
    # the comparisons made on this page (none made here: only looked up) decide which face a row describes
    memo = st.session_state.get(MEMO_KEY, {})
    out["photos.csv"] = csv_bytes(photos_table(photos_rows(analyses, pairs, lambda p: made_comparison(memo, p)),
                                               roles, "" if example else given_treatment_time()))
    page_downloads(out, analyses, pairs, example)


def page_downloads(files: dict, analyses: list, pairs: dict, example: bool) -> None:
    """*Compare photos*' :func:`downloads` of ``files``, each named after what it holds
    (:func:`facemetrics.naming.download_names`): the comparison and its figure after the pair shown (the list's
    choice, :func:`comparisons_section`), the other tables after the uploaded photos, the example's as such."""
    shown = pairs.get(st.session_state.get("pair"), next(iter(pairs.values()), None)) if pairs else None
    downloads(files, download_names(files, [a.name for a in analyses],
                                    (shown.before.name, shown.after.name) if shown else None, example))


def comparisons_section(pairs: dict[str, Pair]) -> dict:
    """The comparison chosen (a list when there are several) and its view; returns the downloads:
    ``comparison.csv`` of the pair shown and, with several pairs, :data:`ALL_PAIRS_CSV` of them all
    (made when clicked)."""
    label = st.selectbox("Comparison", list(pairs), key="pair", format_func=lambda k: pair_label(k, pairs[k])) \
        if len(pairs) > 1 else next(iter(pairs))
    out = comparison_view(pairs[label], label, pairs)
    if len(pairs) > 1:
        memo = st.session_state.setdefault(MEMO_KEY, {})
        out[ALL_PAIRS_CSV] = lambda: all_comparisons_csv(pairs, memo)
    return out


def pair_label(label: str, pair: Pair) -> str:
    """How the list of comparisons shows a pair: its :func:`pairs_of` label and when its compared photo was taken
    ("treatment: a.jpg → c.jpg · 15 min after the treatment"; minutes below 1 h, as the messages say it,
    :func:`facemetrics.batch.tables.when_text`; the label alone without hours).  In a series the list named
    only files: which one was the 24 h photo could not be seen (stop 44's audit, reading the page as a new user)."""
    from facemetrics.batch.tables import when_text

    h = pair.hours_since_treatment
    return label if h is None or not math.isfinite(float(h)) else f"{label} · {when_text(h, pair.hours_from)}"


def _stored_statuses(store, photos: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Each stored photo's measurement ``status`` and ``error`` (cached in the store; a photo
    `study import` kept though no face was found reads ``no_face``, not as an ordinary photo)."""
    status, error = [], []
    for row in stored_analyses(store, photos["id"]):
        if isinstance(row, Exception):  # a stored copy gone missing: say so in its row
            row = {"status": "unreadable", "error": str(row)}
        status.append(str(row.get("status") or ""))
        error.append(str(row.get("error") or ""))
    return status, error


#: the Timeline tab without a series: what it plots from, and the decay fit's own minimums
#: (:mod:`facemetrics.decay.claim`: the numbers of its "need at least ..." reason)
TIMELINE_HINT = (
    "The timeline plots a series: one 'before' photo and two or more 'after' photos at different hours since "
    f"treatment. To fit a decay curve and test the 24 h claim it needs at least {MIN_TIMES} different times at or "
    f"after the treatment, {MIN_PHOTOS} compared photos in all (each 'after' photo, and each extra 'before' photo "
    f"with negative hours, counts once), and one photo at {MIN_LAST_HOURS:g} h or later. The claim is judged only "
    f"with a photo within {FAR_FROM_CLAIM_H:g} h of 24 h, and one taken 18-30 h after the treatment checks the fitted "
    "curve there: take one about 24 h after the treatment.")


def untimed_note(names: list[str]) -> str:
    """The Timeline tab's warning naming the 'after' photos without hours (:func:`untimed_after_photos`; the after
    photo's capture time or the first 'before' photo's is missing: it said the after photos had none when only the
    before photo lacked one, stop 45's review): they were left off it with nothing said, and a series sent without its EXIF dates read only as
    "the timeline plots a series ..." (an outside user's audit, 2026-12-04)."""
    n = len(names)
    return (f"{n} 'after' photo{'s have' if n > 1 else ' has'} no hours since treatment ({'they or' if n > 1 else 'it or'} "
            "the first 'before' photo the hours count from has no capture time: no EXIF date, as in photos sent "
            f"through a messaging app, and none in the file name), so {'they are' if n > 1 else 'it is'} not on the timeline: "
            f"{', '.join(names)}. Enter {'their' if n > 1 else 'its'} hours since treatment in the table under "
            "\"Which photos are 'before' and which 'after'?\" above.")


def timeline_tab(pairs: dict, example: bool) -> dict[str, bytes]:
    """The Timeline tab: the example's simulated series, or the pairs' changes over their hours
    since treatment (plotted from two 'after' times; :data:`TIMELINE_HINT` otherwise); returns its downloads."""
    if example:
        with st.spinner("Simulating the example series (first time only)..."):
            changes_df, example_records = example_series()
        st.caption("Simulated series (one simulated subject): the sample photo lifted 2 mm fading with a "
                   "3 h half-life (microcurrent) and 1.5 mm that lasts (RF), each lifted copy compared "
                   "with the original photo.")
    else:
        made = {}
        for pair in pairs.values():
            if pair.on_timeline or pair.no_change:  # not: no time, or a 'before' photo dated at or after the treatment
                made[pair_key(pair)] = cmp = safe_compare(pair)
                if cmp is None:  # said why (the before/after tab says it too)
                    return {}
        records = []  # the comparisons as changes.csv has them: the series-reading rules read the fits (timeline)
        changes, warned = timeline_rows(pairs, lambda p: made[pair_key(p)], records)
        for treatment, msg, icon in warned:  # the batch's: a copy of the before photo, 'before' photos that disagree
            st.warning(f"{md(treatment)}: " + md(msg), icon=icon)
        changes_df = pd.DataFrame(changes, columns=LONG_COLUMNS)
    untimed = [] if example else untimed_after_photos(pairs)
    if untimed:
        st.warning(md(untimed_note(untimed)), icon=":material/schedule:")
    checked = set() if example else {pair.after.name for pair in pairs.values() if pair.no_change}
    after = changes_df[~changes_df["photo"].isin(checked)]  # the 'after' photos' rows (no no-change checks)
    n_times = after.groupby("treatment")["hours_since_treatment"].nunique().max() if len(after) else 0
    if n_times + 1 < 3:  # + the before photo at t < 0
        st.info(TIMELINE_HINT)
        return {}
    return timeline_view(changes_df, example_records if example else tuple(records))


if __name__ == "__main__":  # streamlit runs the script as __main__; tests import its functions
    main()
