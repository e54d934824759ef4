"""Building and running the GUI: application object, database, services, window."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from services.clock import Clock, SystemClock
from services.database import open_app_database
from services.paths import RESOURCES, AppPaths
from services.watchlist_service import WatchlistService
from ui.main_window import MainWindow
from ui.settings import open_settings


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("HarbourWatch")
    app.setOrganizationName("HarbourWatch")
    app.setWindowIcon(QIcon(str(RESOURCES / "icon.svg")))
    return app


def launch(db_path: Path, paths: AppPaths, clock: Clock | None = None) -> MainWindow:
    """Open the database and show the main window; the caller runs the event loop."""
    application()
    clock = clock or SystemClock()
    conn = open_app_database(db_path)
    window = MainWindow(WatchlistService(conn, clock), open_settings(paths.settings_file), clock)
    window.destroyed.connect(conn.close)
    window.show()
    return window


def run_gui(db_path: Path, paths: AppPaths) -> int:
    app = application()
    try:
        window = launch(db_path, paths)
    except (sqlite3.DatabaseError, OSError) as error:
        QMessageBox.critical(
            None, "HarbourWatch cannot open its database",
            f"{db_path}\n\n{error}\n\nNothing was changed. Use --db to choose another file.",
        )
        return 1
    code = app.exec()
    del window
    return code
