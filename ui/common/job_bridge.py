"""The one doorway from worker threads to widgets.

Poll jobs call `deliver_*` on their own thread; the bridge only emits. Receivers are @Slot
methods on GUI-thread objects connected with QueuedConnection, so every widget update runs on
the GUI thread. Create the bridge on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # the poll cycle (alerts, notifications) loads with the feed, after the paint
    from services.app.poll_cycle import CycleOutcome


class JobBridge(QObject):
    poll_finished = Signal(object)  # CycleOutcome
    poll_failed = Signal(str)

    def deliver_outcome(self, outcome: CycleOutcome) -> None:
        self.poll_finished.emit(outcome)

    def deliver_error(self, message: str) -> None:
        self.poll_failed.emit(message)
