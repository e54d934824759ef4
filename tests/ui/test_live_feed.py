"""The window on a live feed: polls run off the GUI thread, results arrive through the bridge,
the offline banner comes and goes, "Refresh now" polls at once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication

from services.core.clock import FixedClock
from services.core.paths import AppPaths
from services.market.feed_types import AlsoWrite
from services.market.poller import Poller, PollOutcome
from services.watchlists.columns import Column
from tests.fake_yahoo import FakeYahoo
from ui.app import launch
from ui.main_window import MainWindow


class ThreadSpy:
    """Wraps the poller to record which thread each poll ran on."""

    def __init__(self, poller: Poller):
        self._poller = poller
        self.threads: list[int] = []

    def poll(self, force: bool = False, cancel: threading.Event | None = None,
             conn: sqlite3.Connection | None = None, also: AlsoWrite | None = None
             ) -> PollOutcome:
        self.threads.append(threading.get_ident())
        return self._poller.poll(force, cancel, conn, also)

    @property
    def db_path(self) -> Path:
        return self._poller.db_path

    def close(self) -> None:
        self._poller.close()


def column(window: MainWindow, col: Column) -> dict[str, str]:
    model = window.table.model()
    return {model.index(r, Column.SYMBOL).data(): model.index(r, col).data()
            for r in range(model.rowCount())}


def test_polls_update_the_window_and_the_offline_banner(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock, poller: Poller,
    fake_yahoo: FakeYahoo,
) -> None:
    spy = ThreadSpy(poller)
    window = launch(db_path, isolated_home, clock, make_poller=lambda: spy)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.feed_label.text().startswith("Feed: Yahoo"), timeout=20_000)
        assert set(column(window, Column.SOURCE).values()) == {"Yahoo · delayed 15 min"}
        last = fake_yahoo.symbols["2513.HK"].minute_bars
        price = [b for b in last if b[0] <= clock.now().timestamp()][-1][4]
        assert column(window, Column.LAST)["2513.HK"] == f"HK${price:,.2f}"
        assert "2/2 OK" in window.feed_label.text()
        assert "0100.HK" not in window.feed_label.toolTip()  # written when hovered
        hover = QPoint(2, 2)
        QApplication.sendEvent(window.feed_label, QHelpEvent(
            QEvent.Type.ToolTip, hover, window.feed_label.mapToGlobal(hover)))
        assert "0100.HK" in window.feed_label.toolTip()  # per-symbol health on hover
        assert window.banner.isHidden()
        assert threading.get_ident() not in spy.threads  # never on the GUI thread

        fake_yahoo.fail("reset")
        clock.advance(60)
        polls = len(spy.threads)
        window.refresh_action.trigger()
        qtbot.waitUntil(lambda: len(spy.threads) > polls and not window.banner.isHidden(),
                        timeout=20_000)
        assert "Cannot reach Yahoo Finance" in window.banner.text()
        assert "showing Yahoo prices as of" in window.banner.text()
        assert column(window, Column.LAST)["2513.HK"] == f"HK${price:,.2f}"  # kept

        fake_yahoo.clear_faults()
        clock.advance(60)
        window.refresh_action.trigger()
        qtbot.waitUntil(window.banner.isHidden, timeout=20_000)
    finally:
        window.close()
        assert window.scheduler is not None
        window.scheduler.shutdown(wait=True)


def test_demo_window_is_marked_demo(qtbot, tmp_path: Path, isolated_home: AppPaths,
                                    clock: FixedClock) -> None:
    window = launch(tmp_path / "demo.sqlite3", isolated_home, clock, demo=True,
                    start_feed=False)
    qtbot.addWidget(window)
    assert "DEMO" in window.windowTitle()
    assert not window.banner.isHidden() and "DEMO" in window.banner.text()
