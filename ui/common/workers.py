"""One slow call (a network check, a big import) off the GUI thread.

The call runs on a plain worker thread; its result or exception comes back as a signal, which
Qt queues to the receiver's (GUI) thread. The work must not touch widgets or the window's
database connection.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class Background(QObject):
    finished = Signal(object)  # the call's result
    failed = Signal(object)  # the exception it raised

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.busy = False

    def run(self, work: Callable[[], object]) -> None:
        self.busy = True
        threading.Thread(target=self._work, args=(work,), daemon=True).start()

    def _work(self, work: Callable[[], object]) -> None:
        try:
            result = work()
        except Exception as error:  # every failure goes back to the window, in words
            self._deliver(self.failed, error)
        else:
            self._deliver(self.finished, result)

    def _deliver(self, signal: Signal, value: object) -> None:
        self.busy = False
        with contextlib.suppress(RuntimeError):  # the dialog that asked was closed meanwhile
            signal.emit(value)  # type: ignore[attr-defined]
