"""Polling without a window: `main.py poll --once` and `main.py run --headless`."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from services.alerts.notify import Dispatcher
from services.app.database import DatabaseModeError, open_app_database
from services.app.poll_cycle import CycleOutcome, cycle_factory
from services.core.clock import Clock
from services.core.paths import AppPaths
from services.market.calendar import POLL_INTERVAL_S, MarketClock
from services.market.feed_status import describe_outcome
from services.market.feeds import make_clock, poller_factory
from services.market.poller import Poller
from services.market.scheduler import PollScheduler


def _prepare(db_path: Path, demo: bool) -> bool:
    try:
        open_app_database(db_path, demo).close()
    except DatabaseModeError as error:
        print(error, file=sys.stderr)
        return False
    return True


def poll_once(db_path: Path, paths: AppPaths, demo: bool, out: TextIO = sys.stdout,
              make_poller: Callable[[], Poller] | None = None) -> int:
    """One poll cycle (backfilling as needed); exit code 1 when nothing could be fetched."""
    if not _prepare(db_path, demo):
        return 2
    market = MarketClock()
    clock = make_clock(demo, market)
    make_poller = make_poller or poller_factory(db_path, paths, clock, market, demo)
    dispatcher = Dispatcher(True, "", out, False, demo)
    outcome = cycle_factory(make_poller, clock, market, dispatcher)().run(force=True)
    print("\n".join(describe_outcome(outcome.poll)), file=out, flush=True)
    return 0 if outcome.poll.succeeded else 1


def run_headless(db_path: Path, paths: AppPaths, demo: bool, out: TextIO = sys.stdout,
                 stop: threading.Event | None = None, clock: Clock | None = None,
                 make_poller: Callable[[], Poller] | None = None,
                 interval_s: int = POLL_INTERVAL_S, webhook_url: str = "",
                 sound: bool = False) -> int:
    """Poll on the market schedule until Ctrl-C or SIGTERM; an in-flight poll commits first."""
    if not _prepare(db_path, demo):
        return 2
    stop = stop or threading.Event()
    market = MarketClock()
    clock = clock or make_clock(demo, market)

    def report(outcome: CycleOutcome) -> None:
        print("\n".join(describe_outcome(outcome.poll)), file=out, flush=True)

    def failed(message: str) -> None:
        print(f"poll failed: {message}", file=out, flush=True)

    make_poller = make_poller or poller_factory(db_path, paths, clock, market, demo)
    dispatcher = Dispatcher(True, webhook_url, out, sound, demo)
    scheduler = PollScheduler(cycle_factory(make_poller, clock, market, dispatcher), market,
                              clock, report, failed, interval_s)
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    label = "DEMO (simulated prices)" if demo else "Yahoo Finance"
    print(f"HarbourWatch polling {label} into {db_path}; Ctrl-C stops.", file=out, flush=True)
    scheduler.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        scheduler.shutdown(wait=True)
        print("stopped.", file=out, flush=True)
    return 0
