"""Writing results: CSV tables, JSON geometry and PNG images, atomically.

Every writer goes through a temporary file in the target folder and
``os.replace``, so a run killed half-way never leaves a truncated file.  The output writers
(:func:`write_csv`, :func:`write_rows_csv`, :func:`write_json`, :func:`write_png`, :func:`write_bytes`)
enter each file in its folder's ledger (:mod:`facemetrics.ledger`): a later run replaces it only while
it still has the bytes written (:mod:`facemetrics.outputs`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import cv2
import numpy as np

from ._version import __version__
from .errors import SettingError, utf8_legible
from .ledger import replace_recorded
from .schema import PHOTO_COLUMNS

if TYPE_CHECKING:  # pandas is imported where a table is built: batch workers only write JSON
    import pandas as pd


def check_output_folder(path: str | os.PathLike, setting: str = "out_dir") -> Path:
    """``path`` as a :class:`~pathlib.Path`, checked to be usable as an output folder: it and each of
    its parents is a folder or does not exist yet (nothing is created).

    Called by the library functions that write into an output folder (``run_batch``,
    ``run_timeline``, ``run_validation``, ``study``, ``run_regimen_batch``) before any work, so a
    file given as the folder is said at once instead of a ``FileExistsError`` or
    ``NotADirectoryError`` at the first write, after minutes of measuring.

    Raises
    ------
    SettingError
        ``path`` or one of its parents is a file (or another non-folder), naming it and ``setting``.
    """
    out = Path(path)
    for p in (out, *out.parents):
        if p.is_symlink() and not p.exists():
            where = "it is" if p == out else f"{p} is"
            raise SettingError(f"{setting} {out} cannot be an output folder: {where} a broken link")
        if p.exists() and not p.is_dir():
            where = "it is" if p == out else f"{p} is"
            raise SettingError(f"{setting} {out} cannot be an output folder: {where} a file, not a folder")
    return out


class _Hashing:
    """A binary file's ``write`` that also counts the bytes and hashes them (SHA-256)."""

    def __init__(self, fh):
        self.fh, self.size, self.sha256 = fh, 0, hashlib.sha256()

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.fh.write(data)


def utf8(text: str) -> bytes:
    """``text`` as UTF-8 bytes, the bytes of a file name that is not UTF-8 written as ``\\xNN``
    (:func:`facemetrics.errors.utf8_legible`: the text's own newlines and tabs kept)."""
    return utf8_legible(text).encode("utf-8")


def atomic_write(path: str | os.PathLike, write, *, record: bool = False) -> Path:
    """Create or replace ``path`` atomically: ``write(fh)`` fills a temporary file
    (binary, in the same folder) that then replaces ``path``; on any failure the
    temporary file is removed and ``path`` is left as it was.  A ``path`` that is a device, pipe or
    socket (``/dev/null``, ``/dev/stdout``) is written into directly; a symbolic link to a file
    has its file replaced, the link kept.  Returns ``path``.

    ``record`` (an output file of a command): the file is entered, with its size and SHA-256, in its
    folder's ledger (:mod:`facemetrics.ledger`), so a later run replaces it only while it still has these
    bytes; ``fh`` then offers ``write`` only.  False: the batch's cache, the store's files."""
    path = Path(path)
    if path.is_symlink() and Path(os.path.realpath(path)).is_file():
        path = Path(os.path.realpath(path))  # a link to a file: the file is replaced, not the link
    if path.exists() and not path.is_file() and not path.is_dir():
        # a device, pipe or socket (``-o /dev/null``, ``-o /dev/stdout``): written into, never replaced
        # (replacing /dev/null with a regular file, as root, would break the whole machine)
        with open(path, "wb") as fh:
            write(fh)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            out = _Hashing(fh) if record else fh
            write(out)
        if record:
            replace_recorded(tmp, path, out.size, out.sha256.hexdigest())
        else:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path



def write_bytes(data: bytes, path: str | os.PathLike, *, record: bool = True) -> Path:
    """Write bytes (an encoded PNG, UTF-8 text ...) atomically; ``record``: entered in the folder's ledger
    as an output (:func:`atomic_write`; False for the batch's cache)."""
    return atomic_write(path, lambda fh: fh.write(data), record=record)


def rows_frame(rows: Iterable[dict], columns: list[str] = PHOTO_COLUMNS) -> pd.DataFrame:
    """Rows (dicts) -> DataFrame with exactly ``columns`` in order (extra keys are kept after them)."""
    import pandas as pd

    df = pd.DataFrame(list(rows))
    extra = [c for c in df.columns if c not in columns]
    return df.reindex(columns=list(columns) + extra)


#: a text cell starting with one of these is a formula to a spreadsheet (Excel, LibreOffice, Sheets):
#: a photo named ``=HYPERLINK(...).jpg`` would run when photos.csv is opened (OWASP "CSV injection")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(v):
    """A text cell that a spreadsheet would read as a formula, prefixed with ``'`` (shown as text;
    the OWASP advice); numbers and every other text unchanged."""
    return "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v


#: the UTF-8 byte-order mark every CSV output starts with: without it Excel (a double-click, on Windows and
#: macOS) reads the file in the system's legacy code page, so the ``±`` and ``→`` of ``messages`` and
#: ``reason`` read ``Â±`` and ``â†’`` (and a U+2212 minus, written until stop 59, ``âˆ’``) and an accented or
#: CJK photo name is garbled (h8, 2026-12-05).
#: pandas, LibreOffice, Google Sheets and ``open(..., encoding="utf-8-sig")`` skip it (docs/metrics.md).
CSV_BOM = b"\xef\xbb\xbf"


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV bytes with a byte-order mark (:data:`CSV_BOM`; floats with 6 significant digits;
    text that a spreadsheet would run as a formula prefixed with ``'``, :func:`spreadsheet_safe`): what
    :func:`write_csv` writes, for downloads (the app)."""
    import pandas as pd

    types = pd.api.types
    text_cols = [c for c in df.columns if not (types.is_numeric_dtype(df[c]) or types.is_bool_dtype(df[c]))]
    if text_cols:
        df = df.copy()
        for c in text_cols:
            df[c] = df[c].map(spreadsheet_safe)
    return CSV_BOM + utf8(df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n"))


def _bom_for(path: str | os.PathLike) -> bool:
    """Whether a CSV written to ``path`` starts with :data:`CSV_BOM`: a file, yes; a device, pipe or socket
    that :func:`atomic_write` writes into (``-o /dev/stdout`` read by another program), no."""
    p = Path(path)
    return not (p.exists() and not p.is_file() and not p.is_dir())


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table as UTF-8 CSV with a byte-order mark (floats with 6 significant digits), atomically;
    into a device or pipe (``-o /dev/stdout``) without the mark (:func:`_bom_for`)."""
    data = csv_bytes(df)
    if not _bom_for(path):
        data = data[len(CSV_BOM):]
    return atomic_write(path, lambda fh: fh.write(data), record=True)


#: how every CSV writes a float column's values (6 significant digits)
FLOAT_FORMAT = "%.6g"


def is_missing(v) -> bool:
    return v is None or (isinstance(v, (float, np.floating)) and v != v)


def _column_format(values: list):
    """The function that writes one column's values as pandas' ``DataFrame(rows).to_csv``
    would, from the column's inferred type: all ``int`` (no missing) -> ``str``; numbers
    (``int``/``float``, missing allowed) -> :data:`FLOAT_FORMAT`; anything else (strings,
    bools, mixed) -> ``str``; a missing value (``None``, NaN) -> empty."""
    present = [v for v in values if not is_missing(v)]
    ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in present)
    numbers = all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                  for v in present)
    if present and numbers and not (ints and len(present) == len(values)):
        return lambda v: "" if is_missing(v) else FLOAT_FORMAT % v
    return lambda v: "" if is_missing(v) else str(spreadsheet_safe(v))


def csv_text(rows: Iterable[dict], columns: list[str] = PHOTO_COLUMNS) -> str:
    """Rows (dicts) as CSV text without pandas: the same text as
    ``write_csv(rows_frame(rows, columns), ...)`` writes (checked in ``tests/test_export.py``
    on every kind of column a table holds), for the command line, which then never
    imports pandas (0.3 s of CPU at each run).

    Columns are ``columns`` in order, then any other key in order of first appearance;
    a column's values are written as :func:`_column_format` says (text that a spreadsheet
    would run as a formula prefixed with ``'``, :func:`spreadsheet_safe`); quoting is the
    ``csv`` module's minimal quoting, as pandas uses.
    """
    import csv
    import io

    rows = list(rows)
    seen = dict.fromkeys(columns)
    for r in rows:
        seen.update(dict.fromkeys(k for k in r if k not in seen))
    names = list(seen)
    cells = []
    for name in names:
        values = [r.get(name) for r in rows]
        fmt = _column_format(values)
        cells.append([fmt(v) for v in values])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(names)
    w.writerows(zip(*cells))
    return buf.getvalue()


def write_rows_csv(rows: Iterable[dict], columns: list[str], path: str | os.PathLike, *, record: bool = True) -> Path:
    """Write rows (dicts) as UTF-8 CSV atomically, as :func:`csv_text` makes it (no pandas); ``record``:
    entered in the folder's ledger as an output (:func:`atomic_write`; False for a cache's file). An output
    starts with the byte-order mark (:data:`CSV_BOM`, the bytes :func:`write_csv` writes for the same table);
    a cache's file, and a device or pipe (``-o /dev/stdout``), have none (:func:`_bom_for`)."""
    data = (CSV_BOM if record and _bom_for(path) else b"") + utf8(csv_text(rows, columns))
    return atomic_write(path, lambda fh: fh.write(data), record=record)


def write_json(obj, path: str | os.PathLike) -> Path:
    """Write JSON atomically."""
    data = utf8(json.dumps(json_finite(obj), indent=1, allow_nan=False, default=json_default))
    return atomic_write(path, lambda fh: fh.write(data), record=True)


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


#: the PNG text chunk that marks a PNG facemetrics wrote (:func:`write_png`): keyword ``Software``, text
#: ``facemetrics <version>``; right after the header chunk, so within the first bytes of the file, where
#: :func:`facemetrics.outputs.not_written_by_facemetrics` looks for :data:`PNG_MARK`
PNG_SOFTWARE = f"facemetrics {__version__}"
#: the bytes of that chunk's type, keyword and the start of its text, whatever the version
PNG_MARK = b"tEXtSoftware\x00facemetrics "


def mark_png(data: bytes, text: str = PNG_SOFTWARE) -> bytes:
    """``data`` (a PNG file's bytes) with a ``tEXt`` chunk ``Software`` = ``text`` after its ``IHDR`` chunk
    (PNG specification, 11.3.4.3; Latin-1 text); the image data are unchanged.

    Raises
    ------
    ValueError
        ``data`` does not begin with a PNG signature and an ``IHDR`` chunk.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    end = 8 + 12 + int.from_bytes(data[8:12], "big")  # signature, then IHDR's length, type, data and CRC
    body = b"tEXt" + b"Software\x00" + text.encode("latin-1")
    chunk = (len(body) - 4).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    return data[:end] + chunk + data[end:]


def quiet_missing_glyphs() -> None:
    """Hide Matplotlib's "Glyph 26085 (...) missing from font(s) DejaVu Sans" warnings.

    A photo or subject named in a script the font lacks (``日本.jpg``) is drawn with empty boxes for
    those letters; the warning said so on the console once per letter, with a source path
    (``plots.py:512: UserWarning``), beside every ``compare`` of such a photo (a new user's audit,
    2026-12-04). The names are written in full in the CSVs. Idempotent: the filter is added once."""
    import warnings

    warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)


def figure_png(fig, dpi: int = 110) -> bytes:
    """A Matplotlib figure as PNG bytes, marked as facemetrics' (its ``Software`` text chunk is
    :data:`PNG_SOFTWARE`, in place of Matplotlib's own): every figure facemetrics writes or offers for
    download (``timeline.png``, ``regimen.png``, ``validation.png``, the app's plots)."""
    import io

    buf = io.BytesIO()
    quiet_missing_glyphs()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": PNG_SOFTWARE})
    data = buf.getvalue()
    return data if PNG_MARK in data[:4096] else mark_png(data)


def write_png(rgb: np.ndarray, path: str | os.PathLike) -> Path:
    """Write an RGB uint8 image as PNG atomically, marked as facemetrics' (:func:`mark_png`: a later run
    removes or replaces only a PNG of an output's name that carries it)."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:  # pragma: no cover - cv2 encodes any uint8 RGB image
        raise OSError(f"could not encode {path}")
    data = mark_png(buf.tobytes())
    return atomic_write(path, lambda fh: fh.write(data), record=True)
