"""Polling without a window: `main.py poll --once` and `main.py run --headless`."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from dataclasses import replace

from cli.context import FAILED, CommandError, Context, database
from services.alerts.notify import Dispatcher, check_webhook_url
from services.app.poll_cycle import CycleOutcome, cycle_factory
from services.app.poller_lock import AlreadyPollingError, PollerLock
from services.app.preferences import Preferences, read_preferences
from services.core.clock import Clock
from services.market.calendar import POLL_INTERVAL_S, MarketClock
from services.market.feed_status import describe_outcome
from services.market.feeds import make_clock, poller_factory
from services.market.poller import Poller
from services.market.scheduler import PollScheduler

# How often the headless runner looks whether it was asked to stop.
STOP_CHECK_S = 0.5


def add_parsers(commands: argparse._SubParsersAction) -> None:
    poll = commands.add_parser("poll", help="run one poll cycle, print a summary and exit")
    poll.add_argument("--once", action="store_true", required=True,
                      help="poll once (backfilling new symbols); exit 1 if nothing was fetched")
    run = commands.add_parser("run", help="keep polling on the market schedule")
    run.add_argument("--headless", action="store_true", required=True,
                     help="without a window; Ctrl-C or SIGTERM stops cleanly")
    run.add_argument("--webhook", default=None, metavar="URL",
                     help="also POST each poll's alerts as JSON to this http(s) URL (default: "
                          "the one set in the window's Settings; \"\" for none)")
    run.add_argument("--interval", type=int, default=None, metavar="SECONDS",
                     help="seconds between polls while the market trades (default: Settings)")


def run_poll(args: argparse.Namespace, ctx: Context) -> int:
    return poll_once(ctx)


def run_runner(args: argparse.Namespace, ctx: Context) -> int:
    """The window's stored settings (interval, webhook, notifications, sound), each overridden
    by its flag when given."""
    stored = read_preferences(ctx.paths.settings_file)
    try:
        webhook = stored.webhook_url if args.webhook is None else check_webhook_url(args.webhook)
    except ValueError as error:
        raise CommandError(f"--webhook: {error}") from None
    interval = next((v for v in (args.interval, args.poll_interval) if v is not None),
                    stored.poll_interval_s)
    return run_headless(ctx, interval_s=interval, webhook_url=webhook, sound=stored.sound,
                        notify=replace(stored, webhook_url=webhook, poll_interval_s=interval))


def poll_once(ctx: Context, make_poller: Callable[[], Poller] | None = None) -> int:
    """One poll cycle (backfilling as needed); exit code 1 when nothing could be fetched."""
    with database(ctx):
        pass  # migrated, reference data loaded, mode checked
    market = MarketClock()
    clock = make_clock(ctx.demo, market, ctx.db_path)
    make_poller = make_poller or poller_factory(ctx.db_path, ctx.paths, clock, market, ctx.demo)
    stored = read_preferences(ctx.paths.settings_file)  # how notifications look, as set
    dispatcher = Dispatcher(True, "", ctx.out, False, ctx.demo, stored.expire_ms,
                            stored.notify_urgency)
    cycle = cycle_factory(make_poller, clock, market, dispatcher)()
    try:
        outcome = cycle.run(force=True)
    finally:
        cycle.close()
    print("\n".join(describe_outcome(outcome.poll)), file=ctx.out, flush=True)
    return 0 if outcome.poll.succeeded else 1


def run_headless(ctx: Context, stop: threading.Event | None = None, clock: Clock | None = None,
                 make_poller: Callable[[], Poller] | None = None,
                 interval_s: int = POLL_INTERVAL_S, webhook_url: str = "",
                 sound: bool = False, notify: Preferences | None = None) -> int:
    """Poll on the market schedule until Ctrl-C or SIGTERM. Stopping cancels a poll still
    waiting for Yahoo (nothing of it is written); one already writing commits first. Refused
    while another window or runner polls the same database."""
    lock = PollerLock(ctx.db_path)
    try:
        lock.acquire("headless")
    except AlreadyPollingError as busy:
        raise CommandError(f"{busy}; a second poller would fetch and write everything twice. "
                           "Stop that one first, or use --db for another database.",
                           FAILED) from None
    with lock:
        return _poll_until_stopped(ctx, stop, clock, make_poller, interval_s, webhook_url, sound,
                                   notify or Preferences())


def _poll_until_stopped(ctx: Context, stop: threading.Event | None, clock: Clock | None,
                        make_poller: Callable[[], Poller] | None, interval_s: int,
                        webhook_url: str, sound: bool, notify: Preferences) -> int:
    with database(ctx):
        pass
    out = ctx.out
    stop = stop or threading.Event()
    market = MarketClock()
    clock = clock or make_clock(ctx.demo, market, ctx.db_path)

    def report(outcome: CycleOutcome) -> None:
        print("\n".join(describe_outcome(outcome.poll)), file=out, flush=True)

    def failed(message: str) -> None:
        print(f"poll failed: {message}", file=out, flush=True)

    make_poller = make_poller or poller_factory(ctx.db_path, ctx.paths, clock, market, ctx.demo)
    dispatcher = Dispatcher(True, webhook_url, out, sound, ctx.demo, notify.expire_ms,
                            notify.notify_urgency)
    scheduler = PollScheduler(cycle_factory(make_poller, clock, market, dispatcher), market,
                              clock, report, failed, interval_s)
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    label = "DEMO (simulated prices)" if ctx.demo else "Yahoo Finance"
    print(f"HarbourWatch polling {label} into {ctx.db_path}; Ctrl-C stops.", file=out, flush=True)
    scheduler.start()
    try:
        while not stop.wait(STOP_CHECK_S):
            pass
    finally:
        scheduler.shutdown(wait=True)
        print("stopped.", file=out, flush=True)
    return 0
