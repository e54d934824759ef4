from __future__ import annotations

import dataclasses
import sqlite3

from PySide6.QtCore import Qt

from services.core.clock import FixedClock
from services.watchlists.columns import Column
from services.watchlists.service import WatchlistService
from ui.watchlist.table_model import NEGATIVE, SORT_ROLE, SYMBOL_ROLE, WatchlistTableModel


def test_model_passes_qtmodeltester(qtmodeltester, app_db: sqlite3.Connection,
                                    clock: FixedClock) -> None:
    model = WatchlistTableModel()
    model.set_rows(WatchlistService(app_db, clock).rows())
    qtmodeltester.check(model, force_py=True)


def test_cells_roles_and_in_place_updates(qtbot, app_db: sqlite3.Connection,
                                          clock: FixedClock) -> None:
    model = WatchlistTableModel()
    rows = WatchlistService(app_db, clock).rows()
    model.set_rows(rows)
    assert model.rowCount() == 2 and model.columnCount() == len(Column)
    assert model.index(0, Column.SYMBOL).data() == "2513.HK"
    assert model.index(1, Column.LAST).data() == "HK$199.30"
    assert model.index(1, Column.DRAWDOWN).data(Qt.ItemDataRole.ForegroundRole) == NEGATIVE
    assert model.index(1, Column.DRAWDOWN).data(SORT_ROLE) < -0.8
    assert model.index(0, Column.CHANGE).data(SORT_ROLE) == float("-inf")  # no value sorts first
    assert model.index(0, 0).data(SYMBOL_ROLE) == "2513.HK"

    moved = dataclasses.replace(rows[1], upside=2.0)
    with qtbot.waitSignal(model.dataChanged) as changed, qtbot.assertNotEmitted(
        model.modelReset
    ):
        model.set_rows([rows[0], moved])
    top_left, bottom_right = changed.args[0], changed.args[1]
    assert (top_left.row(), bottom_right.row()) == (1, 1)  # only the row that differs
    assert (top_left.column(), bottom_right.column()) == (0, len(Column) - 1)
    assert model.index(1, Column.UPSIDE).data().startswith("+200.0%")
    with qtbot.assertNotEmitted(model.dataChanged), qtbot.assertNotEmitted(model.modelReset):
        model.set_rows([rows[0], moved])  # the same rows: nothing to redraw
    with qtbot.waitSignal(model.modelReset):
        model.set_rows([rows[1]])
    assert model.rowCount() == 1
