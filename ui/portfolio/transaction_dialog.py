"""Record one buy or sell. Checked by services.portfolio.holdings (the same rules as an import); a
quantity off the HKEX board lot is a warning, not a refusal (odd lots exist)."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from services.core.parsing import parse_number
from services.core.tickers import normalise_symbol
from services.portfolio.holdings import PortfolioService, Transaction, board_lot_problem
from ui.common.form_parts import WARNING_STYLE, message_label, save_cancel


class TransactionDialog(QDialog):
    def __init__(self, portfolio: PortfolioService, symbols: list[str], symbol: str | None,
                 today: QDate, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a form per transaction
        self.setWindowTitle("Record a transaction")
        self._portfolio = portfolio
        self._instruments = portfolio.instruments()  # not re-read on every keystroke
        self.symbol = QComboBox(self)
        self.symbol.setEditable(True)
        self.symbol.addItems(symbols)
        if symbol:
            self.symbol.setCurrentText(symbol)
        self.side = QComboBox(self)
        self.side.addItems(["buy", "sell"])
        self.date = QDateEdit(today, self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(today)
        # A date changes only when the trader finishes editing it, and it sits after the
        # amounts: a quantity typed into the wrong field never becomes a silent date.
        self.date.setKeyboardTracking(False)
        self.quantity = QLineEdit(self)
        self.price = QLineEdit(self)
        self.fees = QLineEdit("0", self)
        self.currency = QLabel(self)
        self.note = QLineEdit(self)
        self.hint = message_label(self, "lot_hint", WARNING_STYLE)
        self.errors = message_label(self, "transaction_errors")
        form = QFormLayout(self)
        for label, widget in (("Symbol", self.symbol), ("Side", self.side),
                              ("Quantity", self.quantity), ("Price", self.price),
                              ("Fees (all charges)", self.fees), ("Currency", self.currency),
                              ("Trade date", self.date), ("Note", self.note)):
            form.addRow(label, widget)
        form.addRow(self.hint)
        form.addRow(self.errors)
        form.addRow(save_cancel(self, self.try_save))
        self.symbol.currentTextChanged.connect(self._update_hints)
        self.quantity.textChanged.connect(self._update_hints)
        self._update_hints()
        if symbol:  # the symbol is known: the trader types the quantity first
            self.quantity.setFocus(Qt.FocusReason.OtherFocusReason)

    def transaction(self) -> Transaction:
        """As typed; ValueError when a field is not even a number or a symbol."""
        symbol = normalise_symbol(self.symbol.currentText())
        instrument = self._instruments.get(symbol)
        return Transaction(
            symbol, self.date.date().toPython(),
            self.side.currentText(), parse_number(self.quantity.text(), "quantity"),
            parse_number(self.price.text(), "price"),
            parse_number(self.fees.text() or "0", "fees"),
            instrument.currency if instrument else "", self.note.text())

    @Slot()
    def _update_hints(self) -> None:
        try:
            symbol = normalise_symbol(self.symbol.currentText())
        except ValueError:
            self.currency.setText("")
            self.hint.setText("")
            return
        instrument = self._instruments.get(symbol)
        self.currency.setText(instrument.currency if instrument else "(not on a watchlist)")
        try:
            quantity = parse_number(self.quantity.text(), "quantity")
        except ValueError:
            self.hint.setText("")
            return
        probe = Transaction(symbol, self.date.date().toPython(), "buy", quantity, 1.0, 0.0, "")
        problem = board_lot_problem(probe, instrument)
        self.hint.setText(f"⚠ {problem}; odd lots trade separately, at worse prices."
                          if problem else "")

    @Slot()
    def try_save(self) -> None:
        try:
            self._portfolio.record(self.transaction())
        except ValueError as error:
            self.errors.setText(str(error)[:1].upper() + str(error)[1:])
            return
        self.accept()
