"""What the window shows follows the database: a landed poll (or a chosen list, an edit) redraws
the table, the details, the charts and the portfolio; a 30 s tick re-reads only the table, since
between polls the ages and staleness move on but the data does not (no chart redraw).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from services.app.poll_cycle import CycleOutcome
from services.core.clock import Clock
from services.market.calendar import MarketClock
from services.watchlists.service import WatchlistRow, WatchlistService
from ui.charts.tabs import ChartTabs
from ui.portfolio.pane import PortfolioPane
from ui.watchlist.view import WatchlistView
from ui.window.status import FeedStatus

# How often the snapshot is re-read from the database, so ages in the status bar keep moving.
REFRESH_MS = 30_000


class FeedRefresh(QObject):
    alerts_fired = Signal(object)  # the CycleOutcome of a poll that fired alerts

    def __init__(self, service: WatchlistService, clock: Clock, table: WatchlistView,
                 status: FeedStatus, tabs: ChartTabs, portfolio: PortfolioPane,
                 parent: QObject, market: MarketClock | None = None):
        super().__init__(parent)
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
        self._timer.timeout.connect(self.update_table)
        self._timer.start()

    def stop(self) -> None:
        """The window is closing: no more ticks."""
        self._timer.stop()

    @Slot()
    def update_table(self) -> list[WatchlistRow]:
        """Re-read the rows and say how fresh they are. Staleness (in trading minutes) is
        judged once a poll has run: by then the worker has loaded the exchange calendar, so
        start-up never waits for it."""
        last = self.last_outcome.poll if self.last_outcome else None
        rows = self._service.rows(self._table.current_watchlist(),
                                  market=self._market if last is not None else None)
        self._table.show_rows(rows)
        self._status.show_prices(rows, self._clock.now(), last)
        return rows

    @Slot()
    def refresh(self) -> None:
        """New data: table, details and charts (the visible one redraws in place)."""
        rows = self.update_table()
        symbol = self._table.selected_symbol()
        if symbol:
            self._tabs.detail.show_detail(self._service.detail(symbol))
        self._tabs.set_symbols([row.symbol for row in rows])
        self._tabs.refresh()
        self._portfolio.data_changed()

    @Slot(object)
    def show_symbol(self, symbol: str | None) -> None:
        """Another row was selected: its details, and its charts from the start of their
        range."""
        self._tabs.detail.show_detail(self._service.detail(symbol) if symbol else None)
        self._tabs.set_symbol(symbol)

    @Slot(object)
    def poll_finished(self, outcome: CycleOutcome) -> None:
        """A poll committed (queued here from the worker thread by the JobBridge)."""
        self.last_outcome = outcome
        self._status.show_poll(outcome.poll)
        self.refresh()
        if outcome.events:
            self.alerts_fired.emit(outcome)

    @Slot(str)
    def poll_failed(self, message: str) -> None:
        self._status.show_failure(message)
