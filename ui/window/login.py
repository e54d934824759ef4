"""Settings › Start at login: writes or removes the XDG autostart entry that opens this
database's window in the tray when the trader logs in. The entry itself is the truth (the
desktop's own startup settings may remove it); the setting follows it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QSignalBlocker, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox

from services.core.paths import default_paths
from services.desktop import autostart
from services.desktop.entries import freedesktop
from services.desktop.launcher import launch_command
from ui.common import settings as cfg


def login_options(db_path: Path, demo: bool) -> list[str]:
    """The global options that reopen this database: --demo, and --db unless it is the default."""
    paths = default_paths()
    default = paths.demo_database if demo else paths.database
    options = ["--demo"] if demo else []
    if db_path.resolve() != default.resolve():
        options += ["--db", str(db_path.resolve())]
    return options


class StartAtLogin(QObject):
    def __init__(self, window: QMainWindow, store: QSettings, db_path: Path, demo: bool):
        super().__init__(window)
        self._window = window
        self._store = store
        self._options = login_options(db_path, demo)
        self.action = QAction("Start at &login", window)
        self.action.setObjectName("start_at_login")
        self.action.setCheckable(True)
        if freedesktop():
            on = autostart.enabled()
            self.action.setChecked(on)
            cfg.START_AT_LOGIN.set(store, on)
            self.action.setToolTip("Open HarbourWatch in the tray when you log in "
                                   f"({autostart.entry_path()})")
        else:
            self.action.setEnabled(False)
            self.action.setToolTip("Start at login is written for freedesktop desktops "
                                   "(Linux, BSD); use the system's startup settings here")
        self.action.toggled.connect(self.set_enabled)

    @Slot(bool)
    def set_enabled(self, on: bool) -> None:
        try:
            if on:
                autostart.enable(autostart.login_command(launch_command(), self._options))
            else:
                autostart.disable()
        except (OSError, ValueError) as error:
            with QSignalBlocker(self.action):
                self.action.setChecked(not on)
            QMessageBox.warning(self._window, "Start at login",
                                f"Could not change {autostart.entry_path()}:\n{error}")
            return
        cfg.START_AT_LOGIN.set(self._store, on)
