"""The alert log and the rule list as Qt tables: thin adapters over services' values."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from services.alert_rules import AlertRule, RuleState
from services.alert_service import AlertEvent
from services.clock import from_epoch

ID_ROLE = Qt.ItemDataRole.UserRole + 1
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


class LogColumn(IntEnum):
    FIRED = 0
    SYMBOL = 1
    MESSAGE = 2
    SOURCE = 3
    STATUS = 4


LOG_HEADERS = {LogColumn.FIRED: "Time (HKT)", LogColumn.SYMBOL: "Symbol",
               LogColumn.MESSAGE: "Alert", LogColumn.SOURCE: "Source",
               LogColumn.STATUS: "Status"}


class AlertLogModel(QAbstractTableModel):
    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._events: list[AlertEvent] = []

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(LogColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return LOG_HEADERS[LogColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        column = LogColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                # a price alert: when the price was seen; a calendar alert: when it fired
                LogColumn.FIRED: from_epoch(event.fired_at if event.source == "calendar"
                                            else event.observed_ts).strftime("%Y-%m-%d %H:%M"),
                LogColumn.SYMBOL: event.symbol,
                LogColumn.MESSAGE: event.message,
                LogColumn.SOURCE: "DEMO" if event.source == "demo" else event.source,
                LogColumn.STATUS: "acknowledged" if event.acknowledged else "unread",
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return event.message
        if role == Qt.ItemDataRole.FontRole and not event.acknowledged:
            font = QFont()
            font.setBold(True)
            return font
        if role == ID_ROLE:
            return event.id
        if role == UNREAD_ROLE:
            return not event.acknowledged
        return None

    def set_events(self, events: list[AlertEvent]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self.endResetModel()

    def unread(self) -> int:
        return sum(1 for e in self._events if not e.acknowledged)


class RuleColumn(IntEnum):
    ID = 0
    RULE = 1
    POLICY = 2
    STATE = 3
    NOTE = 4


RULE_HEADERS = {RuleColumn.ID: "#", RuleColumn.RULE: "Rule", RuleColumn.POLICY: "Policy",
                RuleColumn.STATE: "State", RuleColumn.NOTE: "Note"}


def rule_state_text(rule: AlertRule, state: RuleState) -> str:
    if not rule.enabled:
        return "disabled"
    if state.paused:
        return "paused: fired too often"
    if rule.expires_at is not None and state.last_ts > rule.expires_at:
        return "expired"
    return "armed" if state.armed else "fired, waiting to re-arm"


class AlertRulesModel(QAbstractTableModel):
    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rules: list[tuple[AlertRule, RuleState]] = []

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rules)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(RuleColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return RULE_HEADERS[RuleColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rules):
            return None
        rule, state = self._rules[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {RuleColumn.ID: str(rule.id), RuleColumn.RULE: rule.describe(),
                    RuleColumn.POLICY: rule.policy.value,
                    RuleColumn.STATE: rule_state_text(rule, state),
                    RuleColumn.NOTE: rule.note}[RuleColumn(index.column())]
        if role == ID_ROLE:
            return rule.id
        return None

    def set_rules(self, rules: list[tuple[AlertRule, RuleState]]) -> None:
        self.beginResetModel()
        self._rules = list(rules)
        self.endResetModel()

    def rule_at(self, row: int) -> AlertRule:
        return self._rules[row][0]
