"""Python's reference cycles are collected on the GUI thread only, once a Qt application runs.

Python collects cycles on whichever thread allocates past its threshold: in this app most often
a worker thread (a poll's yfinance and pandas allocate a lot), and the cycles hold Qt objects
that Python owns: the labelled target lines a chart redraw removes, the right-click menu
pyqtgraph gives every plot once its chart is closed. A QObject must be destroyed on its own
thread: a chart menu freed on a poll's fetch thread left its timer registered with the GUI
thread's event loop, which then sent the timer's event to freed memory (a segmentation fault).
So automatic collection is turned off and a timer on the GUI thread collects instead, by
Python's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

CHECK_MS = 1000  # garbage waits at most this long; an idle window allocates nothing to collect
NAME = "harbourwatch-gui-thread-gc"


class GuiThreadCollector(QObject):
    """Owned by the application, on its thread; `collect_due` is all automatic collection."""

    def __init__(self, app: QCoreApplication):
        super().__init__(app)
        self.setObjectName(NAME)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(CHECK_MS)
        gc.disable()

    @Slot()
    def collect_due(self) -> int | None:
        """Collect the oldest generation that is due, as Python itself would (generation 0
        after `threshold0` new objects, an older one after `thresholdN` collections of the one
        below it); the generation collected, None when none was due."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return generation
        return None


def collect_on_gui_thread(app: QCoreApplication) -> GuiThreadCollector:
    """Install the collector once per application (call on the GUI thread)."""
    existing = app.findChild(GuiThreadCollector, NAME)
    return existing if existing is not None else GuiThreadCollector(app)
