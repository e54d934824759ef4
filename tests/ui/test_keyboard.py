"""Keyboard use: keys act where the focus is, Tab leaves the watchlist, shortcuts for the list
selector, chart ranges, a new rule and reading alerts, type-to-find, a safe date field, and a
help list generated from the one shortcut table."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence

from services.core.clock import FixedClock
from services.core.paths import AppPaths
from tests.ui.alert_rows import store_unread_alert
from ui.alerts.editor_dialog import AlertEditorDialog
from ui.app import launch
from ui.common.shortcuts import ANYWHERE, SHORTCUTS
from ui.main_window import MainWindow
from ui.portfolio.transaction_dialog import TransactionDialog


@pytest.fixture
def window(qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> MainWindow:
    win = launch(db_path, isolated_home, clock, start_feed=False, verify=None)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    win.activateWindow()
    return win


def focus(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def test_window_wide_keys_do_not_collide() -> None:
    window_wide = [QKeySequence(s.keys).toString() for s in SHORTCUTS.values()
                   if s.where == ANYWHERE]
    assert len(window_wide) == len(set(window_wide))


def test_tab_leaves_the_watchlist(qtbot, window: MainWindow) -> None:
    focus(qtbot, window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not window.table.hasFocus())


def test_ctrl_l_alt_range_and_ctrl_r(qtbot, window: MainWindow) -> None:
    window.select_symbol("2513.HK")
    focus(qtbot, window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.watchlist_box.view().isVisible())  # open, keys choose
    window.watchlist_box.hidePopup()
    focus(qtbot, window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.price_chart.range_buttons["5D"].isChecked())
    assert window.tabs.currentWidget() is not window.alert_log
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(window.alert_rules.findChildren(AlertEditorDialog)))
    dialog = window.alert_rules.findChildren(AlertEditorDialog)[-1]
    assert dialog.symbol.currentText() == "2513.HK"
    dialog.reject()


def test_return_in_the_alert_log_opens_and_marks_read(qtbot, window: MainWindow) -> None:
    conn = window.workspace.conn
    store_unread_alert(conn)
    window.alert_log.reload()
    window.select_symbol("2513.HK")
    window.tabs.setCurrentWidget(window.alert_log)
    table = window.alert_log.table
    table.selectRow(0)
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.selected_symbol() == "0100.HK")
    assert window.alert_log.model.unread() == 0


def test_type_to_find_a_symbol(qtbot, window: MainWindow) -> None:
    window.select_symbol("2513.HK")
    focus(qtbot, window.table)
    qtbot.keyClicks(window.table, "01")
    qtbot.waitUntil(lambda: window.selected_symbol() == "0100.HK")


def test_a_typed_quantity_never_changes_the_date(qtbot, window: MainWindow) -> None:
    today = QDate(2026, 11, 23)
    dialog = TransactionDialog(window.workspace.portfolio, ["2513.HK"], "2513.HK", today, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.quantity)
    qtbot.keyClicks(dialog.focusWidget(), "2000")
    assert dialog.quantity.text() == "2000" and dialog.date.date() == today
    widget = dialog.quantity.nextInFocusChain()  # Tab reaches the amounts before the date
    while widget not in (dialog.price, dialog.date):
        widget = widget.nextInFocusChain()
    assert widget is dialog.price


def test_help_lists_every_shortcut(window: MainWindow) -> None:
    dialog = window.commands.show_shortcuts()
    texts = {dialog.model.item(r, 1).text() for r in range(dialog.model.rowCount())}
    assert texts == {s.what for s in SHORTCUTS.values()}
    keys = [dialog.model.item(r, 0).text() for r in range(dialog.model.rowCount())]
    assert "F5" in keys and "Alt+1" in keys and "Ctrl+R" in keys
    dialog.reject()


def test_del_in_the_alert_log_deletes_that_alert_only(qtbot, window: MainWindow,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.alerts import panes

    asked: list[str] = []
    monkeypatch.setattr(panes, "confirm", lambda parent, title, text: asked.append(title) or True)
    window.select_symbol("2513.HK")
    window.alert_rules.preset_lockups()
    conn = window.workspace.conn
    store_unread_alert(conn)
    window.alert_log.reload()
    symbols = window.model.rowCount()
    window.tabs.setCurrentWidget(window.alert_log)
    table = window.alert_log.table
    table.selectRow(0)
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert asked == ["Delete alerts"]
    assert window.alert_log.model.rowCount() == 0
    assert window.alert_rules.model.rowCount() == 1 and window.model.rowCount() == symbols
