"""Writing results: CSV tables, JSON geometry and PNG images, atomically.

Every writer goes through a temporary file in the target folder and
``os.replace``, so a run killed half-way never leaves a truncated file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import cv2
import numpy as np

from .schema import PHOTO_COLUMNS

if TYPE_CHECKING:  # pandas is imported where a table is built: batch workers only write JSON
    import pandas as pd


def atomic_write(path: str | os.PathLike, write) -> Path:
    """Create or replace ``path`` atomically: ``write(fh)`` fills a temporary file
    (binary, in the same folder) that then replaces ``path``; on any failure the
    temporary file is removed and ``path`` is left as it was.  Returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path



def write_bytes(data: bytes, path: str | os.PathLike) -> Path:
    """Write bytes (an encoded PNG, UTF-8 text ...) atomically."""
    return atomic_write(path, lambda fh: fh.write(data))


def rows_frame(rows: Iterable[dict], columns: list[str] = PHOTO_COLUMNS) -> pd.DataFrame:
    """Rows (dicts) -> DataFrame with exactly ``columns`` in order (extra keys are kept after them)."""
    import pandas as pd

    df = pd.DataFrame(list(rows))
    extra = [c for c in df.columns if c not in columns]
    return df.reindex(columns=list(columns) + extra)


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table as UTF-8 CSV (floats with 6 significant digits), atomically."""
    text = df.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def write_json(obj, path: str | os.PathLike) -> Path:
    """Write JSON atomically."""
    text = json.dumps(json_finite(obj), indent=1, allow_nan=False, default=json_default)
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def json_finite(o):
    """NaN/inf -> None, recursively through dicts, lists and tuples (JSON has no NaN)."""
    if isinstance(o, float) or isinstance(o, np.floating):
        return float(o) if np.isfinite(o) else None
    if isinstance(o, dict):
        return {k: json_finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [json_finite(v) for v in o]
    return o


def json_default(o):
    """``json.dumps(default=...)`` for NumPy scalars and arrays (-> Python numbers and lists)."""
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A ZIP archive (deflated) of ``{name: bytes}``, the same bytes for the same files.

    Every entry carries one fixed time (1980-01-01, the format's earliest) instead of the
    moment it was written, so the archive of an unchanged study is byte-identical from one
    run to the next (the app's download does not change under the user between reruns).
    """
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16  # like every other output: readable by the user only
            z.writestr(info, data)
    return buf.getvalue()


def write_png(rgb: np.ndarray, path: str | os.PathLike) -> Path:
    """Write an RGB uint8 image as PNG atomically."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:  # pragma: no cover - cv2 encodes any uint8 RGB image
        raise OSError(f"could not encode {path}")
    return atomic_write(path, lambda fh: fh.write(buf.tobytes()))
