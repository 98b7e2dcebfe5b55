"""MediaPipe Face Mesh, kept inside this one module.

Everything else in facemetrics sees plain NumPy arrays: ``(478, 3)`` float64
landmarks in pixels of the image that was passed in, columns ``(x, y, z)``
with ``x`` to the right, ``y`` down and ``z`` the Face Mesh relative depth in
the same pixel scale as ``x`` (smaller = nearer the camera).

The model files ship inside the ``mediapipe==0.10.21`` wheel
(``mp.solutions.face_mesh`` with ``refine_landmarks=True`` adds the ten iris
points 468-477), so nothing is downloaded at run time.

One Face Mesh graph is built per process and reused; calls are serialised
with a lock because a MediaPipe graph is not re-entrant (Streamlit runs
sessions in threads).

Logs: MediaPipe's C++ side (TF-Lite, absl) writes lines such as "Created
TensorFlow Lite XNNPACK delegate for CPU", "Feedback manager requires a
model with a single signature inference..." and "Using NORM_RECT without
IMAGE_DIMENSIONS..." straight to file descriptor 2 while the graph is built
and on its first face; ``GLOG_minloglevel``/``TF_CPP_MIN_LOG_LEVEL`` do not
reach them. Unless the environment variable ``FACEMETRICS_VERBOSE`` is set
(``facemetrics --verbose`` sets it; spawned batch workers inherit it), file
descriptor 2 is pointed at ``/dev/null`` while MediaPipe is imported, the
graph built and run, until the first call that found a face has returned
(after that MediaPipe prints nothing more). Python's ``sys.stderr`` is
flushed first, so facemetrics' own lines are never lost.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import FACE_OVAL, unmirror_points
from .import_lock import MATPLOTLIB

#: Face Mesh input larger than this (long side, px) is halved (repeatedly)
#: before detection.  The landmark network sees a 192 x 192 crop of the face
#: and the iris network a 64 x 64 crop of each eye whatever the input size, so
#: a larger input only costs copying time.  Landmarks are returned in pixels
#: of the image passed in.
MESH_MAX_SIDE = 2600

#: up to this many faces are detected; the largest is analysed (in a comparison with a one-face photo, the one
#: matching it: :func:`facemetrics.compare.faces.matching_face`)
MAX_FACES = 4

#: face detector scores below this are not reported (:func:`face_detection_score` reads 0 then):
#: low, since the score itself is what is compared
DETECTION_FLOOR = 0.05
#: detector input larger than this (long side, px) is halved (repeatedly) first; the networks see
#: 128 x 128 (short range) and 192 x 192 (full range) whatever the input size
DETECTION_MAX_SIDE = 1280
#: when Face Mesh finds no face in the whole picture, the full-range detector's face box with at least this
#: score is cropped and measured (:func:`detect_landmarks`): Face Mesh's own detection threshold
#: (``min_detection_confidence`` of :func:`_build_mesh`)
SMALL_FACE_MIN_SCORE = 0.5
#: ... the crop's side, times the box's longer side: the face then takes about a third of the crop, as in a
#: portrait, where Face Mesh's short-range detector finds it
SMALL_FACE_CROP = 3.0

#: :func:`detect_landmarks`' ``fixed_framing`` when the caller does not say: the single pass (the floors of
#: docs/compare.md were measured with it).  The second pass on a fixed-framing crop is an option
#: (docs/robustness.md 'Fixed-framing second pass, 2026-12-04').
FIXED_FRAMING = False
#: fixed-framing second pass (:func:`_fixed_framing_faces`): the first pass's face-oval width as a share of
#: the square crop's side (the face then fills the crop the same way whatever the photo's framing)
FRAMING_FACE_SHARE = 0.4
#: ... and the crop's side after resizing, px (the face is then about ``FRAMING_FACE_SHARE`` times this wide
#: whatever its size in the photo)
FRAMING_CROP_PX = 256

#: when Face Mesh finds no face, the picture is looked at again inside a plain grey border this many times its
#: long side wide on every side (:func:`cut_face_edges`): Face Mesh finds a face cut by the edge there (the sample
#: cut by 40-55 % of its width from either side, docs/robustness.md 'A face cut at the left edge')
CUT_BORDER_SHARE = 0.5

_lock = threading.Lock()
_mesh = None
_seen_face = False  # MediaPipe logs nothing more once a face has been processed


def verbose() -> bool:
    """True when MediaPipe's own log lines should be shown (``FACEMETRICS_VERBOSE`` set, not ``0``)."""
    return os.environ.get("FACEMETRICS_VERBOSE", "") not in ("", "0")


@contextlib.contextmanager
def _quiet_native_stderr(enabled: bool = True):
    """Point file descriptor 2 at /dev/null for the duration (C/C++ log lines go nowhere)."""
    if not enabled or verbose():
        yield
        return
    try:
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - a closed/odd sys.stderr must not stop the measurement
        pass
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 at all (some daemon contexts): nothing to silence
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@dataclass(frozen=True)
class FaceLandmarks:
    """Face Mesh result for the analysed face of one image.

    Attributes
    ----------
    points : ndarray, shape (478, 3)
        ``(x, y, z)`` in pixels of the input image (``z`` relative depth,
        same scale as ``x``).  Indices follow MediaPipe's canonical face
        mesh; 468-472 are the subject's right iris (centre first), 473-477
        the subject's left iris.
    n_faces : int
        Number of faces the detector found; ``points`` is the largest one unless ``face`` says another.
    second_face_share : float
        Size of the second-largest face over that of the largest (size: the square root of the
        landmarks' bounding-box area, px; 0.0 with one face): near 1 the choice of "the largest" is
        arbitrary (:data:`facemetrics.analyze.SEVERAL_FACES_SHARE`).
    face : int
        Which face by size ``points`` are (0 the largest).
    centres_x : tuple of float
        Each face's landmark-box centre, x px of the image, largest face first (where the measured face
        is among the others: "the one on the left").
    """

    points: np.ndarray
    n_faces: int
    second_face_share: float = 0.0
    face: int = 0
    centres_x: tuple[float, ...] = ()


def _get_mesh():
    global _mesh
    if _mesh is None:
        if not verbose():
            os.environ.setdefault("GLOG_minloglevel", "2")
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        with _quiet_native_stderr():
            _mesh = _build_in_own_thread()
    return _mesh


def _stand_in(name: str, stand_ins: dict):
    """A module object for ``name`` whose attributes import the real modules on first use
    (the stand-ins in ``stand_ins`` leave ``sys.modules`` first, so that the import is real)."""
    import importlib
    import types

    stand_in = types.ModuleType(name)
    stand_in.__spec__ = None  # the import system reads it: it must not load the real module

    def __getattr__(attr: str):
        for other, module in stand_ins.items():
            if sys.modules.get(other) is module:
                del sys.modules[other]
        return getattr(importlib.import_module(name), attr)

    stand_in.__getattr__ = __getattr__
    return stand_in


@contextlib.contextmanager
def _pyplot_on_first_use():
    """While MediaPipe is imported, ``matplotlib.pyplot`` (and ``matplotlib`` itself, when it is not
    imported yet) are stand-ins that import the real modules on first use.

    MediaPipe's drawing helpers import pyplot at start-up (0.2-0.4 s of CPU in every
    process that builds Face Mesh: each command, batch worker and app start), and Face
    Mesh never uses it.  ``import matplotlib.pyplot as plt`` imports the package first
    (matplotlib's own ``__init__``, its colours, rcParams and their parsers: another
    0.15-0.3 s of CPU, bench/bench_worker_start.py), so the package has a stand-in too,
    whose ``pyplot`` is pyplot's.  The stand-ins stay only where MediaPipe bound them;
    afterwards the names are the real modules' again for everyone else.  Nothing changes if
    pyplot is already imported.  The stand-ins are in place under
    :data:`facemetrics.import_lock.MATPLOTLIB`, so no other thread imports matplotlib meanwhile.
    """
    with MATPLOTLIB:
        with _pyplot_stand_ins():
            yield


@contextlib.contextmanager
def _pyplot_stand_ins():
    """:func:`_pyplot_on_first_use`'s stand-ins, put in ``sys.modules`` and taken out again."""
    name = "matplotlib.pyplot"
    if name in sys.modules:
        yield
        return
    stand_ins: dict = {}
    stand_ins[name] = _stand_in(name, stand_ins)
    if "matplotlib" not in sys.modules:
        stand_ins["matplotlib"] = _stand_in("matplotlib", stand_ins)
        stand_ins["matplotlib"].pyplot = stand_ins[name]  # ``import matplotlib.pyplot as plt`` reads it
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for other, module in stand_ins.items():
            if sys.modules.get(other) is module:
                del sys.modules[other]


@contextlib.contextmanager
def _no_sounddevice():
    """While MediaPipe is imported, ``import sounddevice`` fails with ImportError.

    MediaPipe's audio tasks import ``sounddevice`` at start-up, which looks for the
    PortAudio library by running ``ldconfig -p`` and then ``gcc`` (``ctypes.util.find_library``):
    about 0.1 s of wall time in every process that builds Face Mesh, for audio recording that
    facemetrics never does.  MediaPipe catches the ImportError (its audio recorder is then
    unavailable).  Afterwards the name is free again: anyone may import the real module.
    Nothing changes if ``sounddevice`` is already imported.
    """
    name = "sounddevice"
    if name in sys.modules:
        yield
        return
    sys.modules[name] = None  # the import system raises ImportError for a None entry
    try:
        yield
    finally:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]


@contextlib.contextmanager
def _light_mediapipe_import():
    """Import MediaPipe without what Face Mesh never uses (:func:`_pyplot_on_first_use`,
    :func:`_no_sounddevice`)."""
    with _pyplot_on_first_use(), _no_sounddevice():
        yield


#: the packages whose ``__init__`` imports every MediaPipe solution and task (hands, pose, objectron,
#: holistic, selfie segmentation, the drawing helpers; the tasks API, audio included): Face Mesh and the face
#: detectors need neither, only their own modules (:func:`_face_solutions`).  Child first: the order in which
#: :func:`_complete_mediapipe` runs them.
_ALL_IN_ONE = ("mediapipe.python.solutions", "mediapipe")
_complete_lock = threading.RLock()


def _bare_package(name: str):
    """Put package ``name`` in ``sys.modules`` without running its ``__init__`` (its submodules import as
    usual); the first attribute it lacks runs it (:func:`_complete_mediapipe`), so that anyone who reads
    ``mediapipe.solutions``, ``mediapipe.tasks`` or ``mediapipe.__version__`` later gets the whole package."""
    import importlib
    import importlib.util

    parent, _, child = name.rpartition(".")
    above = importlib.import_module(parent) if parent else None  # imported as usual (``mediapipe.python``)
    module = importlib.util.module_from_spec(importlib.util.find_spec(name))

    def __getattr__(attr: str):
        _complete_mediapipe()
        return getattr(module, attr)

    module.__getattr__ = __getattr__
    module.__facemetrics_bare__ = True
    sys.modules[name] = module
    if above is not None:
        setattr(above, child, module)
    return module


def _complete_mediapipe() -> None:
    """Run the ``__init__`` of each package :func:`_bare_package` left bare (the whole MediaPipe import)."""
    with _complete_lock:
        bare = [sys.modules[n] for n in _ALL_IN_ONE if getattr(sys.modules.get(n), "__facemetrics_bare__", False)]
        for module in bare:  # first, so that the imports below never come back here
            del module.__getattr__, module.__facemetrics_bare__
        for module in bare:
            module.__spec__.loader.exec_module(module)


def _face_solutions():
    """MediaPipe's ``face_mesh`` and ``face_detection`` solution modules, ``(face_mesh, face_detection)``.

    ``import mediapipe`` (and ``mediapipe.solutions``) imports every solution and the tasks API with their
    protobuf descriptors: 0.15-0.25 s of CPU in every process that builds Face Mesh, for modules Face Mesh never
    uses (docs/speed.md, 'Stop 50').  When MediaPipe is not imported yet, its two all-in-one packages
    (:data:`_ALL_IN_ONE`) are put in ``sys.modules`` bare (:func:`_bare_package`) and only these two modules
    (and ``mediapipe.python``, the framework's bindings) are imported: the same modules, graphs and models.
    Also without pyplot or sounddevice (:func:`_light_mediapipe_import`), should anything still import them.
    """
    with _complete_lock, _light_mediapipe_import():
        if "mediapipe" not in sys.modules:
            _bare_package("mediapipe")
            _bare_package("mediapipe.python.solutions")  # imports ``mediapipe.python`` (bindings) first
        # ``import a.b as c`` reads attributes the imports set (never a bare package's missing one: no completion)
        import mediapipe.python.solutions.face_detection as face_detection
        import mediapipe.python.solutions.face_mesh as face_mesh
        return face_mesh, face_detection


def import_mediapipe() -> None:
    """Import what Face Mesh needs of MediaPipe (:func:`_face_solutions`) without building anything (no graph,
    no thread), its log lines silenced.  A batch imports it before it forks its worker processes
    (``batch.workers._preload``), so that they start with it; MediaPipe stays inside this module."""
    with _quiet_native_stderr():
        _face_solutions()


def build_face_mesh() -> None:
    """Build this process's Face Mesh graph and its short-range face detector now, if not built yet (a worker
    process does it as it starts, ``batch.workers._worker_init``, so that its first photo does not wait for it);
    nothing is measured.  The full-range detector is built on first use (:func:`_detector`)."""
    with _lock:
        _get_mesh()


def mesh_built() -> bool:
    """Whether this process has built its Face Mesh graph (whose threads a fork must not copy)."""
    return _mesh is not None


def _build_mesh():
    face_mesh, _ = _face_solutions()  # imported lazily: ~0.1 s, and only this module needs it
    mesh = face_mesh.FaceMesh(
        static_image_mode=True,
        max_num_faces=MAX_FACES,
        refine_landmarks=True,
        min_detection_confidence=0.5,
    )
    # One run on a small blank image while stderr is still silenced (:func:`_get_mesh`): the graph
    # opens its calculators on its own threads, and the TF-Lite ones log ("Feedback manager
    # requires a model with a single signature ...", absl's "All log messages before ...") when
    # they open, which could come after the build had returned (2 of 40 runs of `facemetrics
    # analyze` printed them).  ``process`` returns once the graph is idle, every calculator open.
    # Static-image mode: no state carries over to the next image.
    mesh.process(np.zeros((64, 64, 3), np.uint8))
    # MediaPipe's face detectors (the short- and full-range BlazeFace models of the same wheel) for
    # :func:`face_detection_score`: the short-range one is asked about every photo with a face (which way up
    # it is, ``analyze._upside_down``), so it is built with the graph; the full-range one only when that is
    # unsure or Face Mesh finds no face (:func:`_boxes`), so it is built on first use (:func:`_detector`)
    mesh.detectors = [_build_detector(0), None]
    return mesh


def _build_detector(model: int):
    """MediaPipe's face detector ``model`` (0 short-range, 1 full-range), opened by one run on a small blank
    image while stderr is silenced, as :func:`_build_mesh` opens the graph (a static detector: no state carries
    over to the next image)."""
    _, face_detection = _face_solutions()
    detector = face_detection.FaceDetection(model_selection=model, min_detection_confidence=DETECTION_FLOOR)
    detector.process(np.zeros((64, 64, 3), np.uint8))
    return detector


def _detector(model: int):
    """The face detector ``model`` (0 short-range, 1 full-range) of this process's graph, built on first use
    (:func:`_build_detector`; in its own thread and silenced, as the graph is).  Called with :data:`_lock` held."""
    mesh = _get_mesh()
    if mesh.detectors[model] is None:
        with _quiet_native_stderr():
            mesh.detectors[model] = _in_own_thread(lambda: _build_detector(model), "facemetrics-mediapipe-detector")
    return mesh.detectors[model]


def _build_in_own_thread():
    """Import MediaPipe and build the graph in a short-lived thread.

    Importing MediaPipe keeps a traceback of an exception it catches, and
    with it every frame of the importing call stack and their local
    variables, for the life of the process. Called from the caller's stack,
    that would pin the first caller's data (in the app: the first user's
    uploaded photos and analyses) in memory forever; a thread's stack holds
    nothing of the caller's.
    """
    return _in_own_thread(_build_mesh, "facemetrics-mediapipe-init")


def _in_own_thread(build, name: str):
    """``build()`` run in a short-lived thread called ``name`` (:func:`_build_in_own_thread`); its exception
    re-raised here."""
    out: dict = {}

    def run() -> None:
        try:
            out["built"] = build()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            out["error"] = exc

    t = threading.Thread(target=run, name=name, daemon=True)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["built"]


def face_detection_score(rgb: np.ndarray, model: str = "short") -> float:
    """How sure MediaPipe's face detector is that the picture holds an upright face.

    The BlazeFace detectors are trained on upright faces: a face turned by 180 deg scores
    lower or is not found, while Face Mesh, given the detector's box, fits an upright face to
    it anyway (its eyes on the eyes, its mouth on the forehead).  So the detector, not the
    landmarks, tells which way up a photo is (:func:`orientation_scores`).

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        RGB image.
    model : {"short", "full"}
        MediaPipe's short-range (faces within about 2 m) or full-range model.

    Returns
    -------
    float
        The highest detection score in the picture, 0-1 (0 when no face scores
        :data:`DETECTION_FLOOR` or more).
    """
    return _detection_score(detection_input(rgb), model)


def orientation_scores(rgb: np.ndarray, model: str = "short") -> tuple[float, float]:
    """:func:`face_detection_score` of the picture as it is and turned by 180 deg, ``(as_is,
    turned)``; the picture is reduced (:func:`detection_input`) before it is turned (a picture
    reduced already is used as it is)."""
    small = detection_input(rgb)
    # cv2.flip: the same bytes as ``np.ascontiguousarray(small[::-1, ::-1])``, without numpy's strided copy
    return _detection_score(small, model), _detection_score(cv2.flip(small, -1), model)


def detection_input(rgb: np.ndarray) -> np.ndarray:
    """The picture as the face detectors are given it: halved until its long side is at most
    :data:`DETECTION_MAX_SIDE` px, C-contiguous (no copy when it already is both)."""
    small = rgb
    while max(small.shape[:2]) > DETECTION_MAX_SIDE:
        small = cv2.pyrDown(np.ascontiguousarray(small))
    return np.ascontiguousarray(small)


def _detection_score(small: np.ndarray, model: str) -> float:
    with _lock:
        detector = _detector({"short": 0, "full": 1}[model])
        with _quiet_native_stderr(not _seen_face):
            result = detector.process(small)
        return float(max((d.score[0] for d in (result.detections or [])), default=0.0))


def detect_landmarks(rgb: np.ndarray, fixed_framing: bool | None = None, face: int = 0) -> FaceLandmarks | None:
    """Find the Face Mesh landmarks of the largest face in an image (or of the ``face`` th largest).

    When Face Mesh finds no face in the whole picture, the full-range face detector is asked for one
    (:func:`_small_face_faces`): Face Mesh's own detector is the short-range model, which sees the whole
    picture at 128 x 128 px, so a face taking a small part of a large picture (220 px wide on a 3000 x 2250
    canvas) is not found although a crop around it measures; the crop around the full-range detector's box
    is given to Face Mesh and its landmarks mapped back.  Photos in which Face Mesh finds a face are
    measured as before.

    With ``fixed_framing`` the face found is measured again on a square crop about it in which it always
    takes the same share and the same number of pixels (:func:`_fixed_framing_faces`): Face Mesh's
    landmarks follow its face detector's box, which moves with how much of the frame the face fills
    (docs/compare.md 'Why the landmarks move with framing'); the crop takes that out.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        RGB image.
    fixed_framing : bool, optional
        Measure the face again on a fixed-framing crop (a second Face Mesh pass: about twice the time).
        ``None`` (default): :data:`FIXED_FRAMING` (off).
    face : int
        Which face by size, 0 the largest (size: the square root of the landmarks' bounding-box area);
        a photo with several faces is measured on another than the largest when it matches the
        subject's other photo (:func:`facemetrics.compare.faces.matching_face`).

    Returns
    -------
    FaceLandmarks or None
        ``None`` when no face is found, or fewer than ``face + 1``.  ``n_faces`` counts the faces Face Mesh found in what it was
        given: the whole picture, or the crop around the small face (the first pass's count with
        ``fixed_framing``).  Points in pixels of ``rgb``, ``(x, y, z)``.
    """
    arrays = _mesh_faces(rgb) or _small_face_faces(rgb)
    if not arrays:
        return None
    sizes = [np.ptp(a[:, 0]) * np.ptp(a[:, 1]) for a in arrays]
    order = sorted(range(len(arrays)), key=lambda i: -sizes[i])  # largest first (stable on ties)
    if not 0 <= face < len(arrays):
        return None
    points = arrays[order[face]]
    ranked = sorted(sizes, reverse=True)
    share = float(np.sqrt(ranked[1] / ranked[0])) if len(ranked) > 1 and ranked[0] > 0 else 0.0
    if FIXED_FRAMING if fixed_framing is None else fixed_framing:
        again = _fixed_framing_faces(rgb, points)
        if again is not None:
            points = again
    centres = tuple(float((arrays[i][:, 0].min() + arrays[i][:, 0].max()) / 2) for i in order)
    return FaceLandmarks(points=points, n_faces=len(arrays), second_face_share=share, face=face,
                         centres_x=centres)


def cut_face_edges(rgb: np.ndarray) -> tuple[str, ...]:
    """The picture's edges that cut a face Face Mesh could not find in the picture itself.

    Face Mesh's detector needs most of a face: a face cut by the picture's edge through the middle (about
    half of it outside) is not found at all.  Asked again with the picture inside a plain grey border
    (:data:`CUT_BORDER_SHARE` of its long side on every side; nothing is invented on it; the picture first
    reduced as for the detectors, :func:`detection_input`), Face Mesh finds
    such a face and places its face oval partly on the border: the edges it crosses are returned.  Used
    only to word the ``no_face`` message (:func:`facemetrics.analyze.analyze_photo`); nothing is measured
    from these landmarks.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        RGB image in which :func:`detect_landmarks` found no face.

    Returns
    -------
    tuple of str
        Of ``"left"``, ``"right"``, ``"top"``, ``"bottom"`` (in that order): the edges beyond which a
        face-oval landmark (:data:`~facemetrics.geometry.FACE_OVAL`) of the largest face found in the
        bordered picture lies; ``()`` when none is found there, or the one found lies inside the picture.
    """
    if min(rgb.shape[:2]) < 2:
        return ()
    small = detection_input(rgb)  # long side <= DETECTION_MAX_SIDE: the bordered copy stays small (a strip)
    h, w = small.shape[:2]
    pad = max(1, int(round(CUT_BORDER_SHARE * max(h, w))))
    bordered = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_CONSTANT,
                                  value=(128, 128, 128))
    arrays = _mesh_faces(bordered)
    if not arrays:
        return ()
    pts = max(arrays, key=lambda a: np.ptp(a[:, 0]) * np.ptp(a[:, 1]))[list(FACE_OVAL), :2] - pad
    beyond = (("left", pts[:, 0] < 0), ("right", pts[:, 0] > w - 1), ("top", pts[:, 1] < 0),
              ("bottom", pts[:, 1] > h - 1))
    return tuple(edge for edge, out in beyond if np.any(out))


def framing_crop(points: np.ndarray, share: float = FRAMING_FACE_SHARE) -> tuple[float, float, float]:
    """The fixed-framing crop about a face: ``(left, top, side)`` px of the picture (x, y; may reach beyond
    it), a square whose side is the face-oval width (``points`` 's :data:`~facemetrics.geometry.FACE_OVAL`
    x extent) over ``share``, centred on the face oval's bounding box.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks, ``(x, y, ...)`` px.
    share : float
        Face-oval width / crop side (0-1).
    """
    oval = np.asarray(points, dtype=np.float64)[list(FACE_OVAL), :2]
    side = float(np.ptp(oval[:, 0])) / share
    cx, cy = (oval.min(axis=0) + oval.max(axis=0)) / 2
    return float(cx - side / 2), float(cy - side / 2), side


def _fixed_framing_faces(rgb: np.ndarray, points: np.ndarray, share: float | None = None,
                         px: int | None = None) -> np.ndarray | None:
    """Face Mesh again on :func:`framing_crop` about ``points``, resampled to ``px`` x ``px`` (default
    :data:`FRAMING_FACE_SHARE`, :data:`FRAMING_CROP_PX`; pixels beyond the picture's edges replicate
    them): the face in the crop nearest ``points`` (mean distance), ``(478, 3)`` ``(x, y, z)`` in pixels
    of ``rgb``; ``None`` when the crop holds no face or the face is degenerate."""
    share = FRAMING_FACE_SHARE if share is None else share
    px = FRAMING_CROP_PX if px is None else int(px)
    left, top, side = framing_crop(points, share)
    if not np.isfinite(side) or side < 8:
        return None
    n, x0, y0 = int(round(side)), int(round(left)), int(round(top))
    h, w = rgb.shape[:2]
    cut = rgb[max(0, y0):max(0, min(h, y0 + n)), max(0, x0):max(0, min(w, x0 + n))]
    if cut.shape[0] < 2 or cut.shape[1] < 2:
        return None
    pads = (max(0, -y0), max(0, y0 + n - h), max(0, -x0), max(0, x0 + n - w))  # top, bottom, left, right
    crop = cv2.copyMakeBorder(np.ascontiguousarray(cut), *pads, cv2.BORDER_REPLICATE) if any(pads) else cut
    crop = cv2.resize(np.ascontiguousarray(crop), (px, px),
                      interpolation=cv2.INTER_AREA if n > px else cv2.INTER_LINEAR)
    faces = _mesh_faces(crop)
    if not faces:
        return None
    scale = n / px  # picture px per crop px (resize maps pixel edges to pixel edges)
    back = [np.column_stack([a[:, 0] * scale + x0, a[:, 1] * scale + y0, a[:, 2] * scale]) for a in faces]
    ref = np.asarray(points, dtype=np.float64)[:, :2]
    return min(back, key=lambda b: float(np.mean(np.linalg.norm(b[:, :2] - ref, axis=1))))


def mirrored_landmarks(rgb: np.ndarray, points: np.ndarray, fixed_framing: bool | None = None) -> np.ndarray | None:
    """Face Mesh's landmarks of the face at ``points``, read on the picture flipped left to right.

    Face Mesh is not mirror-symmetric: on a flipped picture it places the mouth corners and pupils a
    little differently (the smile score of 48 London and Canada faces moved by up to 0.4 SD of neutral
    faces, docs/accuracy.md "Smiling flag").  A measure that must not depend on which way round the
    photo is (:func:`facemetrics.quality.smile_score`) reads both sets.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        RGB image (as given to :func:`detect_landmarks`).
    points : ndarray, shape (478, 2+)
        The face's landmarks found on ``rgb``, px: of the faces found on the flipped picture, the one
        nearest these (mean distance) is returned.
    fixed_framing : bool, optional
        Read that face again on the flipped picture's fixed-framing crop, as :func:`detect_landmarks` does;
        ``None`` (default): :data:`FIXED_FRAMING`.

    Returns
    -------
    ndarray, shape (478, 3) or None
        ``(x, y, z)`` px of ``rgb``, indexed as on ``rgb`` (the subject's right iris 468-472 on both:
        :func:`facemetrics.geometry.unmirror_points`); ``None`` when no face is found on the flipped
        picture.
    """
    # cv2.flip: the same bytes as ``np.ascontiguousarray(rgb[:, ::-1])``, ~15x faster than numpy's strided copy
    flipped = cv2.flip(np.ascontiguousarray(rgb), 1)
    arrays = _mesh_faces(flipped) or _small_face_faces(flipped)
    if not arrays:
        return None
    back = [unmirror_points(a, rgb.shape[1]) for a in arrays]
    ref = np.asarray(points, dtype=np.float64)[:, :2]
    best = min(range(len(back)), key=lambda i: float(np.mean(np.linalg.norm(back[i][:, :2] - ref, axis=1))))
    if FIXED_FRAMING if fixed_framing is None else fixed_framing:
        again = _fixed_framing_faces(flipped, arrays[best])
        if again is not None:
            return unmirror_points(again, rgb.shape[1])
    return back[best]


def _mesh_faces(rgb: np.ndarray) -> list[np.ndarray]:
    """Face Mesh's faces in ``rgb`` (halved while longer than :data:`MESH_MAX_SIDE`), each ``(478, 3)``
    ``(x, y, z)`` in pixels of ``rgb``; ``[]`` when none is found."""
    small = np.ascontiguousarray(rgb)
    while max(small.shape[:2]) > MESH_MAX_SIDE:
        small = cv2.pyrDown(small)  # exact halving: much faster than an arbitrary-ratio INTER_AREA
    factor = small.shape[1] / rgb.shape[1]
    sh, sw = small.shape[:2]
    global _seen_face
    with _lock:
        mesh = _get_mesh()
        with _quiet_native_stderr(not _seen_face):
            result = mesh.process(small)
        faces = result.multi_face_landmarks or []
        if faces:
            _seen_face = True
    arrays = []
    for face in faces:
        pts = np.array([(p.x, p.y, p.z) for p in face.landmark], dtype=np.float64)
        # normalised -> pixels of `small`; z uses the width scale (MediaPipe docs)
        pts *= (sw, sh, sw)
        pts /= factor
        arrays.append(pts)
    return arrays


def _full_range_box(rgb: np.ndarray) -> tuple[int, int, int, int] | None:
    """The largest face box the full-range detector finds with a score of at least
    :data:`SMALL_FACE_MIN_SCORE`, ``(left, top, right, bottom)`` in pixels of ``rgb`` (x, y), or None.

    The whole picture first; without a box there, the 9 half-size tiles overlapping by half (the
    detector sees its input at 192 x 192 px: a 150 px face on a 3000 x 2250 canvas is found only in a
    tile)."""
    boxes = _boxes(rgb)
    if not boxes:
        h, w = rgb.shape[:2]
        th, tw = h // 2, w // 2
        for top in (0, th // 2, h - th):
            for left in (0, tw // 2, w - tw):
                boxes += [(x0 + left, y0 + top, x1 + left, y1 + top)
                          for x0, y0, x1, y1 in _boxes(rgb[top:top + th, left:left + tw])]
    if not boxes:
        return None
    x0, y0, x1, y1 = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    return int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))


def _boxes(rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
    """The full-range detector's face boxes in ``rgb`` scoring :data:`SMALL_FACE_MIN_SCORE` or more,
    ``(left, top, right, bottom)`` in pixels of ``rgb``."""
    if min(rgb.shape[:2]) < 2:
        return []
    small = detection_input(rgb)
    with _lock:
        detector = _detector(1)
        with _quiet_native_stderr(not _seen_face):
            result = detector.process(small)
    h, w = rgb.shape[:2]
    out = []
    for d in result.detections or []:
        if d.score[0] >= SMALL_FACE_MIN_SCORE:
            b = d.location_data.relative_bounding_box
            out.append((b.xmin * w, b.ymin * h, (b.xmin + b.width) * w, (b.ymin + b.height) * h))
    return out


def _small_face_faces(rgb: np.ndarray) -> list[np.ndarray]:
    """Face Mesh's faces in a crop around the full-range detector's face box (:func:`_full_range_box`): a
    square :data:`SMALL_FACE_CROP` times the box's longer side, centred on it and cut by the picture's
    edges; landmarks in pixels of ``rgb``.  ``[]`` when the detector finds no face, or the crop would be
    the whole picture (Face Mesh saw that already)."""
    box = _full_range_box(rgb)
    if box is None:
        return []
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = box
    half = SMALL_FACE_CROP * max(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left, top = max(0, int(cx - half)), max(0, int(cy - half))
    right, bottom = min(w, int(np.ceil(cx + half))), min(h, int(np.ceil(cy + half)))
    if right - left < 2 or bottom - top < 2 or (right - left >= w and bottom - top >= h):
        return []
    arrays = _mesh_faces(rgb[top:bottom, left:right])
    for pts in arrays:
        pts[:, 0] += left
        pts[:, 1] += top
    return arrays
