"""The watchlist as a Qt table: a thin adapter over services.watchlists.columns."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from services.watchlists.columns import COLUMNS, Column
from services.watchlists.snapshots import WatchlistRow
from ui.common.list_table_model import Index, ListTableModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SYMBOL_ROLE = Qt.ItemDataRole.UserRole + 2
POSITIVE = QColor("#1a7f37")
NEGATIVE = QColor("#cf222e")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_SYMBOL = attrgetter("instrument.symbol")


class WatchlistTableModel(ListTableModel[WatchlistRow]):
    headers = tuple(COLUMNS[c].header for c in Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.item(index)
        if row is None:
            return None
        spec = COLUMNS[Column(index.column())]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.text(row)
        if role == SORT_ROLE:
            key = spec.sort_key(row)
            if key is None:
                return float("-inf") if spec.numeric else ""
            return key
        if role == SYMBOL_ROLE:
            return row.symbol
        if role == Qt.ItemDataRole.ToolTipRole:  # the trader's note on every cell of its row
            tip = spec.tooltip(row)
            if row.note and index.column() != Column.NOTE:
                tip = f"{tip}\n\nNote: {row.note}" if tip else f"Note: {row.note}"
            return tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT if spec.numeric else _LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and spec.signed:
            value = spec.sort_key(row)
            if isinstance(value, float) and value != 0:
                return POSITIVE if value > 0 else NEGATIVE
        return None

    def rows(self) -> list[WatchlistRow]:
        return list(self.items)

    def set_rows(self, rows: list[WatchlistRow]) -> None:
        """Replace the snapshot. The same symbols in the same order signal one change over
        the rows that are new objects (the service keeps a row's object while its figures
        are unchanged); the view then formats only the cells it shows. Formatting or
        comparing every cell of 200 rows to find the changed ones cost more than that."""
        old = self.items  # (a local: attributes of a Qt object are slow to look up)
        same_length = len(rows) == len(old)
        changed = [i for i, (before, after) in enumerate(zip(old, rows, strict=True))
                   if before is not after] if same_length else []
        if not same_length or [_SYMBOL(old[i]) for i in changed] != [
                _SYMBOL(rows[i]) for i in changed]:
            self.reset_items(rows)
            return
        self.items = list(rows)
        if changed:
            self.dataChanged.emit(self.index(changed[0], 0),
                                  self.index(changed[-1], len(Column) - 1))
