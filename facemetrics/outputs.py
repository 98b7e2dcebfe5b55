"""Which files a command may replace or remove: the one rule of every writer of an output folder.

A command of facemetrics (``analyze``, ``compare``, ``batch``, ``timeline``, ``demo``, ``validate``,
``study report``, the regimen batch) replaces or removes a file of one of its output names only when
facemetrics wrote that file; any other file there (the user's own ``overlay.png``, ``comparison.csv``,
``report.md``; a link; a folder) stops the command before any work, with a message naming the file
and the ways out (move or rename it, another output folder, or ``--force``).  A path that resolves to a
character device or a pipe (``-o /dev/stdout | cat``, ``/dev/null``: :func:`is_stream`) is written into,
never replaced or removed: it passes, a link to one too; a link to a regular file or a folder does not.  Re-running a command
on its own output folder replaces its own files, as before.

How a file shows that facemetrics wrote it (its beginning is read, :data:`HEAD_BYTES`):

- a CSV: its header row (the first line) has a column named ``facemetrics_version``, as every CSV
  facemetrics writes has (the column of the schema, :mod:`facemetrics.schema`); a text that merely
  holds the words further down does not count;
- a JSON file: the key ``"facemetrics_version"`` (``analyze --geometry``, ``validation.json``);
- a PNG: the ``tEXt`` chunk ``Software`` = ``facemetrics <version>`` that every PNG facemetrics writes
  carries (:func:`facemetrics.export.mark_png`, :func:`facemetrics.export.figure_png`);
- ``report.md``: its first heading, ``# Treatment time course``.

A file carrying its mark is facemetrics' only while it still has the bytes facemetrics wrote: every
output file is entered, with its size and SHA-256, in its folder's ledger ``.facemetrics-outputs``
(:mod:`facemetrics.ledger`, :data:`LEDGER_NAME`); a CSV the user opened in a spreadsheet and saved (a
column or notes added, or only its line endings or quoting changed by the re-save) keeps its header but
not its bytes, and is named like a file facemetrics did not write ("changed since facemetrics wrote it").
A marked file without an entry (written by 0.2.15 or earlier, or its folder copied without the ledger)
is judged by its mark alone, as before.  The check is made at the start of a command, before any work;
a file edited while the command runs (after that check) is replaced by its write.

A PNG of facemetrics 0.2.14 or earlier without that chunk (the timeline's, regimen's and validation's
plots carried only Matplotlib's own ``Software`` chunk, compare's none before 0.2.14) is not taken for
facemetrics': a user's own Matplotlib figure looks the same.  The command names it; ``--force`` replaces
it once, and the new file carries the mark (docs/architecture.md 'Output files').
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterable

from .errors import SettingError, legible
from .export import PNG_MARK
from .ledger import LEDGER_NAME, changed_since_written, forget

__all__ = ["HEAD_BYTES", "LEDGER_NAME", "OverwriteRefused", "foreign_outputs", "is_stream",
           "not_written_by_facemetrics", "refuse_foreign_outputs", "remove_earlier"]

#: how much of a file's beginning is read for its mark (bytes): a CSV header of a few hundred columns,
#: a PNG's first chunks, a JSON file's first keys
HEAD_BYTES = 65536

#: the column every CSV facemetrics writes has (the schema's ``facemetrics_version``)
_VERSION_COLUMN = "facemetrics_version"


class OverwriteRefused(SettingError):
    """An output folder holds a file of an output's name that facemetrics did not write."""


def _has_mark(suffix: str, head: bytes) -> bool:
    """Whether ``head`` (a file's first :data:`HEAD_BYTES`) carries facemetrics' mark for a file of
    ``suffix`` (``.csv``, ``.json``, ``.png``, ``.md``; any other suffix has none)."""
    if suffix == ".csv":
        import csv

        line = head.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", errors="replace").lstrip("\ufeff")
        try:
            header = next(csv.reader([line]), [])
        except csv.Error:
            return False
        return _VERSION_COLUMN in header
    if suffix == ".json":
        return f'"{_VERSION_COLUMN}": "'.encode() in head
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n") and PNG_MARK in head
    if suffix == ".md":
        return head.startswith(b"# Treatment time course")
    return False


def is_stream(path) -> bool:
    """Whether ``path`` resolves (through any links, ``/dev/stdout`` -> ``/proc/self/fd/1`` -> a pipe) to a
    character device (a terminal, ``/dev/null``) or a FIFO (a pipe): a stream written into, not a file a
    command would replace.  ``os.stat`` follows the links as ``open`` does: the real path of
    ``/dev/stdout`` into a pipe (``/proc/<pid>/fd/pipe:[...]``) names no file, so it is not asked.
    False for a regular file, a folder, a link to either, a dangling link or nothing at ``path``."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def not_written_by_facemetrics(path) -> str | None:
    """Whether the file ``path`` may be replaced or removed as facemetrics' own.

    Parameters
    ----------
    path : path-like
        The file; its suffix (``.csv``, ``.json``, ``.png``, ``.md``) picks its mark (module docstring).

    Returns
    -------
    str or None
        None when there is nothing at ``path`` to replace: no file, or a character device or pipe
        (:func:`is_stream`: ``-o /dev/stdout``, ``/dev/null``, even through a link); ``""`` when it is a regular file carrying its mark that
        still has the bytes facemetrics wrote (or has no entry in its folder's ledger: a file of 0.2.15 or
        earlier, module docstring); else why not, for a message: ``"a symbolic link, not written by
        facemetrics"``, ``"a folder, not written by facemetrics"``, ``"not a regular file, not written
        by facemetrics"``, ``"not written by facemetrics"``, ``"changed since facemetrics wrote it: ..."``
        (:func:`facemetrics.ledger.changed_since_written`), or the system's reason it could not be read.
    """
    path = Path(path)
    if is_stream(path):  # a terminal, /dev/null, a pipe (-o /dev/stdout | cat): written into, no file replaced
        return None
    if path.is_symlink():  # facemetrics writes files, never links
        return "a symbolic link, not written by facemetrics"
    if not path.exists():
        return None
    if not path.is_file():
        return ("a folder, not written by facemetrics" if path.is_dir()
                else "not a regular file, not written by facemetrics")
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        return exc.strerror or str(exc)
    if not _has_mark(path.suffix.lower(), head):
        return "not written by facemetrics"
    return changed_since_written(path)  # marked: still the bytes facemetrics wrote? (its folder's ledger)


def foreign_outputs(out_dir, names: Iterable[str]) -> list[tuple[Path, str]]:
    """The files of ``names`` in ``out_dir`` that facemetrics did not write: ``[(path, why), ...]``
    (:func:`not_written_by_facemetrics`); a missing file is not among them."""
    return [(Path(out_dir) / n, why) for n in names if (why := not_written_by_facemetrics(Path(out_dir) / n))]


def refuse_foreign_outputs(out_dir, names: Iterable[str], *, force: bool = False, command: str = "",
                           elsewhere: str = "another output folder (-o)") -> None:
    """Stop before any work when ``out_dir`` holds a file of one of ``names`` that facemetrics did not
    write: the one rule of every command's outputs (module docstring).

    Parameters
    ----------
    out_dir : path-like
        The output folder (it need not exist).
    names : iterable of str
        The names the command writes or removes there (sub-paths allowed: ``study/manifest.csv``).
    force : bool
        True (``--force``): a regular file or link of such a name is replaced all the same; a folder
        never is (it is named as when ``force`` is False).
    command : str
        The command's name for the message (``"compare"``); "" says "facemetrics".
    elsewhere : str
        The way out by the option that names the place: "give <elsewhere>" (``analyze``'s table is a file named
        by ``-o``, its overlays a folder named by ``--overlays``: "another output folder (-o)" was wrong for both).

    Raises
    ------
    OverwriteRefused
        Naming each such file and why, and the ways out.
    """
    names = list(names)
    foreign = foreign_outputs(out_dir, names)
    if force:
        foreign = [(f, why) for f, why in foreign if f.is_dir() and not f.is_symlink()]
    if not foreign:
        return
    one = len(foreign) == 1
    said = "; ".join(f"{f} ({why})" for f, why in foreign)
    who = f"facemetrics {command}" if command else "facemetrics"
    way = ("move or rename it, or give another output folder" if any(f.is_dir() and not f.is_symlink()
                                                                     for f, _ in foreign)
           else f"move or rename {'it' if one else 'them'}, give {elsewhere}, or add --force to "
                f"replace {'it' if one else 'them'}")
    what = ", ".join(names) if len(names) <= 8 else f"{len(names)} files of fixed names"
    # a name that is not UTF-8 (a Latin-1 photo's overlay) is shown escaped, as everywhere (errors.legible)
    raise OverwriteRefused(legible(f"will not overwrite {said}: {who} writes {what} into {out_dir}; {way}"))


def remove_earlier(out_dir, names, *, keep=(), marked_only: bool = True) -> tuple[list[str], list[str]]:
    """Remove the files ``names`` an earlier run left in ``out_dir`` that this run does not rewrite:
    ``(removed, not_removed)``, the second's names each with why.  The one remover of earlier outputs:
    ``batch``, ``timeline``, the regimen study and ``compare``.

    A batch run rewrote its three CSVs but left the earlier ``timeline.csv``, ``timeline.png`` and
    ``report.md`` beside them, which still held a subject deleted from the study (an audit,
    2026-12-04); ``compare`` stopped on an unreadable photo left an older ``comparison.csv``, which
    read as this pair's result (an audit, 2026-12-03).

    Parameters
    ----------
    out_dir : path-like
        The output folder.
    names : iterable of str
        File names in it.
    keep : iterable of path-like
        Files never removed, compared by their real path (``compare``'s input photos, which may lie in
        the output folder under such a name).
    marked_only : bool
        True (every command): only a regular file that carries facemetrics' mark
        (:func:`not_written_by_facemetrics`) is removed; a file of the same name that it did not make
        (the user's own ``report.md``, a link, a folder) is left, and named.  False: any regular file or
        symbolic link of such a name is removed (a folder is left, and named).

    Returns
    -------
    (removed, not_removed) : tuple of list of str
        The names removed, and those left each as ``"name (why)"``.  A missing file, or one of
        ``keep``, is in neither list.
    """
    kept = {os.path.realpath(p) for p in keep}
    removed, not_removed = [], []
    for name in names:
        f = Path(out_dir) / name
        why = not_written_by_facemetrics(f)
        if why is None or (kept and os.path.realpath(f) in kept):  # nothing there, or an input
            continue
        if why and not (not marked_only and (f.is_symlink() or f.is_file())):
            not_removed.append(f"{name} ({why})")
            continue
        try:
            f.unlink()
            forget(f)
            removed.append(name)
        except OSError as exc:
            not_removed.append(f"{name} ({exc.strerror or exc})")
    return removed, not_removed
