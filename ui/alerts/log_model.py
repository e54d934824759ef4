"""The alert log and the rule list as Qt tables: thin adapters over services' values."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from services.alerts.records import AlertEvent
from services.alerts.rules import POLICY_LABELS, AlertRule, RuleState, state_text
from services.core.clock import from_epoch
from ui.common.list_table_model import Index, ListTableModel

ID_ROLE = Qt.ItemDataRole.UserRole + 1
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 2


class LogColumn(IntEnum):
    FIRED = 0
    SYMBOL = 1
    MESSAGE = 2
    SOURCE = 3
    STATUS = 4


LOG_HEADERS = {LogColumn.FIRED: "Time (HKT)", LogColumn.SYMBOL: "Symbol",
               LogColumn.MESSAGE: "Alert", LogColumn.SOURCE: "Source",
               LogColumn.STATUS: "Status"}


class AlertLogModel(ListTableModel[AlertEvent]):
    headers = tuple(LOG_HEADERS[c] for c in LogColumn)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        event = self.item(index)
        if event is None:
            return None
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
        self.reset_items(events)

    def unread(self) -> int:
        return sum(1 for e in self.items if not e.acknowledged)


class RuleColumn(IntEnum):
    ID = 0
    RULE = 1
    POLICY = 2
    STATE = 3
    NOTE = 4


RULE_HEADERS = {RuleColumn.ID: "#", RuleColumn.RULE: "Rule", RuleColumn.POLICY: "Policy",
                RuleColumn.STATE: "State", RuleColumn.NOTE: "Note"}


class AlertRulesModel(ListTableModel[tuple[AlertRule, RuleState]]):
    headers = tuple(RULE_HEADERS[c] for c in RuleColumn)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._currencies: dict[str, str] = {}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.item(index)
        if entry is None:
            return None
        rule, state = entry
        if role == Qt.ItemDataRole.DisplayRole:
            return {RuleColumn.ID: str(rule.id),
                    RuleColumn.RULE: rule.describe(self._currencies.get(rule.symbol, "")),
                    RuleColumn.POLICY: POLICY_LABELS[rule.policy],
                    RuleColumn.STATE: state_text(rule, state),
                    RuleColumn.NOTE: rule.note}[RuleColumn(index.column())]
        if role == ID_ROLE:
            return rule.id
        return None

    def set_rules(self, rules: list[tuple[AlertRule, RuleState]],
                  currencies: dict[str, str] | None = None) -> None:
        """`currencies`: each symbol's trading currency, so levels read HK$900, not 900."""
        self._currencies = currencies or {}
        self.reset_items(rules)

    def rule_at(self, row: int) -> AlertRule:
        return self.items[row][0]
