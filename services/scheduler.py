"""Polling on a schedule: APScheduler 3.x BackgroundScheduler, one job, never overlapping.

After each run the job moves its own next run time to what the market clock says (every minute
in a session, once after the close, rarely when closed, later during a rate limit). "Refresh now"
moves the same job to now, so a manual refresh can never run beside a scheduled poll.
Outcomes go to `on_outcome` from the worker thread; a Qt caller hands them on through signals.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from services.clock import Clock
from services.market_clock import CLOSED_INTERVAL_S, POLL_INTERVAL_S, MarketClock, next_poll_at
from services.notify import Dispatcher
from services.poller import Poller, PollOutcome

log = logging.getLogger(__name__)
JOB_ID = "poll"


class PollScheduler:
    def __init__(self, make_poller: Callable[[], Poller], market: MarketClock, clock: Clock,
                 on_outcome: Callable[[PollOutcome], None],
                 on_error: Callable[[str], None] = lambda message: None,
                 interval_s: int = POLL_INTERVAL_S, closed_interval_s: int = CLOSED_INTERVAL_S,
                 dispatcher: Dispatcher | None = None):
        """`make_poller` runs on the first poll, in the worker thread: importing yfinance and
        pandas there keeps them off the GUI thread and out of start-up time."""
        self._make_poller = make_poller
        self._poller: Poller | None = None
        self._market = market
        self._clock = clock
        self._on_outcome = on_outcome
        self._on_error = on_error
        self._dispatcher = dispatcher
        self._interval_s = interval_s
        self._closed_interval_s = closed_interval_s
        self._last_poll: dt.datetime | None = None
        self._refresh_requested = threading.Event()
        self._scheduler = BackgroundScheduler(timezone=dt.UTC)
        self.next_run: dt.datetime | None = None  # in clock time, for the status bar

    def start(self) -> None:
        self._scheduler.add_job(
            self._run, IntervalTrigger(seconds=self._closed_interval_s), id=JOB_ID,
            coalesce=True, max_instances=1, misfire_grace_time=None,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        self._scheduler.start()

    def refresh_now(self) -> None:
        """Poll as soon as possible, ignoring per-symbol backoff (never a rate limit)."""
        self._refresh_requested.set()
        if self._scheduler.running:
            self._scheduler.modify_job(JOB_ID, next_run_time=dt.datetime.now(dt.UTC))

    def shutdown(self, wait: bool = True) -> None:
        """Stop polling; with wait, an in-flight poll finishes (and commits) first."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    def _run(self) -> None:
        """The job body, on APScheduler's worker thread."""
        force = self._refresh_requested.is_set()
        self._refresh_requested.clear()
        outcome: PollOutcome | None = None
        try:
            if self._poller is None:
                self._poller = self._make_poller()
            outcome = self._poller.poll(force=force)
            self._last_poll = self._clock.now()
            if outcome.events and self._dispatcher is not None:
                outcome = replace(outcome,
                                  desktop_notified=self._dispatcher.dispatch(outcome.events))
            self._on_outcome(outcome)
        except Exception as error:  # a bug or a broken database: report it, keep polling
            log.exception("poll failed")
            self._on_error(f"{type(error).__name__}: {error}")
        finally:
            self._reschedule(outcome)

    def _reschedule(self, outcome: PollOutcome | None) -> None:
        now = self._clock.now()
        due = next_poll_at(self._market, now, self._last_poll, self._interval_s,
                           self._closed_interval_s)
        if outcome is None:  # failed unexpectedly: try again after the regular interval
            due = now + dt.timedelta(seconds=self._interval_s)
        if outcome is not None and outcome.rate_limited_until:
            due = max(due, dt.datetime.fromtimestamp(outcome.rate_limited_until, dt.UTC))
        if self._refresh_requested.is_set():
            due = now
        self.next_run = due
        real_delay = max(0.0, (due - now).total_seconds() / self._clock.speed)
        if self._scheduler.running:
            self._scheduler.modify_job(
                JOB_ID, next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=real_delay))
