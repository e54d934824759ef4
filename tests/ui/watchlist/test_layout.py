"""The window's shape at the default 1280×760: a full-height watchlist beside the charts, its
columns chosen by the trader and kept, its notes visible."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt

from services.app.database import open_app_database
from services.core.clock import FixedClock
from services.core.paths import AppPaths
from services.watchlists.columns import DEFAULT_VISIBLE, Column
from services.watchlists.editing import WatchlistEditor
from ui.app import launch
from ui.main_window import MainWindow

LONG_NAME = "Hong Kong AI listings (watch closely)"


def seed_lists(db_path: Path) -> None:
    """Twelve more symbols on Main (two with notes) and a list with a long name."""
    conn = open_app_database(db_path)
    editor = WatchlistEditor(conn)
    editor.set_note("Main", "2513.HK", "Lock-up ends January; watch the founders' shares")
    for code in range(700, 712):
        editor.add("Main", f"{code:04d}.HK", "pair trade" if code == 700 else "")
    editor.create(LONG_NAME)
    conn.close()


def open_window(qtbot, db_path: Path, paths: AppPaths, clock: FixedClock) -> MainWindow:
    window = launch(db_path, paths, clock, start_feed=False, verify=None)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    return window


def test_ten_rows_and_unclipped_headers_at_1280_by_760(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock
) -> None:
    seed_lists(db_path)
    window = open_window(qtbot, db_path, isolated_home, clock)
    assert (window.width(), window.height()) == (1280, 760)  # the default size
    table = window.table
    viewport = table.viewport().rect()
    whole = [r for r in range(table.model().rowCount())
             if viewport.contains(QRect(0, table.rowViewportPosition(r), 1, table.rowHeight(r)))]
    assert table.model().rowCount() == 14 and len(whole) >= 10
    assert table.visible_columns() == list(DEFAULT_VISIBLE)
    assert not table.horizontalScrollBar().isVisible()  # no sideways scrolling by default
    header = table.horizontalHeader()
    for column in table.visible_columns():
        assert header.sectionSize(column) >= header.sectionSizeHint(column), column.name
    # the charts get the larger share, beside the list rather than under it
    assert window.tabs.width() > table.width()
    assert window.tabs.geometry().top() <= table.geometry().top() + 5
    selector = window.watchlist_box
    window.table.reload_lists(LONG_NAME)
    qtbot.waitUntil(lambda: selector.width() > selector.fontMetrics().horizontalAdvance(
        LONG_NAME))


def test_column_chooser_in_header_and_view_menu_persists(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock
) -> None:
    window = open_window(qtbot, db_path, isolated_home, clock)
    [view] = [a.menu() for a in window.menuBar().actions() if a.text() == "&View"]
    assert [a.text() for a in view.actions()] == [
        "Dark theme", "&Columns", "", "&Events calendar…", "&Lock-up overhang"]
    menu = window.table.columns_menu
    menu.aboutToShow.emit()  # what opening it (header right-click or View menu) does
    actions = {a.text(): a for a in menu.actions()}
    assert len(actions) == len(Column) and not actions["Symbol"].isEnabled()
    actions["Mkt cap"].setChecked(True)
    actions["From peak"].setChecked(False)
    chosen = window.table.visible_columns()
    assert Column.MARKET_CAP in chosen and Column.DRAWDOWN not in chosen
    header = window.table.horizontalHeader()
    assert header.sectionSize(Column.MARKET_CAP) >= header.sectionSizeHint(Column.MARKET_CAP)
    window.close()

    again = open_window(qtbot, db_path, isolated_home, clock)
    assert again.table.visible_columns() == chosen


def test_notes_show_in_their_column_every_tooltip_and_the_details(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock
) -> None:
    seed_lists(db_path)
    window = open_window(qtbot, db_path, isolated_home, clock)
    model = window.table.model()
    row = next(r for r in range(model.rowCount())
               if model.index(r, Column.SYMBOL).data() == "2513.HK")
    note = "Lock-up ends January; watch the founders' shares"
    assert model.index(row, Column.NOTE).data() == note
    assert note in model.index(row, Column.LAST).data(Qt.ItemDataRole.ToolTipRole)
    assert note in model.index(row, Column.SYMBOL).data(Qt.ItemDataRole.ToolTipRole)
    assert window.select_symbol("2513.HK")
    assert f"Your note: {note}" in window.detail.toPlainText()
    assert window.select_symbol("0100.HK")
    assert "Your note" not in window.detail.toPlainText()


def test_a_dialog_grows_with_its_message(qtbot, db_path: Path, isolated_home: AppPaths,
                                        clock: FixedClock) -> None:
    window = open_window(qtbot, db_path, isolated_home, clock)
    dialog = window.watchlist_actions.add_symbol()
    qtbot.waitExposed(dialog)
    before = dialog.height()
    message = ("Yahoo Finance could not be reached (cannot reach Yahoo: connection reset by "
               "peer); the symbol was added unverified and is checked on the next poll. ") * 3
    dialog.status.setText(message)
    qtbot.waitUntil(lambda: dialog.status.height()
                    >= dialog.status.heightForWidth(dialog.status.width()))
    assert dialog.height() > before
    assert dialog.status.geometry().bottom() < dialog.height()  # nothing cut off below
    dialog.close()


def test_demo_banner_follows_the_theme(qtbot, tmp_path: Path, isolated_home: AppPaths,
                                      clock: FixedClock) -> None:
    window = launch(tmp_path / "demo.sqlite3", isolated_home, clock, demo=True,
                    start_feed=False)
    qtbot.addWidget(window)
    assert "#ddf4ff" in window.banner.styleSheet()  # light: dark text on pale blue
    window.set_dark_theme(True)
    assert "#0c2d6b" in window.banner.styleSheet() and "#cae8ff" in window.banner.styleSheet()
    window.set_dark_theme(False)
    assert "#ddf4ff" in window.banner.styleSheet()



def test_a_long_message_in_the_main_window_never_resizes_it(
        qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> None:
    """Messages grow their dialogs, not the main window: the portfolio's warnings once made
    the window taller than the trader had it."""
    window = open_window(qtbot, db_path, isolated_home, clock)
    window.resize(760, 500)
    qtbot.wait(20)
    window.tabs.setCurrentWidget(window.portfolio)
    qtbot.wait(20)
    window.portfolio.warnings.setText("A board-lot warning that goes on. " * 60)
    qtbot.wait(20)
    assert (window.width(), window.height()) == (760, 500)
