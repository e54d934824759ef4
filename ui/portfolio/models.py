"""Positions and transactions as Qt tables: thin adapters over portfolio holdings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from services.core.formatting import NO_VALUE, money, percent, source_label
from services.core.models import Money
from services.portfolio.holdings import Position, Transaction
from ui.common.list_table_model import Index, ListTableModel
from ui.watchlist.table_model import NEGATIVE, POSITIVE

ID_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _amount(value: float | None, currency: str, decimals: int = 2) -> str:
    return NO_VALUE if value is None else money(Money(value, currency), decimals)


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.4f}".rstrip("0")


class PositionsModel(ListTableModel[Position]):
    headers = ("Symbol", "Quantity", "Avg cost", "Last", "Market value", "Unrealised",
               "Unrealised %", "Realised", "Fees", "Weight")
    SIGNED = (5, 6, 7)

    def _cells(self, p: Position) -> tuple[str, ...]:
        unrealised = p.unrealised
        pct = (unrealised.amount / p.cost if unrealised is not None and p.cost else None)
        return (p.symbol, _quantity(p.quantity), _amount(p.average_cost, p.currency, 3),
                _amount(p.last.amount if p.last else None, p.currency, 3),
                _amount(p.market_value.amount if p.market_value else None, p.currency),
                _amount(unrealised.amount if unrealised else None, p.currency),
                percent(pct), _amount(p.realised, p.currency), _amount(p.fees, p.currency),
                percent(p.weight, signed=False))

    def _sign(self, p: Position, column: int) -> float:
        if column == 7:
            return p.realised
        unrealised = p.unrealised
        return unrealised.amount if unrealised is not None else 0.0

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        p = self.item(index)
        if p is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells(p)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column in self.SIGNED:
            sign = self._sign(p, column)
            return POSITIVE if sign > 0 else NEGATIVE if sign < 0 else None
        if role == Qt.ItemDataRole.ToolTipRole and column == 3 and p.last is not None:
            return f"Last price: {source_label(p.last)}"
        return None


class TransactionsModel(ListTableModel[tuple[Transaction, str | None, str | None]]):
    """Each transaction with its board-lot warning and its ledger problem (a sell of more than
    is held then), if any."""

    headers = ("Date", "Symbol", "Side", "Quantity", "Price", "Fees", "Note")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.item(index)
        if entry is None:
            return None
        t, warning, problem = entry
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            mark = " ⛔" if problem else " ⚠" if warning else ""
            return (t.trade_date.isoformat(), t.symbol, t.side, _quantity(t.quantity) + mark,
                    _amount(t.price, t.currency, 3), _amount(t.fees, t.currency),
                    t.note)[column]
        if role == Qt.ItemDataRole.ToolTipRole and problem:
            return (f"The ledger cannot hold this sale: {problem}. Delete it, or record the "
                    "missing buy.")
        if role == Qt.ItemDataRole.ToolTipRole and warning:
            return f"Check this quantity: {warning}"
        if role == Qt.ItemDataRole.ForegroundRole and problem:
            return NEGATIVE
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (3, 4, 5):
            return _RIGHT
        if role == ID_ROLE:
            return t.id
        return None
