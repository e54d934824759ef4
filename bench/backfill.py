"""Resident memory of a backfill: new symbols' first poll through the real yfinance against the
tests' fake Yahoo on 127.0.0.1, each symbol with 10 years of daily bars and 5 sessions of
1-minute bars (what the poller asks for a symbol it has never polled).

Each backfill runs in a child process of its own (the fake and its data stay in this one), which
reports its RSS after importing the app and opening the database (the baseline), its peak during
the backfill, after it, after gc, and after one more (steady-state) poll. The comparisons: the
same 200 symbols marked as backfilled already (normal polls only: the steady state a backfill
should leave behind), and a 2-symbol backfill. Goals: the 200-symbol backfill's peak within
+50 MB of the steady state after it, and that steady state within +10 MB of the one without a
backfill. Also printed: the sizes of yfinance's process-global stores after the first poll (they
must not grow with the number of symbols).

    .venv/bin/python bench/backfill.py [--symbols 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._backfill_child import NOW, symbols
from services.core.clock import daily_bar_ts
from tests.fake_yahoo import FakeSymbol, FakeYahoo, random_walk_minutes

CHILD = Path(__file__).resolve().parent / "_backfill_child.py"
YEARS = 10
SESSIONS = 5
PEAK_GOAL_MB = 50
LEFT_GOAL_MB = 10


def sessions_before(day: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    while len(days) < count:
        if day.weekday() < 5:
            days.insert(0, day)
        day -= dt.timedelta(days=1)
    return days


def fake_symbol(symbol: str, seed: int) -> FakeSymbol:
    minute_days = sessions_before(NOW.date(), SESSIONS)
    daily_days = sessions_before(minute_days[0] - dt.timedelta(days=1), YEARS * 261)
    rng, price, daily = random.Random(seed), 50.0, []
    for day in daily_days:
        open_ = price
        price = max(1.0, round(price * (1 + rng.gauss(0, 0.02)), 2))
        daily.append((daily_bar_ts(day), open_, max(open_, price) * 1.01,
                      min(open_, price) * 0.99, price, rng.randint(1, 500) * 1000))
    minutes = random_walk_minutes([(day, False) for day in minute_days], price, seed)
    return FakeSymbol(symbol, "HKD", minutes, daily)


def backfill(proxy: str, count: int, known: bool = False) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, str(CHILD), proxy, tmp, str(count),
                               "known" if known else "new"],
                              env=os.environ, capture_output=True, text=True, timeout=3600)
    lines = done.stdout.split("\n")
    if "done" not in lines:
        raise RuntimeError(f"the {count}-symbol backfill failed:\n{done.stderr[-3000:]}")
    return {name: float(value) for name, value in
            (line.split() for line in lines if line and line != "done")}


def report(title: str, figures: dict[str, float]) -> None:
    def mb(name: str) -> str:
        return f"{figures[name] / 1024:6.1f} MB"

    print(f"{title} ({figures['bars']:,.0f} bars in {figures['seconds']:.1f} s):")
    print(f"  after imports + database (baseline) : {mb('baseline')}")
    print(f"  peak during the first poll          : {mb('peak')}")
    print(f"  after it                            : {mb('after')}")
    print(f"  after gc                            : {mb('after_gc')}")
    print(f"  after one more poll (steady state)  : {mb('steady')}")
    print(f"  yfinance: cached responses {figures['yf_response_cache']:.0f}, shared dicts "
          f"{figures['yf_shared_dicts']:.0f} entries, singletons {figures['yf_singletons']:.0f}; "
          f"DataFrames alive {figures['dataframes_alive']:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=200)
    args = parser.parse_args()
    count = args.symbols
    fake = FakeYahoo(lambda: NOW.timestamp())
    for i, symbol in enumerate(symbols(count)):
        fake.symbols[symbol] = fake_symbol(symbol, i)
    fake.start()
    try:
        small = backfill(fake.proxy_url, 2)
        large = backfill(fake.proxy_url, count)
        plain = backfill(fake.proxy_url, count, known=True)
    finally:
        fake.stop()
    report("backfill of 2 symbols", small)
    report(f"backfill of {count} symbols", large)
    report(f"{count} symbols already backfilled: normal polls only", plain)
    peak = (large["peak"] - large["steady"]) / 1024
    left = (large["steady"] - plain["steady"]) / 1024
    print(f"{count}-symbol backfill's peak over the steady state after it : {peak:+6.1f} MB   "
          f"(goal <= +{PEAK_GOAL_MB})")
    print(f"steady state after it over {count} symbols never backfilled  : {left:+6.1f} MB   "
          f"(goal <= +{LEFT_GOAL_MB})")
    print(f"steady state: {count} symbols over 2 symbols (after their backfills): "
          f"{(large['steady'] - small['steady']) / 1024:+.1f} MB")


if __name__ == "__main__":
    main()
