"""Create or edit one alert rule; every problem is explained and nothing is saved until the
rule is valid."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from services.alerts.rules import (
    POLICY_LABELS,
    AlertRule,
    Direction,
    Policy,
    RuleError,
    RuleKind,
    rule_number,
)
from services.core.clock import HKEX_TZ, end_of_day, local_date
from services.core.tickers import TickerError, normalise_symbol
from ui.common.form_parts import message_label, save_cancel

DIRECTION_LABELS = {Direction.UP: "up (from below)", Direction.DOWN: "down (from above)",
                    Direction.EITHER: "either way"}
# Kinds where the trader chooses a direction; "above", "below", drawdown and the calendar
# kinds have one meaning.
DIRECTED = frozenset({RuleKind.PRICE_CROSS, RuleKind.PCT_MOVE, RuleKind.TARGET,
                      RuleKind.MARKET_CAP, RuleKind.PS})
LEVEL_HINTS = {RuleKind.PCT_MOVE: "e.g. 8 (%)", RuleKind.DRAWDOWN: "e.g. 30 (% from the peak)",
               RuleKind.PS: "e.g. 50 (x sales)", RuleKind.LOCKUP: "e.g. 30 (days before)",
               RuleKind.FEED_STALE: "e.g. 20 (minutes)", RuleKind.MARKET_CAP: "e.g. 3e11"}


class AlertEditorDialog(QDialog):
    def __init__(self, symbols: list[str], save: Callable[[AlertRule], None],
                 rule: AlertRule | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # an editor per new or edited rule
        self.setWindowTitle("Edit alert" if rule and rule.id else "New alert")
        self._save = save
        self._id: int | None = None  # of the rule being edited
        self.symbol = QComboBox(self)
        self.symbol.setEditable(True)
        self.symbol.addItems(symbols)
        self.kind = QComboBox(self)
        self.kind.addItems([k.value for k in RuleKind])
        self.level = QLineEdit(self)
        self.direction = QComboBox(self)
        for direction in Direction:
            self.direction.addItem(DIRECTION_LABELS[direction], direction)
        self.policy = QComboBox(self)
        for policy in Policy:
            self.policy.addItem(POLICY_LABELS[policy], policy)
        self.hysteresis = QLineEdit("0", self)
        self.within = QLineEdit("0", self)
        self.cooldown = QSpinBox(self)
        self.cooldown.setRange(0, 7 * 24 * 60)
        self.cooldown.setSuffix(" min")
        self.expires_on = QCheckBox("expires", self)
        self.expires = QDateEdit(QDate.currentDate().addDays(30), self)
        self.expires.setCalendarPopup(True)
        self.expires.setDisplayFormat("yyyy-MM-dd")
        self.note = QLineEdit(self)
        self.errors = message_label(self, "alert_errors")
        form = self._form = QFormLayout(self)
        for label, widget in (("Symbol", self.symbol), ("Watch", self.kind),
                              ("Level", self.level), ("Direction", self.direction),
                              ("Fires", self.policy), ("Re-arm band (% of level)", self.hysteresis),
                              ("Within (% of a target)", self.within),
                              ("Cooldown", self.cooldown), (self.expires_on, self.expires),
                              ("Note", self.note)):
            form.addRow(label, widget)
        form.addRow(self.errors)
        form.addRow(save_cancel(self, self.try_save))
        self.kind.currentTextChanged.connect(self._show_fields)
        self.policy.currentIndexChanged.connect(self._show_fields)
        if rule is not None:
            self.load(rule)
        self._show_fields()

    @Slot()
    def _show_fields(self) -> None:
        """Only the fields the chosen kind and policy use: no direction for "price below", no
        "within" but for targets, no re-arm band unless the rule re-arms."""
        kind = RuleKind(self.kind.currentText())
        self._form.setRowVisible(self.direction, kind in DIRECTED)
        self._form.setRowVisible(self.within, kind == RuleKind.TARGET)
        self._form.setRowVisible(self.hysteresis, self.policy.currentData() == Policy.REARM)
        self.level.setPlaceholderText(LEVEL_HINTS.get(kind, "e.g. 900"))

    def load(self, rule: AlertRule) -> None:
        self.symbol.setCurrentText(rule.symbol)
        self.kind.setCurrentText(rule.kind.value)
        self.level.setText(f"{rule.level:g}")
        self.direction.setCurrentIndex(self.direction.findData(rule.direction))
        self.policy.setCurrentIndex(self.policy.findData(rule.policy))
        self.hysteresis.setText(f"{rule.hysteresis_pct:g}")
        self.within.setText(f"{rule.band_pct:g}")
        self.cooldown.setValue(rule.cooldown_min)
        self.expires_on.setChecked(rule.expires_at is not None)
        if rule.expires_at is not None:
            day = local_date(rule.expires_at, HKEX_TZ)
            self.expires.setDate(QDate(day.year, day.month, day.day))
        self.note.setText(rule.note)
        self._id = rule.id

    def rule(self) -> AlertRule:
        """The rule as typed; RuleError when a field is not even a number."""
        def number(field: QLineEdit, what: str) -> float:
            return rule_number(field.text(), what)

        expires = None
        if self.expires_on.isChecked():
            day = self.expires.date().toPython()
            expires = end_of_day(day, HKEX_TZ)
        try:
            symbol = normalise_symbol(self.symbol.currentText())
        except TickerError as error:
            raise RuleError(str(error)) from None
        return AlertRule(symbol, RuleKind(self.kind.currentText()), number(self.level, "The level"),
                         Direction(self.direction.currentData()),
                         Policy(self.policy.currentData()),
                         number(self.hysteresis, "The re-arm band"), self.cooldown.value(),
                         number(self.within, "'Within'"), expires, note=self.note.text(),
                         id=self._id)

    @Slot()
    def try_save(self) -> None:
        try:
            self._save(self.rule())
        except RuleError as error:
            self.errors.setText(str(error))
            return
        self.accept()
