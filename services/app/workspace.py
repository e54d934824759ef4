"""Every service the window uses, over the window's one database connection.

Slow work (an import of a big file) runs on a worker thread with a connection of its own:
`in_own_connection`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from services.alerts.service import AlertService
from services.app.database import open_app_database
from services.core.clock import Clock
from services.market.calendar import MarketClock
from services.portfolio.holdings import PortfolioService
from services.reference.editing import ReferenceEditor
from services.watchlists.editing import Verify, WatchlistEditor
from services.watchlists.service import WatchlistService

if TYPE_CHECKING:
    from services.charts.service import ChartService
    from services.events.agenda import EventsService
    from services.events.overhang import OverhangService
    from services.files.imports import ImportRequest, ImportResult
    from services.files.ledger_transfer import LedgerTransfer
    from services.files.watchlist_transfer import WatchlistTransfer

T = TypeVar("T")


@dataclass
class Workspace:
    db_path: Path
    conn: sqlite3.Connection
    clock: Clock
    demo: bool
    watchlists: WatchlistService
    alerts: AlertService
    editor: WatchlistEditor
    portfolio: PortfolioService
    reference: ReferenceEditor
    market: MarketClock
    verify: Verify | None = None  # checks symbols a trader adds or a file names (Yahoo)

    @classmethod
    def open(cls, db_path: Path, clock: Clock, market: MarketClock, demo: bool = False,
             verify: Verify | None = None) -> Workspace:
        conn = open_app_database(db_path, demo)
        watchlists = WatchlistService(conn, clock)
        return cls(db_path, conn, clock, demo, watchlists, AlertService(conn, clock, market),
                   WatchlistEditor(conn, verify), PortfolioService(conn, clock),
                   ReferenceEditor(conn, clock), market, verify)

    # Files are read and written on request only: their modules load then, not at start-up.
    @cached_property
    def lists(self) -> WatchlistTransfer:
        from services.files.watchlist_transfer import WatchlistTransfer

        return WatchlistTransfer(self.conn, self.clock, self.demo)

    @cached_property
    def ledger(self) -> LedgerTransfer:
        from services.files.ledger_transfer import LedgerTransfer

        return LedgerTransfer(self.conn, self.clock, self.demo)

    # The charts' series (numpy), built when a chart tab is first shown.
    @cached_property
    def charts(self) -> ChartService:
        from services.charts.service import ChartService

        return ChartService(self.conn, self.clock, self.watchlists)

    # The events calendar and lock-up overhang, built when first opened.
    @cached_property
    def events(self) -> EventsService:
        from services.events.agenda import EventsService

        return EventsService(self.conn, self.clock, self.market)

    @cached_property
    def overhang(self) -> OverhangService:
        from services.events.overhang import OverhangService

        return OverhangService(self.conn, self.clock, self.watchlists)

    def in_own_connection(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` with a fresh connection (for a worker thread: sqlite3 connections stay on
        the thread that made them)."""
        conn = open_app_database(self.db_path, self.demo)
        try:
            return work(conn)
        finally:
            conn.close()

    def import_file(self, request: ImportRequest) -> ImportResult:
        """Call on a worker thread."""
        from services.files.imports import run_import

        return self.in_own_connection(
            lambda conn: run_import(conn, self.clock, self.demo, request, self.verify))

    def export_everything(self, path: Path, base: str) -> None:
        self.ledger.export_workbook(path, self.lists.workbook_sheets(), base)
