"""The watchlist as a Qt table: a thin adapter over services.watchlist_columns."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from services.watchlist_columns import COLUMNS, Column
from services.watchlist_service import WatchlistRow

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SYMBOL_ROLE = Qt.ItemDataRole.UserRole + 2
POSITIVE = QColor("#1a7f37")
NEGATIVE = QColor("#cf222e")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # Qt's default "no parent" argument


class WatchlistTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[WatchlistRow] = []

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[Column(section)].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
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
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT if spec.numeric else _LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and spec.signed:
            value = spec.sort_key(row)
            if isinstance(value, float) and value != 0:
                return POSITIVE if value > 0 else NEGATIVE
        return None

    def rows(self) -> list[WatchlistRow]:
        return list(self._rows)

    def set_rows(self, rows: list[WatchlistRow]) -> None:
        """Replace the snapshot; same symbols in the same order only signal changed cells."""
        if [r.symbol for r in rows] != [r.symbol for r in self._rows]:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        old, self._rows = self._rows, list(rows)
        for i, (before, after) in enumerate(zip(old, rows, strict=True)):
            if before == after:
                continue
            changed = [c for c in Column if COLUMNS[c].text(before) != COLUMNS[c].text(after)]
            first, last = (min(changed), max(changed)) if changed else (0, len(Column) - 1)
            self.dataChanged.emit(self.index(i, first), self.index(i, last))
