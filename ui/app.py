"""Building and running the GUI: application, database, services, window, price feed.

Order matters: the window paints first; the scheduler (and with the first poll, yfinance and
pandas on the worker thread) starts right after. On quit (the window, the tray, Ctrl-C or
SIGTERM from a desktop logout) a poll still waiting for Yahoo is cancelled, one already writing
commits, the worker pool's tasks are cancelled or awaited briefly, then the database closes.

`run_gui` is the one window per database: it takes the database's poller lock, or hands the
launch over to the window that holds it (ui/window/instance.py).
"""

from __future__ import annotations

import gc
import logging
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from services.app.database import DatabaseModeError, DatabaseUnusableError, explain
from services.app.poller_lock import AlreadyPollingError, PollerLock
from services.app.workspace import Workspace
from services.core.clock import Clock
from services.core.paths import RESOURCES, AppPaths
from services.desktop.entries import APP_ID
from services.market.calendar import MarketClock
from services.market.feeds import make_clock, poller_factory, yahoo_verifier
from services.watchlists.editing import Verify
from ui.common import crash
from ui.common import settings as cfg
from ui.common.app_theme import apply_theme
from ui.common.first_paint import FirstPaint
from ui.common.gui_thread_gc import collect_on_gui_thread
from ui.common.job_bridge import JobBridge
from ui.common.settings import open_settings
from ui.common.workers import WorkerPool
from ui.main_window import MainWindow

if TYPE_CHECKING:
    from services.market.poller import Poller

# After the window's first paint: the tray and notification clicks, then the first poll.
DESKTOP_START_DELAY_MS = 50
FEED_START_DELAY_MS = 200
# Quitting waits this long for background tasks (a symbol check, an import) to end.
QUIT_WAIT_S = 2.0
# Python handles a signal only when it runs; this timer lets it run while Qt waits for events.
SIGNAL_CHECK_MS = 200
PAINTED_MESSAGE = "main window painted"  # the bundle's smoke test and start-up bench wait for it
log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("HarbourWatch")
    app.setOrganizationName("HarbourWatch")
    app.setWindowIcon(QIcon(str(RESOURCES / "icon.svg")))
    app.setDesktopFileName(APP_ID)  # Wayland matches the window to the menu entry and its icon
    collect_on_gui_thread(app)  # before any worker thread: Qt objects die on the GUI thread
    return app


def launch(db_path: Path, paths: AppPaths, clock: Clock | None = None, demo: bool = False,
           make_poller: Callable[[], Poller] | None = None, start_feed: bool = True,
           interval_s: int | None = None,
           verify: Verify | Literal["yahoo"] | None = "yahoo",
           minimised: bool = False) -> MainWindow:
    """Open the database and show the main window; the caller runs the event loop.

    `make_poller` replaces the feed's poller (tests point it at a fake Yahoo); `start_feed`
    False shows stored data only. `verify` checks symbols a trader adds (Yahoo; None: accept
    them unverified, as the DEMO does). `interval_s` None: as set in Settings. `minimised`
    starts in the tray: nothing paints, so the tray and the feed start on timers instead of
    after the first paint.
    """
    app = application()
    market = MarketClock()
    clock = clock or make_clock(demo, market, db_path)
    if verify == "yahoo":
        verify = None if demo else yahoo_verifier(paths)
    workspace = Workspace.open(db_path, clock, market, demo, verify)
    store = open_settings(paths.settings_file)
    apply_theme(app, cfg.DARK_THEME.get(store))
    minimised = minimised or cfg.START_MINIMISED.get(store)
    window = MainWindow(workspace, store, demo)
    window.destroyed.connect(workspace.conn.close)
    if minimised:
        QTimer.singleShot(DESKTOP_START_DELAY_MS, window.start_in_tray)
    else:
        window.show()
        FirstPaint(window, lambda: log.info(PAINTED_MESSAGE))  # its time: start-up in the log
        FirstPaint(window, window.start_desktop_integration, DESKTOP_START_DELAY_MS)
    if start_feed:
        bridge = JobBridge(window)
        bridge.poll_finished.connect(window.on_poll_finished, Qt.ConnectionType.QueuedConnection)
        bridge.poll_failed.connect(window.on_poll_failed, Qt.ConnectionType.QueuedConnection)
        spare_start_up_objects(window, bridge)
        factory = make_poller or poller_factory(db_path, paths, clock, market, demo)

        def start() -> None:
            from services.alerts.notify import Dispatcher
            from services.app.poll_cycle import cycle_factory
            from services.market.scheduler import PollScheduler  # after the first paint

            dispatcher = Dispatcher(desktop=True, webhook_url=cfg.WEBHOOK_URL.get(store),
                                    demo=demo)  # sound and the tray: the window's job
            cfg.apply_notifications(store, dispatcher)
            scheduler = PollScheduler(cycle_factory(factory, clock, market, dispatcher,
                                                    prepare_rows=True), market,
                                      clock, bridge.deliver_outcome, bridge.deliver_error,
                                      interval_s or cfg.poll_interval(store))
            window.refresh_requested.connect(scheduler.refresh_now)
            window.dispatcher = dispatcher
            app.aboutToQuit.connect(scheduler.shutdown)  # cancels a poll stuck on Yahoo
            window.scheduler = scheduler
            scheduler.start()

        if minimised:
            QTimer.singleShot(FEED_START_DELAY_MS, start)
        else:
            FirstPaint(window, start, FEED_START_DELAY_MS)
    return window


def spare_start_up_objects(window: MainWindow, bridge: JobBridge) -> None:
    """Once the window has painted, and again once the first poll has landed (the feed's
    pandas and yfinance loaded), every object alive then (over 100,000, most living as long
    as the app) leaves the garbage collector's reach (`gc.freeze`): a full collection then
    scans only what came later. Over all of them it took 0.2-0.7 s at 200 symbols, a visible
    freeze. Given back when the window goes (tests open many windows in one process)."""

    def first_poll(_outcome: object) -> None:
        bridge.poll_finished.disconnect(first_poll)
        gc.freeze()

    bridge.poll_finished.connect(first_poll)
    FirstPaint(window, gc.freeze)
    window.destroyed.connect(gc.unfreeze)


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
            interval_s: int | None = None, log_file: Path | None = None,
            symbol: str | None = None, minimised: bool = False) -> int:
    app = application()
    crash.install(log_file)
    lock = PollerLock(db_path)
    try:
        lock.acquire("window")
    except AlreadyPollingError as busy:
        return hand_over(busy, symbol or "", minimised)
    except OSError as error:
        return database_failed(db_path, error)
    with lock:
        try:
            window = launch(db_path, paths, demo=demo, interval_s=interval_s,
                            minimised=minimised)
        except (sqlite3.DatabaseError, OSError, DatabaseModeError,
                DatabaseUnusableError) as error:
            return database_failed(db_path, error)
        if symbol:
            window.go_to_symbol(symbol)
        listen_for_launches(window, db_path, minimised)
        return serve(app, window)


def listen_for_launches(window: MainWindow, db_path: Path, minimised: bool) -> None:
    """Later launches on this database come to this window. Listening starts after the first
    paint (QtNetwork loads then); a launch meanwhile waits for it (ui/window/instance.py)."""
    def listen() -> None:
        from ui.window.instance import InstanceServer

        server = InstanceServer(db_path, window)
        server.show_requested.connect(window.reveal)
        application().aboutToQuit.connect(server.close)  # removes the socket file
        server.listen()

    if minimised:
        QTimer.singleShot(DESKTOP_START_DELAY_MS, listen)
    else:
        FirstPaint(window, listen, DESKTOP_START_DELAY_MS)


def database_failed(db_path: Path, error: Exception) -> int:
    log.warning("cannot start with the database %s", db_path, exc_info=error)
    tell_startup_problem("HarbourWatch cannot open its database",
                         startup_problem(db_path, error))
    return 1


def hand_over(busy: AlreadyPollingError, symbol: str, minimised: bool) -> int:
    """Another process polls this database: bring its window to the front (exit 0), or say
    why no window opens (exit 1)."""
    from ui.window.instance import ask_running_window

    is_window = busy.holder is None or busy.holder.kind == "window"
    if is_window and ask_running_window(busy.db_path, symbol):
        print(f"HarbourWatch is already open on {busy.db_path}: brought its window to the "
              "front.", flush=True)
        return 0
    reason = ("It did not answer; if it is stuck, end it and start again." if is_window else
              "Stop it (Ctrl-C in its terminal) to open the window on this database.")
    message = f"{busy}. {reason} Use --db to open another database."
    log.warning("not opening a second window: %s", message)
    print(message, file=sys.stderr, flush=True)
    if not minimised:  # at login nobody asked: the log says it
        QMessageBox.warning(None, "HarbourWatch is already running", message)
    return 1


def serve(app: QApplication, window: MainWindow) -> int:
    """Run the event loop until quit; then polling and background work have stopped."""
    def quit_in_order() -> None:
        """Polling first (a poll stuck on Yahoo is cancelled), then background work."""
        if window.scheduler is not None:
            window.scheduler.shutdown()
        stop_background_work()

    app.aboutToQuit.connect(quit_in_order)
    quit_on_signals(app)
    code = app.exec()
    window.workspace.conn.close()  # nothing uses it any more: polling and workers have ended
    return code
