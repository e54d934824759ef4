"""Positions and transactions as Qt tables: thin adapters over portfolio holdings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from services.core.clock import HKEX_TZ
from services.core.formatting import (
    NO_VALUE,
    money,
    percent,
    price_caveat,
    price_money,
    price_time,
    source_label,
)
from services.core.models import Money
from services.portfolio.holdings import Position, Transaction
from ui.common.list_table_model import Index, ListTableModel
from ui.watchlist.table_model import NEGATIVE, POSITIVE

ID_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _amount(value: float | None, currency: str) -> str:
    return NO_VALUE if value is None else money(Money(value, currency))


def _price(value: float | None, currency: str) -> str:
    return NO_VALUE if value is None else price_money(Money(value, currency))


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.4f}".rstrip("0")


def _marked(text: str, p: Position) -> str:
    """A value computed from a bundled reference price or an imported close says so."""
    mark = {"reference": "ref.", "import": "import"}.get(p.last.source if p.last else "", "")
    return f"{text} ({mark})" if mark and text != NO_VALUE else text


class PositionsModel(ListTableModel[Position]):
    headers = ("Symbol", "Quantity", "Avg cost", "Last", "Price as of", "Price source",
               "Market value", "Unrealised", "Unrealised %", "Realised", "Fees", "Weight")
    SIGNED = (7, 8, 9)
    LAST, REALISED = 3, 9

    def _cells(self, p: Position) -> tuple[str, ...]:
        unrealised = p.unrealised
        pct = (unrealised.amount / p.cost if unrealised is not None and p.cost else None)
        return (p.symbol, _quantity(p.quantity), _price(p.average_cost, p.currency),
                _price(p.last.amount if p.last else None, p.currency),
                price_time(p.last, HKEX_TZ) if p.last else NO_VALUE,
                source_label(p.last) if p.last else "no price yet",
                _marked(_amount(p.market_value.amount if p.market_value else None,
                                p.currency), p),
                _marked(_amount(unrealised.amount if unrealised else None, p.currency), p),
                _marked(percent(pct), p), _amount(p.realised, p.currency),
                _amount(p.fees, p.currency), percent(p.weight, signed=False))

    def _sign(self, p: Position, column: int) -> float:
        if column == self.REALISED:
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
        if role == Qt.ItemDataRole.TextAlignmentRole and column and column not in (4, 5):
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column in self.SIGNED:
            sign = self._sign(p, column)
            return POSITIVE if sign > 0 else NEGATIVE if sign < 0 else None
        if role == Qt.ItemDataRole.ToolTipRole and p.last is not None:
            caveat = price_caveat(p.last)
            return (f"Last price: {source_label(p.last)}, {price_time(p.last, HKEX_TZ)}"
                    + (f" — figures use a {caveat}, not a live quote" if caveat else ""))
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
                    _price(t.price, t.currency), _amount(t.fees, t.currency),
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
