"""The window's life on the desktop beyond its frame: the tray icon with the unread count, a
sound and a tray message when alerts fire, and the way back to the window from the tray or a
notification's "Open SYMBOL", which also selects that symbol.

Set up after the first paint: the D-Bus connection and the tray are not needed to show prices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

from services.core.paths import RESOURCES
from ui.common import settings as cfg

if TYPE_CHECKING:
    from services.app.poll_cycle import CycleOutcome
    from ui.alerts.notification_actions import NotificationActions
    from ui.alerts.tray import AlertTray


class Desktop(QObject):
    def __init__(self, window: QMainWindow, store: QSettings, demo: bool,
                 select_symbol: Callable[[str], bool]):
        super().__init__(window)
        self._window = window
        self._store = store
        self._demo = demo
        self._select_symbol = select_symbol
        self._alert_symbol: str | None = None  # what bringing the window back shows
        self.tray: AlertTray | None = None
        self.notification_actions: NotificationActions | None = None

    def start(self, unread: int) -> None:
        """The tray icon (where the desktop has a tray) and notification clicks."""
        from ui.alerts.tray import AlertTray

        if QSystemTrayIcon.isSystemTrayAvailable() and self.tray is None:
            self.tray = AlertTray(QIcon(str(RESOURCES / "icon.svg")), self._window)
            self.tray.open_requested.connect(self.bring_to_front)
            self.tray.set_unread(unread)
            self.tray.show()
        try:  # QtDBus: loaded only now; a Qt built without it (some non-Linux builds) has none
            from ui.alerts.notification_actions import NotificationActions
        except ImportError:
            return  # no D-Bus notifications either: alerts show as the tray's messages
        self.notification_actions = NotificationActions(self)
        self.notification_actions.open_symbol.connect(self.open_symbol)
        self.notification_actions.default_clicked.connect(self.notification_clicked)
        self.notification_actions.listen()

    def set_unread(self, count: int) -> None:
        if self.tray is not None:
            self.tray.set_unread(count)

    @Slot(object)
    def announce(self, outcome: CycleOutcome) -> None:
        """Sound, and the tray's message when no desktop notification could be shown."""
        from services.alerts.notify import coalesce  # loaded by the poll that fired these

        note = coalesce(outcome.events, self._demo)
        if note is None:
            return
        self._alert_symbol = note.symbol
        if not outcome.desktop_notified and self.tray is not None:
            self.tray.showMessage(note.title, note.body, QSystemTrayIcon.MessageIcon.Warning)
        if cfg.SOUND.get(self._store):
            QApplication.beep()

    @Slot(str)
    def open_symbol(self, symbol: str) -> None:
        """A notification's "Open SYMBOL" was clicked."""
        self._alert_symbol = symbol
        self.bring_to_front()

    @Slot(int)
    def notification_clicked(self, notification_id: int) -> None:
        """A click on a bubble: the bus tells every listener of every application's clicks, so
        only a notification this window's feed sent opens its symbol."""
        dispatcher = getattr(self._window, "dispatcher", None)
        symbol = dispatcher.symbol_of(notification_id) if dispatcher is not None else None
        if symbol:
            self.open_symbol(symbol)

    @Slot()
    def bring_to_front(self) -> None:
        """Show the window and the alert's symbol."""
        self.show_window()
        if self._alert_symbol:
            self._select_symbol(self._alert_symbol)

    def show_window(self) -> None:
        """Out of the tray or the taskbar, in front (as far as the window manager allows)."""
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()

    def start_in_tray(self, unread: int) -> None:
        """Launched at login: only the tray icon, or a minimised window where there is no
        tray to come back from."""
        self.start(unread)
        if self.tray is None:
            self._window.showMinimized()

    def minimised(self) -> None:
        """Minimised with a tray to come back from: the window hides and polling goes on."""
        if self.tray is not None and cfg.MINIMISE_TO_TRAY.get(self._store):
            QTimer.singleShot(0, self._window.hide)
