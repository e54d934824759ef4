"""One poll's chart requests, a few at a time: all stopped by a rate limit, given up on when
the poll is cancelled.

Requests run on a small pool of daemon threads owned by the poller. Daemon, because a request
to a Yahoo that never answers must not keep the app from quitting: the poll gives up on it
(PollCancelledError) and the thread, which holds no database connection and writes nothing,
ends with the request's timeout. The poll thread takes the answers in the symbols' order, so a
poll's outcome does not depend on which answer came first.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Protocol

from services.market.feed_types import ErrorKind, FeedError, Fetched

# Concurrent chart requests of one poll: 200 symbols at 150 ms an answer take about 5 s.
FETCH_WORKERS = 6
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
        self._workers = workers
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], object]) -> Future:
        future: Future = Future()
        with self._lock:
            while len(self._threads) < self._workers:
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
    """The requests of one poll, started on creation."""

    def __init__(self, pool: FetchPool, source: QuoteSource, plans: list[Plan],
                 cancel: threading.Event | None):
        self._source = source
        self._cancel = cancel
        self._stop = threading.Event()  # a 429: nothing more is asked of Yahoo this poll
        self._lock = threading.Lock()
        self.requests = 0
        self._jobs = [(plan, pool.submit(lambda plan=plan: self._fetch(plan))) for plan in plans]

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
            for plan, future in self._jobs:
                yield plan, self._wait(plan, future)
            finished = True
        finally:
            if not finished:  # the poll stopped early (cancelled, or it failed): ask no more
                self._abandon()

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
        for _, future in self._jobs:
            future.cancel()
