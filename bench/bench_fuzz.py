"""Decode fuzzing: how many damaged photo files each loader reads as a good photo.

Runs :func:`facemetrics.load_photo` (and, with ``--old REV``, the loader of
git revision REV for comparison) on the fuzz set of ``tests/fuzzing.py``
and prints, per format and per kind of damage: files refused (PhotoError),
files read with pixels identical/near the clean decode, files read with
*visibly* different pixels (the silent failures), and any other exception.

    python bench/bench_fuzz.py --n-per 20 [--old HEAD]

``--unchecked-formats`` instead damages the formats without integrity checks (docs/robustness.md,
"Formats without integrity checks"): the sample at 320 x 400 px saved by Pillow as BMP, uncompressed
TIFF, LZW TIFF, GIF, CMYK JPEG (quality 90) and JPEG with a restart marker every 4 MCU, each damaged
``--n-per`` times per kind (one ``default_rng(seed)`` in that order), read with ``load_photo``, compared
with the clean decode, and the visibly wrong ones measured with ``analyze_photo``:

    python bench/bench_fuzz.py --unchecked-formats --n-per 30       # ~1 min on 2 cores
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import fuzz_set, visibly_different  # noqa: E402

from facemetrics.errors import PhotoError  # noqa: E402


def _module_at(rev: str, rel: str, name: str):
    """The module ``rel`` (a path in the repository) of git revision `rev`, imported as `name`; None when
    that revision has no such file."""
    out = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{rel}"], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    path = Path(tempfile.mkdtemp()) / f"{name}.py"
    path.write_text(out.stdout)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # (dataclasses look their module up)
    spec.loader.exec_module(mod)
    return mod


def _loader_at(rev: str):
    """REV's ``load_photo``, with REV's ``facemetrics/integrity.py`` too (the loader binds its names at
    import; without this the old loader would run the working tree's pixel checks).  A revision from after
    that file became the package ``facemetrics/integrity/`` runs with the working tree's checks, and says so."""
    import facemetrics.integrity as current

    old_integrity = _module_at(rev, "facemetrics/integrity.py", "old_integrity")
    if old_integrity is None:
        print(f"note: {rev} has no facemetrics/integrity.py (the package came later): its loader runs with the "
              "working tree's pixel checks, so only the loader's own changes are compared")
    try:
        if old_integrity is not None:
            sys.modules["facemetrics.integrity"] = old_integrity
        mod = _module_at(rev, "facemetrics/loader.py", "old_loader")
    finally:
        sys.modules["facemetrics.integrity"] = current
    return mod.load_photo


def run(load, files, cases):
    refs = {k: load(d, name=k).rgb for k, d in files.items()}
    tally = Counter()
    worst = {}
    for kind, how, j, data in cases:
        try:
            rgb = load(data, name=f"{kind}-{how}-{j}").rgb
        except PhotoError:
            tally[kind, how, "refused"] += 1
            continue
        except Exception as exc:  # noqa: BLE001
            tally[kind, how, f"EXCEPTION {type(exc).__name__}"] += 1
            continue
        vis, frac = visibly_different(rgb, refs[kind])
        tally[kind, how, "ok_VISIBLY_WRONG" if vis else "ok_same"] += 1
        if vis:
            worst[kind, how] = max(worst.get((kind, how), 0.0), frac)
    return tally, worst


def unchecked_files(size: tuple[int, int] = (320, 400)) -> dict[str, bytes]:
    """``{format: bytes}`` of the sample reduced to ``size`` (w, h) in the formats without integrity checks."""
    import io

    from PIL import Image

    from fuzzing import SAMPLE

    img = Image.open(SAMPLE).convert("RGB").resize(size, Image.LANCZOS)
    out = {}
    for kind, im, fmt, kw in (("bmp", img, "BMP", {}), ("tiff", img, "TIFF", {}),
                              ("tiff_lzw", img, "TIFF", dict(compression="tiff_lzw")), ("gif", img, "GIF", {}),
                              ("jpeg_cmyk", img.convert("CMYK"), "JPEG", dict(quality=90)),
                              ("jpeg_restart", img, "JPEG", dict(quality=90, restart_marker_blocks=4))):
        buf = io.BytesIO()
        im.save(buf, fmt, **kw)
        out[kind] = buf.getvalue()
    return out


def outcome_table(rows: list[tuple[str, str, str, str]]) -> dict[str, dict]:
    """Per format: counts of ``refused``, ``same`` (read, not visibly different), ``wrong`` (read, visibly
    wrong) and ``wrong_ok`` (of these measured ``ok``), and ``ok_by_kind`` (a Counter of the damage kinds
    of ``wrong_ok``).

    Parameters
    ----------
    rows : list of (format, damage kind, outcome, status)
        ``outcome`` one of ``refused``, ``same``, ``wrong``; ``status`` the ``analyze_photo`` status of a
        ``wrong`` one ("" otherwise).
    """
    out = {}
    for fmt, how, outcome, status in rows:
        t = out.setdefault(fmt, dict(refused=0, same=0, wrong=0, wrong_ok=0, ok_by_kind=Counter()))
        t[outcome] += 1
        if outcome == "wrong" and status == "ok":
            t["wrong_ok"] += 1
            t["ok_by_kind"][how] += 1
    return out


def unchecked(n_per: int, seed: int) -> None:
    import numpy as np

    from facemetrics import analyze_photo
    from facemetrics.loader import load_photo
    from fuzzing import MUTATIONS, mutate

    t0 = time.perf_counter()
    files = unchecked_files()
    rng = np.random.default_rng(seed)
    rows = []
    for kind, data in files.items():
        ref = load_photo(data, name=kind).rgb
        for how in MUTATIONS:
            for j in range(n_per):
                bad = mutate(data, how, rng)
                try:
                    rgb = load_photo(bad, name=f"{kind}-{how}-{j}").rgb
                except PhotoError:
                    rows.append((kind, how, "refused", ""))
                    continue
                if not visibly_different(rgb, ref)[0]:
                    rows.append((kind, how, "same", ""))
                    continue
                rows.append((kind, how, "wrong", analyze_photo(bad, name=f"{kind}-{how}-{j}").status))
    print(f"| format ({n_per * len(MUTATIONS)} damaged copies each, seed {seed}) | refused | read, not visibly "
          "different | read, visibly wrong | of these measured `ok` (by kind) |")
    print("|---|---|---|---|---|")
    for fmt, t in outcome_table(rows).items():
        kinds = ", ".join(f"`{k}` {n}" for k, n in t["ok_by_kind"].most_common())
        print(f"| {fmt} | {t['refused']} | {t['same']} | {t['wrong']} | **{t['wrong_ok']}** ({kinds}) |")
    print(f"({time.perf_counter() - t0:.0f} s)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-per", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--old", metavar="REV", help="also run the loader of this git revision")
    ap.add_argument("--unchecked-formats", action="store_true",
                    help="damage BMP, TIFF, GIF, CMYK and restart-marker JPEG copies instead (see above)")
    args = ap.parse_args()
    if args.unchecked_formats:
        unchecked(args.n_per, args.seed)
        return
    files, cases = fuzz_set(args.n_per, args.seed)
    loaders = [("current", __import__("facemetrics.loader", fromlist=["load_photo"]).load_photo)]
    if args.old:
        loaders.insert(0, (args.old, _loader_at(args.old)))
    print(f"{len(cases)} mutated files ({args.n_per} per format x damage, seed {args.seed})")
    for label, load in loaders:
        t0 = time.perf_counter()
        tally, worst = run(load, files, cases)
        dt = time.perf_counter() - t0
        wrong = sum(v for (k, h, o), v in tally.items() if o == "ok_VISIBLY_WRONG")
        exc = sum(v for (k, h, o), v in tally.items() if o.startswith("EXCEPTION"))
        print(f"\n== loader {label}: {wrong} visibly wrong decodes reported ok, {exc} other exceptions, "
              f"{dt:.1f} s")
        kinds = sorted({k for k, _, _ in tally})
        hows = sorted({h for _, h, _ in tally})
        print(f"{'format':18s} {'damage':9s} {'refused':>8s} {'ok_same':>8s} {'ok_WRONG':>8s} {'exc':>4s}")
        for k in kinds:
            for h in hows:
                r = tally[k, h, "refused"]
                s = tally[k, h, "ok_same"]
                w = tally[k, h, "ok_VISIBLY_WRONG"]
                e = sum(v for (kk, hh, o), v in tally.items() if kk == k and hh == h and o.startswith("EXC"))
                print(f"{k:18s} {h:9s} {r:8d} {s:8d} {w:8d} {e:4d}"
                      + (f"   worst {worst[k, h]:.1%} of pixels off" if (k, h) in worst else ""))


if __name__ == "__main__":
    main()
