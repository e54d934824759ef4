"""Alert rules and events as the database stores them, and back."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from services.alerts.rules import (
    AlertRule,
    Direction,
    Policy,
    RuleKind,
    RuleState,
)


@dataclass(frozen=True)
class AlertEvent:
    id: int
    rule_id: int | None
    symbol: str
    observed_ts: int
    fired_at: int
    value: float
    rule_text: str
    message: str
    source: str
    while_closed: bool
    acknowledged: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AlertEvent:
        return cls(row["id"], row["rule_id"], row["symbol"], row["observed_ts"], row["fired_at"],
                   row["value"], row["rule_text"], row["message"], row["source"],
                   bool(row["while_closed"]), bool(row["acknowledged"]))


def rule_from_row(row: sqlite3.Row) -> tuple[AlertRule, RuleState]:
    rule = AlertRule(row["symbol"], RuleKind(row["kind"]), row["level"],
                     Direction(row["direction"]), Policy(row["policy"]), row["hysteresis_pct"],
                     row["cooldown_min"], row["band_pct"], row["expires_at"],
                     bool(row["enabled"]), row["note"], row["id"], row["start_ts"])
    return rule, RuleState(**json.loads(row["state"] or "{}"))


def rule_row(rule: AlertRule, state: RuleState, now: int) -> dict[str, Any]:
    return {"symbol": rule.symbol, "kind": rule.kind.value, "level": rule.level,
            "direction": rule.direction.value, "policy": rule.policy.value,
            "hysteresis_pct": rule.hysteresis_pct, "cooldown_min": rule.cooldown_min,
            "band_pct": rule.band_pct, "expires_at": rule.expires_at,
            "enabled": int(rule.enabled), "note": rule.note, "start_ts": rule.start_ts,
            "created_at": now, "state": json.dumps(asdict(state))}
