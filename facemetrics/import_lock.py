"""One lock for importing matplotlib in a process with several threads.

matplotlib is imported lazily in two places: :func:`facemetrics.plots.import_matplotlib`, before any figure is
drawn, and MediaPipe's own import (:func:`facemetrics.landmarks._pyplot_on_first_use`), which puts stand-ins for
``matplotlib`` and ``matplotlib.pyplot`` in ``sys.modules`` while it runs.  In the app, MediaPipe is imported only
for the bundled example's timeline (measured in process), in a short-lived thread the script's thread waits for
(``landmarks._build_in_own_thread``), while the warm-up thread or a download made on click may import matplotlib
for its figures.  The app's study ZIP once failed with "module 'matplotlib' has no attribute 'get_data_path'",
then at every later click of that server (stop 65, a browser test beside another test run): two threads' first
imports of matplotlib at once can hand one a half-run module (Python imports a submodule without waiting for its
package's import in another thread).  Both places hold :data:`MATPLOTLIB`, so no thread imports matplotlib while
another does or while the stand-ins are in place.  Not reproduced (review r4, stop 65): 0 failures in about 120
runs of such threads at 779906d^ (bench/import_race.py), and the stand-ins' window alone did no harm there (Face
Mesh's import touches no matplotlib module, and a stand-in's attributes import the real module): the MediaPipe side
is a precaution.
"""

from __future__ import annotations

import threading

#: held while matplotlib is imported or stood in for (re-entrant: MediaPipe's import may be nested in a caller's)
MATPLOTLIB = threading.RLock()
