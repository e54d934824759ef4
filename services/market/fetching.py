"""One poll's chart requests, a few at a time: all stopped by a rate limit, given up on when
the poll is cancelled.

Requests run on a small pool of daemon threads owned by the poller. Daemon, because a request
to a Yahoo that never answers must not keep the app from quitting: the poll gives up on it
(PollCancelledError) and the thread, which holds no database connection and writes nothing,
ends with the request's timeout. The poll thread takes the answers in the symbols' order, so a
poll's outcome does not depend on which answer came first. Only a few answers run ahead of the
one the poll thread is taking, so a long backfill holds a handful of symbols' bars, not all.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Protocol

from services.market.feed_types import ErrorKind, FeedError, Fetched

# Concurrent chart requests of one poll: 200 symbols at 150 ms an answer take about 5 s.
FETCH_WORKERS = 6
# Requests started ahead of the answer the poll thread waits for, per request thread: enough to
# keep every thread busy while the poll thread stores an answer, few enough that the answers
# waiting to be taken stay a handful of symbols' bars.
AHEAD_PER_WORKER = 2
# How often a poll waiting for answers looks whether it was cancelled (quitting waits this).
CANCEL_CHECK_S = 0.1


class QuoteSource(Protocol):
    name: str  # the bars' source column: 'yahoo' or 'demo'

    def fetch(self, symbol: str, interval: str, period: str, currency: str | None) -> Fetched:
        ...


class PollCancelledError(Exception):
    """The poll was stopped between symbols or during a fetch (the app is quitting): nothing of
    it was written."""


class RateLimitedError(Exception):
    """The request was not made: Yahoo rate-limited another request of the same poll."""


@dataclass(frozen=True)
class Plan:
    symbol: str
    currency: str | None
    requests: tuple[tuple[str, str], ...]  # (interval, period), in order


class FetchPool:
    def __init__(self, workers: int = FETCH_WORKERS):
        self.workers = workers
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], object]) -> Future:
        future: Future = Future()
        with self._lock:
            while len(self._threads) < self.workers:
                thread = threading.Thread(target=self._serve, daemon=True,
                                          name=f"harbourwatch-fetch-{len(self._threads)}")
                thread.start()
                self._threads.append(thread)
        self._queue.put((work, future))
        return future

    def _serve(self) -> None:
        while (item := self._queue.get()) is not None:
            work, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work())
            except BaseException as error:  # handed to the poll thread with the future
                future.set_exception(error)

    def close(self) -> None:
        """Each thread ends after its current request."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)


class Batch:
    """The requests of one poll, the first ones started on creation, the next as answers are
    taken (at most AHEAD_PER_WORKER per request thread waiting or running). An answer the poll
    has taken is no longer held here."""

    def __init__(self, pool: FetchPool, source: QuoteSource, plans: list[Plan],
                 cancel: threading.Event | None):
        self._pool = pool
        self._source = source
        self._cancel = cancel
        self._stop = threading.Event()  # a 429: nothing more is asked of Yahoo this poll
        self._lock = threading.Lock()
        self.requests = 0
        self._ahead = max(1, pool.workers * AHEAD_PER_WORKER)
        self._plans = deque(plans)
        self._jobs: deque[tuple[Plan, Future]] = deque()
        self._start_more()

    def _start_more(self) -> None:
        while self._plans and len(self._jobs) < self._ahead:
            plan = self._plans.popleft()
            self._jobs.append((plan, self._pool.submit(lambda plan=plan: self._fetch(plan))))

    def _fetch(self, plan: Plan) -> list[Fetched]:
        fetched = []
        for interval, period in plan.requests:
            if self._stop.is_set():
                raise RateLimitedError(plan.symbol)
            with self._lock:
                self.requests += 1
            try:
                fetched.append(self._source.fetch(plan.symbol, interval, period, plan.currency))
            except FeedError as error:
                if error.kind == ErrorKind.RATE_LIMIT:
                    self._stop.set()
                raise
        return fetched

    def answers(self) -> Iterator[tuple[Plan, list[Fetched] | Exception]]:
        """Each plan with its bars or its error, in the plans' order; PollCancelledError as
        soon as the poll is cancelled."""
        finished = False
        try:
            while self._jobs:
                yield self._take()
            finished = True
        finally:
            if not finished:  # the poll stopped early (cancelled, or it failed): ask no more
                self._abandon()

    def _take(self) -> tuple[Plan, list[Fetched] | Exception]:
        plan, future = self._jobs[0]
        answer = self._wait(plan, future)
        self._jobs.popleft()
        self._start_more()
        return plan, answer

    def _wait(self, plan: Plan, future: Future) -> list[Fetched] | Exception:
        while True:
            if self._cancel is not None and self._cancel.is_set():
                raise PollCancelledError(f"cancelled while fetching {plan.symbol}")
            try:
                return future.result(timeout=CANCEL_CHECK_S)
            except FutureTimeout:
                continue
            except Exception as error:  # a FeedError or RateLimitedError, for the poller
                return error

    def _abandon(self) -> None:
        self._stop.set()
        self._plans.clear()
        for _, future in self._jobs:
            future.cancel()
