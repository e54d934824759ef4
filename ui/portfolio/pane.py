"""The Portfolio tab: positions (average cost), totals in a chosen base currency, board-lot
warnings, the transactions behind them, and the portfolio's value and drawdown history."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import money, percent
from services.portfolio.holdings import PortfolioService, PortfolioTotals
from ui.common import settings as cfg
from ui.common.form_parts import WARNING_STYLE, delete_key, message_label
from ui.common.prompts import confirm, warn
from ui.portfolio.models import ID_ROLE, PositionsModel, TransactionsModel

if TYPE_CHECKING:
    from ui.charts.portfolio_chart import PortfolioChart
    from ui.portfolio.transaction_dialog import TransactionDialog

METHOD = "Average cost: fees are part of the cost; a sell realises proceeds minus average cost."


def _table(parent: QWidget, model: object, name: str) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)  # type: ignore[arg-type]
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def totals_text(totals: PortfolioTotals) -> str:
    if totals.market_value is None or totals.cost is None or totals.unrealised is None:
        return (f"Total in {totals.base}: not available — " + "; ".join(totals.missing)
                + ". Add the missing FX rate or wait for a price.")
    gain = totals.unrealised.amount / totals.cost.amount if totals.cost.amount else None
    realised = money(totals.realised) if totals.realised else "—"
    text = (f"<b>Market value {money(totals.market_value)}</b> · cost {money(totals.cost)} · "
            f"unrealised {money(totals.unrealised)} ({percent(gain)}) · realised {realised}")
    if totals.caveats:  # a total resting on a reference price or a placeholder rate says so
        text += "<br><span style='color:#9a6700'>" + escape("; ".join(totals.caveats)) + \
            ".</span>"
    return text


class PortfolioPane(QWidget):
    changed = Signal()  # a transaction was recorded or deleted

    def __init__(self, portfolio: PortfolioService, store: QSettings,
                 current_symbol: Callable[[], str | None], demo: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("portfolio_pane")
        self._portfolio = portfolio
        self._store = store
        self._current_symbol = current_symbol
        self._demo = demo
        self._stale = True
        self.base = QComboBox(self)
        self.base.setObjectName("base_currency")
        self.base.setToolTip("Totals, weights and the chart in this currency (stored FX rates)")
        self.base.currentTextChanged.connect(self._base_chosen)
        record = QPushButton("Record transaction…", self)
        record.clicked.connect(self.record_transaction)
        delete = QPushButton("Delete transaction", self)
        delete.clicked.connect(self.delete_transaction)
        self.import_button = QPushButton("Import…", self)
        self.export_button = QPushButton("Export", self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Base currency"))
        for widget in (self.base, record, delete, self.import_button, self.export_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.totals = QLabel(self)
        self.totals.setObjectName("portfolio_totals")
        self.totals.setToolTip(METHOD)
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.warnings = message_label(self, "portfolio_warnings", WARNING_STYLE)
        self.method = QLabel(METHOD, self)
        self.method.setStyleSheet("color: palette(mid);")
        self.positions = PositionsModel(self)
        self.transactions = TransactionsModel(self)
        self.positions_table = _table(self, self.positions, "positions_table")
        self.transactions_table = _table(self, self.transactions, "transactions_table")
        delete_key(self.transactions_table, self.delete_transaction, "delete_transaction")
        self.positions_table.horizontalHeader().setStretchLastSection(False)
        self._chart: PortfolioChart | None = None  # built when first shown (pyqtgraph)
        tables = QSplitter(Qt.Orientation.Vertical, self)
        tables.addWidget(self.positions_table)
        tables.addWidget(self.transactions_table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(tables)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.totals)
        layout.addWidget(self.warnings)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.method)
        self._fill_bases()

    @property
    def chart(self) -> PortfolioChart:
        if self._chart is None:
            from ui.charts.portfolio_chart import PortfolioChart

            self._chart = PortfolioChart(self)
            self.splitter.addWidget(self._chart)
            self.splitter.setSizes([3 * self.width() // 5, 2 * self.width() // 5])
        return self._chart

    def apply_theme(self) -> None:
        if self._chart is not None:
            self._chart.apply_theme()
        self.data_changed()

    def set_export_menu(self, menu: QMenu) -> None:
        self.export_button.setMenu(menu)

    def _fill_bases(self) -> None:
        wanted = cfg.BASE_CURRENCY.get(self._store)
        self.base.blockSignals(True)
        self.base.clear()
        self.base.addItems(self._portfolio.base_currencies())
        self.base.setCurrentText(wanted)
        self.base.blockSignals(False)

    def base_currency(self) -> str:
        return self.base.currentText() or "HKD"

    @Slot(str)
    def _base_chosen(self, base: str) -> None:
        if base:
            cfg.BASE_CURRENCY.set(self._store, base)
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def data_changed(self) -> None:
        """New prices or transactions: redraw now if shown, else when next shown."""
        self._stale = True
        if self.isVisible():
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Positions, totals, transactions and the chart; a ledger that sells shares it never
        bought (edited outside the app) shows its transactions with the offending sells marked
        instead of positions nobody could trust."""
        self._stale = False
        base = self.base_currency()
        problems = {p.transaction.id: p.reason for p in self._portfolio.problems()}
        checked = self._portfolio.lot_checks()
        self.transactions.reset_items(  # newest first
            [(t, w, problems.get(t.id)) for t, w in reversed(checked)])
        if problems:
            self._show_inconsistent(list(problems.values()), base)
            return
        held, totals = self._portfolio.snapshot(base)
        self.positions.reset_items(sorted(held, key=lambda p: (p.quantity == 0, p.symbol)))
        prefix = "<b>DEMO — simulated prices.</b> " if self._demo else ""
        self.totals.setText(prefix + totals_text(totals))
        lots = [f"{t.trade_date.isoformat()} {t.side}: {w}" for t, w in checked if w]
        self.warnings.setText("⚠ Board lots: " + "; ".join(lots) if lots else "")
        self.warnings.setVisible(bool(lots))
        self.chart.show_history(*self._portfolio.history(base), base, self._demo)

    def _show_inconsistent(self, reasons: list[str], base: str) -> None:
        self.positions.reset_items([])
        self.totals.setText(
            f"<b>The ledger does not add up:</b> {len(reasons)} sale(s) sell more shares than "
            "were held (marked ⛔ below). Select one and press Del (or Delete transaction), or "
            "record the missing buys.")
        self.warnings.setText("⛔ " + "; ".join(reasons))
        self.warnings.setVisible(True)
        import numpy as np  # with the chart, once the tab is shown

        empty = np.empty(0)
        self.chart.show_history(empty.astype(np.int64), empty, empty, base, self._demo)

    @Slot()
    def record_transaction(self) -> TransactionDialog:
        from ui.portfolio.transaction_dialog import TransactionDialog  # not needed to start

        symbols = sorted(self._portfolio.instruments())
        today = QDate(self._portfolio.today())
        dialog = TransactionDialog(self._portfolio, symbols, self._current_symbol(), today, self)
        dialog.accepted.connect(self._recorded)
        dialog.open()
        return dialog

    @Slot()
    def _recorded(self) -> None:
        self.refresh()
        self.changed.emit()

    @Slot()
    def delete_transaction(self) -> None:
        rows = self.transactions_table.selectionModel().selectedRows()
        if not rows or not confirm(self, "Delete transaction",
                                   f"Delete {rows[0].siblingAtColumn(2).data()} "
                                   f"{rows[0].siblingAtColumn(3).data()} "
                                   f"{rows[0].siblingAtColumn(1).data()} of "
                                   f"{rows[0].siblingAtColumn(0).data()}?"):
            return
        try:
            self._portfolio.delete(rows[0].data(ID_ROLE))
        except ValueError as error:
            warn(self, "Transaction kept", f"{error}\nDelete the later sell first.")
            return
        self._recorded()
