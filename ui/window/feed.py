"""What the window shows follows the database: a landed poll (or a chosen list, an edit) redraws
the table, then (on the next turn of the event loop) the details, the charts and the portfolio;
a 30 s tick re-reads only the table, since between polls the ages and staleness move on but the
data does not (no chart redraw). The poll worker builds the table's rows; the window adopts them.

A window nobody sees (hidden in the tray, minimised) does none of this work: it remembers what
is due and catches up once when it is shown again, however many polls landed meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from services.core.clock import Clock
from services.market.calendar import MarketClock
from services.watchlists.service import WatchlistService
from services.watchlists.snapshots import InstrumentDetail, WatchlistRow
from ui.charts.tabs import ChartTabs
from ui.portfolio.pane import PortfolioPane
from ui.watchlist.view import WatchlistView
from ui.window.status import FeedStatus

if TYPE_CHECKING:
    from services.app.poll_cycle import CycleOutcome

# How often the snapshot is re-read from the database, so ages in the status bar keep moving.
REFRESH_MS = 30_000


class FeedRefresh(QObject):
    alerts_fired = Signal(object)  # the CycleOutcome of a poll that fired alerts
    data_loaded = Signal()  # table, details and charts were filled with new data

    def __init__(self, service: WatchlistService, clock: Clock, table: WatchlistView,
                 status: FeedStatus, tabs: ChartTabs, portfolio: PortfolioPane,
                 window: QWidget, market: MarketClock | None = None):
        super().__init__(window)
        self._window = window
        self._due: str | None = None  # "table" or "refresh" while the window is not seen
        self._rest_due: list[WatchlistRow] | None = None  # rows whose details, charts wait
        self._service = service
        self._clock = clock
        self._market = market
        self._table = table
        self._status = status
        self._tabs = tabs
        self._portfolio = portfolio
        self.last_outcome: CycleOutcome | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        window.installEventFilter(self)

    def stop(self) -> None:
        """The window is closing: no more ticks."""
        self._timer.stop()

    def _seen(self) -> bool:
        return self._window.isVisible() and not self._window.isMinimized()

    def _defer(self, work: str) -> bool:
        """True when the window is not seen: `work` is remembered instead of done."""
        if self._seen():
            return False
        if self._due != "refresh":
            self._due = work
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self._window and self._due is not None
                and event.type() in (QEvent.Type.Show, QEvent.Type.WindowStateChange)):
            QTimer.singleShot(0, self._catch_up)  # once the window is really back
        return False

    @Slot()
    def _catch_up(self) -> None:
        due, self._due = self._due, None
        if due == "refresh":
            self.refresh()
        elif due == "table":
            self.update_table()

    @Slot()
    def _tick(self) -> None:
        if not self._defer("table"):
            self.update_table()

    @Slot()
    def update_table(self) -> list[WatchlistRow]:
        """Re-read the rows and say how fresh they are. Staleness (in trading minutes) is
        judged once a poll has run: by then the worker has loaded the exchange calendar, so
        start-up never waits for it."""
        last = self.last_outcome.poll if self.last_outcome else None
        try:
            rows = self._service.rows(self._table.current_watchlist(),
                                      market=self._market if last is not None else None)
        except KeyError:  # the list was deleted elsewhere (the command line): show another
            self._table.reload_lists()
            return []
        self._table.show_rows(rows)
        self._status.show_prices(rows, self._clock.now(), last)
        return rows

    @Slot()
    def refresh(self) -> None:
        """New data: the table at once; details and charts (the visible one redraws in place)
        on the next turn of the event loop, so input and timers are not held behind both."""
        if self._defer("refresh"):
            return
        rows = self.update_table()
        if self._rest_due is None:
            QTimer.singleShot(0, self, self._load_rest)
        self._rest_due = rows

    def load(self) -> None:
        """Fill everything now, seen or not (the window's first fill, before it is shown)."""
        self._rest_due = self.update_table()
        self._load_rest()

    @Slot()
    def _load_rest(self) -> None:
        rows, self._rest_due = self._rest_due, None
        if rows is None:
            return
        symbol = self._table.selected_symbol()
        if symbol:
            self._tabs.detail.show_detail(self._detail(symbol))
        self._tabs.set_symbols([row.symbol for row in rows])
        self._tabs.refresh()
        self._portfolio.data_changed()
        self.data_loaded.emit()

    def _detail(self, symbol: str) -> InstrumentDetail:
        """The symbol's details with its note in the list shown."""
        return self._service.detail(symbol, watchlist=self._table.current_watchlist())

    @Slot(object)
    def show_symbol(self, symbol: str | None) -> None:
        """Another row was selected: its details, and its charts from the start of their
        range."""
        self._tabs.detail.show_detail(self._detail(symbol) if symbol else None)
        self._tabs.set_symbol(symbol)

    @Slot(object)
    def poll_finished(self, outcome: CycleOutcome) -> None:
        """A poll committed (queued here from the worker thread by the JobBridge)."""
        self.last_outcome = outcome
        if outcome.rows is not None:  # built by the worker: the refresh below only reads
            self._service.adopt(outcome.rows)
        self._status.show_poll(outcome.poll)
        self.refresh()
        if outcome.events:
            self.alerts_fired.emit(outcome)

    @Slot(str)
    def poll_failed(self, message: str) -> None:
        self._status.show_failure(message)
