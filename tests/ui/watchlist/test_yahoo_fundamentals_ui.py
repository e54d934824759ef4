"""Adding a symbol in the window fetches its fundamentals from Yahoo on the poll's worker thread
(never the GUI thread); the table and the detail pane show them with source and date."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from services.core.clock import FixedClock
from services.core.paths import AppPaths
from services.market.poller import Poller
from services.market.yahoo_fundamentals import YahooFundamentals
from services.watchlists.columns import Column
from tests.fake_fundamentals import hk_fundamentals
from tests.fake_yahoo import FakeSymbol, FakeYahoo, random_walk_minutes
from ui.app import launch
from ui.main_window import MainWindow


def cell(window: MainWindow, symbol: str, col: Column) -> str:
    model = window.table.model()
    for r in range(model.rowCount()):
        if model.index(r, Column.SYMBOL).data() == symbol:
            return str(model.index(r, col).data())
    return ""


def test_adding_a_symbol_fills_its_fundamentals_from_yahoo(
        qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock, poller: Poller,
        fake_yahoo: FakeYahoo) -> None:
    days = [(dt.date(2026, 11, d), False) for d in (19, 20, 23)]
    fake_yahoo.symbols["9988.HK"] = FakeSymbol("9988.HK",
                                               minute_bars=random_walk_minutes(days, 150.0, 5),
                                               fundamentals=hk_fundamentals())
    source = poller.source
    fetch = source.fetch_fundamentals  # type: ignore[attr-defined]
    threads: list[int] = []

    def recorded(symbol: str, timezone: str) -> YahooFundamentals:
        threads.append(threading.get_ident())
        return fetch(symbol, timezone)

    source.fetch_fundamentals = recorded  # type: ignore[attr-defined]
    window = launch(db_path, isolated_home, clock, make_poller=lambda: poller,
                    verify=lambda symbol: source.fetch(symbol, "1d", "5d", None).meta)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.feed_label.text().startswith("Feed: Yahoo"),
                        timeout=20_000)
        dialog = window.watchlist_actions.add_symbol()
        dialog.symbol.setText("9988")
        dialog.submit()
        qtbot.waitUntil(lambda: cell(window, "9988.HK", Column.CONSENSUS).startswith("HK$"),
                        timeout=30_000)
        assert cell(window, "9988.HK", Column.CONSENSUS) == \
            "HK$185.2 (Yahoo mean, 38 analysts, 2026-11-23)"
        assert cell(window, "9988.HK", Column.NEXT_RESULTS) == \
            "2027-02-19 est. (Yahoo, 2026-11-23)"
        assert cell(window, "9988.HK", Column.NAME) == "Alibaba Group Holding Limited"
        qtbot.waitUntil(lambda: cell(window, "9988.HK", Column.MARKET_CAP).startswith("HK$"),
                        timeout=30_000)
        assert cell(window, "9988.HK", Column.PS).endswith("x")
        assert threads and threading.get_ident() not in threads  # never on the GUI thread
        window.select_symbol("9988.HK")
        qtbot.waitUntil(lambda: "From Yahoo Finance" in window.detail.toPlainText(),
                        timeout=10_000)
        text = window.detail.toPlainText()
        assert "Fetched from Yahoo on 2026-11-23" in text and "in use" in text
    finally:
        window.close()
        assert window.scheduler is not None
        window.scheduler.shutdown(wait=True)
