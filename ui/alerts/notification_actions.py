"""Clicks on our desktop notifications' "Open SYMBOL" action, heard over D-Bus.

The notification server answers a click with the ActionInvoked signal; the key we sent is
"open:SYMBOL".
"""

from __future__ import annotations

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection

OPEN_PREFIX = "open:"


class NotificationActions(QObject):
    open_symbol = Signal(str)

    def listen(self) -> bool:
        """Subscribe on the session bus; False when there is none (no clicks to hear)."""
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return False
        return bus.connect("", "/org/freedesktop/Notifications",
                           "org.freedesktop.Notifications", "ActionInvoked", self,
                           SLOT("action_invoked(uint,QString)"))

    @Slot("uint", str)
    def action_invoked(self, notification_id: int, key: str) -> None:
        if key.startswith(OPEN_PREFIX):
            self.open_symbol.emit(key[len(OPEN_PREFIX):])
