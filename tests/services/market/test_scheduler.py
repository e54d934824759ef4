"""The scheduler: one job, no overlapping polls, refresh-now reuses it, outcomes handed over."""

from __future__ import annotations

import threading
import time

from services.app.poll_cycle import PollCycle
from services.core.clock import FixedClock
from services.market.calendar import MarketClock
from services.market.poller import Poller, PollOutcome
from services.market.scheduler import JOB_ID, PollScheduler
from tests.waiting import wait_for


class SlowPoller:
    """Stands in for Poller to observe concurrency: each poll takes a while."""

    def __init__(self) -> None:
        self.active = 0
        self.most_active = 0
        self.calls: list[bool] = []
        self._lock = threading.Lock()

    def run(self, force: bool, cancel: threading.Event) -> PollOutcome:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self.calls.append(force)
        time.sleep(0.2)  # a slow poll: what overlapping refreshes would run beside
        with self._lock:
            self.active -= 1
        return PollOutcome(0, 0, "open", "yahoo")

    def close(self) -> None:
        pass


def test_refresh_now_reuses_the_job_and_polls_never_overlap(clock: FixedClock) -> None:
    poller = SlowPoller()
    outcomes: list[PollOutcome] = []
    scheduler = PollScheduler(lambda: poller, MarketClock(), clock, outcomes.append)  # type: ignore[arg-type,return-value]
    scheduler.start()
    try:
        wait_for(lambda: len(outcomes) >= 1)
        for _ in range(10):
            scheduler.refresh_now()
            time.sleep(0.03)
        wait_for(lambda: len(outcomes) >= 3)
        assert [job.id for job in scheduler._scheduler.get_jobs()] == [JOB_ID]
    finally:
        scheduler.shutdown(wait=True)
    assert poller.most_active == 1
    assert poller.calls[0] is False and True in poller.calls[1:]  # refreshes force
    assert not scheduler._scheduler.running  # stopped means stopped: no job can run again


def test_a_crashing_poll_is_reported_and_polling_goes_on(clock: FixedClock) -> None:
    errors: list[str] = []

    class Broken:
        calls = 0

        def run(self, force: bool, cancel: threading.Event) -> PollOutcome:
            Broken.calls += 1
            raise RuntimeError("disk on fire")

        def close(self) -> None:
            pass

    scheduler = PollScheduler(lambda: Broken(), MarketClock(), clock, lambda o: None,  # type: ignore[arg-type,return-value]
                              errors.append, interval_s=0)
    scheduler.start()
    try:
        wait_for(lambda: len(errors) >= 2)
    finally:
        scheduler.shutdown()
    assert errors[0] == "RuntimeError: disk on fire"


def test_scheduler_drives_the_real_poller(poller: Poller, clock: FixedClock) -> None:
    outcomes: list[PollOutcome] = []
    scheduler = PollScheduler(lambda: PollCycle(poller), MarketClock(), clock, outcomes.append)
    scheduler.start()
    try:
        wait_for(lambda: len(outcomes) >= 1)
        assert len(outcomes[0].poll.succeeded) == 2
        assert scheduler.next_run is not None
        assert (scheduler.next_run - clock.now()).total_seconds() == 60  # open: every minute
    finally:
        scheduler.shutdown()


def test_a_poll_longer_than_the_interval_is_followed_at_once(clock: FixedClock) -> None:
    """A long watchlist can take longer than the interval: the next poll starts as soon as
    this one ends (it was once dropped as "still running", leaving a 30-minute gap)."""

    class Overrunning(SlowPoller):
        def run(self, force: bool, cancel: threading.Event) -> PollOutcome:
            clock.advance(90)  # the poll takes longer than the 60 s interval
            return super().run(force, cancel)

    def announce(outcome: PollOutcome) -> None:  # the window takes a moment to take it in
        time.sleep(0.1)
        outcomes.append(outcome)

    poller = Overrunning()
    outcomes: list[PollOutcome] = []
    scheduler = PollScheduler(lambda: poller, MarketClock(), clock, announce,  # type: ignore[arg-type,return-value]
                              interval_s=60)
    scheduler.start()
    try:
        wait_for(lambda: len(outcomes) >= 4, timeout=10)
    finally:
        scheduler.shutdown(wait=True)
    assert poller.most_active == 1
