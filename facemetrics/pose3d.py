"""Relative 3-D head pose and camera distance between two photos, from the
dense flow on the rigid upper face, and the image motion it causes
everywhere on the face.

Why
---
After the 2-D similarity alignment of :mod:`facemetrics.align`, a change of
head pitch or yaw, or of camera distance, still moves the lower face in the
photo: parts of the face lying behind or in front of the rigid upper face
shift by parallax (a 3 deg pitch moves the jaw's sides by 1-3 mm), and a
closer camera magnifies the nose more than the jaw.  This module measures
that 3-D motion and predicts the displacement it causes at every point of
the face, so that :func:`facemetrics.compare.compare_photos` can subtract it
before measuring lifts.

Model
-----
All lengths are millimetres in the before photo's levelled frame
(:class:`facemetrics.geometry.Frame`: ``u`` along the pupil line, ``v`` down
the face; grid pixels of :class:`facemetrics.align.Grid`).  The before photo
is a pinhole view from :data:`CAMERA_MM` in front of the iris plane, its
principal point ``c = (cu, cv)`` given by the caller (the image centre: see
"Principal point" below).  A grid point ``(u, v)`` whose skin lies
``d`` mm behind the iris plane (Face Mesh depth, :func:`depth_map`) is the
3-D point ``P = ((u - cu) (D + d) / D, (v - cv) (D + d) / D, D + d)``.
The after view of the same skin is::

    P' = R(pitch, yaw) (P - C) + C + (0, 0, tz)     rotation about the neck pivot C, camera moved by tz
    q  = D P'_xy / P'_z + c                          the same pinhole
    q' = s Rot(theta) q + T                          a 2-D similarity (zoom, roll, framing)

seven parameters (pitch, yaw, tz, s, theta, T), fitted by robust least
squares (``soft_l1`` loss, :func:`robust_least_squares`) to the
residual flow on the rigid upper face (forehead, brows, eye corners, nasal
bridge) and the nose tip, whose depths differ by 30-50 mm: that depth
spread is what makes a tilt visible as parallax.  ``q' - (u, v)`` at every
grid pixel is the displacement the pose change explains
(:attr:`PoseFit.flow_mm`).

A second fit adds an eighth parameter, a stretch ``S(a) = diag(exp(-a/2), exp(a/2))`` after the
similarity (``q' = s Rot(theta) S(a) q + T``): a photo resized without keeping its aspect ratio
(a 1 px rounding of a 1255 px side is a = 0.08 %) moves the lower face, 100-180 mm below the upper
face, by 0.1-0.15 mm, as much as a lift at the default floors.  The stretch is partly confounded
with a camera-distance change on the rigid face (re-renders 45 -> 30 cm read a = -0.03 %), so it
is not subtracted: what it would change at each region (:attr:`PoseFit.stretch_flow_mm`) goes into
the noise floors (:func:`facemetrics.compare.pose_floor_terms`).

Principal point
---------------
Of a photo as a phone camera took it the principal point is the image centre, which is what
:func:`facemetrics.compare.compare_photos` passes.  A crop or padding of the before photo moves the
image centre and not the camera's axis, and the error is not small: the predicted parallax of a
camera-distance or pose change grows with the distance from the axis times the depth, so a
30 % cut at the bottom of a real 60 -> 45 cm pair moved the image centre 95 mm and read a
+1.6 mm jawline lift (uncropped +0.2).  The true point of a cropped photo is unknown, and a
camera panned between the photos is not in the model either.  So the fit is repeated with the
principal point at the face's landmark centre (the mean of the 468 mesh points, which no crop
moves: ``fit_pose(..., alt_principal_uv=...)``), and what that changes in each region
(:attr:`PoseFit.principal_flow_mm`) goes into the noise floors like the stretch
(:func:`facemetrics.compare.pose_floor_terms`; the model-error part of the floor also counts the
larger of the two fits' corrections, and that of the fold and per-photo rows the larger of their angles,
:attr:`PoseFit.principal_params`: :func:`facemetrics.compare.pose_row_floor_terms`).  A refit (or the
stretch fit) that fails leaves its term out and is named in :attr:`PoseFit.failed`, which the comparison
turns into a warning.  On an uncropped portrait the two points lie 5-24 mm apart
and the term is small; on a crop it grows with the crop.  Chosen on the tuning faces among the
image centre, the face centre, either with the term, and the image centre unless it lies
> 25 mm from the face's (bench/bench_principal_point.py's candidates): docs/accuracy.md "Cropped
photos and the principal point".  The face
centre alone read 2.6 x the uncropped error of the image centre on the re-renders (whose true
point is the image centre) and false mouth-corner sags on the real camera-distance pairs.  A
crop of the after photo alone is a shift of its pixels, which the 2-D similarity absorbs.

Identifiability (documented limits)
-----------------------------------
- To first order a yaw (pitch) of ``a`` radians and a sideways (vertical)
  camera shift of ``a D`` give the same parallax: the fit reports the
  rotation about the pivot that explains it.  The predicted displacement,
  and so the corrected lift, is the same either way.
- A uniform error of the Face Mesh depth scale changes the reported angles
  in proportion but not the predicted displacement (angle x depth is what
  the flow sees).
- The camera distance change is measured through the change of ``1 / D``;
  it is reported as a percentage of the assumed :data:`CAMERA_MM`.

References
----------
.. [1] Hartley R, Zisserman A (2004). Multiple View Geometry in Computer
   Vision, 2nd ed., ch. 6 (the pinhole camera) and ch. 18 (the bas-relief /
   rotation-translation ambiguity of small motions).
.. [2] Kartynnik Y, Ablavatski A, Grishchenko I, Grundmann M (2019).
   Real-time facial surface geometry from monocular video on mobile GPUs.
   arXiv:1907.06724 (Face Mesh: relative depth ``z`` in the scale of ``x``).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import LEFT_IRIS, RIGHT_IRIS
from .interpolate import delaunay, linear_on_lattice, nearest_on_lattice

#: assumed camera distance to the iris plane of the before photo, mm (a phone held at
#: arm's length); only the reported distance change in % depends on it
CAMERA_MM = 450.0
#: head pivot from the pupil midpoint (levelled frame: right, down, back), mm
PIVOT_MM = (0.0, 60.0, 100.0)
#: fit samples: one every this many grid px inside the fit mask
FIT_STRIDE_PX = 6
#: soft-L1 loss scale of the fit, mm (the flow's noise on the rigid face is ~0.03 mm)
LOSS_SCALE_MM = 0.05
#: correlation length of the dense flow's errors, mm (DIS patch, 8 grid px); the
#: parameter uncertainties count one independent sample per correlation area
FLOW_CORRELATION_MM = 2.0
#: radius of the nose-tip disc added to the fit mask, mm
NOSE_TIP_RADIUS_MM = 4.0
#: depth map computed every this many grid px and interpolated between
_DEPTH_STEP_PX = 4
#: the names :attr:`PoseFit.failed` gives the extra fits of :func:`fit_pose` whose floor terms are missing:
#: the eight-parameter (stretch) fit, and the refit at the other principal point
FIT_STRETCH = "stretch"
FIT_PRINCIPAL = "principal point"


@dataclass(frozen=True, eq=False)
class PoseFit:
    """Relative head pose and camera distance, after photo vs before photo.

    Attributes
    ----------
    params : ndarray, shape (7,)
        ``(pitch_deg, yaw_deg, tz_mm, log scale, theta_deg, tu_mm, tv_mm)``;
        the named properties below read them.
    cov : ndarray, shape (7, 7)
        Their covariance, counted with one independent sample per
        :data:`FLOW_CORRELATION_MM` square (for :func:`prediction_sd`).
    camera_mm : float
        Assumed camera distance of the before photo, mm.
    principal_uv : ndarray, shape (2,)
        The before photo's principal point in levelled mm.
    flow_mm : ndarray, shape (rows, cols, 2), float32
        Displacement ``(du, dv)`` mm that the fitted pose change causes at
        every grid pixel (before grid -> after grid).
    rms_before_mm, rms_after_mm : float
        Robust RMS (1.4826 MAD of the vector length) of the flow on the fit
        mask before and after subtracting the pose flow, mm.
    n_points : int
        Flow samples in the fit.
    stretch_log, stretch_sd_log : float
        The eight-parameter fit's log stretch ``a`` (``v`` scaled ``exp(a)`` times as much as ``u``
        in the after photo) and its standard deviation (0 when not fitted).
    stretch_flow_mm : ndarray, shape (rows, cols, 2), float32, or None
        The eight-parameter fit's pose flow minus :attr:`flow_mm`: what allowing the stretch
        changes at every grid pixel, mm (None when not fitted).
    principal_alt_uv : ndarray, shape (2,), or None
        The other principal point the fit was repeated with (levelled mm; None when not repeated or
        when that refit failed).
    principal_flow_mm : ndarray, shape (rows, cols, 2), float32, or None
        The seven-parameter fit with the principal point at :attr:`principal_alt_uv` (refitted) minus
        :attr:`flow_mm`: what the unknown principal point of a cropped photo may change at every grid
        pixel, mm (None when not repeated or when that refit failed).
    principal_params : ndarray, shape (7,), or None
        That refit's parameters, as :attr:`params` (its pitch and yaw, deg, are
        :attr:`principal_pitch_deg` and :attr:`principal_yaw_deg`); None when not repeated or when the
        refit failed.
    failed : tuple of str
        The extra fits that were asked for and failed (a ``ValueError``: e.g. a non-finite fit), so
        their floor terms are missing: :data:`FIT_STRETCH` (the eight-parameter fit:
        :attr:`stretch_flow_mm` None) and :data:`FIT_PRINCIPAL` (the refit at ``alt_principal_uv``:
        :attr:`principal_flow_mm` None); empty when none failed.
    """

    params: np.ndarray
    cov: np.ndarray
    camera_mm: float
    principal_uv: np.ndarray
    flow_mm: np.ndarray
    rms_before_mm: float
    rms_after_mm: float
    n_points: int
    stretch_log: float = 0.0
    stretch_sd_log: float = 0.0
    stretch_flow_mm: np.ndarray | None = None
    principal_alt_uv: np.ndarray | None = None
    principal_flow_mm: np.ndarray | None = None
    principal_params: np.ndarray | None = None
    failed: tuple[str, ...] = ()

    @property
    def pitch_deg(self) -> float:
        """Change of head pitch, deg (> 0: chin raised in the after photo)."""
        return float(self.params[0])

    @property
    def yaw_deg(self) -> float:
        """Change of head yaw, deg (> 0: face turned further towards the image right, the subject's left)."""
        return float(self.params[1])

    @property
    def tz_mm(self) -> float:
        """Camera distance change, mm (> 0: camera further away in the after photo)."""
        return float(self.params[2])

    @property
    def scale(self) -> float:
        """Zoom of the 2-D similarity part."""
        return float(np.exp(self.params[3]))

    @property
    def theta_deg(self) -> float:
        """In-plane rotation of the 2-D similarity part, deg (clockwise in the image > 0)."""
        return float(self.params[4])

    @property
    def t_mm(self) -> np.ndarray:
        """Framing shift of the 2-D similarity part, ``(u, v)`` mm."""
        return self.params[5:7].copy()

    @property
    def stretch_pct(self) -> float:
        """How much more the after photo is scaled along ``v`` (down the face) than along ``u``, %
        (a resize that did not keep the aspect ratio; 0 for photos as the camera took them)."""
        return float(100.0 * np.expm1(self.stretch_log))

    @property
    def sd(self) -> dict:
        """One standard deviation of ``pitch_deg``, ``yaw_deg`` and ``tz_mm`` (from :attr:`cov`)."""
        return {name: float(np.sqrt(max(self.cov[i, i], 0.0)))
                for i, name in enumerate(("pitch_deg", "yaw_deg", "tz_mm"))}

    @property
    def camera_distance_change_pct(self) -> float:
        """``100 tz / D``: the camera's distance change relative to the assumed before distance."""
        return 100.0 * self.tz_mm / self.camera_mm

    @property
    def principal_pitch_deg(self) -> float:
        """The pitch change of the fit repeated at :attr:`principal_alt_uv`, deg (as :attr:`pitch_deg`);
        NaN when that fit was not repeated or failed."""
        return float("nan") if self.principal_params is None else float(self.principal_params[0])

    @property
    def principal_yaw_deg(self) -> float:
        """The yaw change of the fit repeated at :attr:`principal_alt_uv`, deg (as :attr:`yaw_deg`);
        NaN when that fit was not repeated or failed."""
        return float("nan") if self.principal_params is None else float(self.principal_params[1])


def depth_map(points_uv: np.ndarray, z_mm: np.ndarray, shape: tuple[int, int], u0: float, v0: float,
              res_mm: float) -> np.ndarray:
    """Depth of the skin behind the iris plane at every grid pixel, mm.

    Piecewise-linear interpolation of the Face Mesh depth over a Delaunay
    triangulation of the 468 mesh points (levelled ``(u, v)``), nearest mesh
    value outside the mesh (:mod:`facemetrics.interpolate`).

    Parameters
    ----------
    points_uv : ndarray, shape (478, 2)
        Landmarks ``(u, v)`` mm.
    z_mm : ndarray, shape (478,)
        Face Mesh ``z`` in mm (smaller = nearer the camera).
    shape : (rows, cols)
    u0, v0, res_mm : float
        Grid origin and resolution (:class:`facemetrics.align.Grid`).

    Returns
    -------
    ndarray, shape ``shape``, float32
        ``z - z_iris`` mm (> 0 behind the irises); a view of a slightly larger array.
    """
    z = np.asarray(z_mm, dtype=np.float64)
    d = z[:468] - 0.5 * (z[RIGHT_IRIS] + z[LEFT_IRIS])
    uv = np.asarray(points_uv, dtype=np.float64)[:468, :2]
    rows, cols = shape
    s = _DEPTH_STEP_PX
    gu = u0 + np.arange(0, cols + s, s) * res_mm
    gv = v0 + np.arange(0, rows + s, s) * res_mm
    tri = delaunay(uv)
    lin = linear_on_lattice(uv, d, tri, gu, gv)
    bad = ~np.isfinite(lin)
    if bad.any():
        lin[bad] = d[nearest_on_lattice(uv, tri, gu, gv, bad)]
    full = cv2.resize(lin.astype(np.float32), (len(gu) * s, len(gv) * s), interpolation=cv2.INTER_LINEAR)
    off = int(round((s - 1) / 2.0))
    return full[off:off + rows, off:off + cols]  # a view: a grid-sized copy costs more than it saves


def _perspective(q3: np.ndarray, pivot: np.ndarray, tz) -> np.ndarray:
    """``q3 += pivot`` then ``q3[..., 2] += tz`` in place, one coordinate at a time, and the depth ``q3[..., 2]``
    returned (a view): the same operations, element by element, as the broadcast ``q3 + pivot``.  NumPy runs a
    broadcast over a last axis of 2 or 3 as one tiny inner loop per point, several times slower than three
    strided passes (docs/speed.md 'Stop 60'); the pose fit evaluates the model some 100 times per comparison."""
    for j in range(3):
        q3[..., j] += pivot[j]
    q3[..., 2] += tz
    return q3[..., 2]


def _rot(pitch_deg: float, yaw_deg: float) -> np.ndarray:
    a, b = np.radians(-pitch_deg), np.radians(-yaw_deg)
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    return ry @ rx


def _stretch(log_a: float) -> np.ndarray:
    """``S(a) = diag(exp(-a/2), exp(a/2))``: ``v`` scaled ``exp(a)`` times as much as ``u``, area kept."""
    return np.diag([np.exp(-0.5 * log_a), np.exp(0.5 * log_a)])


def _q(a: np.ndarray) -> np.ndarray:
    """Round to 9 significant digits (elementwise)."""
    a = np.asarray(a, dtype=np.float64)
    return np.array([float(f"{v:.9g}") for v in a.ravel()]).reshape(a.shape)


class _Model:
    """The projection model for a set of points ``(u, v, d)`` (see module docstring)."""

    def __init__(self, u, v, d, principal_uv, camera_mm):
        self.u, self.v = np.asarray(u, np.float64), np.asarray(v, np.float64)
        D = float(camera_mm)
        cu, cv = principal_uv
        zc = D + np.asarray(d, np.float64)
        self.p = np.stack([(self.u - cu) * zc / D, (self.v - cv) * zc / D, zc], axis=-1)
        self.c = np.array([cu, cv])
        self.D = D
        self.pivot = np.array([-cu, -cv, D]) + np.asarray(PIVOT_MM, np.float64)
        # what every evaluation reads and no parameter changes, made once per model (the solver evaluates
        # :meth:`flow` and :meth:`jacobian` some 20-60 times per fit): the same arrays, so the same values
        self._rel = self.p - self.pivot
        self._uv = np.stack([self.u, self.v], axis=-1)

    def flow(self, x) -> np.ndarray:
        """The displacement at every point for the parameters ``x``: the seven of the module's model, or
        eight with the log stretch last (shape (N, 2), mm)."""
        pitch, yaw, tz, log_s, theta, tu, tv = x[:7]
        log_a = x[7] if len(x) > 7 else 0.0
        r = _rot(pitch, yaw)
        q3 = self._rel @ r.T
        z = _perspective(q3, self.pivot, tz)
        q = np.empty(q3.shape[:-1] + (2,))
        for j in (0, 1):  # self.D * q3[..., :2] / q3[..., 2:3] + self.c, column by column (_perspective)
            col = q[..., j]
            np.add(np.divide(np.multiply(self.D, q3[..., j], out=col), z, out=col), self.c[j], out=col)
        s, th = np.exp(log_s), np.radians(theta)
        rot2 = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]) * s @ _stretch(log_a)
        q = q @ rot2.T
        q[..., 0] += tu  # q @ rot2.T + (tu, tv)
        q[..., 1] += tv
        return q - self._uv

    def flows(self, xs: np.ndarray) -> np.ndarray:
        """:meth:`flow` for each row of ``xs`` (shape (K, 7) or (K, 8)), shape (K, N, 2), in one pass
        (the same operations, stacked: the same values as K calls of :meth:`flow`)."""
        xs = np.asarray(xs, dtype=np.float64)
        rt = np.stack([_rot(x[0], x[1]).T for x in xs])  # (K, 3, 3)
        q3 = self._rel @ rt + self.pivot  # (K, N, 3)
        q3[..., 2] += xs[:, 2:3]
        q = self.D * q3[..., :2] / q3[..., 2:3] + self.c
        rot2t = np.stack([(np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]) * np.exp(ls)
                           @ _stretch(la)).T
                          for ls, th, la in zip(xs[:, 3], np.radians(xs[:, 4]),
                                                xs[:, 7] if xs.shape[1] > 7 else np.zeros(len(xs)))])
        q = q @ rot2t + xs[:, None, 5:7]
        return q - self._uv

    def jacobian(self, x) -> np.ndarray:
        """Analytic Jacobian of ``flow(x).ravel()`` (rows ``(u, v)`` of each point in turn), shape (2N, 7),
        or (2N, 8) for eight parameters."""
        x = np.asarray(x, dtype=np.float64)
        pitch, yaw, tz, log_s, theta, tu, tv = x[:7]
        log_a = x[7] if len(x) > 7 else 0.0
        a, b = np.radians(-pitch), np.radians(-yaw)
        ca, sa, cb, sb = np.cos(a), np.sin(a), np.cos(b), np.sin(b)
        rx = np.array([[1, 0, 0], [0, ca, -sa], [0, sa, ca]])
        ry = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
        drx = np.array([[0, 0, 0], [0, -sa, -ca], [0, ca, -sa]])  # d rx / d a
        dry = np.array([[-sb, 0, cb], [0, 0, 0], [-cb, 0, -sb]])  # d ry / d b
        k = -np.pi / 180.0  # d a / d pitch = d b / d yaw
        rel = self._rel
        q3 = rel @ (ry @ rx).T
        z = _perspective(q3, self.pivot, tz)
        zz = z * z
        n = len(q3)
        q = np.empty((n, 2))
        for j in (0, 1):  # self.D * q3[:, :2] / z + self.c, column by column
            col = q[:, j]
            np.add(np.divide(np.multiply(self.D, q3[:, j], out=col), z, out=col), self.c[j], out=col)

        def proj(dq3):  # derivative of the projection for a change dq3 of the 3-D point, (N, 2):
            # self.D * (dq3[:, :2] * z - q3[:, :2] * dq3[:, 2:3]) / (z * z), column by column
            out = np.empty((n, 2))
            dz = dq3[:, 2] if isinstance(dq3, np.ndarray) else dq3[2]
            for j in (0, 1):
                dj = dq3[:, j] if isinstance(dq3, np.ndarray) else dq3[j]
                out[:, j] = self.D * (dj * z - q3[:, j] * dz) / zz
            return out

        d_pitch = proj(rel @ (ry @ drx).T * k)
        d_yaw = proj(rel @ (dry @ rx).T * k)
        d_tz = proj((0.0, 0.0, 1.0))
        s, th = np.exp(log_s), np.radians(theta)
        rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        drot = np.array([[-np.sin(th), -np.cos(th)], [np.cos(th), -np.sin(th)]]) * (np.pi / 180.0)
        st = _stretch(log_a)
        dst = st * np.array([-0.5, 0.5])  # d S(a) / d a (diagonal)
        m = s * rot @ st
        cols = [d @ m.T for d in (d_pitch, d_yaw, d_tz)]
        cols += [q @ m.T, q @ (s * drot @ st).T]
        cols += [np.broadcast_to(np.array([1.0, 0.0]), (n, 2)), np.broadcast_to(np.array([0.0, 1.0]), (n, 2))]
        if len(x) > 7:
            cols += [q @ (s * rot @ dst).T]
        out = np.empty((2 * n, len(cols)))  # np.stack([c.reshape(-1) for c in cols], axis=1), without its machinery
        for j, c in enumerate(cols):
            out[:, j] = c.reshape(-1)
        return out


#: the pose parameters' typical scales (pitch, yaw deg; tz mm; log zoom; roll deg; shift mm): the
#: solver's steps are taken in these units
_X_SCALE = np.array([1.0, 1.0, 10.0, 0.01, 1.0, 1.0, 1.0])
#: ... and of the log stretch of the eight-parameter fit
_STRETCH_SCALE = 0.001
#: :func:`robust_least_squares` stops when no scaled parameter moves more than this in a step ...
_STEP_TOL = 1e-10
#: ... or when a step lowers the cost by less than this fraction of it
_COST_TOL = 1e-15
_MAX_ITERATIONS = 200
#: a trial step that moves any parameter by more than this many of its ``x_scale`` units (1000 deg of
#: rotation, 10 m of camera distance, a zoom of e**10, 1 m of framing, a log stretch of 1) is refused
#: without evaluating the model, like a step that does not lower the cost (the damping is raised).
#: Where the normal equations are nearly singular (the flat valleys of the module docstring: a turned
#: photo against a mirror image or an opposite turn) the first Levenberg-Marquardt steps of a refit were
#: 1.5e5-6e8 units, at which ``exp`` of the log zoom overflowed (e**1847) and the residuals were
#: not finite: rejected, but after RuntimeWarnings.  Accepted steps were at most 157 units on 35 pairs
#: (docs/speed.md 'Stop 35')
_MAX_STEP = 1e3


def _soft_l1(f: np.ndarray, f_scale: float) -> tuple[float, np.ndarray, np.ndarray]:
    """The soft-L1 cost ``f_scale**2 * sum(sqrt(1 + z) - 1)``, ``z = (f / f_scale)**2``, and the
    row scales of the Jacobian and residuals that make its Gauss-Newton model (Triggs et al. [3],
    as SciPy's ``least_squares`` scales them: ``J_scale = sqrt(rho' + 2 rho'' f**2)``, which for
    soft-L1 is ``(1 + z)**-0.75``, and the residual ``rho' f / J_scale``)."""
    z1 = 1.0 + (f / f_scale) ** 2
    cost = float(f_scale * f_scale * np.sum(np.sqrt(z1) - 1.0))
    j_scale = np.maximum(z1 ** -1.5, np.finfo(float).eps) ** 0.5
    return cost, j_scale, f * z1 ** -0.5 / j_scale


def robust_least_squares(fun, x0: np.ndarray, jac, f_scale: float, x_scale: np.ndarray,
                         max_iterations: int = _MAX_ITERATIONS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimise the soft-L1 cost of the residuals ``fun(x)``: Levenberg-Marquardt on the
    robust-loss Gauss-Newton model.

    The same problem, loss and solution as ``scipy.optimize.least_squares(fun, x0, jac=jac,
    loss="soft_l1", f_scale=f_scale, x_scale=x_scale)`` to within SciPy's own stopping tolerance
    on a well-determined fit (``tests/test_pose3d.py`` checks it against SciPy); it runs to tighter
    ones.  Where a parameter is not determined (the camera distance of two different people's
    photos) both solvers stop somewhere along the flat valley, at different places.  Written here
    because importing ``scipy.optimize`` (with ``scipy.interpolate``, for :func:`depth_map`) cost
    0.7 s of CPU in every process that compares photos, about six comparisons' worth
    (``docs/speed.md``), for a 7-parameter fit with an analytic Jacobian.

    A trial step that moves any parameter by more than :data:`_MAX_STEP` of its ``x_scale`` units is
    refused without evaluating ``fun`` there, as a step that does not lower the cost is (the damping
    is raised and the step solved again): a trust bound, like the trust region SciPy's solvers keep.
    Where the normal equations are nearly singular a lightly damped step lands far outside any pose (a
    zoom of e**1847), where ``fun`` overflows; no accepted step has come near the bound.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> ndarray, shape (m,)``, the residuals (mm).
    x0 : ndarray, shape (n,)
        Start.
    jac : callable
        ``jac(x) -> ndarray, shape (m, n)``, the Jacobian of ``fun``.
    f_scale : float
        Soft-L1 scale: residuals much larger count linearly, smaller ones quadratically.
    x_scale : ndarray, shape (n,)
        Typical size of each parameter: steps are damped in these units.
    max_iterations : int
        Jacobian evaluations at most.

    Returns
    -------
    x : ndarray, shape (n,)
    f : ndarray, shape (m,)
        ``fun(x)``.
    jac : ndarray, shape (m, n)
        The Jacobian at ``x`` with each row scaled by ``(1 + (f / f_scale)**2)**-0.75``: what SciPy
        returns as ``jac`` for this loss.

    Raises
    ------
    ValueError
        The residuals are not finite at ``x0``, or the Jacobian is not finite where it is evaluated.

    References
    ----------
    .. [3] Triggs B, McLauchlan PF, Hartley RI, Fitzgibbon AW (2000). Bundle adjustment - a
       modern synthesis. Vision Algorithms: Theory and Practice, LNCS 1883, 298-372 (sec. 3.3,
       robust cost functions).
    """
    x = np.array(x0, dtype=np.float64)
    xs = np.asarray(x_scale, dtype=np.float64)
    f = np.asarray(fun(x), dtype=np.float64)
    if not np.all(np.isfinite(f)):
        raise ValueError("the residuals are not finite at the starting point")
    cost, j_scale, f_s = _soft_l1(f, f_scale)
    lam = 1e-3
    for _ in range(max_iterations):
        J = np.asarray(jac(x), dtype=np.float64)
        if not np.all(np.isfinite(J)):
            raise ValueError("the Jacobian is not finite: the fit cannot proceed")
        Jh = J * j_scale[:, None] * xs  # loss-scaled, in x_scale units
        A = Jh.T @ Jh
        g = Jh.T @ f_s
        diag = np.diag(A).copy()
        while True:
            try:
                step = np.linalg.solve(A + lam * np.diag(np.maximum(diag, 1e-12)), -g)
            except np.linalg.LinAlgError:
                step = None
            # a step beyond _MAX_STEP is refused untried, as one that does not lower the cost
            if step is not None and np.all(np.isfinite(step)) and np.max(np.abs(step)) <= _MAX_STEP:
                x_new = x + step * xs
                f_new = np.asarray(fun(x_new), dtype=np.float64)
                if np.all(np.isfinite(f_new)):
                    cost_new, j_new, fs_new = _soft_l1(f_new, f_scale)
                    if cost_new <= cost:
                        break
            lam *= 10.0
            if lam > 1e16:  # no step lowers the cost: x is the minimum to float precision
                return x, f, J * j_scale[:, None]
        lam = max(lam / 10.0, 1e-12)
        done = np.max(np.abs(step)) < _STEP_TOL or cost - cost_new <= _COST_TOL * cost
        x, f, cost, j_scale, f_s = x_new, f_new, cost_new, j_new, fs_new
        if done:
            break
    return x, f, np.asarray(jac(x), dtype=np.float64) * j_scale[:, None]


def _grid_flows(xs: list, principal_uv, camera_mm: float, depth_mm: np.ndarray, u0: float, v0: float,
                res_mm: float, principals: list | None = None) -> list[np.ndarray]:
    """The pose flow of each parameter vector of ``xs`` on the whole grid, mm, shape (rows, cols, 2),
    float32: evaluated every :data:`_DEPTH_STEP_PX` px (the depth map itself is piecewise linear at
    that step) and interpolated bilinearly in between.  The first is the flow itself, each other one
    that flow minus the first (the difference, interpolated).  ``principals``: each one's principal
    point (default ``principal_uv`` for all)."""
    rows, cols = depth_mm.shape
    k = _DEPTH_STEP_PX
    cs, rs = np.arange(0, cols + k, k), np.arange(0, rows + k, k)
    gu = (u0 + cs * res_mm)[None, :].repeat(len(rs), 0)
    gv = (v0 + rs * res_mm)[:, None].repeat(len(cs), 1)
    # the depth at those grid px (the last row / column where the lattice passes the grid's end)
    dc = np.asarray(depth_mm)[np.minimum(rs, rows - 1)[:, None], np.minimum(cs, cols - 1)[None, :]]
    principals = [principal_uv] * len(xs) if principals is None else principals

    # coarse sample (j, i) is at grid px (j k, i k): map every grid px to coarse coordinates
    # (bilinear; with k = 4 the sample positions are exact in warpAffine's 1/32 px table)
    def on_grid(flow_coarse):
        return cv2.warpAffine(np.ascontiguousarray(flow_coarse), np.array([[1.0 / k, 0, 0], [0, 1.0 / k, 0]]),
                              (cols, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REPLICATE)

    coarse = _Model(gu, gv, dc, principals[0], camera_mm).flow(xs[0]).astype(np.float32)
    out = [on_grid(coarse)]
    for x, c in zip(xs[1:], principals[1:]):
        out.append(on_grid((_Model(gu, gv, dc, c, camera_mm).flow(x) - coarse).astype(np.float32)))
    return out


def fit_pose(flow_mm: np.ndarray, fit_mask: np.ndarray, depth_mm: np.ndarray, u0: float, v0: float,
             res_mm: float, principal_uv, camera_mm: float = CAMERA_MM, flow_scale: float = 1.0,
             alt_principal_uv=None, floor_fits: bool = True, seed: PoseFit | None = None) -> PoseFit:
    """Fit the relative 3-D pose change to the flow on the rigid face.

    Parameters
    ----------
    flow_mm : ndarray, shape (rows, cols, 2)
        Displacement ``(du, dv)`` mm from the before grid to the (2-D
        aligned) after grid.
    fit_mask : ndarray, shape (rows, cols), bool
        Rigid upper face and nose tip.
    depth_mm : ndarray, shape (rows, cols)
        From :func:`depth_map`.
    u0, v0, res_mm : float
        Grid origin and resolution.
    principal_uv : (2,) float
        The before photo's principal point in levelled mm (``facemetrics.compare`` passes the
        image centre, and the face's landmark centre as ``alt_principal_uv``: module docstring,
        "Principal point").
    camera_mm : float
        Assumed camera distance of the before photo.
    flow_scale : float
        The displacement is ``flow_scale * flow_mm`` (e.g. a flow in grid px and the grid's mm
        per px): only the fit's samples are scaled, in the flow's dtype, as
        ``(flow_mm * flow_scale)[samples]`` would be, without a grid-sized copy.
    alt_principal_uv : (2,) float, optional
        Another principal point (levelled mm; ``facemetrics.compare`` passes the face's landmark
        centre): the seven-parameter fit is repeated with it and what it changes is
        :attr:`PoseFit.principal_flow_mm` (its angles :attr:`PoseFit.principal_params`).  When that
        refit fails (``ValueError``, e.g. a non-finite fit) the pose is still returned,
        :attr:`PoseFit.principal_flow_mm`, :attr:`PoseFit.principal_alt_uv` and
        :attr:`PoseFit.principal_params` None (no floor term) and :data:`FIT_PRINCIPAL` in
        :attr:`PoseFit.failed`, as a failed stretch fit leaves :attr:`PoseFit.stretch_flow_mm` None and
        :data:`FIT_STRETCH` there (``facemetrics.compare`` then warns that the floors lack the term).
    floor_fits : bool
        False: neither the stretch fit nor the refit at ``alt_principal_uv`` (floor terms only): the
        seven-parameter pose and its flow alone, as :func:`facemetrics.compare.measure.upper_face_residual`
        needs them (:attr:`PoseFit.flow_mm` is the same).
    seed : PoseFit, optional
        This fit already made on the same arguments with ``floor_fits=False`` (by the caller, in the same
        comparison): its seven-parameter solution, covariance and RMS are taken instead of being solved again,
        and only the floor fits are made; the result is the one without ``seed`` to the last bit.

    Returns
    -------
    PoseFit
    """
    rows, cols = depth_mm.shape
    st = FIT_STRIDE_PX
    # the mask's pixels on the stride's lattice, row-major (as np.nonzero)
    ys, xs = divmod(np.flatnonzero(fit_mask[::st, ::st]), len(range(0, cols, st)))
    ys, xs = ys * st, xs * st
    if len(xs) < 30:
        raise ValueError(f"only {len(xs)} flow samples on the rigid face: the head pose cannot be measured")
    u = u0 + xs * res_mm
    v = v0 + ys * res_mm
    obs = (flow_mm[ys, xs] * np.float32(flow_scale)).astype(np.float64)
    model = _Model(u, v, depth_mm[ys, xs], principal_uv, camera_mm)

    def resid(x):
        return (model.flow(x) - obs).ravel()

    per_sample_area = (st * res_mm) ** 2
    inflate = max(FLOW_CORRELATION_MM ** 2 / per_sample_area, 1.0)
    ol = np.linalg.norm(obs, axis=1)
    if seed is not None and not (seed.camera_mm == float(camera_mm) and seed.n_points == len(xs)
                                 and np.array_equal(seed.principal_uv, np.asarray(principal_uv, dtype=np.float64))):
        seed = None  # not a fit of these samples at this principal point (a caller's stale seed): solved here
    if seed is None:
        sol_x, sol_fun, sol_jac = robust_least_squares(resid, np.zeros(7), model.jacobian, LOSS_SCALE_MM, _X_SCALE)
        # 9 significant digits: the solver's threaded linear algebra may differ in the last bits
        # between processes; results must be identical to the last digit written (resumed batches)
        x = _q(sol_x)
        rms_after = float(1.4826 * np.median(np.linalg.norm(sol_fun.reshape(-1, 2), axis=1)))
        cov_inflated = _param_cov(sol_jac, sol_fun) * inflate
    else:  # the same solve made already (compare.measure.upper_face_residual, same comparison)
        x, rms_after, cov_inflated = seed.params.copy(), seed.rms_after_mm, seed.cov
    # the eight-parameter fit (a stretch besides), from the seven-parameter solution: not subtracted,
    # what it changes is a floor term (module docstring)
    xs_grid, principals, a, a_sd, failed = [x], [principal_uv], 0.0, 0.0, []
    if floor_fits:  # False: the pose alone (compare.measure.upper_face_residual), no floor terms
        try:
            x8, f8, j8 = robust_least_squares(resid, np.append(x, 0.0), model.jacobian, LOSS_SCALE_MM,
                                              np.append(_X_SCALE, _STRETCH_SCALE))
            x8 = _q(x8)
            a, a_sd = float(x8[7]), float(np.sqrt(max(_param_cov(j8, f8)[7, 7] * inflate, 0.0)))
            xs_grid.append(x8)
            principals.append(principal_uv)
        except ValueError:  # a degenerate rigid face (non-finite fit): no stretch term, and the fit says so
            failed.append(FIT_STRETCH)
    has_stretch = len(xs_grid) == 2
    alt_uv = x_alt = None
    if alt_principal_uv is not None and floor_fits:  # the fit again with the other principal point: a floor term
        try:
            x_alt = _refit_at(alt_principal_uv, u, v, depth_mm[ys, xs], obs, x, camera_mm)
            xs_grid.append(x_alt)
            principals.append(alt_principal_uv)
            alt_uv = np.asarray(alt_principal_uv, dtype=np.float64)
        except ValueError:  # a degenerate refit (non-finite fit): no principal-point term, as the stretch
            failed.append(FIT_PRINCIPAL)
    grids = _grid_flows(xs_grid, principal_uv, camera_mm, depth_mm, u0, v0, res_mm, principals)
    s_fl = grids[1] if has_stretch else None
    p_fl = grids[-1] if alt_uv is not None else None
    return PoseFit(x.copy(), cov_inflated, float(camera_mm), np.asarray(principal_uv, dtype=np.float64),
                   grids[0], float(1.4826 * np.median(ol)), rms_after, int(len(xs)),
                   float(_q(np.array(a))), float(_q(np.array(a_sd))), s_fl, alt_uv, p_fl,
                   None if x_alt is None else np.array(x_alt, dtype=np.float64), tuple(failed))


def _refit_at(principal_uv, u: np.ndarray, v: np.ndarray, depth: np.ndarray, obs: np.ndarray, x: np.ndarray,
              camera_mm: float) -> np.ndarray:
    """The seven-parameter fit of :func:`fit_pose` again, from its solution ``x``, with the principal
    point at ``principal_uv`` (levelled mm): the samples ``u``, ``v`` (mm), their ``depth`` (mm) and
    observed flow ``obs`` (mm, shape (n, 2)); quantised as :func:`fit_pose`'s.

    Raises
    ------
    ValueError
        The fit failed (e.g. a non-finite residual): :func:`fit_pose` then leaves out the term.
    """
    alt = _Model(u, v, depth, principal_uv, camera_mm)
    return _q(robust_least_squares(lambda y: (alt.flow(y) - obs).ravel(), x, alt.jacobian, LOSS_SCALE_MM,
                                   _X_SCALE)[0])


_STEPS = np.array([0.05, 0.05, 1.0, 1e-3, 0.05, 0.05, 0.05])


def _param_cov(jac: np.ndarray, fun: np.ndarray) -> np.ndarray:
    """Covariance of a pose fit's parameters (shape (P, P); infinite when singular), before the
    correlation-area inflation: from the soft-L1 IRLS-weighted Jacobian ``jac`` (2N, P) and the
    residuals ``fun`` (2N,), scaled by their robust variance (1.4826 MAD), to 9 digits."""
    w = np.sqrt(np.clip(1.0 / np.sqrt(1.0 + (fun / LOSS_SCALE_MM) ** 2), 1e-6, None))  # soft-l1 IRLS weights
    jw = jac * w[:, None]
    sigma = 1.4826 * float(np.median(np.abs(fun)))
    try:
        cov = np.linalg.inv(jw.T @ jw) * sigma ** 2
    except np.linalg.LinAlgError:
        cov = np.full((jac.shape[1],) * 2, np.inf)
    return _q(cov)


def prediction_sd(fit: PoseFit, u: np.ndarray, v: np.ndarray, d: np.ndarray) -> float:
    """Standard deviation of the mean predicted vertical displacement over some points, mm.

    The fit's full parameter covariance (:attr:`PoseFit.cov`) propagated
    through the model's gradient (finite differences) of the mean ``dv``
    over the points ``(u, v)`` mm with depth ``d`` mm.
    """
    if len(u) == 0 or not np.all(np.isfinite(fit.cov)):
        return 0.0 if len(u) == 0 else float("inf")
    m = _Model(u, v, d, fit.principal_uv, fit.camera_mm)
    base = m.flow(fit.params)[:, 1].mean()
    g = np.empty(len(_STEPS))
    for i, h in enumerate(_STEPS):
        xp = fit.params.copy()
        xp[i] += h
        g[i] = (m.flow(xp)[:, 1].mean() - base) / h
    return float(np.sqrt(max(g @ fit.cov @ g, 0.0)))


def prediction_sds(fit: PoseFit, groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[float]:
    """:func:`prediction_sd` of several point sets at once (one model evaluation per parameter step).

    Parameters
    ----------
    fit : PoseFit
    groups : list of (u, v, d)
        Each a point set: ``u``, ``v`` levelled mm and depth ``d`` mm, arrays of one length.

    Returns
    -------
    list of float
        One standard deviation (mm) per group, as :func:`prediction_sd` gives for it alone.
    """
    out = [0.0] * len(groups)
    live = [i for i, (u, _, _) in enumerate(groups) if len(u)]
    if not live:
        return out
    if not np.all(np.isfinite(fit.cov)):
        for i in live:
            out[i] = float("inf")
        return out
    cat = [np.concatenate([np.asarray(groups[i][j], np.float64) for i in live]) for j in range(3)]
    bounds = np.cumsum([0] + [len(groups[i][0]) for i in live])
    m = _Model(*cat, fit.principal_uv, fit.camera_mm)

    k = len(_STEPS)
    xs = np.repeat(fit.params[None, :], k + 1, axis=0)  # the parameters, then each one stepped
    xs[np.arange(1, k + 1), np.arange(k)] += _STEPS
    dv = m.flows(xs)[..., 1]  # (k + 1, N): the evaluations of prediction_sd at once
    mean = np.stack([dv[:, a:b].mean(axis=1) for a, b in zip(bounds[:-1], bounds[1:])], axis=1)  # (k + 1, groups)
    g = ((mean[1:] - mean[0]) / _STEPS[:, None]).T  # (groups, k)
    for j, i in enumerate(live):
        out[i] = float(np.sqrt(max(g[j] @ fit.cov @ g[j], 0.0)))
    return out
