"""Memory the app holds for uploaded photos, during and after a session (issue 9, items 5 and 12).

Runs ``app.py`` in-process with :class:`streamlit.testing.v1.AppTest` (no browser),
uploads four large photos (the bundled sample upscaled to 8000 x 6000 px JPEG, 48 MP:
each decoded at 1/2 = 12 MP), and prints the process's resident memory (``VmRSS``)
before, while the session holds them, after the uploads are removed, and after the
session object is dropped, with the number of live ``Photo``/``PhotoAnalysis`` objects,
and finally after ``malloc_trim(0)`` (glibc keeps freed heap pages otherwise).

    python bench/bench_app_memory.py
"""

from __future__ import annotations

import gc
import io
import re
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024


def live() -> int:
    """Live Photo / PhotoAnalysis objects in this process."""
    return sum(type(o).__name__ in ("Photo", "PhotoAnalysis") for o in gc.get_objects())


def main() -> None:
    from streamlit.testing.v1 import AppTest

    base = Image.open(ROOT / "sample_images" / "astronaut_before.jpg").convert("RGB")
    uploads = []
    for k in range(4):
        buf = io.BytesIO()
        base.rotate(k * 0.5).resize((6000, 8000)).save(buf, "JPEG", quality=85)
        uploads.append((f"image{k}.jpg", buf.getvalue(), "image/jpeg"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    gc.collect()
    print(f"app started, no upload:            {rss_mb():6.0f} MB  ({live()} photo objects)")
    at.file_uploader[0].set_value(uploads)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    gc.collect()
    memo = at.session_state["_facemetrics_memo"]
    print(f"4 x 48 MP uploads analysed:        {rss_mb():6.0f} MB  ({len(memo)} entries in the session's memo, "
          f"{live()} photo objects)")
    at.file_uploader[0].set_value([])
    at.run()
    gc.collect()
    print(f"uploads removed:                   {rss_mb():6.0f} MB  ({len(at.session_state['_facemetrics_memo'])} "
          f"entries, {live()} photo objects)")
    del at, memo
    gc.collect()
    print(f"session dropped:                   {rss_mb():6.0f} MB  ({live()} photo objects)")
    import ctypes

    ctypes.CDLL("libc.so.6").malloc_trim(0)
    print(f"after malloc_trim(0):              {rss_mb():6.0f} MB")


if __name__ == "__main__":
    main()
