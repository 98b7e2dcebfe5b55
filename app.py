"""facemetrics in the browser: ``streamlit run app.py``.

A thin shell over the library: every number on the page comes from
:func:`facemetrics.analyze_photo`, :func:`facemetrics.compare.compare_photos`
and :func:`facemetrics.series.analyze_series`; this file only lays out
widgets, tables, images and download buttons.

Privacy: uploaded photos are read into memory (Streamlit keeps them for the
session), analysed in this process and never written to disk or sent
anywhere; ``.streamlit/config.toml`` turns Streamlit's usage statistics off.

Caching: the Face Mesh graph is a process-wide singleton behind a lock in
:mod:`facemetrics.landmarks`; :func:`face_mesh` warms it once per process
(``st.cache_resource``).  Per-photo analyses are cached with
``st.cache_data`` keyed on the file's bytes (a :class:`PhotoAnalysis`
pickles), comparisons and timelines on the photos' SHA-256 and the settings,
so changing a setting or a role does not re-measure the photos.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

import facemetrics as fm
from facemetrics import series as fm_series
from facemetrics.export import rows_frame
from facemetrics.overlay import photo_overlay

ROOT = Path(__file__).resolve().parent
SAMPLES = ROOT / "sample_images"
EXAMPLE_PAIR = (SAMPLES / "astronaut_before.jpg", SAMPLES / "astronaut_after.jpg")

#: accepted upload types (file name suffixes)
PHOTO_TYPES = ["jpg", "jpeg", "png", "webp", "heic", "heif"]
#: headline metric of the comparison table
HEADLINE_METRIC = "jawline_lift_mm"
ROLES = ["before", "after", "ignore"]

st.set_page_config(page_title="facemetrics: did the device change the face?", page_icon=":straight_ruler:",
                   layout="wide")


# --------------------------------------------------------------------------
# cached library calls
# --------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def face_mesh() -> bool:
    """Build (once per process) the Face Mesh graph shared by all sessions.

    The graph itself lives in :mod:`facemetrics.landmarks` (one per process,
    calls serialised by a lock, so it is safe across Streamlit's session
    threads); this only makes the one-time build explicit.
    """
    from facemetrics.landmarks import detect_landmarks

    detect_landmarks(np.zeros((64, 64, 3), np.uint8))
    return True


@st.cache_data(max_entries=64, show_spinner=False)
def analyse(data: bytes, name: str) -> fm.PhotoAnalysis:
    """:func:`facemetrics.analyze_photo` of a photo's bytes (cached on the bytes and name)."""
    return fm.analyze_photo(data, name=name)


@st.cache_data(max_entries=64, show_spinner=False)
def thumbnail(sha: str, _analysis: fm.PhotoAnalysis, side: int = 360) -> np.ndarray:
    img = Image.fromarray(_analysis.photo.rgb)
    img.thumbnail((side, side))
    return np.asarray(img)


@st.cache_data(max_entries=64, show_spinner=False)
def fold_overlay(sha: str, _analysis: fm.PhotoAnalysis) -> np.ndarray:
    """:func:`facemetrics.overlay.photo_overlay`: jaw contour, fold bands, valley maps, fold lines."""
    return photo_overlay(_analysis)


@st.cache_data(max_entries=16, show_spinner=False)
def compare(key: tuple, _before: fm.PhotoAnalysis, _after: fm.PhotoAnalysis, _before_repeats: tuple = ()):
    """:func:`facemetrics.compare.compare_photos`, cached on the photos' SHA-256 (``key``)."""
    from facemetrics.compare import compare_photos

    return compare_photos(_before, _after, before_repeats=tuple(_before_repeats))


@st.cache_data(max_entries=16, show_spinner=False)
def timeline(changes: pd.DataFrame, metrics: tuple[str, ...]):
    """:func:`facemetrics.series.analyze_series` and its plot for ``metrics`` (cached on the table)."""
    changes = changes[changes["metric"].isin(metrics)]
    result = fm_series.analyze_series(changes, metrics=list(metrics))
    fig = fm_series.plot_timeline(changes, result)
    return result.to_frame(), png_bytes_of_figure(fig)


@st.cache_data(show_spinner=False)
def example_files() -> list[tuple[str, bytes]]:
    """The bundled before/after pair (the after photo is a simulated 1.5 mm lift)."""
    return [(p.name, p.read_bytes()) for p in EXAMPLE_PAIR]


@st.cache_data(show_spinner=False)
def example_series() -> pd.DataFrame:
    """The bundled example's simulated microcurrent-vs-RF series (tidy changes table)."""
    return simulated_series(EXAMPLE_PAIR[0].read_bytes())


# --------------------------------------------------------------------------
# glue (no measurement here: table reshaping for the library calls)
# --------------------------------------------------------------------------


def png_bytes_of_figure(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def png_bytes(rgb: np.ndarray, compress_level: int = 6) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG", compress_level=compress_level)
    return buf.getvalue()


def long_rows(frame: pd.DataFrame, *, subject: str, treatment: str, hours: float) -> pd.DataFrame:
    """A comparison table -> rows of the tidy changes table that :func:`analyze_series` reads."""
    out = frame.rename(columns={"change": "value"})[["metric", "side", "unit", "value", "noise_floor"]].copy()
    out.insert(0, "hours_since_treatment", float(hours))
    out.insert(0, "treatment", treatment)
    out.insert(0, "subject", subject)
    return out


def simulated_series(before_bytes: bytes) -> pd.DataFrame:
    """Compare the sample photo with copies lifted as :data:`facemetrics.study.DEFAULT_DESIGN` says.

    One simulated subject per treatment (microcurrent: 2 mm peak fading
    with a 3 h half-life; RF: 1.5 mm that lasts), each photo lifted by
    :func:`facemetrics.simulate.lift` and compared with the unlifted photo by
    :func:`facemetrics.compare.compare_photos`.
    """
    from facemetrics.compare import compare_photos
    from facemetrics.study import DEFAULT_DESIGN, true_change

    # at most 800 px on the long side, as facemetrics.study does (speed; the face stays ~460 px wide)
    small = Image.open(io.BytesIO(before_bytes)).convert("RGB")
    small.thumbnail((800, 800), Image.LANCZOS)
    base = fm.analyze_photo(png_bytes(np.asarray(small), 1), name="example_before.png")
    parts = []
    for treatment, spec in sorted(DEFAULT_DESIGN.items()):
        for t in spec["times_h"]:
            mm = float(true_change(t, spec["peak_mm"], spec["half_life_h"], spec.get("lasting_mm", 0.0)))
            after = fm.analyze_photo(png_bytes(lift_image(base, mm), 1), name=f"{treatment}_{t:g}h.png")
            cmp = compare_photos(base, after)
            parts.append(long_rows(cmp.to_frame(), subject="example", treatment=treatment, hours=t))
    return pd.concat(parts, ignore_index=True)


def lift_image(analysis: fm.PhotoAnalysis, mm: float) -> np.ndarray:
    """:func:`facemetrics.simulate.lift` (the lower face moved up by ``mm``) -> RGB image."""
    from facemetrics.simulate import lift

    return lift(analysis, mm).image


def naive(t: datetime | None) -> datetime | None:
    return None if t is None else t.replace(tzinfo=None)


def default_roles(analyses: list[fm.PhotoAnalysis], treatment: str) -> pd.DataFrame:
    """Editable photo table: order by EXIF capture time, first = before, others = after.

    Hours since treatment are counted from the last "before" photo's capture
    time (empty when a photo has no capture time).
    """
    taken = [naive(a.photo.taken_at) if a.photo is not None else None for a in analyses]
    order = sorted(range(len(analyses)), key=lambda i: (taken[i] is None, taken[i] or datetime.min, i))
    usable = [i for i in order if analyses[i].ok]
    rows = []
    t0 = taken[usable[0]] if usable else None
    for i in order:
        a = analyses[i]
        role = "ignore" if not a.ok else ("before" if i == usable[0] else "after")
        hours = (taken[i] - t0).total_seconds() / 3600 if (taken[i] and t0) else (0.0 if role == "before" else None)
        rows.append(dict(photo=a.name, taken=taken[i].strftime("%Y-%m-%d %H:%M") if taken[i] else "",
                         role=role, treatment=treatment, hours_since_treatment=hours))
    return pd.DataFrame(rows)


@dataclass
class Pair:
    before: fm.PhotoAnalysis
    after: fm.PhotoAnalysis
    repeats: tuple


# --------------------------------------------------------------------------
# page
# --------------------------------------------------------------------------


def sidebar() -> None:
    with st.sidebar:
        st.header("Start here")
        if st.button("Load the bundled example", type="primary", width="stretch",
                     help="A sample before/after pair (simulated 1.5 mm lift) and a simulated "
                          "microcurrent-vs-RF series: every view, before you upload anything."):
            st.session_state["example"] = True
        if st.session_state.get("example") and st.button("Clear the example", width="stretch"):
            st.session_state["example"] = False
            st.rerun()
        st.divider()
        st.markdown(
            "**How to take the photos**: face the camera, neutral expression, mouth closed, same "
            "place, light and distance before and after. The iris calibrates the millimetres."
        )
        st.divider()
        st.caption(
            ":lock: **Privacy**: your photos stay in this app's memory for your session only. Nothing "
            "is written to disk, nothing is sent anywhere, and usage statistics are off."
        )
        st.caption(f"facemetrics {fm.__version__}")


def uploads_section() -> list[tuple[str, bytes]]:
    limit = st.get_option("server.maxUploadSize")
    files = st.file_uploader(
        "Upload your before and after photos (several at once)",
        type=PHOTO_TYPES, accept_multiple_files=True, key="uploads",
        help=f"Accepted: {', '.join(t.upper() for t in PHOTO_TYPES)}; up to {limit} MB per photo.",
    )
    st.caption(f"Accepted types: {', '.join(t.upper() for t in PHOTO_TYPES)} · up to {limit} MB per photo · "
               "photos stay in memory, never stored.")
    return [(f.name, f.getvalue()) for f in files or []]


def analyse_all(files: list[tuple[str, bytes]]) -> list[fm.PhotoAnalysis]:
    bar = st.progress(0.0, text="Loading the face model...")
    face_mesh()
    out = []
    for i, (name, data) in enumerate(files):
        bar.progress(i / len(files), text=f"Analysing {name} ({i + 1} of {len(files)})...")
        out.append(analyse(data, name))
    bar.empty()
    return out


def photo_cards(analyses: list[fm.PhotoAnalysis]) -> None:
    """A thumbnail per photo with why it cannot be used, or its quality flags."""
    cols = st.columns(4)
    for k, a in enumerate(analyses):
        with cols[k % len(cols)]:
            if a.photo is not None:
                st.image(thumbnail(a.photo.sha256, a), caption=a.name, width="stretch")
            else:
                st.markdown(f"**{a.name}**")
            if not a.ok:
                st.error(f"Cannot be used: {a.error}", icon=":material/block:")
                continue
            notes = [*(a.quality.flags if a.quality is not None else ()), *a.warnings]
            if notes:
                st.warning("Usable, but: " + "; ".join(notes), icon=":material/warning:")
            else:
                st.success("Usable", icon=":material/check:")


def roles_editor(analyses: list[fm.PhotoAnalysis]) -> pd.DataFrame:
    treatment = st.text_input("Treatment name", value="treatment", key="treatment",
                              help="Written to the tables; give photos of another device another name below.")
    table = default_roles(analyses, treatment or "treatment")
    key = "roles-" + "|".join(f"{a.name}:{a.photo.sha256[:8] if a.photo else ''}" for a in analyses)
    st.caption("Before/after default to the capture time order (EXIF); edit any cell. Hours since treatment "
               "are counted from the last 'before' photo: set them to your treatment time.")
    return st.data_editor(
        table, key=key, hide_index=True, width="stretch",
        disabled=["photo", "taken"],
        column_config={
            "photo": st.column_config.TextColumn("photo"),
            "taken": st.column_config.TextColumn("taken (EXIF)"),
            "role": st.column_config.SelectboxColumn("role", options=ROLES, required=True),
            "treatment": st.column_config.TextColumn("treatment"),
            "hours_since_treatment": st.column_config.NumberColumn("hours since treatment", format="%.2f h"),
        },
    )


def headline(frame: pd.DataFrame) -> str:
    """``"jawline lifted 1.51 mm (noise floor 0.03 mm)"`` from the comparison table's mean jawline row."""
    rows = frame[(frame["metric"] == HEADLINE_METRIC) & (frame["side"] == "mean")]
    if rows.empty:
        return "No jawline lift could be measured."
    r = rows.iloc[0]
    change, nf, unit = float(r["change"]), float(r["noise_floor"]), r["unit"] or "mm"
    if not math.isfinite(change):
        return "No jawline lift could be measured."
    verb = "lifted" if change >= 0 else "dropped"
    nf_txt = f" (noise floor {nf:.2f} {unit})" if math.isfinite(nf) else " (noise floor unknown)"
    return f"jawline {verb} {abs(change):.2f} {unit}{nf_txt}"


def comparison_view(pair: Pair, label: str) -> dict[str, bytes]:
    """Before/after view and numbers; returns the downloads it offers."""
    key = (pair.before.photo.sha256, pair.after.photo.sha256, tuple(r.photo.sha256 for r in pair.repeats))
    with st.spinner("Aligning the photos and measuring the change..."):
        cmp = compare(key, pair.before, pair.after, pair.repeats)
    frame = cmp.to_frame()
    msg = headline(frame)
    if cmp.status == "refused":
        st.error("These photos cannot be compared: " + " ".join(cmp.messages))
        return {}
    st.subheader(msg[0].upper() + msg[1:], anchor=False)
    for m in cmp.messages:
        st.warning(m, icon=":material/warning:")

    left, right = st.columns([3, 2], gap="medium")
    with left:
        view = st.segmented_control("View", ["Side by side", "Overlay", "Folds"], default="Side by side",
                                    key=f"view-{label}")
        over = comparison_image(key, cmp)
        if view == "Overlay":
            mix = st.slider("Before ← → after", 0.0, 1.0, 0.5, 0.05, key=f"mix-{label}")
            c1, _ = st.columns([2, 1])
            c1.image(blend(cmp, mix), caption=f"before × {1 - mix:.0%} + aligned after × {mix:.0%}",
                     width="stretch")
        elif view == "Folds":
            c1, c2 = st.columns(2)
            c1.image(fold_overlay(pair.before.photo.sha256, pair.before), caption=f"before: {pair.before.name}",
                     width="stretch")
            c2.image(fold_overlay(pair.after.photo.sha256, pair.after), caption=f"after: {pair.after.name}",
                     width="stretch")
        else:
            st.image(over, caption="aligned side by side: jaw contours and vertical displacement (mm)",
                     width="stretch")
    with right:
        st.dataframe(frame, hide_index=True, width="stretch", height=420,
                     column_config={c: st.column_config.NumberColumn(format="%.2f")
                                    for c in ("before", "after", "change", "noise_floor")})
    return {"comparison.csv": frame.to_csv(index=False).encode(), "overlay.png": png_bytes(over)}


@st.cache_data(max_entries=16, show_spinner=False)
def comparison_image(key: tuple, _cmp) -> np.ndarray:
    """:func:`facemetrics.compare.comparison_overlay`: the aligned pair with jaw contours and the
    vertical-displacement map in mm (the same figure as ``facemetrics compare`` writes)."""
    from facemetrics.compare import comparison_overlay

    return comparison_overlay(_cmp)


def blend(cmp, mix: float) -> np.ndarray:
    """The before photo and the aligned after photo (both on the comparison's grid), cross-faded."""
    b, a = cmp.before_grid.astype(np.float32), cmp.after_grid.astype(np.float32)
    return (b * (1 - mix) + a * mix).round().astype(np.uint8)


def timeline_view(changes: pd.DataFrame) -> dict[str, bytes]:
    lifts = sorted(m for m in changes["metric"].unique() if m.endswith("_lift_mm") and "landmarks" not in m)
    default = [m for m in (HEADLINE_METRIC, "mouth_corner_lift_mm") if m in lifts]
    metrics = st.multiselect("Metrics", sorted(changes["metric"].unique()), default=default, key="tl-metrics")
    if not metrics:
        st.info("Choose at least one metric.")
        return {}
    with st.spinner("Fitting the decay curves..."):
        table, png = timeline(changes, tuple(metrics))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.image(png, width="stretch",
                 caption="change vs hours since treatment: fitted decay with its 95 % CI band, grey = noise floor")
    with right:
        for r in table[table["subject"].isna() | (table["subject"] == "")].itertuples():
            if r.side != "mean" and (table["side"] == "mean").any():
                continue
            st.markdown(f"**{r.treatment} · {r.metric}**: half-life {fmt_h(r)} · verdict **{r.verdict}**  \n"
                        f"{r.reason}")
    with st.expander("Timeline table"):
        st.dataframe(table, hide_index=True, width="stretch")
    return {"timeline.csv": table.to_csv(index=False).encode(), "changes.csv": changes.to_csv(index=False).encode()}


def fmt_h(r) -> str:
    hl = getattr(r, "half_life_h", float("nan"))
    if not isinstance(hl, float) or not math.isfinite(hl):
        return "n/a"
    lo, hi = getattr(r, "half_life_h_ci_low", float("nan")), getattr(r, "half_life_h_ci_high", float("nan"))
    return f"{hl:.1f} h (95 % CI {lo:.1f}-{hi:.1f} h)" if math.isfinite(lo) and math.isfinite(hi) else f"{hl:.1f} h"


def downloads(files: dict[str, bytes]) -> None:
    if not files:
        return
    st.subheader("Downloads", anchor=False)
    cols = st.columns(len(files))
    mime = {"csv": "text/csv", "png": "image/png"}
    for col, (name, data) in zip(cols, files.items()):
        col.download_button(name, data, file_name=name, mime=mime[name.rsplit(".", 1)[1]],
                            on_click="ignore", width="stretch", key=f"dl-{name}")


def main() -> None:
    sidebar()
    st.title("Did the device change the face?", anchor=False)
    st.caption("Jawline lift and nasolabial folds from ordinary before/after photos, in millimetres, "
               "each with its noise floor. Photos are analysed in memory on this machine and never stored.")
    uploaded = uploads_section()
    example = bool(st.session_state.get("example")) and not uploaded
    files = example_files() if example else uploaded
    if not files:
        st.info("Upload a 'before' and an 'after' photo, or load the bundled example from the sidebar.")
        return
    if example:
        st.info("Showing the bundled example: a sample photo and a copy lifted by a simulated 1.5 mm.")

    analyses = analyse_all(files)
    st.subheader("Photos", anchor=False)
    photo_cards(analyses)
    out: dict[str, bytes] = {"photos.csv": rows_frame([a.to_row() for a in analyses]).to_csv(index=False).encode()}
    by_name = {a.name: a for a in analyses}

    if example:
        roles = default_roles(analyses, "example")
    else:
        with st.expander("Which photos are 'before' and which 'after'? (default: by capture time)", expanded=False):
            roles = roles_editor(analyses)
    roles = roles[roles["photo"].map(lambda n: by_name[n].ok)]
    pairs, changes = {}, []
    for treatment, grp in roles.groupby("treatment", sort=True):
        befores = [by_name[n] for n in grp.loc[grp["role"] == "before", "photo"]]
        afters = grp[grp["role"] == "after"]
        if not befores or afters.empty:
            continue
        for r in afters.itertuples():
            pairs[f"{treatment}: {befores[0].name} → {r.photo}"] = (
                Pair(befores[0], by_name[r.photo], tuple(befores[1:])), treatment, r.hours_since_treatment)

    tab_names = ["Before / after", "Timeline"]
    tabs = st.tabs(tab_names)
    with tabs[0]:
        if not pairs:
            st.info("Mark at least one usable photo 'before' and one 'after'.")
        else:
            label = st.selectbox("Comparison", list(pairs), key="pair") if len(pairs) > 1 else next(iter(pairs))
            pair = pairs[label][0]
            out.update(comparison_view(pair, label))
    with tabs[1]:
        if example:
            with st.spinner("Simulating the example series (first time only)..."):
                changes_df = example_series()
            st.caption("Simulated series (one simulated subject): the sample photo lifted 2 mm fading with a "
                       "3 h half-life (microcurrent) and 1.5 mm that lasts (RF), each lifted copy compared "
                       "with the original photo.")
        else:
            for label, (pair, treatment, hours) in pairs.items():
                if hours is None or not math.isfinite(float(hours)):
                    continue
                key = (pair.before.photo.sha256, pair.after.photo.sha256, tuple(p.photo.sha256 for p in pair.repeats))
                changes.append(long_rows(compare(key, pair.before, pair.after, pair.repeats).to_frame(),
                                         subject="you", treatment=treatment, hours=hours))
            changes_df = pd.concat(changes, ignore_index=True) if changes else pd.DataFrame()
        n_times = changes_df.groupby("treatment")["hours_since_treatment"].nunique().max() if len(changes_df) else 0
        if n_times + 1 < 3:  # + the before photo at t < 0
            st.info("The timeline needs a series with three or more times: one 'before' and at least two "
                    "'after' photos with their hours since treatment.")
        else:
            out.update(timeline_view(changes_df))
    downloads(out)


main()
