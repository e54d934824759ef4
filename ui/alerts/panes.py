"""The alert log (unread/acknowledged, filter, search) and the rule list with its editor."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from services.alerts.rules import AlertRule, RuleKind
from services.alerts.service import AlertService
from services.core.tickers import is_hkex
from services.core.ticks import round_to_tick
from ui.alerts.log_model import ID_ROLE, UNREAD_ROLE, AlertLogModel, AlertRulesModel, LogColumn
from ui.common.form_parts import delete_key, focus_key
from ui.common.prompts import confirm

if TYPE_CHECKING:
    from ui.alerts.editor_dialog import AlertEditorDialog


class LogFilter(QSortFilterProxyModel):
    """Unread only, and a case-insensitive search over symbol and message."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.unread_only = False
        self.text = ""

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if self.unread_only and not model.index(row, 0, parent).data(UNREAD_ROLE):
            return False
        if not self.text:
            return True
        haystack = " ".join(str(model.index(row, c, parent).data() or "")
                            for c in (LogColumn.SYMBOL, LogColumn.MESSAGE)).lower()
        return self.text.lower() in haystack


def _table(parent: QWidget, model: object, name: str) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)  # type: ignore[arg-type]
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class AlertLogPane(QWidget):
    unread_changed = Signal(int)
    open_requested = Signal(str)  # a double-clicked alert's symbol

    def __init__(self, service: AlertService, parent: QWidget | None = None):
        super().__init__(parent)
        self._service = service
        self.model = AlertLogModel(self)
        self.filter = LogFilter(self)
        self.filter.setSourceModel(self.model)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search alerts (symbol or text)")
        self.search.textChanged.connect(self._search)
        self.unread_only = QCheckBox("Unread only", self)
        self.unread_only.toggled.connect(self._unread_only)
        acknowledge = QPushButton("Acknowledge selected", self)
        acknowledge.clicked.connect(self.acknowledge_selected)
        acknowledge_all = QPushButton("Acknowledge all", self)
        acknowledge_all.clicked.connect(self.acknowledge_all)
        self.table = _table(self, self.filter, "alert_log")
        self.table.doubleClicked.connect(self.open_alert)
        focus_key(self.table, self.open_current, "open_alert", "Open")
        delete_key(self.table, self.delete_selected, "delete_alert")
        focus_key(self.table, self.acknowledge_selected, "acknowledge", "Acknowledge")
        bar = QHBoxLayout()
        for widget in (self.search, self.unread_only, acknowledge, acknowledge_all):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.reload()

    @Slot()
    def reload(self) -> None:
        self.model.set_events(self._service.events())
        self.filter.invalidate()
        self.unread_changed.emit(self.model.unread())

    @Slot(str)
    def _search(self, text: str) -> None:
        self.filter.text = text.strip()
        self.filter.invalidate()

    @Slot(bool)
    def _unread_only(self, on: bool) -> None:
        self.filter.unread_only = on
        self.filter.invalidate()

    @Slot()
    def acknowledge_selected(self) -> None:
        ids = [index.data(ID_ROLE) for index in self.table.selectionModel().selectedRows()]
        if ids:
            self._service.acknowledge(ids)
            self.reload()

    @Slot(QModelIndex)
    def open_alert(self, index: QModelIndex) -> None:
        """Double-click: the alert is read, and its symbol shows."""
        symbol = index.siblingAtColumn(LogColumn.SYMBOL).data()
        alert_id = index.data(ID_ROLE)
        if alert_id is not None and index.data(UNREAD_ROLE):
            self._service.acknowledge([alert_id])
            self.reload()
        if symbol:
            self.open_requested.emit(symbol)

    @Slot()
    def delete_selected(self) -> None:
        ids = [index.data(ID_ROLE) for index in self.table.selectionModel().selectedRows()]
        if ids and confirm(self, "Delete alerts", f"Delete {len(ids)} alert(s) from the log? "
                                                  "Their rules stay."):
            self._service.delete_events(ids)
            self.reload()

    @Slot()
    def open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.open_alert(index)

    @Slot()
    def acknowledge_all(self) -> None:
        ids = [e.id for e in self._service.events() if not e.acknowledged]
        if ids:
            self._service.acknowledge(ids)
            self.reload()


class AlertRulesPane(QWidget):
    rules_changed = Signal()

    def __init__(self, service: AlertService, current_symbol: Callable[[], str | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._service = service
        self._current_symbol = current_symbol
        self.model = AlertRulesModel(self)
        self.table = _table(self, self.model, "alert_rules")
        bar = QToolBar(self)  # overflows into a menu instead of widening the window
        for text, slot in (("New…", self._new_clicked), ("Edit…", self.edit_rule),
                           ("Duplicate", self.duplicate_rule), ("Enable/disable", self.toggle_rule),
                           ("Re-enable (watch again)", self.rearm_rule),
                           ("Delete", self.delete_rule),
                           ("Alert at each target", self.preset_targets),
                           ("Alert 30 days before lock-ups", self.preset_lockups),
                           ("Alert 3 days before results", self.preset_results)):
            bar.addAction(text).triggered.connect(slot)
        delete_key(self.table, self.delete_rule, "delete_rule")
        layout = QVBoxLayout(self)
        layout.addWidget(bar)
        layout.addWidget(self.table, 1)
        self.reload()

    @Slot()
    def reload(self) -> None:
        self.model.set_rules(self._service.rules(), self._service.currencies())

    def _changed(self) -> None:
        self.reload()
        self.rules_changed.emit()

    def _selected(self) -> AlertRule | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rule_at(rows[0].row()) if rows else None

    def editor(self, rule: AlertRule | None = None) -> AlertEditorDialog:
        from ui.alerts.editor_dialog import AlertEditorDialog  # not needed to start

        def save(edited: AlertRule) -> None:
            if edited.id is None:
                self._service.add_rule(edited)
            else:
                self._service.update_rule(edited.id, edited)
            self._changed()

        symbols = sorted(self._service.known_symbols())
        return AlertEditorDialog(symbols, save, rule, self)

    @Slot()
    def _new_clicked(self) -> None:
        self.new_rule()

    def new_rule(self, level: float | None = None) -> AlertEditorDialog:
        """Open the editor for a new rule on the selected symbol (at `level`, if given)."""
        symbol = self._current_symbol()
        rule = None
        if level is not None and symbol and is_hkex(symbol):
            level = round_to_tick(level)  # a price HKEX can trade at, not the mouse's pixel
        if symbol:
            rule = AlertRule(symbol, RuleKind.PRICE_CROSS, level or 0.0)
        dialog = self.editor(rule)
        if level is None:
            dialog.level.clear()
        dialog.open()
        return dialog

    @Slot()
    def edit_rule(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.editor(rule).open()

    def _act_on_selected(self, action: Callable[[AlertRule, int], object]) -> None:
        rule = self._selected()
        if rule is not None and rule.id is not None:
            action(rule, rule.id)
            self._changed()

    @Slot()
    def duplicate_rule(self) -> None:
        self._act_on_selected(lambda rule, rule_id: self._service.duplicate(rule_id))

    @Slot()
    def toggle_rule(self) -> None:
        self._act_on_selected(
            lambda rule, rule_id: self._service.set_enabled(rule_id, not rule.enabled))

    @Slot()
    def rearm_rule(self) -> None:
        """A "once" rule that fired is done; this makes it watch again from now."""
        self._act_on_selected(lambda rule, rule_id: self._service.rearm(rule_id))

    @Slot()
    def delete_rule(self) -> None:
        rule = self._selected()
        if rule is not None and confirm(self, "Delete alert rule",
                                        f"Delete the rule “{rule.describe()}”? Its past alerts "
                                        "stay in the log."):
            self._act_on_selected(lambda rule, rule_id: self._service.remove_rule(rule_id))

    @Slot()
    def preset_targets(self) -> None:
        symbol = self._current_symbol()
        if symbol:
            self._service.preset_targets(symbol)
            self._changed()

    @Slot()
    def preset_results(self) -> None:
        symbol = self._current_symbol()
        if not symbol:
            return
        try:
            self._service.preset_results(symbol, 3)
        except ValueError as error:
            QMessageBox.warning(self, "Alert not added", str(error))
        self._changed()

    @Slot()
    def preset_lockups(self) -> None:
        symbol = self._current_symbol()
        if not symbol:
            return
        try:
            self._service.preset_lockups(symbol, 30)
        except ValueError as error:
            QMessageBox.warning(self, "Alert not added", str(error))
        self._changed()
