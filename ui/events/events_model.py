"""The events calendar as a table, and the filter in front of it (kind, symbol, horizon)."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from services.core.events import DatedEvent, EventKind
from ui.common.list_table_model import Index, ListTableModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PAST = QColor(Qt.GlobalColor.gray)  # events already behind: readable on light and dark


class Column(IntEnum):
    DATE = 0
    DAYS = 1
    SYMBOL = 2
    KIND = 3
    EVENT = 4
    SOURCE = 5


class EventsModel(ListTableModel[DatedEvent]):
    headers: ClassVar[tuple[str, ...]] = ("Date", "Days left", "Symbol", "Kind", "Event",
                                          "Source")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.today = dt.date.today()

    def set_events(self, events: list[DatedEvent], today: dt.date) -> None:
        self.today = today
        self.reset_items(events)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        event = self.item(index)
        if event is None:
            return None
        column = Column(index.column())
        days = event.days_left(self.today)
        if role == SORT_ROLE:
            return {Column.DATE: event.day.toordinal(), Column.DAYS: days}.get(
                column, self.data(index))
        if role == Qt.ItemDataRole.DisplayRole:
            earliest = "≥ " if event.at_earliest else ""
            return {
                Column.DATE: earliest + event.day.isoformat(),
                Column.DAYS: "today" if days == 0 else f"{days} d" if days > 0
                else f"{-days} d ago",
                Column.SYMBOL: event.symbol,
                Column.KIND: str(event.kind),
                Column.EVENT: event.title,
                Column.SOURCE: event.source,
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [event.title, f"Source: {event.source}"]
            if event.detail:
                lines.append(event.detail)
            if event.at_earliest:
                lines.append("On or after this date: the exact day is not known.")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.DAYS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and days < 0:
            return PAST
        return None


class EventsFilter(QSortFilterProxyModel):
    """Rows of one kind and one symbol (None: any) whose days left fall within a range."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.kind: EventKind | None = None
        self.symbol: str | None = None
        self.days: tuple[int, int | None] = (0, 90)  # from, to (None: no end)
        self.setSortRole(SORT_ROLE)

    def set_filter(self, kind: EventKind | None, symbol: str | None,
                   days: tuple[int, int | None]) -> None:
        self.beginFilterChange()
        self.kind, self.symbol, self.days = kind, symbol, days
        self.endFilterChange()

    def filterAcceptsRow(self, row: int,
                         parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, EventsModel)
        event = model.items[row]
        days = event.days_left(model.today)
        first, last = self.days
        return ((self.kind is None or event.kind == self.kind)
                and (self.symbol is None or event.symbol == self.symbol)
                and first <= days and (last is None or days <= last))
