"""A poll cycle end to end: fetch and store prices, evaluate alerts on what arrived, tell the
trader. Each capability does its part; this module only puts them in order.

A cycle lives as long as the scheduler's job, so the alert rule book it holds is built once and
kept across polls (rebuilt only when a rule changes), and so does its connection: the pages a
poll wrote stay in its cache, and the alert pass is told what the poll changed on it instead of
reading it back (services.alerts.live_tail). Runs on the poll worker thread; cycles never
overlap (the scheduler runs one at a time), and `close` waits for one still running.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

from db.connection import open_connection
from services.alerts.evaluation import AlertEvaluator
from services.alerts.notify import Dispatcher
from services.alerts.records import AlertEvent
from services.core.clock import Clock, epoch, trading_day
from services.market import fundamentals_feed, retention
from services.market.calendar import MarketClock
from services.market.fetching import PollCancelledError
from services.market.poller import Poller, PollOutcome
from services.watchlists.handover import RowPreparer
from services.watchlists.snapshots import PreparedRows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CycleOutcome:
    poll: PollOutcome
    events: tuple[AlertEvent, ...] = ()  # alerts this cycle fired, already committed
    desktop_notified: bool = False  # False: the window shows its tray message instead
    rows: PreparedRows | None = None  # the watchlist rows as this cycle left the database

    @property
    def rate_limited_until(self) -> int | None:
        return self.poll.rate_limited_until


class PollCycle:
    def __init__(self, poller: Poller, evaluator: AlertEvaluator | None = None,
                 dispatcher: Dispatcher | None = None, clock: Clock | None = None,
                 prepare_rows: bool = False):
        """`clock` given: old 1-minute bars are pruned once a trading day, after a poll.
        `prepare_rows` (the window): the watchlist rows are built here, on the worker, and
        handed over with the outcome, so the window's refresh does not build them."""
        self.poller = poller
        self.evaluator = evaluator
        self._dispatcher = dispatcher
        self._clock = clock
        self._rows_for_window = RowPreparer(clock) if prepare_rows and clock else None
        self._rng = random.Random()
        self._conn: sqlite3.Connection | None = None
        self._using = threading.Lock()  # the connection: by one cycle, or by close

    def run(self, force: bool = False, cancel: threading.Event | None = None) -> CycleOutcome:
        """Poll (PollCancelledError when `cancel` is set before it writes), then evaluate alerts on
        the committed bars, then notify: an event exists before anyone hears of it."""
        with self._using:
            return self._run(force, cancel)

    def _run(self, force: bool, cancel: threading.Event | None) -> CycleOutcome:
        if self._conn is None:  # APScheduler may run successive cycles on different threads
            self._conn = open_connection(self.poller.db_path, any_thread=True)
        conn = self._conn
        try:
            evaluator = self.evaluator
            outcome = self.poller.poll(force, cancel, conn, evaluator and evaluator.write_held)
            events = () if evaluator is None else tuple(evaluator.evaluate(conn,
                                                                           outcome.written))
            shown = bool(events) and self._dispatcher is not None and \
                self._dispatcher.dispatch(events)
            if self._clock is not None and not (cancel is not None and cancel.is_set()):
                self._housekeeping(conn)
                if outcome.rate_limited_until is None:
                    self._refresh_fundamentals(conn, cancel)
            rows = self._rows(conn)
        except PollCancelledError:
            raise  # quitting: `close` writes what the alert pass holds
        except BaseException:
            self._conn = None  # a broken connection is not kept; the next cycle opens another
            conn.close()
            raise
        return CycleOutcome(outcome, events, shown, rows)

    def _rows(self, conn: sqlite3.Connection) -> PreparedRows | None:
        """Last, after every write of the cycle: a row built before a later write of the
        cycle would only be rebuilt by the window. A failure costs the window that work,
        never the poll."""
        if self._rows_for_window is None:
            return None
        try:
            return self._rows_for_window.prepare(conn)
        except Exception:
            log.exception("preparing the watchlist rows failed; the window builds them")
            return None

    def _housekeeping(self, conn: sqlite3.Connection) -> None:
        """Old 1-minute bars folded and pruned, once a trading day. A failure here is logged
        and tried again on the next poll: it must never cost a poll its alerts or its refresh."""
        assert self._clock is not None
        try:
            retention.prune_once_a_day(conn, trading_day(self._clock).isoformat())
        except Exception:
            log.exception("pruning old 1-minute bars failed; trying again after the next poll")

    def _refresh_fundamentals(self, conn: sqlite3.Connection,
                              cancel: threading.Event | None) -> None:
        """Yahoo's fundamentals of a few symbols that are due (new ones first, then at most
        daily); a failure keeps the stored values and backs off (services.market.
        fundamentals_feed). The demo feed has none."""
        assert self._clock is not None
        source = getattr(self.poller, "source", None)
        if not isinstance(source, fundamentals_feed.FundamentalsSource):
            return
        try:
            for result in fundamentals_feed.refresh(conn, source, epoch(self._clock.now()),
                                                    self._rng, cancel,
                                                    pool=getattr(self.poller, "pool", None)):
                if not result.ok:
                    log.warning("fundamentals of %s: %s: %s", result.symbol, result.error_kind,
                                result.error)
        except Exception:
            log.exception("refreshing Yahoo's fundamentals failed; trying again after the next "
                          "poll")

    def close(self) -> None:
        """After the last cycle (a running one is being cancelled: waits for it): what the
        alert pass holds is written, the connection closed."""
        self.poller.close()
        with self._using:
            if self._conn is None:
                return
            try:
                if self.evaluator is not None:
                    self.evaluator.flush(self._conn)
            except Exception:  # lost only until the next start looks at those bars again
                log.exception("writing the alert rules' held states failed")
            finally:
                self._conn.close()
                self._conn = None


def cycle_factory(make_poller: Callable[[], Poller], clock: Clock, market: MarketClock,
                  dispatcher: Dispatcher | None = None, prepare_rows: bool = False
                  ) -> Callable[[], PollCycle]:
    """Builds the cycle on the worker thread (the poller imports yfinance). Bars older than
    the moment this is called arrived while HarbourWatch was closed, and alerts say so."""
    started_at = epoch(clock.now())

    def make() -> PollCycle:
        return PollCycle(make_poller(), AlertEvaluator(clock, market, started_at), dispatcher,
                         clock, prepare_rows)

    return make
