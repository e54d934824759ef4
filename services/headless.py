"""Polling without a window: `main.py poll --once` and `main.py run --headless`."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from services.clock import Clock
from services.database import DatabaseModeError, open_app_database
from services.feed_runtime import make_clock, poller_factory
from services.feed_status import describe_outcome
from services.market_clock import POLL_INTERVAL_S, MarketClock
from services.notify import Dispatcher
from services.paths import AppPaths
from services.poller import Poller, PollOutcome
from services.scheduler import PollScheduler


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
    make_poller = make_poller or poller_factory(db_path, paths, make_clock(demo, market), market,
                                                demo)
    outcome = make_poller().poll(force=True)
    print("\n".join(describe_outcome(outcome)), file=out, flush=True)
    Dispatcher(True, "", out, False, demo).dispatch(outcome.events)
    return 0 if outcome.succeeded else 1


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

    def report(outcome: PollOutcome) -> None:
        print("\n".join(describe_outcome(outcome)), file=out, flush=True)

    def failed(message: str) -> None:
        print(f"poll failed: {message}", file=out, flush=True)

    make_poller = make_poller or poller_factory(db_path, paths, clock, market, demo)
    dispatcher = Dispatcher(True, webhook_url, out, sound, demo)
    scheduler = PollScheduler(make_poller, market, clock, report, failed, interval_s,
                              dispatcher=dispatcher)
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
