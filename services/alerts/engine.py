"""Deciding which rules fire on which observations. Pure: arrays in, fires and states out.

A `RuleBook` holds every price-driven rule and its state as numpy arrays and lives across polls.
Crossings are detected against each bar's high and low, so a spike between two polls counts.

Each poll is a `Batch`: (symbols x bars) arrays. Evaluating it takes three vector steps:
1. the extremes of each metric family (price, % move, drawdown, market cap, P/S) per symbol;
2. a screen: every rule keeps a "quiet band" of metric values that cannot change its state
   (computed when the state changes), so one comparison finds the few rules that need a look;
3. the state machine, bar by bar but vectorised over those candidate rules.
No per-rule Python runs unless a rule actually fires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.alerts.rules import STATE_KINDS, AlertRule, Direction, Policy, RuleKind, RuleState

STORM_LIMIT = 6  # fires of one rule within STORM_WINDOW_S pause it
STORM_WINDOW_S = 3600

# Metric families: every price-driven kind compares one of these with its threshold.
FAMILY = {RuleKind.PRICE_ABOVE: 0, RuleKind.PRICE_BELOW: 0, RuleKind.PRICE_CROSS: 0,
          RuleKind.TARGET: 0, RuleKind.PCT_MOVE: 1, RuleKind.DRAWDOWN: 2,
          RuleKind.MARKET_CAP: 3, RuleKind.PS: 4}
FAMILIES = 6
# A % move "either way" compares the move's size with the level: its own family, |% move|.
ABS_MOVE = 5
# metric = price * scale + shift; % metrics are (price / reference - 1) * 100
_SHIFT = np.array([0.0, -100.0, -100.0, 0.0, 0.0])[:, None, None]  # ABS_MOVE: from % move
_POLICY = {Policy.ONCE: 0, Policy.REARM: 1, Policy.DAILY: 2}
_INF = np.inf


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
    # the highest price before the first observation (NaN unknown); a lower value below the
    # first observation's high gives the same running peaks
    peak_before: float
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


class Batch:
    """One poll's observations for the book's symbols as padded (symbols x bars) arrays."""

    def __init__(self, paths: Sequence[Path | None]):
        held = [(i, p) for i, p in enumerate(paths) if p is not None and len(p)]
        ordinals: dict[str, int] = {}

        def joined(field: str, dtype: type = float) -> np.ndarray:
            return np.concatenate([np.asarray(getattr(p, field), dtype) for _, p in held]
                                  or [np.empty(0, dtype)])

        done = np.zeros(len(paths), dtype=np.int64)
        peak = np.full(len(paths), np.nan)
        for i, p in held:
            done[i] = p.complete_through if p.complete_through is not None else p.ts[-1]
            peak[i] = p.peak_before
        self._fill(len(paths), np.repeat([i for i, _ in held], [len(p) for _, p in held]),
                   joined("ts", np.int64), joined("high"), joined("low"), joined("close"),
                   joined("valid", bool),
                   np.array([ordinals.setdefault(d, dt.date.fromisoformat(d).toordinal())
                             for _, p in held for d in p.days], dtype=np.int64),
                   joined("prev_close"), joined("shares"), joined("ps_factor"), peak, done)

    @classmethod
    def from_columns(cls, symbols: int, row: np.ndarray, ts: np.ndarray, high: np.ndarray,
                     low: np.ndarray, close: np.ndarray, valid: np.ndarray, day: np.ndarray,
                     prev_close: np.ndarray, shares: np.ndarray, ps_factor: np.ndarray,
                     peak_before: np.ndarray, done: np.ndarray) -> Batch:
        """From stacked observations of every symbol (one entry a bar, grouped by `row`, the
        symbol's row in the book, oldest first; `day` the local date's proleptic ordinal) and
        per-symbol `peak_before` and `done` (newest final bar, 0 for none): no per-symbol
        Python work."""
        batch = cls.__new__(cls)
        batch._fill(symbols, row, ts, high, low, close, valid, day, prev_close, shares,
                    ps_factor, peak_before, done)
        return batch

    def _fill(self, s: int, row: np.ndarray, ts: np.ndarray, high: np.ndarray, low: np.ndarray,
              close: np.ndarray, valid: np.ndarray, day: np.ndarray, prev_close: np.ndarray,
              shares: np.ndarray, ps_factor: np.ndarray, peak_before: np.ndarray,
              done: np.ndarray) -> None:
        counts = np.bincount(row, minlength=s) if row.size else np.zeros(s, dtype=np.int64)
        b = int(counts.max(initial=0))
        # each observation's column: its place among its symbol's observations
        col = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts)
        self.ts = np.zeros((s, b), dtype=np.int64)
        self.high, self.low, self.close, self.prev_close, self.shares, self.ps_factor = (
            np.full((s, b), np.nan) for _ in range(6))
        self.valid = np.zeros((s, b), dtype=bool)
        self.day = np.zeros((s, b), dtype=np.int64)  # proleptic ordinal of the local date
        for name, values in (("ts", ts), ("high", high), ("low", low), ("close", close),
                             ("prev_close", prev_close), ("shares", shares),
                             ("ps_factor", ps_factor), ("valid", valid), ("day", day)):
            getattr(self, name)[row, col] = values
        self._finish(peak_before, done)

    @classmethod
    def padded(cls, ts: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray,
               valid: np.ndarray, day: np.ndarray, prev_close: np.ndarray, shares: np.ndarray,
               ps_factor: np.ndarray, peak_before: np.ndarray, done: np.ndarray) -> Batch:
        """From (symbols x bars) arrays as the batch keeps them: a symbol's observations first
        in its row, the rest of the row padding (ts and day 0, not valid)."""
        batch = cls.__new__(cls)
        batch.ts, batch.high, batch.low, batch.close, batch.valid = ts, high, low, close, valid
        batch.day, batch.prev_close, batch.shares, batch.ps_factor = (day, prev_close, shares,
                                                                      ps_factor)
        batch._finish(peak_before, done)
        return batch

    def _finish(self, peak_before: np.ndarray, done: np.ndarray) -> None:
        self.peak_before = np.asarray(peak_before, dtype=float)
        self.done = np.asarray(done, dtype=np.int64)  # newest final bar per symbol
        self.last_day = self.day.max(axis=1) if self.bars else np.zeros(len(self.ts),
                                                                         dtype=np.int64)
        self.peak_floor = np.where(np.isnan(self.peak_before), 0.0, self.peak_before)[:, None]

    @property
    def bars(self) -> int:
        return self.ts.shape[1]

    def metrics(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(high, low, close) of every metric family: arrays of (families * symbols, bars),
        NaN where the observation is invalid or the metric unknown."""
        with np.errstate(invalid="ignore", divide="ignore"):
            peaks = np.fmax.accumulate(np.fmax(self.high, self.peak_floor), axis=1)
            scale = np.empty((5, *self.high.shape))
            scale[0] = 1.0
            np.divide(100.0, self.prev_close, out=scale[1])
            np.divide(100.0, peaks, out=scale[2])
            scale[3] = self.shares
            np.multiply(self.shares, self.ps_factor, out=scale[4])
            scale[:, ~self.valid] = np.nan
            high, low, close = (a * scale + _SHIFT for a in (self.high, self.low, self.close))
            up, down = np.abs(high[1]), np.abs(low[1])
            # the bar's largest move either way, reported with its sign
            self.signed_move = np.where(up >= down, high[1], low[1])
            spans_zero = (low[1] <= 0) & (high[1] >= 0)
            high, low, close = (np.concatenate([family, extra[None]]) for family, extra in (
                (high, np.fmax(up, down)), (low, np.where(spans_zero, 0.0, np.fmin(up, down))),
                (close, np.abs(close[1]))))
            shape = (FAMILIES * len(self.ts), self.bars)
        return high.reshape(shape), low.reshape(shape), close.reshape(shape)


def _either_way(rule: AlertRule) -> bool:
    """A % move rule for either direction: it fires when the move's size reaches the level
    (+2% or −2% for a 2% level), never on a move that is merely below +2%."""
    return rule.kind == RuleKind.PCT_MOVE and rule.direction == Direction.EITHER


class RuleBook:
    """Price-driven rules and their engine state as arrays, kept across polls.

    `symbols` fixes each symbol's row in the batches the book is given.
    """

    def __init__(self, pairs: Sequence[tuple[AlertRule, RuleState]]):
        self.rules = [rule for rule, _ in pairs]
        self.symbols = sorted({rule.symbol for rule in self.rules})
        row = {s: i for i, s in enumerate(self.symbols)}
        rules, states = self.rules, [state for _, state in pairs]
        n = len(rules)

        def col(values: object, dtype: type = float) -> np.ndarray:
            return np.fromiter(values, dtype, n)  # type: ignore[arg-type]

        self.ids = col((r.id or 0 for r in rules), np.int64)
        self.sym = col((row[r.symbol] for r in rules), np.int64)
        # the rules grouped by symbol, and where each symbol's group starts (every symbol has one)
        self._by_symbol = np.argsort(self.sym, kind="stable")
        self._symbol_starts = np.searchsorted(self.sym[self._by_symbol], np.arange(len(row)))
        self.absolute = col((_either_way(r) for r in rules), bool)
        family = np.where(self.absolute, ABS_MOVE, col((FAMILY[r.kind] for r in rules), np.int64))
        self.flat = family * len(self.symbols) + self.sym
        self.thr = np.where(self.absolute, np.abs(col(r.level for r in rules)),
                            col(r.threshold() for r in rules))
        self.band = np.abs(self.thr) * col(r.hysteresis_pct for r in rules) / 100.0
        self.up = col((r.direction in (Direction.UP, Direction.EITHER) for r in rules), bool)
        self.down = ~self.absolute & col(
            (r.direction in (Direction.DOWN, Direction.EITHER) for r in rules), bool)
        self.crossing = col((r.kind not in STATE_KINDS for r in rules), bool)
        self.policy = col((_POLICY[r.policy] for r in rules), np.int64)
        self.cooldown = col((r.cooldown_min * 60 for r in rules), np.int64)
        self.expires = col(_INF if r.expires_at is None else r.expires_at for r in rules)
        self.start = col((r.start_ts for r in rules), np.int64)
        self.armed = col((s.armed for s in states), bool)
        self.paused = col((s.paused for s in states), bool)
        self.last_ts = col((s.last_ts for s in states), np.int64)
        self.side = col((s.side for s in states), np.int64)
        self.fired_dir = col((s.fired_dir for s in states), np.int64)
        self.last_fired = col(-_INF if s.last_fired_ts is None else s.last_fired_ts
                              for s in states)
        self.fired_day = col((dt.date.fromisoformat(s.fired_day).toordinal() if s.fired_day
                              else 0 for s in states), np.int64)
        self.recent = np.full((n, STORM_LIMIT), -_INF)  # newest fire times, -inf unused
        for i, s in enumerate(states):
            times = s.recent_fires[-STORM_LIMIT:]
            self.recent[i, :len(times)] = times
        self.storming = np.zeros(n, dtype=bool)  # the last fire completed a storm
        self.quiet_hi, self.quiet_lo = np.empty(n), np.empty(n)
        self.dirty: set[int] = set()  # rows whose state changed beyond `last_ts`
        self._requiet(np.arange(n))

    def __len__(self) -> int:
        return len(self.rules)

    def since(self) -> np.ndarray:
        """Per symbol: observations at or before this were evaluated by every rule."""
        watermark = np.maximum(self.start, self.last_ts)
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        return np.minimum.reduceat(watermark[self._by_symbol], self._symbol_starts)

    def advance(self, symbol_row: int, ts: int) -> None:
        """Every rule of a symbol has seen everything up to `ts` (a persisted progress mark)."""
        mine = self.sym == symbol_row
        self.last_ts[mine] = np.maximum(self.last_ts[mine], ts)

    def state(self, i: int) -> RuleState:
        day = int(self.fired_day[i])
        return RuleState(bool(self.armed[i]), int(self.last_ts[i]), int(self.side[i]),
                         int(self.fired_dir[i]),
                         None if self.last_fired[i] == -_INF else int(self.last_fired[i]),
                         dt.date.fromordinal(day).isoformat() if day else "",
                         sorted(int(t) for t in self.recent[i] if t > -_INF),
                         bool(self.paused[i]))

    # -- evaluation ----------------------------------------------------------------------------
    def evaluate(self, batch: Batch) -> list[Fire]:
        """Run the batch through every rule; states update in place, changed rows are added
        to `dirty`. Bars are final up to `batch.done`; a partial last bar is looked at again."""
        fires: list[Fire] = []
        if batch.bars and len(self):
            high, low, close = batch.metrics()
            top = np.fmax.reduce(np.fmax(high, close), axis=1)
            bottom = np.fmin.reduce(np.fmin(low, close), axis=1)
            look = (top[self.flat] >= self.quiet_hi) | (bottom[self.flat] <= self.quiet_lo)
            waiting = ~self.armed & (self.policy == 2) & ~self.crossing
            if waiting.any():  # once-a-day rules that fired re-arm on a new day
                look = np.where(waiting, batch.last_day[self.sym] > self.fired_day, look)
            rows = look.nonzero()[0]
            if rows.size:
                self._walk(rows, batch, high, low, close, fires)
        self.last_ts = np.maximum(self.last_ts, batch.done[self.sym])
        return fires

    def _walk(self, rows: np.ndarray, batch: Batch, high: np.ndarray, low: np.ndarray,
              close: np.ndarray, fires: list[Fire]) -> None:
        """The state machine over the candidate rows, one bar at a time for all of them."""
        sym, flat, thr, band = self.sym[rows], self.flat[rows], self.thr[rows], self.band[rows]
        absolute = self.absolute[rows]
        up, down, crossing = self.up[rows], self.down[rows], self.crossing[rows]
        policy, expires = self.policy[rows], self.expires[rows]
        since = np.maximum(self.start[rows], self.last_ts[rows])
        armed, paused, side = self.armed[rows], self.paused[rows], self.side[rows]
        fired_dir, last_fired = self.fired_dir[rows], self.last_fired[rows]
        fired_day = self.fired_day[rows]
        cool_until = last_fired + self.cooldown[rows]
        for b in range(batch.bars):
            ts, day = batch.ts[sym, b], batch.day[sym, b]
            hi, lo, c = high[flat, b], low[flat, b], close[flat, b]
            live = (ts > since) & np.isfinite(c) & ~paused & (ts <= expires)
            if not live.any():
                continue
            rearm = live & ~armed & (
                ((policy == 1) & (((fired_dir > 0) & (c < thr - band))
                                  | ((fired_dir < 0) & (c > thr + band))))
                | ((policy == 2) & (day != fired_day)))
            armed |= rearm
            # a minute that fired while still trading is looked at again once final: it may
            # re-arm the rule, never fire it twice (one event an observation)
            ready = live & armed & (ts >= cool_until) & (ts > last_fired)
            # a crossing reaches the level from the other side; touching it counts
            fire_up = ready & up & (hi >= thr) & (~crossing | (side < 0))
            fire_down = ready & ~fire_up & down & (lo <= thr) & (~crossing | (side > 0))
            fire = fire_up | fire_down
            if fire.any():
                seen = np.where(absolute, batch.signed_move[sym, b], hi)  # the move's sign
                self._fire(rows, np.flatnonzero(fire), fire_up, ts, day, seen, lo, fires)
                direction = np.where(fire_up, 1, -1)
                armed &= ~fire
                fired_dir, side = np.where(fire, direction, fired_dir), np.where(fire, direction,
                                                                                 side)
                last_fired = np.where(fire, ts, last_fired)
                fired_day = np.where(fire, day, fired_day)
                cool_until = np.where(fire, ts + self.cooldown[rows], cool_until)
                paused |= fire & self.storming[rows]
            # a close exactly at the level leaves the side as it was
            moved = live & (c != thr)
            side = np.where(moved, np.where(c > thr, 1, -1), side)
        changed = ((armed != self.armed[rows]) | (paused != self.paused[rows])
                   | (side != self.side[rows]) | (fired_dir != self.fired_dir[rows])
                   | (last_fired != self.last_fired[rows]) | (fired_day != self.fired_day[rows]))
        self.armed[rows], self.paused[rows], self.side[rows] = armed, paused, side
        self.fired_dir[rows], self.last_fired[rows] = fired_dir, last_fired
        self.fired_day[rows] = fired_day
        self.dirty.update(rows[changed].tolist())  # a look that changed nothing is not saved
        self._requiet(rows)

    def _fire(self, rows: np.ndarray, hits: np.ndarray, up: np.ndarray, ts: np.ndarray,
              day: np.ndarray, hi: np.ndarray, lo: np.ndarray, fires: list[Fire]) -> None:
        """Record fires and feed the storm breaker (the last STORM_LIMIT fires of each rule)."""
        i = rows[hits]
        when = ts[hits]
        fires.extend(Fire(*f) for f in zip(self.ids[i].tolist(), when.tolist(),
                                            np.where(up[hits], hi[hits], lo[hits]).tolist(),
                                            np.where(up[hits], 1, -1).tolist(), strict=True))
        recent = self.recent[i]
        recent[np.arange(i.size), recent.argmin(axis=1)] = when
        self.recent[i] = recent
        self.storming[i] = (recent > (when - STORM_WINDOW_S)[:, None]).sum(axis=1) >= STORM_LIMIT

    def _requiet(self, rows: np.ndarray) -> None:
        """The band of metric values that cannot change each rule's state; anything reaching
        its edges makes the rule a candidate. Generous on purpose: a needless candidate only
        costs a look, a missed one would miss a fire."""
        thr, band = self.thr[rows], self.band[rows]
        armed, policy, side = self.armed[rows], self.policy[rows], self.side[rows]
        hi = np.where(self.up[rows], thr, _INF)  # armed: touching the level
        lo = np.where(self.down[rows], thr, -_INF)
        rearming = ~armed & (policy == 1)  # back beyond the band (a low at most the close)
        fired_dir = self.fired_dir[rows]
        hi = np.where(rearming, np.where(fired_dir < 0, thr + band, _INF), hi)
        lo = np.where(rearming, np.where(fired_dir > 0, thr - band, -_INF), lo)
        # crossings also track the side: anything reaching the level may flip it; with no
        # side seen yet, any observation sets it
        sided = self.crossing[rows] & (armed | (policy == 2))
        hi = np.where(sided, np.where(side < 0, thr, np.where(side > 0, _INF, -_INF)), hi)
        lo = np.where(sided, np.where(side > 0, thr, -_INF), lo)
        spent = (self.paused[rows] | (~armed & (policy == 0))
                 | (self.expires[rows] <= self.last_ts[rows]))
        self.quiet_hi[rows] = np.where(spent, _INF, hi)
        self.quiet_lo[rows] = np.where(spent, -_INF, lo)

