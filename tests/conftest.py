"""Shared fixtures: the bundled sample photos, their analyses (computed once
per session), and the optional real-photo folder ``../shared/faces``.

The browser tests' fixtures (``browser``: one Chromium for the session, a new context per test; ``app_server``:
one shared ``streamlit run app.py``; ``browsing.running_app`` for a server of a test's own) are in
tests/browsing.py, imported at the end of this file."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from facemetrics.annotations import read_tem  # noqa: F401 - the tests' and benches' reader

ROOT = Path(__file__).resolve().parents[1]


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pyproject's ``addopts``) for a run of one test file: no worker process (``0``: the tests run in
    this process, as with ``-n 0``).  ``--dist loadfile`` keeps a file on one worker, so a second worker would only
    start, import the test stack and collect the file again, then wait; with none, ``-s`` shows the tests' output.  Any other run: None, pytest-xdist's own count (one worker per core)."""
    files = {str(arg).split("::", 1)[0] for arg in config.args}
    if len(files) == 1 and next(iter(files)).endswith(".py"):
        return 0
    return None


_MAIN = __import__("sys").modules.get("__main__")  # the session's own (pytest's, or an xdist worker's)


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's ``AppTest`` leaves ``sys.modules["__main__"]`` set to its temporary script; a batch
    that then *spawns* its workers (it does when threads make ``fork`` unsafe) has every child re-run
    that script, which fails (``NameError: __args``) and breaks the pool (seen when tests/test_timeline.py
    ran just before tests/test_batch.py), or imports the app's stack into the child (a spawned worker read
    ``pandas`` in tests/test_isolated.py after tests/test_app.py's module-scoped pages, stop 49's first CI).
    Each test starts and ends with the ``__main__`` the session started with: a module- or session-scoped
    fixture that ran ``AppTest`` is set up before this fixture, so the ``__main__`` a test starts with can
    already be the app's script."""
    import sys

    if _MAIN is not None:
        sys.modules["__main__"] = _MAIN
    yield
    if _MAIN is not None:
        sys.modules["__main__"] = _MAIN


def _worker_defaults(mp: pytest.MonkeyPatch, real: bool) -> None:
    """Set the three worker defaults: a user's (``real``) or in process."""
    from facemetrics import isolated
    from facemetrics.batch import runner, workers

    mp.setattr(isolated, "ISOLATE", real)
    mp.setattr(workers, "ISOLATE", real)
    mp.setattr(runner, "default_workers", workers.default_workers if real else (lambda: 1))


@pytest.fixture(autouse=True, scope="session")
def _workers_in_process():
    """The tests (and their module- and session-wide fixtures) run the analyses in this process: the worker
    processes of ``analyze``/``compare``/the app (:data:`facemetrics.isolated.ISOLATE` False) and the batch's
    pool (:data:`facemetrics.batch.workers.ISOLATE` False, one process by default: ``run_batch(workers=None)``
    and the commands without ``--workers``).  The tests build the Face Mesh graph in this process, so every
    worker is *spawned*, ~1.9 s of CPU to start against 0.24-0.34 s for an in-process ``analyze`` (docs/speed.md,
    'The suite's time').  The code measured is the same (``Worker.call`` calls it directly, the pool runs its
    tasks here); a test that gives ``workers=2`` still gets a second process.  The tests about the worker path
    (crash isolation, the retries, the pool, the app's worker) and one end-to-end test per command that has a
    worker are marked ``real_worker`` (:func:`_real_worker_when_marked`); the subprocess tests run the command
    as a user does."""
    with pytest.MonkeyPatch.context() as mp:
        _worker_defaults(mp, real=False)
        yield


@pytest.fixture(autouse=True)
def _real_worker_when_marked(request, monkeypatch):
    """A test marked ``real_worker`` gets the worker defaults a user gets.  In any other test the native-crash
    test hook fails the test with what to do (in process it would end pytest itself, SIGABRT or SIGSEGV)."""
    if request.node.get_closest_marker("real_worker") is not None:
        _worker_defaults(monkeypatch, real=True)
        return
    from facemetrics.batch import workers

    real_hook = workers._test_crash

    def hook(stage: str, name: str) -> None:
        if os.environ.get(workers.TEST_CRASH_ENV):
            raise AssertionError(f"{workers.TEST_CRASH_ENV} is set in a test that measures in this process: "
                                 "mark the test @pytest.mark.real_worker (tests/conftest.py)")
        real_hook(stage, name)

    monkeypatch.setattr(workers, "_test_crash", hook)


#: ``{(script path, its source text, magic on): code object}``: app.py compiled once per test session
_APP_BYTECODE: dict = {}


def compiled_script(self, script_path):
    """``streamlit...ScriptCache.get_bytecode`` kept for the whole process (:data:`_APP_BYTECODE`): the script read
    at every call, its code compiled as Streamlit compiles it (its "magic" AST rewrite when that option is on)
    only for a path and text not seen before.  ``self`` (the ``ScriptCache``) is not used."""
    import os

    from streamlit import config
    from streamlit.runtime.scriptrunner import magic
    from streamlit.source_util import open_python_file

    script_path = os.path.abspath(script_path)
    with open_python_file(script_path) as f:
        body = f.read()
    magic_on = bool(config.get_option("runner.magicEnabled"))
    key = (script_path, body, magic_on)
    if key not in _APP_BYTECODE:
        _APP_BYTECODE[key] = compile(magic.add_magic(body, script_path) if magic_on else body, script_path,
                                     mode="exec", flags=0, dont_inherit=1, optimize=-1)
    return _APP_BYTECODE[key]


@pytest.fixture(autouse=True, scope="session")
def _compile_app_once():
    """Streamlit's ``AppTest`` makes a new ``ScriptCache`` for every ``run()``, so each run read app.py again,
    passed its 2900 lines through Streamlit's "magic" AST rewrite and compiled it (0.85-1.35 s of CPU per run
    on this machine under load, 2026-12-05; bench/bench_apptest_compile.py).  For the session the compiled code
    is kept (:func:`compiled_script`), keyed by the script's path *and its text* (read at every run: an edited
    or another script is compiled afresh) and the magic option: the code object ``compile`` would return, so
    what the app does is unchanged (code objects are immutable).  A script that fails to compile raises as
    before (and is not kept)."""
    try:
        from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    except ImportError:  # no Streamlit: the app tests skip themselves
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ScriptCache, "get_bytecode", compiled_script)
        yield


SAMPLES = ROOT / "sample_images"
SHARED_FACES = ROOT.parent / "shared" / "faces"
LONDON = SHARED_FACES / "london_ccby"
CANADA = SHARED_FACES / "canada_ccby"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The bundled "before" sample photo (astronaut portrait, 0.18 mm/px)."""
    return SAMPLES / "astronaut_before.jpg"


@pytest.fixture(scope="session")
def sample_rgb(sample_path) -> np.ndarray:
    return np.array(Image.open(sample_path).convert("RGB"))


@pytest.fixture(scope="session")
def sample_analysis(sample_path):
    from facemetrics import analyze_photo

    result = analyze_photo(sample_path)
    assert result.ok, result.error
    return result


@pytest.fixture(scope="session")
def london_dir() -> Path:
    """The London set (12 adults neutral + smiling); skip when absent."""
    if not LONDON.is_dir():
        pytest.skip(f"optional real-photo folder {LONDON} is absent")
    return LONDON


@pytest.fixture(scope="session")
def london_analyses(london_dir) -> dict:
    """{person id: (neutral analysis, smiling analysis)} of the 12 London adults, ``analyze_photo`` of each file,
    made once per pytest process (per xdist worker): tests/test_compare.py's and test_real_faces.py's module
    fixtures each analysed the same 24 files (docs/speed.md, "Test suite time, stop 57 (e4)").  The analyses are
    frozen and read only; the comparisons' caches (``compare.measure._kept``) hold them by identity, so a test
    that a cache must not serve (a crash, a monkeypatched measure, a cache test) analyses its own copy."""
    from facemetrics import analyze_photo

    out = {}
    for neutral in sorted(london_dir.glob("*_neutral.jpg")):
        pid = neutral.name.rsplit("_", 1)[0]
        out[pid] = (analyze_photo(neutral), analyze_photo(neutral.with_name(f"{pid}_smiling.jpg")))
    assert len(out) == 12
    return out


@pytest.fixture(scope="session")
def canada_dir() -> Path:
    """The Canada set (40 young adults, neutral, hand-placed templates); skip when absent."""
    if not CANADA.is_dir():
        pytest.skip(f"optional real-photo folder {CANADA} is absent")
    return CANADA


def png_bytes(rgb: np.ndarray) -> bytes:
    """Lossless PNG encoding of an RGB array (for in-memory test photos)."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(rgb: np.ndarray, quality: int = 95) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture(scope="session")
def sample_resaved(sample_path):
    """The bundled sample photo opened and saved again as JPEG at Pillow's default quality (75),
    analysed: other pixels, the same picture (a re-saved copy)."""
    from facemetrics import analyze_photo

    rgb = np.array(Image.open(sample_path).convert("RGB"))
    result = analyze_photo(jpeg_bytes(rgb, 75), name="astronaut_resaved.jpg")
    assert result.ok, result.error
    return result


@pytest.fixture(scope="session")
def sample_bilateral(sample_analysis):
    """``smoothed(sigma_colour, sigma_mm)``: the bundled sample photo through a beauty filter, ``cv2.bilateralFilter(
    rgb, 0, sigma_colour, sigma_mm / mm_per_px)`` (sigma colour in 8-bit levels, the spatial sigma in mm at the
    sample's iris scale), each filter made once per pytest process (per xdist worker) and a fresh, writeable copy
    handed out at every call (the same pixels the call gave, so a test may change its copy).  The filter is the
    slowest step of the smoothing tests: sigma colour 60, 3 mm took 6.6 s of CPU (80, 4 mm 11.2 s; 20, 1.5 mm
    1.4 s; 2026-12-07 01:55 UTC, load ~27), and tests/test_compare_smoothed.py and test_compare_tone_mapped.py
    each made the 60, 3 mm one (docs/speed.md, "Test suite time, stop 59")."""
    import cv2

    kept: dict = {}

    def smoothed(sigma_colour: float, sigma_mm: float) -> np.ndarray:
        key = (float(sigma_colour), float(sigma_mm))
        if key not in kept:
            a = sample_analysis
            kept[key] = cv2.bilateralFilter(a.photo.rgb, 0, sigma_colour, sigma_mm / a.frame.mm_per_px)
            kept[key].setflags(write=False)
        return kept[key].copy()

    return smoothed


def app_module():
    """``app.py`` imported as a module (once per test session, as ``facemetrics_app``): its pure
    helpers (``pairs_of``, ...) for tests that do not run Streamlit."""
    import importlib.util
    import sys

    pytest.importorskip("streamlit")
    if "facemetrics_app" in sys.modules:
        return sys.modules["facemetrics_app"]
    spec = importlib.util.spec_from_file_location("facemetrics_app", ROOT / "app.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["facemetrics_app"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def fed_fifo(path):
    """Make a named pipe at ``path`` fed by a daemon thread (a few bytes to every reader that opens it),
    so that code that wrongly opens it reads them instead of blocking the test forever.  Returns
    ``release()``: call it at the end (it lets the thread, waiting for a reader, end)."""
    import os
    import threading

    os.mkfifo(path)
    stop = threading.Event()

    def feed():
        while not stop.is_set():
            try:
                with open(path, "wb") as fh:  # blocks until a reader opens the pipe
                    fh.write(b"not a photo\n" * 4)
            except OSError:  # the release's reader closed at once
                pass

    threading.Thread(target=feed, daemon=True).start()

    def release():
        stop.set()
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))  # never blocks; unblocks the writer

    return release


def spy_downloads(monkeypatch) -> dict[str, bytes]:
    """``{file name: bytes}`` of every download button the app draws (AppTest drops its media store after a run),
    each also under its kind (``comparison.csv`` for ``before_to_after_comparison.csv``: the names of
    :func:`facemetrics.naming.download_names` end with ``_<kind>``), the latest drawn of that kind."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from facemetrics.naming import DOWNLOAD_KINDS

    got: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            got[filename] = path_or_data
            for k in DOWNLOAD_KINDS:
                if filename.endswith("_" + k):
                    got[k] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return got


def display_figures_off(monkeypatch, timeline: bool = False) -> None:
    """Draw the page's display figures as (almost) nothing, for a test that reads the page's tables and texts only.

    The comparison's two figures for the page (``plots.comparison_overlay``'s "narrow" and "column" layouts at
    200 dpi, 1200 and 1600 px wide: 3.7 s of CPU drawn alone, where a second session's whole upload took 5.2 s in an
    AppTest run; 2026-12-05 23:14-23:16, load 10-23) are drawn as one white pixel (RGB uint8, shape (1, 1, 3)).
    With ``timeline``, also the Timeline tab's two display plots (``plots.plot_timeline``'s "narrow" and "column"
    layouts, saved at ``plots.NARROW_DPI`` and ``app.COLUMN_DPI`` by ``app._timeline_fit``; at stop 49 both at NARROW_DPI: 22 s of 197 s in an upload test's script
    thread, docs/speed.md 'Test suite time, stop 49 ... (s5)') are an empty 0.05 x 0.05 in figure (10 x 10 px).
    Those figures are drawn and checked by tests/test_figures_narrow.py, tests/test_plots*.py and, as a browser
    shows them, the Chromium tests; the "wide" layouts (the ``overlay.png`` and ``timeline.png`` downloads, the
    CLI's figures) and any figure written to a ``path`` are drawn as before.  ``monkeypatch``: a
    ``pytest.MonkeyPatch`` (a test's, or a module fixture's ``MonkeyPatch.context()``)."""
    import facemetrics.plots as plots

    real = plots.comparison_overlay

    def overlay(c, dpi: int = 100, layout: str = "wide"):
        return real(c, dpi=dpi, layout=layout) if layout == "wide" else np.full((1, 1, 3), 255, np.uint8)

    monkeypatch.setattr(plots, "comparison_overlay", overlay)
    if not timeline:
        return
    real_timeline = plots.plot_timeline

    def plot_timeline(changes, result, path=None, *, side=None, layout: str = "wide", table=None):
        if layout == "wide" or path is not None:
            return real_timeline(changes, result, path, side=side, layout=layout, table=table)
        from matplotlib.figure import Figure

        return Figure(figsize=(0.05, 0.05))

    monkeypatch.setattr(plots, "plot_timeline", plot_timeline)


@pytest.fixture
def no_display_figures(monkeypatch):
    """The comparison's "narrow" and "column" figures for the page drawn as one white pixel
    (:func:`display_figures_off`), for a test that reads no figure pixels, no image element and no figure
    download; the "wide" one (the ``overlay.png`` download) is drawn as before."""
    display_figures_off(monkeypatch)


@pytest.fixture
def no_timeline_figures(monkeypatch):
    """:func:`no_display_figures` and the Timeline tab's "narrow" and "column" plots drawn as an empty 10 x 10 px
    figure (:func:`display_figures_off` with ``timeline``); the ``timeline.png`` download is drawn as before."""
    display_figures_off(monkeypatch, timeline=True)


# ---------------------------------------------------------------- the browser tests (tests/browsing.py)
# ``browser``: the session's one Chromium (each test opens its own context; those it opened are closed after it);
# ``app_server``: one ``streamlit run app.py`` for the tests that only read its pages; ``browsing.running_app`` for a
# test that needs its own store or environment.  Each skips when /usr/bin/chromium or playwright is absent.
import browsing  # noqa: E402

chromium_session, browser, app_server = browsing.chromium_session, browsing.browser, browsing.app_server
no_browser_loop_outside_browser_tests = browsing.no_browser_loop_outside_browser_tests


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the test's fixtures ended: the session's Chromium stops once no later test uses it."""
    yield
    browsing.stop_after_last_browser_test(item, nextitem)
