"""Deciding which rules fire on which observations. Pure: arrays in, fires and states out.

Crossings are detected against each bar's high and low, so a spike between two polls counts.
All rules are first screened with numpy against the batch's extremes; only rules that could
fire (or re-arm) walk the bars one by one through the state machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.alert_rules import STATE_KINDS, AlertRule, Direction, Policy, RuleKind, RuleState

STORM_LIMIT = 6  # fires of one rule within STORM_WINDOW_S pause it
STORM_WINDOW_S = 3600


@dataclass(frozen=True)
class Path:
    """New observations of one symbol, oldest first, with what the metrics need."""

    symbol: str
    ts: np.ndarray  # int64 epoch seconds
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    valid: np.ndarray  # bool: finite, positive, in session
    days: Sequence[str]  # exchange-local date of each observation
    prev_close: np.ndarray  # previous session's close for each observation (NaN unknown)
    peak_before: float  # the highest price before the first observation (NaN unknown)
    shares: np.ndarray  # shares outstanding on each observation's date (NaN unknown)
    ps_factor: np.ndarray  # P/S = price * shares * ps_factor (NaN unknown)
    complete_through: int | None = None  # newest bar that will not change (default: last)

    def __len__(self) -> int:
        return int(self.ts.size)


@dataclass(frozen=True)
class Fire:
    rule_id: int
    ts: int  # the observation that fired it
    value: float  # the metric at that observation
    direction: int  # +1 reached from below, -1 from above


def metrics(kind: RuleKind, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(high, low, close) of the rule's metric for each observation."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == RuleKind.PCT_MOVE:
            return tuple((a / path.prev_close - 1.0) * 100.0  # type: ignore[return-value]
                         for a in (path.high, path.low, path.close))
        if kind == RuleKind.DRAWDOWN:
            peaks = np.fmax.accumulate(np.fmax(path.high, np.nan_to_num(path.peak_before)))
            return tuple((a / peaks - 1.0) * 100.0  # type: ignore[return-value]
                         for a in (path.high, path.low, path.close))
        if kind == RuleKind.MARKET_CAP:
            return path.high * path.shares, path.low * path.shares, path.close * path.shares
        if kind == RuleKind.PS:
            factor = path.shares * path.ps_factor
            return path.high * factor, path.low * factor, path.close * factor
    return path.high, path.low, path.close


def screen(rules: Sequence[AlertRule], states: Sequence[RuleState],
           extremes: np.ndarray) -> np.ndarray:
    """Which rules need the bar-by-bar walk. `extremes[i]` holds (max high, min low, min close,
    max close) of rule i's metric over the batch (NaN when it has no new observation).

    A rule is skipped only when nothing in the batch can fire or re-arm it.
    """
    n = len(rules)
    thr = np.fromiter((r.threshold() for r in rules), float, n)
    band = np.abs(thr) * np.fromiter((r.hysteresis_pct for r in rules), float, n) / 100.0
    up = np.fromiter((r.direction in (Direction.UP, Direction.EITHER) for r in rules), bool, n)
    down = np.fromiter((r.direction in (Direction.DOWN, Direction.EITHER) for r in rules),
                       bool, n)
    armed = np.fromiter((s.armed and not s.paused for s in states), bool, n)
    hi, lo, cmin, cmax = extremes.T
    with np.errstate(invalid="ignore"):
        touch = (up & (hi >= thr)) | (down & (lo <= thr))
        rearm = ~armed & ((cmin < thr - band) | (cmax > thr + band))
    daily = np.fromiter((r.policy == Policy.DAILY for r in rules), bool, n)
    return (touch & armed) | rearm | (daily & ~armed & touch)


def walk(rule: AlertRule, state: RuleState, path: Path) -> list[Fire]:
    """Run one rule over the observations, updating `state` in place."""
    assert rule.id is not None
    hi, lo, close = metrics(rule.kind, path)
    thr = rule.threshold()
    band = abs(thr) * rule.hysteresis_pct / 100.0
    up_ok = rule.direction in (Direction.UP, Direction.EITHER)
    down_ok = rule.direction in (Direction.DOWN, Direction.EITHER)
    crossing = rule.kind not in STATE_KINDS
    fires: list[Fire] = []
    for i in range(len(path)):
        ts = int(path.ts[i])
        if (not path.valid[i] or ts <= max(rule.start_ts, state.last_ts)
                or not np.isfinite(close[i])):
            continue
        if state.paused or (rule.expires_at is not None and ts > rule.expires_at):
            break
        if not state.armed and _rearms(rule, state, float(close[i]), path.days[i], thr, band):
            state.armed = True
        cooling = (state.last_fired_ts is not None
                   and ts < state.last_fired_ts + rule.cooldown_min * 60)
        direction = 0
        if state.armed and not cooling:
            # a crossing reaches the level from the other side; touching it counts
            if up_ok and hi[i] >= thr and (not crossing or state.side < 0):
                direction = 1
            elif down_ok and lo[i] <= thr and (not crossing or state.side > 0):
                direction = -1
        if direction:
            fires.append(Fire(rule.id, ts, float(hi[i] if direction > 0 else lo[i]),
                              direction))
            state.armed = False
            state.fired_dir = direction
            state.last_fired_ts = ts
            state.fired_day = path.days[i]
            state.recent_fires = [t for t in state.recent_fires if t > ts - STORM_WINDOW_S]
            state.recent_fires.append(ts)
            if len(state.recent_fires) >= STORM_LIMIT:
                state.paused = True
            state.side = direction
        if close[i] != thr:  # a close exactly at the level leaves the side as it was
            state.side = 1 if close[i] > thr else -1
    _advance(state, path)
    return fires


def _advance(state: RuleState, path: Path) -> None:
    """Remember how far the bars are final; a partial last bar is looked at again later."""
    if len(path):
        done = path.complete_through if path.complete_through is not None else path.ts[-1]
        state.last_ts = max(state.last_ts, int(done))


def _rearms(rule: AlertRule, state: RuleState, close: float, day: str, thr: float,
            band: float) -> bool:
    """Re-arm after moving back beyond the band (REARM) or on a new trading day (DAILY)."""
    if rule.policy == Policy.REARM:
        return ((state.fired_dir > 0 and close < thr - band)
                or (state.fired_dir < 0 and close > thr + band))
    return rule.policy == Policy.DAILY and day != state.fired_day


def settle(rule: AlertRule, state: RuleState, path: Path) -> None:
    """The cheap update for a screened-out rule: only where the price now stands."""
    _, _, close = metrics(rule.kind, path)
    keep = path.valid & np.isfinite(close) & (path.ts > max(rule.start_ts, state.last_ts))
    if keep.any() and close[keep][-1] != rule.threshold():
        state.side = 1 if close[keep][-1] > rule.threshold() else -1
    _advance(state, path)
