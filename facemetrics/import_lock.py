"""One lock for importing matplotlib in a process with several threads.

matplotlib is imported lazily in two places: :func:`facemetrics.plots.import_matplotlib`, before any figure is
drawn, and MediaPipe's own import (:func:`facemetrics.landmarks._pyplot_on_first_use`), which puts stand-ins for
``matplotlib`` and ``matplotlib.pyplot`` in ``sys.modules`` while it runs.  In the app, MediaPipe is imported in
the script's thread (the bundled example's timeline measures photos in process) while the warm-up thread or a
download made on click may import matplotlib for its figures: a thread that imports matplotlib inside that window
gets the stand-in, or Python breaks an import deadlock by handing it a half-run module, and the app's study ZIP
failed with "module 'matplotlib' has no attribute 'get_data_path'", then at every later click of that server
(stop 65, a browser test beside another test run).  Both places hold :data:`MATPLOTLIB`, so no thread imports
matplotlib while another does or while the stand-ins are in place.
"""

from __future__ import annotations

import threading

#: held while matplotlib is imported or stood in for (re-entrant: MediaPipe's import may be nested in a caller's)
MATPLOTLIB = threading.RLock()
