"""Alert rules: what a trader can ask to be told, and the checks that reject nonsense.

Every rule watches one metric of one symbol against a level. The metric grows with the price
(price itself, % move since the previous close, drawdown from the peak, market cap, P/S), so the
engine can screen thousands of rules with one numpy comparison. Lock-up, results-date and
stale-feed rules watch the calendar and the feed instead of the price.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum

from services.core.formatting import compact_money, currency_prefix
from services.core.models import Money
from services.core.parsing import note_problem, parse_number


class RuleKind(StrEnum):
    PRICE_ABOVE = "price above"
    PRICE_BELOW = "price below"
    PRICE_CROSS = "price crosses"
    PCT_MOVE = "% move since previous close"
    DRAWDOWN = "drawdown from peak"
    TARGET = "analyst target"
    MARKET_CAP = "market cap"
    PS = "price/sales"
    LOCKUP = "lock-up expiry within"
    RESULTS = "results date within"
    FEED_STALE = "feed stale for"


class Direction(StrEnum):
    UP = "up"  # reaching the level from below (or being above it)
    DOWN = "down"
    EITHER = "either"


class Policy(StrEnum):
    ONCE = "once"  # fire, then stay disarmed
    REARM = "rearm"  # fire again after moving back beyond the hysteresis band
    DAILY = "daily"  # at most once per trading day


# Kinds whose level is compared with a price-driven metric; the rest are calendar/feed rules.
PRICE_DRIVEN = frozenset({RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW, RuleKind.PRICE_CROSS,
                          RuleKind.PCT_MOVE, RuleKind.DRAWDOWN, RuleKind.TARGET,
                          RuleKind.MARKET_CAP, RuleKind.PS})
# Kinds that fire N days before each dated event of the symbol (once per event).
DAYS_BEFORE = frozenset({RuleKind.LOCKUP, RuleKind.RESULTS})
MONEY_KINDS = frozenset({RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW, RuleKind.PRICE_CROSS,
                         RuleKind.TARGET, RuleKind.MARKET_CAP})
# A state ("is above") fires on the first observation beyond the level; a crossing needs to
# have seen the other side first.
STATE_KINDS = frozenset({RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW, RuleKind.DRAWDOWN,
                         RuleKind.TARGET, RuleKind.MARKET_CAP, RuleKind.PS, RuleKind.PCT_MOVE})


@dataclass(frozen=True)
class AlertRule:
    symbol: str
    kind: RuleKind
    level: float  # price; %; % drawdown (positive); cap; x; days; minutes
    direction: Direction = Direction.UP
    policy: Policy = Policy.ONCE
    hysteresis_pct: float = 0.0  # re-arm band, % of the level
    cooldown_min: int = 0
    band_pct: float = 0.0  # TARGET: fire within this % of the target
    expires_at: int | None = None  # UTC epoch
    enabled: bool = True
    note: str = ""
    id: int | None = None
    start_ts: int = 0  # observations at or before this are history, not news

    def __post_init__(self) -> None:
        fixed = {RuleKind.PRICE_ABOVE: Direction.UP, RuleKind.PRICE_BELOW: Direction.DOWN,
                 RuleKind.DRAWDOWN: Direction.DOWN}.get(self.kind)
        if fixed is not None:  # these kinds have one meaningful direction
            object.__setattr__(self, "direction", fixed)

    def threshold(self) -> float:
        """The metric value that triggers: a target within X% fires X% early."""
        if self.kind == RuleKind.TARGET and self.band_pct:
            shift = self.level * self.band_pct / 100.0
            return self.level - shift if self.direction == Direction.UP else self.level + shift
        if self.kind == RuleKind.DRAWDOWN:
            return -abs(self.level)  # drawdown metrics are negative percentages
        return self.level

    def describe(self, currency: str = "", with_symbol: bool = True) -> str:
        """'2513.HK price crosses up HK$900' (one currency notation: the app's HK$, US$)."""
        unit = {RuleKind.PCT_MOVE: "%", RuleKind.DRAWDOWN: "%", RuleKind.PS: "x",
                RuleKind.LOCKUP: " days", RuleKind.RESULTS: " days",
                RuleKind.FEED_STALE: " min"}.get(self.kind, "")
        if self.kind == RuleKind.MARKET_CAP and currency:
            level = compact_money(Money(self.level, currency))
        elif self.kind in MONEY_KINDS and currency:
            level = f"{currency_prefix(currency)}{self.level:,.6g}"
        else:
            level = f"{self.level:,.6g}{unit}"
        way = f" {self.direction}" if self.kind in (RuleKind.PRICE_CROSS, RuleKind.PCT_MOVE,
                                                    RuleKind.MARKET_CAP, RuleKind.PS) else ""
        band = f" (within {self.band_pct:g}%)" if self.band_pct else ""
        who = f"{self.symbol} " if with_symbol else ""
        return f"{who}{self.kind}{way} {level}{band}"


@dataclass
class RuleState:
    """What the engine remembers between evaluations (persisted, so restarts neither re-fire
    nor forget)."""

    armed: bool = True
    last_ts: int = 0  # observations at or before this were evaluated already
    side: int = 0  # where the last close was: -1 below the level, +1 at/above, 0 not seen
    fired_dir: int = 0  # direction of the last fire, for re-arming beyond the band
    last_fired_ts: int | None = None
    fired_day: str = ""
    recent_fires: list[int] = field(default_factory=list)  # for the storm breaker
    paused: bool = False


POLICY_LABELS = {Policy.ONCE: "once, then done", Policy.REARM: "again after moving back",
                 Policy.DAILY: "at most once a trading day"}


def state_text(rule: AlertRule, state: RuleState) -> str:
    """Where a rule stands, in the words the Rules tab and `alerts list` share."""
    if not rule.enabled:
        return "disabled"
    if state.paused:
        return "paused: fired too often"
    if rule.expires_at is not None and state.last_ts > rule.expires_at:
        return "expired"
    if state.armed:
        return "armed"
    if rule.policy == Policy.ONCE:
        return "fired (once) — done; re-enable to watch again"
    if rule.policy == Policy.DAILY:
        return "fired today — armed again next trading day"
    return "fired — re-arms once the price moves back beyond the band"


class RuleError(ValueError):
    """What is wrong with a rule, in words fit for the user (one problem per line)."""


def rule_number(text: str, what: str) -> float:
    """A number typed for a rule (window or command line); RuleError in words otherwise."""
    try:
        return parse_number(text, what)
    except ValueError:
        raise RuleError(f"{what} must be a finite number, e.g. 850 or 2.5 (got {text!r})."
                        ) from None


def validate(rule: AlertRule, now: dt.datetime, known_symbols: set[str]) -> None:
    """Raise RuleError listing every problem; a valid rule passes silently."""
    problems = []
    if rule.symbol not in known_symbols:
        problems.append(f"Unknown symbol {rule.symbol!r}: add it to a watchlist first.")
    if not math.isfinite(rule.level):
        problems.append("The level must be a number.")
    elif rule.kind in (RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW, RuleKind.PRICE_CROSS,
                       RuleKind.TARGET, RuleKind.MARKET_CAP, RuleKind.PS) and rule.level <= 0:
        problems.append("The level must be above zero.")
    elif rule.kind == RuleKind.PCT_MOVE and not 0 < abs(rule.level) <= 100:
        problems.append("A % move must be between 0 and 100 (e.g. 8 for 8%).")
    elif rule.kind == RuleKind.DRAWDOWN and not 0 < abs(rule.level) < 100:
        problems.append("A drawdown must be between 0 and 100% (e.g. 30).")
    elif rule.kind in DAYS_BEFORE and not (0 <= rule.level <= 3650 and rule.level.is_integer()):
        what = "a lock-up expiry" if rule.kind == RuleKind.LOCKUP else "a results date"
        problems.append(f"Days before {what} must be a whole number from 0 to 3650.")
    elif rule.kind == RuleKind.FEED_STALE and not 1 <= rule.level <= 24 * 60:
        problems.append("Stale minutes must be from 1 to 1440.")
    if not 0 <= rule.hysteresis_pct <= 50:
        problems.append("The re-arm band must be from 0 to 50% of the level.")
    if not 0 <= rule.band_pct <= 50:
        problems.append("'Within X%' must be from 0 to 50.")
    if not 0 <= rule.cooldown_min <= 7 * 24 * 60:
        problems.append("The cooldown must be from 0 minutes to 7 days.")
    if rule.expires_at is not None and rule.expires_at <= now.timestamp():
        problems.append("The expiry is in the past.")
    note = note_problem(rule.note)
    if note:
        problems.append(note)
    if problems:
        raise RuleError("\n".join(problems))
