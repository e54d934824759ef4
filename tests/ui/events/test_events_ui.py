"""The events calendar's filters and .ics export, and the Lock-ups tab (overhang figures, the
price path chart, confirming rule-derived lock-ups)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtCore import QItemSelectionModel

from services.core.clock import FixedClock
from services.core.events import EventKind
from services.core.paths import AppPaths
from services.events.agenda import Horizon
from services.market import trading_days
from tests.services.events.test_overhang import seed_zhipu
from ui.app import launch
from ui.events.events_model import Column
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> MainWindow:
    win = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(win)
    trading_days.ensure_stored(win.workspace.conn, win.workspace.market)
    return win


def _column(dialog, column: Column) -> list[str]:
    proxy = dialog.proxy
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def test_events_view_filters_by_kind_symbol_and_horizon(window: MainWindow, qtmodeltester,
                                                        tmp_path: Path) -> None:
    dialog = window.open_events()
    qtmodeltester.check(dialog.model)
    today = window.workspace.events.today()
    shown = dialog.shown_events()
    assert shown and all(0 <= e.days_left(today) <= 90 for e in shown)
    assert "2027-01-08" in _column(dialog, Column.DATE)  # Zhipu's controlling lock-up
    assert _column(dialog, Column.DAYS)[_column(dialog, Column.DATE).index("2027-01-08")] \
        == "46 d"

    dialog.kind.setCurrentText(str(EventKind.HOLIDAY))
    assert set(_column(dialog, Column.KIND)) == {"HKEX holiday"}
    assert "2026-12-25" in _column(dialog, Column.DATE)

    dialog.kind.setCurrentText("All")
    dialog.horizon.setCurrentText("Past year and next year")
    dialog.symbol.setCurrentText("0100.HK")
    assert set(_column(dialog, Column.SYMBOL)) == {"0100.HK"}
    kinds = set(_column(dialog, Column.KIND))
    assert {"lock-up expiry", "results date", "analyst target"} <= kinds

    dialog.horizon.setCurrentText("Next 7 days")
    dialog.symbol.setCurrentText("All")
    assert all(0 <= e.days_left(today) <= 7 for e in dialog.shown_events())
    assert dialog.count.text().endswith(f"of {dialog.model.rowCount()} events")

    dialog.horizon.setCurrentText("Next 90 days")
    target = tmp_path / "events.ics"
    assert dialog.save_ics(target)
    entries = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert len(entries) == dialog.proxy.rowCount() > 0


def test_lockups_tab_shows_overhang_and_the_price_path(window: MainWindow) -> None:
    seed_zhipu(window.workspace.conn)
    window.select_symbol("2513.HK")
    window.show_overhang()
    pane = window.overhang
    assert pane.lockup.currentText().startswith("2027-01-08 (in 46 d) · Controlling")
    figures = dict(pane.figures.items)
    assert figures["Released / outstanding"] == "38.66%"
    assert figures["Released / free float"] == "63.03%"
    assert figures["Value at the last price"].startswith("HK$153.0bn at HK$850.00 (Yahoo")
    # sessions 5-24 of the seeded month: 1,000,000 + 50,000 x 13.5 on average
    assert figures["Days of average volume (20 sessions)"].startswith(
        f"{180_000_000 / 1_675_000:.1f} days of 1,675,000 shares a day (Yahoo, 2026-10-26 to")
    curves = pane.plot.getPlotItem().listDataItems()
    assert len(curves) == 1
    xs, ys = curves[0].getData()
    assert list(xs) == list(range(-10, 11)) and ys[9] == pytest.approx(100.0)
    assert "2026-07-08" in pane.path_note.text()
    assert not pane.offers_box.isVisibleTo(pane)


def test_a_recent_listing_is_offered_rule_derived_lockups_to_confirm(window: MainWindow) -> None:
    conn = window.workspace.conn
    with conn:
        conn.execute("INSERT INTO instruments (symbol, name, currency, exchange, listing_date, "
                     "confidence) VALUES ('2631.HK', 'New Co', 'HKD', 'HKEX', '2026-06-30', "
                     "'press')")
        conn.execute("INSERT INTO watchlist_items (watchlist_id, symbol, position) "
                     "VALUES (1, '2631.HK', 9)")
    window.refresh()
    assert window.select_symbol("2631.HK")
    assert "the Lock-ups tab offers those the Listing Rules imply" in \
        window.detail.toPlainText()
    window.show_overhang()
    pane = window.overhang
    assert pane.offers_box.isVisibleTo(pane) and pane.offers.rowCount() == 3
    assert pane.figures.rowCount() == 0 and pane.missing.text() == "No lock-up recorded."
    pane.offers_view.selectionModel().select(
        pane.offers.index(1, 0), QItemSelectionModel.SelectionFlag.Select
        | QItemSelectionModel.SelectionFlag.Rows)
    pane.confirm_selected()
    assert pane.offers.rowCount() == 2
    figures = dict(pane.figures.items)
    assert figures["Holders"] == "Controlling shareholders (must stay controlling)"
    assert figures["Source"] == ("HKEX Main Board Listing Rule 10.07(1)(b); confirmed by you "
                                 "(rule-derived)")
    assert figures["First trading day free"].startswith("2027-06-30")
    upcoming = window.workspace.events.events(Horizon(ahead=365))
    assert (dt.date(2027, 6, 30), "2631.HK") in {(e.day, e.symbol) for e in upcoming}


def test_before_the_first_poll_the_calendar_loads_off_the_gui_thread(
        qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> None:
    """Opening the events view before any poll loaded the exchange calendar must not freeze
    the window for the second that loading takes: it says so and fills in when ready."""
    import threading

    from ui.events.events_dialog import EventsDialog

    win = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(win)
    market = win.workspace.market
    assert not market.loaded
    loaded_on: list[threading.Thread] = []
    load = market.load
    market.load = lambda: (loaded_on.append(threading.current_thread()), load())[1]
    dialog: EventsDialog = win.open_events()
    assert dialog.count.text() == "Loading the HKEX calendar…"
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=20_000)
    assert loaded_on and loaded_on[0] is not threading.main_thread()
    assert str(EventKind.HOLIDAY) in {e.kind for e in dialog.model.items}
