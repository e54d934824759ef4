"""Polling on a schedule: APScheduler 3.x BackgroundScheduler, one job, never overlapping.

After each run the job moves its own next run time to what the market clock says (every minute
in a session, once after the close, rarely when closed, later during a rate limit). "Refresh now"
moves the same job to now, so a manual refresh can never run beside a scheduled poll. The next
run is set before the outcome is announced, so whoever hears of a poll can rely on `next_run`.
Outcomes go to `on_outcome` from the worker thread; a Qt caller hands them on through signals.
What a run does (poll, alerts, notifications) is the caller's `PollJob`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from db.errors import explain
from services.core.clock import Clock
from services.market.calendar import (
    CLOSED_INTERVAL_S,
    POLL_INTERVAL_S,
    MarketClock,
    next_poll_at,
)
from services.market.fetching import PollCancelledError

log = logging.getLogger(__name__)
JOB_ID = "poll"


class Outcome(Protocol):
    @property
    def rate_limited_until(self) -> int | None: ...


T = TypeVar("T", bound=Outcome)


class PollJob(Protocol[T]):
    def run(self, force: bool, cancel: threading.Event) -> T:
        """One poll cycle on the worker thread; PollCancelledError once `cancel` is set."""
        ...

    def close(self) -> None:
        """Release what the job holds (its request threads)."""
        ...


class PollScheduler(Generic[T]):
    def __init__(self, make_job: Callable[[], PollJob[T]], market: MarketClock, clock: Clock,
                 on_outcome: Callable[[T], None],
                 on_error: Callable[[str], None] = lambda message: None,
                 interval_s: int = POLL_INTERVAL_S, closed_interval_s: int = CLOSED_INTERVAL_S):
        """`make_job` runs on the first poll, in the worker thread: importing yfinance and
        pandas there keeps them off the GUI thread and out of start-up time."""
        self._make_job = make_job
        self._job: PollJob[T] | None = None
        self._market = market
        self._clock = clock
        self._on_outcome = on_outcome
        self._on_error = on_error
        self._interval_s = interval_s
        self._closed_interval_s = closed_interval_s
        self._last_poll: dt.datetime | None = None
        self._refresh_requested = threading.Event()
        self._cancel = threading.Event()
        # Polls never overlap. APScheduler would drop a run falling due while the previous one
        # is still announcing its outcome (its next fire is then the 30-minute trigger), so
        # it may start a second instance, which waits here for the first to end.
        self._one_at_a_time = threading.Lock()
        self._scheduler = BackgroundScheduler(timezone=dt.UTC)
        self.next_run: dt.datetime | None = None  # in clock time, for the status bar

    def start(self) -> None:
        self._scheduler.add_job(
            self._run, IntervalTrigger(seconds=self._closed_interval_s), id=JOB_ID,
            coalesce=True, max_instances=2, misfire_grace_time=None,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        self._scheduler.start()

    def refresh_now(self) -> None:
        """Poll as soon as possible, ignoring per-symbol backoff (never a rate limit)."""
        self._refresh_requested.set()
        if self._scheduler.running:
            self._scheduler.modify_job(JOB_ID, next_run_time=dt.datetime.now(dt.UTC))

    def shutdown(self, wait: bool = True) -> None:
        """Stop polling. An in-flight poll is cancelled at its next symbol or while it waits
        for Yahoo (nothing of it is written); one already writing commits first. With `wait`,
        returns once the job has ended."""
        self._cancel.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
        if self._job is not None:
            self._job.close()

    def _run(self) -> None:
        """The job body, on APScheduler's worker thread."""
        with self._one_at_a_time:
            if not self._cancel.is_set():
                self._poll_once()

    def _poll_once(self) -> None:
        force = self._refresh_requested.is_set()
        self._refresh_requested.clear()
        outcome: T | None = None
        error = ""
        started = self._clock.now()
        try:
            if self._job is None:
                self._job = self._make_job()
            outcome = self._job.run(force, self._cancel)
            self._last_poll = started  # the rhythm runs from poll start to poll start
        except PollCancelledError:
            return  # quitting: nothing to announce, nothing to schedule
        except Exception as failure:  # a bug or a broken database: report it, keep polling
            words = explain(failure)
            if words is None:
                log.exception("poll failed")
                error = f"{type(failure).__name__}: {failure}"
            else:  # busy, full, read-only: in words; the next poll tries again
                log.warning("poll failed: %s", failure)
                error = f"{words} The next poll tries again."
        self._reschedule(outcome)
        try:
            if outcome is not None:
                self._on_outcome(outcome)
            else:
                self._on_error(error)
        except Exception:  # a receiver's bug must not stop polling
            log.exception("announcing a poll failed")

    def set_interval(self, seconds: int) -> None:
        """The trading-hours interval the trader set; the next reschedule uses it."""
        self._interval_s = seconds

    def _reschedule(self, outcome: T | None) -> None:
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
