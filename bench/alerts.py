"""Evaluating 1,000 alert rules against one poll of 100 symbols, against a plain numpy
comparison of the same levels in the same run. Goal: under 20 ms, within 5x of the baseline.

The poll brings one new minute bar per symbol (the steady state). Both sides get the same
inputs: the rules' levels and the symbols' new bars; the engine also keeps state (armed, side,
cooldown, storm breaker) and finds the exact bar that fired.

    .venv/bin/python bench/alerts.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench._timing import alternating_medians, timed
from services.alert_engine import Path as BarPath
from services.alert_rules import AlertRule, Direction, Policy, RuleKind, RuleState
from services.alert_service import AlertService

SYMBOLS, RULES = 100, 1_000
KINDS = (RuleKind.PRICE_CROSS, RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW, RuleKind.PCT_MOVE,
         RuleKind.DRAWDOWN)
T = 1_795_400_000


def setup(rng: np.random.Generator) -> tuple[list, dict, np.ndarray, np.ndarray, np.ndarray]:
    prices = rng.uniform(50, 500, SYMBOLS)
    paths = {}
    for s in range(SYMBOLS):
        p = prices[s]
        one = np.array([p])
        paths[f"S{s}"] = BarPath(f"S{s}", np.array([T]), one * 1.001, one * 0.999, one,
                                 np.array([True]), ["2026-11-23"], one * 0.98, p * 1.5,
                                 np.array([1e8]), np.array([1e-9]))
    rules, symbol_index, levels = [], np.empty(RULES, int), np.empty(RULES)
    for i in range(RULES):
        s = i % SYMBOLS
        kind = KINDS[i % len(KINDS)]
        level = {RuleKind.PCT_MOVE: 5.0, RuleKind.DRAWDOWN: 40.0}.get(
            kind, prices[s] * rng.uniform(0.9, 1.1))
        rule = AlertRule(f"S{s}", kind, level, Direction.UP, Policy.REARM, id=i + 1,
                         start_ts=T - 60)
        rules.append((rule, RuleState(side=-1, last_ts=T - 60)))
        symbol_index[i], levels[i] = s, rule.threshold()
    return rules, paths, symbol_index, levels, prices


def engine(rules: list, paths: dict) -> int:
    by_symbol: dict[str, list] = {}
    for rule, state in rules:
        by_symbol.setdefault(rule.symbol, []).append((rule, RuleState(**vars(state))))
    return sum(len(AlertService._run(pairs, paths[symbol]))
               for symbol, pairs in by_symbol.items())


def baseline(symbol_index: np.ndarray, levels: np.ndarray, prices: np.ndarray) -> int:
    return int(np.count_nonzero(prices[symbol_index] * 1.001 >= levels))


def main() -> None:
    rng = np.random.default_rng(5)
    rules, paths, symbol_index, levels, prices = setup(rng)
    engine(rules, paths)
    fired = engine(rules, paths)
    times = alternating_medians(
        15, base=timed(lambda: baseline(symbol_index, levels, prices)),
        ours=timed(lambda: engine(rules, paths)))
    b, o = times["base"], times["ours"]
    print(f"{RULES:,} rules x one poll of {SYMBOLS} symbols ({fired} fires):")
    print(f"  numpy comparison of the levels : {b * 1e3:8.3f} ms")
    print(f"  HarbourWatch alert engine      : {o * 1e3:8.3f} ms   (goal < 20 ms)")
    print(f"  ratio engine / numpy           : {o / b:8.1f}x   (goal <= 5x)")


if __name__ == "__main__":
    main()
