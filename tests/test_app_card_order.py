"""The photo cards of five or more photos (``app.photo_cards``) read in the photos' order on a phone too: they were
laid out in four columns, photo k in column k % 4, and a phone stacks columns, so six photos read 1, 5, 2, 6, 3, 4
(a newcomer's walk, stop 65).  Files that are no photos: nothing is measured."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")


def test_six_photo_cards_read_in_their_order_when_the_columns_stack():
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    def script(app_path):
        import importlib.util
        import sys

        import facemetrics as fm

        spec = importlib.util.spec_from_file_location("facemetrics_app_cards", app_path)
        app = importlib.util.module_from_spec(spec)
        sys.modules["facemetrics_app_cards"] = app  # dataclasses look their module up
        spec.loader.exec_module(app)
        app.photo_cards([fm.analyze_photo(b"not a photo", name=f"p{i}.jpg") for i in range(6)])

    at = AppTest.from_function(script, args=(str(ROOT / "app.py"),), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the elements in the page's order, as a phone stacks them (each column's elements, column after column)
    names = [str(m.value).replace("\\", "").strip("*") for m in at.markdown if str(m.value).startswith("**p")]
    assert names == [f"p{i}.jpg" for i in range(6)], names
