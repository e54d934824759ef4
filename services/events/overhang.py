"""Lock-up overhang read from the database: each lock-up of a symbol with its figures, and the
price path around the stock's past expiries."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from db import volume_repo
from services.core import valuation
from services.core.analytics import MissingDataError
from services.core.clock import Clock, daily_bar_ts, local_date
from services.core.lockup_rules import SuggestedLockup
from services.core.models import Instrument, Lockup, SharesCount
from services.core.overhang import (
    ADV_SESSIONS,
    PATH_SESSIONS,
    AverageVolume,
    ExpiryPath,
    Overhang,
    expiry_path,
    overhang,
)
from services.reference import lockup_offers
from services.reference import store as reference_store
from services.watchlists.service import CONTINUOUS_SOURCES, WatchlistService

SOURCES = tuple(sorted(CONTINUOUS_SOURCES))  # never sparse reference points
SOURCE_NAMES = {"yahoo": "Yahoo", "import": "imported file", "demo": "DEMO"}


@dataclass(frozen=True)
class OverhangReport:
    instrument: Instrument
    today: dt.date
    figures: tuple[Overhang, ...]  # every lock-up, soonest expiry first
    paths: tuple[ExpiryPath, ...]  # past expiries with enough closes around them
    offers: tuple[SuggestedLockup, ...]  # rule-derived lock-ups still to confirm


def _outstanding(counts: Sequence[SharesCount], lock: Lockup, today: dt.date
                 ) -> SharesCount | None:
    """The count in force the day before the expiry (today's for one still ahead)."""
    try:
        return valuation.shares_on(counts, min(today, lock.free_to_trade
                                               - dt.timedelta(days=1)))
    except MissingDataError:
        return None


class OverhangService:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, watchlists: WatchlistService):
        self._conn = conn
        self._clock = clock
        self._watchlists = watchlists

    def report(self, symbol: str) -> OverhangReport:
        """KeyError for a symbol that is on no watchlist."""
        instrument = reference_store.instruments(self._conn)[symbol]
        today = self._watchlists.today(instrument)
        locks = self._watchlists.lockups(instrument)
        counts = reference_store.fundamentals(self._conn, symbol).shares
        price, _ = self._watchlists.last_price(instrument)
        adv = self.average_volume(instrument, today)
        figures = sorted((overhang(lock, locks, _outstanding(counts, lock, today), price, adv,
                                   today) for lock in locks),
                         key=lambda o: o.lockup.free_to_trade)
        paths = [path for lock in locks if lock.free_to_trade <= today
                 for path in [self.path(instrument, lock)] if path is not None]
        return OverhangReport(instrument, today, tuple(figures), tuple(paths),
                              tuple(lockup_offers.offers(self._conn, symbol, today)))

    def confirm(self, offer: SuggestedLockup) -> int:
        """Record an offered lock-up as the trader's own (then edited like any fact)."""
        return lockup_offers.confirm(self._conn, offer)

    def average_volume(self, instrument: Instrument, today: dt.date) -> AverageVolume | None:
        """Over the newest ADV_SESSIONS complete sessions up to today (fewer when fewer are
        stored)."""
        rows = volume_repo.recent_volumes(
            self._conn, instrument.symbol, daily_bar_ts(today, instrument.timezone),
            ADV_SESSIONS, SOURCES)
        if not rows:
            return None
        tz = instrument.timezone
        sources = sorted({SOURCE_NAMES.get(r["source"], r["source"]) for r in rows})
        return AverageVolume(sum(r["volume"] for r in rows) / len(rows), len(rows),
                             local_date(rows[-1]["ts"], tz), local_date(rows[0]["ts"], tz),
                             " + ".join(sources))

    def path(self, instrument: Instrument, lock: Lockup) -> ExpiryPath | None:
        tz = instrument.timezone
        span = dt.timedelta(days=PATH_SESSIONS * 2 + 15)  # covers holidays and weekends
        rows = volume_repo.daily_closes(
            self._conn, instrument.symbol, daily_bar_ts(lock.free_to_trade - span, tz),
            daily_bar_ts(lock.free_to_trade + span, tz), SOURCES)
        sources = sorted({SOURCE_NAMES.get(r["source"], r["source"]) for r in rows})
        return expiry_path(lock, [local_date(r["ts"], tz) for r in rows],
                           [r["close"] for r in rows], " + ".join(sources))
