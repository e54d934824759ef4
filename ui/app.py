"""Building and running the GUI: application, database, services, window, price feed.

Order matters: the window paints first; the scheduler (and with the first poll, yfinance and
pandas on the worker thread) starts right after. On quit (the window, the tray, Ctrl-C or
SIGTERM from a desktop logout) a poll still waiting for Yahoo is cancelled, one already writing
commits, the worker pool's tasks are cancelled or awaited briefly, then the database closes.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from services.app.database import DatabaseModeError, DatabaseUnusableError, explain
from services.app.workspace import Workspace
from services.core.clock import Clock
from services.core.paths import RESOURCES, AppPaths
from services.market.calendar import POLL_INTERVAL_S, MarketClock
from services.market.feeds import make_clock, poller_factory, yahoo_verifier
from services.market.poller import Poller
from services.watchlists.editing import Verify
from ui.common import crash
from ui.common import settings as cfg
from ui.common.app_theme import apply_theme
from ui.common.first_paint import FirstPaint
from ui.common.job_bridge import JobBridge
from ui.common.settings import open_settings
from ui.common.workers import WorkerPool
from ui.main_window import MainWindow

# After the window's first paint: the tray and notification clicks, then the first poll.
DESKTOP_START_DELAY_MS = 50
FEED_START_DELAY_MS = 200
# Quitting waits this long for background tasks (a symbol check, an import) to end.
QUIT_WAIT_S = 2.0
# Python handles a signal only when it runs; this timer lets it run while Qt waits for events.
SIGNAL_CHECK_MS = 200
log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("HarbourWatch")
    app.setOrganizationName("HarbourWatch")
    app.setWindowIcon(QIcon(str(RESOURCES / "icon.svg")))
    return app


def launch(db_path: Path, paths: AppPaths, clock: Clock | None = None, demo: bool = False,
           make_poller: Callable[[], Poller] | None = None, start_feed: bool = True,
           interval_s: int = POLL_INTERVAL_S,
           verify: Verify | Literal["yahoo"] | None = "yahoo") -> MainWindow:
    """Open the database and show the main window; the caller runs the event loop.

    `make_poller` replaces the feed's poller (tests point it at a fake Yahoo); `start_feed`
    False shows stored data only. `verify` checks symbols a trader adds (Yahoo; None: accept
    them unverified, as the DEMO does).
    """
    app = application()
    market = MarketClock()
    clock = clock or make_clock(demo, market)
    if verify == "yahoo":
        verify = None if demo else yahoo_verifier(paths)
    workspace = Workspace.open(db_path, clock, market, demo, verify)
    store = open_settings(paths.settings_file)
    apply_theme(app, cfg.DARK_THEME.get(store))
    window = MainWindow(workspace, store, demo)
    window.destroyed.connect(workspace.conn.close)
    window.show()
    FirstPaint(window, window.start_desktop_integration, DESKTOP_START_DELAY_MS)
    if start_feed:
        bridge = JobBridge(window)
        bridge.poll_finished.connect(window.on_poll_finished, Qt.ConnectionType.QueuedConnection)
        bridge.poll_failed.connect(window.on_poll_failed, Qt.ConnectionType.QueuedConnection)
        factory = make_poller or poller_factory(db_path, paths, clock, market, demo)

        def start() -> None:
            from services.alerts.notify import Dispatcher
            from services.app.poll_cycle import cycle_factory
            from services.market.scheduler import PollScheduler  # after the first paint

            dispatcher = Dispatcher(desktop=True, webhook_url=cfg.WEBHOOK_URL.get(store),
                                    demo=demo)  # sound and the tray: the window's job
            scheduler = PollScheduler(cycle_factory(factory, clock, market, dispatcher), market,
                                      clock, bridge.deliver_outcome, bridge.deliver_error,
                                      interval_s)
            window.refresh_requested.connect(scheduler.refresh_now)
            window.dispatcher = dispatcher
            app.aboutToQuit.connect(scheduler.shutdown)  # cancels a poll stuck on Yahoo
            window.scheduler = scheduler
            scheduler.start()

        FirstPaint(window, start, FEED_START_DELAY_MS)
    return window


def stop_background_work() -> None:
    """On quit, after polling stopped: cancel or await the worker pool's tasks."""
    if not WorkerPool.shutdown_instance(QUIT_WAIT_S):
        log.warning("a background task was still running at quit; left to its timeout")


def quit_on_signals(app: QApplication) -> QTimer:
    """Ctrl-C and SIGTERM (a desktop logout, `kill`) quit like File › Quit: cleanly."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)  # gives Python a moment to run its signal handlers
    timer.start(SIGNAL_CHECK_MS)
    return timer


def tell_startup_problem(title: str, text: str) -> None:
    """A message box before any window exists (the trader may have started us from a menu,
    with no terminal to read)."""
    application()
    QMessageBox.critical(None, title, text)


def startup_problem(db_path: Path, error: Exception) -> str:
    """What to tell the trader when the window cannot start, in words."""
    if isinstance(error, DatabaseModeError | DatabaseUnusableError):
        return str(error)
    if isinstance(error, sqlite3.DatabaseError):
        words = explain(error) or f"It cannot be used as a HarbourWatch database ({error})."
        return f"{db_path}\n\n{words}"
    if isinstance(error, OSError) and error.filename is not None:
        return (f"{error.filename}: {error.strerror or error}.\n\nHarbourWatch needs to write its "
                "data and settings folders. Nothing was changed.")
    return f"{db_path}\n\n{error}\n\nNothing was changed. Use --db to choose another file."


def run_gui(db_path: Path, paths: AppPaths, demo: bool = False,
            interval_s: int = POLL_INTERVAL_S, log_file: Path | None = None) -> int:
    app = application()
    crash.install(log_file)
    try:
        window = launch(db_path, paths, demo=demo, interval_s=interval_s)
    except (sqlite3.DatabaseError, OSError, DatabaseModeError, DatabaseUnusableError) as error:
        log.warning("cannot start with the database %s", db_path, exc_info=True)
        tell_startup_problem("HarbourWatch cannot open its database",
                             startup_problem(db_path, error))
        return 1
    return serve(app, window)


def serve(app: QApplication, window: MainWindow) -> int:
    """Run the event loop until quit; then polling and background work have stopped."""
    app.aboutToQuit.connect(stop_background_work)
    quit_on_signals(app)
    code = app.exec()
    window.workspace.conn.close()  # nothing uses it any more: polling and workers have ended
    return code
