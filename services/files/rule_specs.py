"""Alert rules as the plain dictionaries watchlist files carry (a JSON cell in CSV and XLSX,
objects in JSON), and back. Every field a trader sets survives a round trip, the expiry and
the enabled switch included: a re-imported rule must not fire past its expiry."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from services.alerts.rules import AlertRule, Direction, Policy, RuleKind

RULE_FIELDS = ("kind", "level", "direction", "policy", "hysteresis_pct", "cooldown_min",
               "band_pct", "expires_at", "enabled", "note")


def rule_spec(rule: AlertRule) -> dict[str, Any]:
    """The rule's fields; the expiry as an ISO time (readable in a spreadsheet cell)."""
    spec: dict[str, Any] = {}
    for name in RULE_FIELDS:
        value = getattr(rule, name)
        if name in ("kind", "direction", "policy"):
            value = value.value
        elif name == "expires_at" and value is not None:
            value = dt.datetime.fromtimestamp(value, dt.UTC).isoformat()
        spec[name] = value
    return spec


def spec_rule(symbol: str, spec: dict[str, Any]) -> AlertRule:
    """The rule a file describes; KeyError/ValueError/TypeError/OverflowError for nonsense."""
    if not isinstance(spec, dict):
        raise TypeError("an alert must be an object of fields")
    level = float(spec["level"])
    cooldown = float(spec.get("cooldown_min", 0))
    if not math.isfinite(cooldown) or not cooldown.is_integer():
        raise ValueError("the cooldown must be whole minutes")
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError("'enabled' must be true or false")
    return AlertRule(symbol, RuleKind(spec["kind"]), level,
                     Direction(spec.get("direction", "up")), Policy(spec.get("policy", "once")),
                     float(spec.get("hysteresis_pct", 0)), int(cooldown),
                     float(spec.get("band_pct", 0)), _expiry(spec.get("expires_at")), enabled,
                     str(spec.get("note", "")))


def _expiry(value: Any) -> int | None:
    """An ISO time (as exported) or epoch seconds (older files); None: no expiry."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("the expiry must be a time")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("the expiry must be a time")
        return int(value)
    when = dt.datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise ValueError("the expiry needs its time zone, e.g. 2026-12-31T23:59:59+08:00")
    return int(when.timestamp())


def rule_key(rule: AlertRule) -> tuple:
    """What makes two rules the same rule (importing a file twice adds it once)."""
    return (rule.symbol, rule.kind, round(rule.level, 9), rule.direction, rule.policy,
            rule.hysteresis_pct, rule.cooldown_min, rule.band_pct, rule.expires_at)
