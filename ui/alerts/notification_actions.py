"""Clicks on our desktop notifications, heard over D-Bus.

The notification server answers a click with the ActionInvoked signal: the key "open:SYMBOL"
for the "Open SYMBOL" button, or "default" for a click on the bubble itself (the only action
servers such as dunst offer), which names only the notification's id.
"""

from __future__ import annotations

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection

OPEN_PREFIX = "open:"
DEFAULT_ACTION = "default"


class NotificationActions(QObject):
    open_symbol = Signal(str)
    default_clicked = Signal(int)  # the notification's id

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
        elif key == DEFAULT_ACTION:
            self.default_clicked.emit(notification_id)
