"""Run something once a window has painted for the first time.

The price feed starts this way: its first poll imports yfinance and pandas on a worker thread,
and doing that while the window paints would slow the paint (the GIL is shared).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class FirstPaint(QObject):
    """Fires `callback` after the first paint of any widget inside `window` (a main window
    whose central widget covers it may never paint itself)."""

    def __init__(self, window: QWidget, callback: Callable[[], None], delay_ms: int = 0):
        super().__init__(window)
        self._window = window
        self._callback = callback
        self._delay_ms = delay_ms
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and watched.window() is self._window):
            app = QApplication.instance()
            assert app is not None
            app.removeEventFilter(self)
            QTimer.singleShot(self._delay_ms, self._callback)  # the rest of the window paints
        return False
