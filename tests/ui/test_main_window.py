from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from services.core.clock import FixedClock
from services.core.paths import AppPaths
from services.watchlists.columns import Column
from ui.app import launch
from ui.main_window import MainWindow


def open_window(qtbot, db_path: Path, paths: AppPaths, clock: FixedClock) -> MainWindow:
    window = launch(db_path, paths, clock, start_feed=False)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    return window


def test_window_opens_with_both_stocks_and_their_reference_figures(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock
) -> None:
    window = open_window(qtbot, db_path, isolated_home, clock)
    table = window.table.model()
    shown = {table.index(r, Column.SYMBOL).data(): table.index(r, Column.LAST).data()
             for r in range(table.rowCount())}
    assert shown == {"2513.HK": "HK$819.00", "0100.HK": "HK$199.30"}
    assert "reference prices" in window.status_label.text()
    assert "Not real-time" in window.status_label.text()
    assert window.selected_symbol() == "2513.HK"
    assert "Morgan Stanley" in window.detail.toPlainText()

    assert window.select_symbol("0100.HK")
    text = window.detail.toPlainText()
    assert "MiniMax" in text and "Goldman Sachs" in text and "1,018" in text
    assert "Founders (Class B)" in text and "≥ 2027-01-09" in text
    # further sourced facts, grouped, and the commentator's reading set apart as opinion
    assert "Highest close since listing" in text and "HK$1,238" in text
    assert "Convertible bond" in text and "HK$6.5bn" in text
    assert "The article's reading (opinion)" in text
    assert "reference price 2026-07-23, not a live quote" in text
    assert not window.windowIcon().isNull()


def test_table_sorts_by_value_not_text(qtbot, db_path: Path, isolated_home: AppPaths,
                                       clock: FixedClock) -> None:
    window = open_window(qtbot, db_path, isolated_home, clock)
    window.table.sortByColumn(Column.MARKET_CAP, Qt.SortOrder.AscendingOrder)
    model = window.table.model()
    assert [model.index(r, Column.SYMBOL).data() for r in range(2)] == ["0100.HK", "2513.HK"]


def test_window_state_and_selection_persist(qtbot, db_path: Path, isolated_home: AppPaths,
                                            clock: FixedClock) -> None:
    window = open_window(qtbot, db_path, isolated_home, clock)
    window.resize(751, 503)
    window.table.horizontalHeader().resizeSection(Column.NAME, 222)
    window.select_symbol("0100.HK")
    window.close()
    assert isolated_home.settings_file.exists()

    again = open_window(qtbot, db_path, isolated_home, clock)
    assert (again.size().width(), again.size().height()) == (751, 503)
    assert again.table.horizontalHeader().sectionSize(Column.NAME) == 222
    assert again.selected_symbol() == "0100.HK"


def test_a_column_layout_saved_for_other_columns_is_ignored(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock
) -> None:
    from ui.common import settings as cfg
    from ui.common.settings import open_settings

    window = open_window(qtbot, db_path, isolated_home, clock)
    window.table.horizontalHeader().moveSection(Column.MARKET_CAP, 0)
    window.close()
    store = open_settings(isolated_home.settings_file)
    cfg.WATCHLIST_COLUMNS.set(store, "Symbol|Name|an older version's columns")
    store.sync()
    again = open_window(qtbot, db_path, isolated_home, clock)
    assert again.table.horizontalHeader().visualIndex(Column.MARKET_CAP) == Column.MARKET_CAP


def test_refresh_keeps_the_detail_pane_where_the_trader_scrolled(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock
) -> None:
    window = open_window(qtbot, db_path, isolated_home, clock)
    window.resize(700, 500)
    bar = window.detail.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)
    position = bar.value()
    with qtbot.waitSignal(window.feed.data_loaded):
        window.refresh()  # what every landed poll does (the details on the next turn)
    assert bar.value() == position
    window.select_symbol("0100.HK")
    assert bar.value() == 0  # another symbol starts at the top
