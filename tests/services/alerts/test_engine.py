"""Every rule kind and policy over scripted price paths (pure engine, no database)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.alerts.engine import STORM_LIMIT, Batch, Fire, Path, RuleBook
from services.alerts.rules import AlertRule, Direction, Policy, RuleKind, RuleState

T0 = 1_795_397_400  # 2026-11-23 09:30 HKT


def path(bars: list[tuple[float, float, float]], days: list[str] | None = None,
         start: int = T0, valid: list[bool] | None = None, prev_close: float = 100.0,
         peak_before: float = np.nan) -> Path:
    arr = np.array(bars, dtype=float).reshape(-1, 3)
    n = len(bars)
    return Path("2513.HK", start + 60 * np.arange(n, dtype=np.int64), arr[:, 0], arr[:, 1],
                arr[:, 2], np.array(valid if valid is not None else [True] * n),
                days or ["2026-11-23"] * n, np.full(n, prev_close), peak_before,
                np.full(n, 1e6), np.full(n, 1e-6))


def walk(r: AlertRule, state: RuleState, p: Path, every_bar: bool = False) -> list[Fire]:
    """One rule over one symbol's observations through a one-rule book; `state` updates.
    every_bar: no screen, so nothing can be hidden from the state machine."""
    book = RuleBook([(r, state)])
    if every_bar:
        book.quiet_hi[:] = -np.inf  # everything is a candidate
    fires = book.evaluate(Batch([p]))
    vars(state).update(vars(book.state(0)))
    return fires


def flat(*closes: float) -> list[tuple[float, float, float]]:
    return [(c, c, c) for c in closes]


def rule(kind: RuleKind = RuleKind.PRICE_CROSS, level: float = 100.0, **kw: object) -> AlertRule:
    return AlertRule("2513.HK", kind, level, id=1, **kw)  # type: ignore[arg-type]


def fired(r: AlertRule, p: Path, state: RuleState | None = None) -> list[int]:
    """Indices of the observations that fired."""
    s = state or RuleState()
    return [int((f.ts - T0) // 60) for f in walk(r, s, p)]


def test_crossing_up_on_the_exact_level_and_down() -> None:
    p = path(flat(99, 100, 101, 99.5, 99))
    assert fired(rule(direction=Direction.UP), p) == [1]
    assert fired(rule(direction=Direction.DOWN), path(flat(101, 100.5, 100, 99))) == [2]
    assert fired(rule(direction=Direction.UP), path(flat(101, 102))) == []  # never below


def test_a_spike_between_polls_is_caught_by_the_high() -> None:
    p = path([(99, 98, 98.5), (100.7, 98, 99.0), (99.2, 98.8, 99.0)])
    assert fired(rule(direction=Direction.UP), p) == [1]
    assert fired(rule(RuleKind.PRICE_BELOW, 98.2), p) == [0]


def test_oscillation_with_and_without_hysteresis() -> None:
    wobble = flat(99, 101, 99.5, 100.5, 99.6, 100.2, 97, 101)
    bare = rule(direction=Direction.UP, policy=Policy.REARM)
    assert fired(bare, path(wobble)) == [1, 3, 5, 7]
    damped = rule(direction=Direction.UP, policy=Policy.REARM, hysteresis_pct=2)
    assert fired(damped, path(wobble)) == [1, 7]  # re-armed only at 97 (< 98)
    assert fired(rule(direction=Direction.UP), path(wobble)) == [1]  # once


def test_daily_policy_fires_at_most_once_a_trading_day() -> None:
    days = ["2026-11-23"] * 4 + ["2026-11-24"] * 3
    p = path(flat(99, 101, 99, 101, 99, 101, 102), days)
    assert fired(rule(direction=Direction.UP, policy=Policy.DAILY), p) == [1, 5]


def test_cooldown_and_expiry() -> None:
    p = path(flat(99, 101, 99, 101, 99, 101, 99, 101))
    cooled = rule(direction=Direction.UP, policy=Policy.REARM, cooldown_min=4)
    assert fired(cooled, p) == [1, 5]
    assert fired(rule(direction=Direction.UP, policy=Policy.REARM,
                      expires_at=T0 + 4 * 60), p) == [1, 3]


def test_bad_data_never_fires() -> None:
    p = path([(0, 0, 0), (np.nan, np.nan, np.nan), (-5, -5, -5), (101, 101, 101)],
             valid=[False, False, False, False])
    assert fired(rule(RuleKind.PRICE_ABOVE, 100), p) == []
    out_of_session = path(flat(99, 101), valid=[True, False])
    assert fired(rule(direction=Direction.UP), out_of_session) == []


def test_old_and_duplicate_observations_are_ignored() -> None:
    r = rule(RuleKind.PRICE_ABOVE, 100, start_ts=T0 + 60)
    assert fired(r, path(flat(101, 101, 99, 102))) == [2 + 1]  # first two are history


def test_restart_in_the_middle_neither_refires_nor_misses() -> None:
    whole = flat(99, 101, 99, 98, 101, 97, 103)
    r = rule(direction=Direction.UP, policy=Policy.REARM, hysteresis_pct=1)
    assert fired(r, path(whole)) == [1, 4, 6]
    state = RuleState()
    first = fired(r, path(whole[:3]), state)
    restarted = RuleState(**vars(state))  # what the database gives back after a restart
    second = fired(r, path(whole[3:], start=T0 + 3 * 60), restarted)
    assert first + second == [1, 4, 6]


def test_a_minute_that_fired_while_trading_never_fires_again_when_final() -> None:
    """A spike fires the rule on the minute still trading; the final minute closes below the
    re-arm band: the rule re-arms on it but does not fire on it again, so the storm breaker
    counts one fire, and the next touch fires."""
    r = rule(RuleKind.PRICE_ABOVE, 100, policy=Policy.REARM, hysteresis_pct=1)
    state = RuleState()
    trading = replace(path([(101, 99.8, 100.5)]), complete_through=T0 - 1)
    assert [f.ts for f in walk(r, state, trading)] == [T0]
    assert walk(r, state, path([(101, 98.5, 98.8)])) == []  # the same minute, final
    assert state.armed and state.recent_fires == [T0]
    assert [f.ts for f in walk(r, state, path(flat(98.8, 100.2)))] == [T0 + 60]


def test_every_price_driven_kind() -> None:
    p = path([(104, 96, 103), (109, 102, 108)], prev_close=100.0, peak_before=150.0)
    assert fired(rule(RuleKind.PCT_MOVE, 8, direction=Direction.UP), p) == [1]
    assert fired(rule(RuleKind.PCT_MOVE, -3, direction=Direction.DOWN), p) == [0]
    assert fired(rule(RuleKind.DRAWDOWN, 35, direction=Direction.DOWN), p) == [0]  # 96/150
    assert fired(rule(RuleKind.TARGET, 110, band_pct=1), p) == [1]  # within 1% of 110
    assert fired(rule(RuleKind.TARGET, 110), p) == []
    assert fired(rule(RuleKind.MARKET_CAP, 1.05e8, direction=Direction.UP), p) == [1]
    assert fired(rule(RuleKind.PS, 105, direction=Direction.UP), p) == [1]
    (drawdown,) = walk(rule(RuleKind.DRAWDOWN, 35), RuleState(), p)
    assert drawdown.value == pytest.approx((96 / 150 - 1) * 100)


def test_storm_breaker_pauses_a_rule_that_fires_too_often() -> None:
    state = RuleState()
    r = rule(direction=Direction.UP, policy=Policy.REARM)
    fires = walk(r, state, path(flat(*([99, 101] * 10))))
    assert len(fires) == STORM_LIMIT and state.paused


def test_the_screen_looks_only_at_rules_the_poll_can_change() -> None:
    rules = [rule(level=100), rule(level=120), rule(RuleKind.PRICE_BELOW, 90),
             rule(level=100, policy=Policy.REARM, hysteresis_pct=1), rule(level=95)]
    states = [RuleState(side=-1), RuleState(side=-1), RuleState(),
              RuleState(armed=False, fired_dir=1, side=1), RuleState(side=1)]
    book = RuleBook([(replace(r, id=i + 1), s)
                     for i, (r, s) in enumerate(zip(rules, states, strict=True))])
    book.evaluate(Batch([path([(101, 98.5, 99), (99.5, 98.6, 98.8)])]))
    # 100 is reached; 120 and 90 are far; the band's lower edge 99 is reached (re-arm);
    # a crossing rule above 95 stays above it
    assert book.dirty == {0, 3}
    assert book.state(3).armed and book.state(0).fired_dir == 1
    assert all(book.state(i).last_ts == T0 + 60 for i in range(5))  # everyone advanced


def test_a_book_matches_single_rule_walks_over_random_polls() -> None:
    rng = np.random.default_rng(3)
    kinds = [RuleKind.PRICE_CROSS, RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW,
             RuleKind.PCT_MOVE, RuleKind.DRAWDOWN, RuleKind.TARGET]
    rules = [AlertRule("2513.HK", kinds[i % 6],
                       float(rng.uniform(95, 105) if i % 6 in (0, 1, 2, 5) else rng.uniform(1, 5)),
                       Direction(("up", "down", "either")[i % 3]),
                       list(Policy)[i % 3], float(rng.uniform(0, 2)), int(i % 4), id=i + 1)
             for i in range(60)]
    book = RuleBook([(r, RuleState()) for r in rules])
    singles = [RuleState() for _ in rules]
    prices = 100 + np.cumsum(rng.normal(0, 0.8, 400))
    for poll in range(40):
        chunk = prices[poll * 10:(poll + 1) * 10]
        p = path([(c + 0.3, c - 0.3, c) for c in chunk], start=T0 + poll * 600,
                 days=["2026-11-23" if poll < 20 else "2026-11-24"] * 10, peak_before=104.0)
        got = sorted((f.rule_id, f.ts) for f in book.evaluate(Batch([p])))
        want = sorted((f.rule_id, f.ts) for r, s in zip(rules, singles, strict=True)
                      for f in walk(r, s, p, every_bar=True))
        assert got == want
    for i, (r, single) in enumerate(zip(rules, singles, strict=True)):
        state = book.state(i)
        if r.kind != RuleKind.PRICE_CROSS:  # only crossings need the side; screened-out
            state.side = single.side  # state rules may leave it behind
        assert state == single


closes = st.lists(st.floats(90, 110, allow_nan=False), min_size=2, max_size=60)


@settings(max_examples=200, deadline=None)
@given(closes, st.sampled_from(list(Policy)), st.floats(0, 3))
def test_no_observation_fires_twice_even_when_replayed(prices: list[float], policy: Policy,
                                                       band: float) -> None:
    r = rule(direction=Direction.EITHER, policy=policy, hysteresis_pct=band)
    state = RuleState()
    p = path(flat(*prices))
    first = walk(r, state, p)
    assert len(first) == len({f.ts for f in first})
    assert walk(r, state, p) == []  # the same bars again (overlapping polls): nothing new
    longer = path(flat(*prices, 100.0 + (1 if prices[-1] < 100 else -1)))
    again = walk(r, state, longer)  # overlapping poll with one new bar
    assert all(f.ts == longer.ts[-1] for f in again)


@settings(max_examples=200, deadline=None)
@given(closes)
def test_every_crossing_fires_when_the_rule_is_armed(prices: list[float]) -> None:
    r = rule(direction=Direction.EITHER, policy=Policy.REARM)
    fires = walk(r, RuleState(), path(flat(*prices)))
    assert [int((f.ts - T0) // 60) for f in fires] == reference_crossings(prices)[:STORM_LIMIT]


def reference_crossings(prices: list[float], level: float = 100.0) -> list[int]:
    """The spec, written plainly: reaching the level from the other side fires when armed; a
    fire disarms until the price is back strictly on the other side; a close at the level
    keeps the side."""
    side, armed, fired_dir, out = 0, True, 0, []
    for i, c in enumerate(prices):
        if not armed and ((fired_dir > 0 and c < level) or (fired_dir < 0 and c > level)):
            armed = True
        d = 0
        if armed and c >= level and side < 0:
            d = 1
        elif armed and c <= level and side > 0:
            d = -1
        if d:
            out.append(i)
            armed, fired_dir, side = False, d, d
        if c != level:
            side = 1 if c > level else -1
    return out


def test_a_percent_move_either_way_is_about_the_moves_size() -> None:
    """A 1.5% move rule for either direction fires at +1.5% or −1.5%, reporting the move with
    its sign, and never on a move that is merely smaller than +1.5% (it once fired on every
    price below +1.5%: "moved −0.34%")."""
    r = rule(RuleKind.PCT_MOVE, 1.5, direction=Direction.EITHER, policy=Policy.REARM,
             hysteresis_pct=10)
    assert fired(r, path(flat(100.5, 99.66, 101.0, 100.2), prev_close=100.0)) == []
    state = RuleState()
    fires = walk(r, state, path(flat(100.5, 98.4, 99.0, 100.0, 101.6), prev_close=100.0))
    assert [(int((f.ts - T0) // 60), round(f.value, 2)) for f in fires] == [(1, -1.6), (4, 1.6)]
    up = rule(RuleKind.PCT_MOVE, 1.5, direction=Direction.UP)
    assert fired(up, path(flat(100.5, 98.4, 101.6), prev_close=100.0)) == [2]
