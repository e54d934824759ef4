"""The watchlist's rows and the detail pane's snapshot, read from the database (one row a
symbol, never the history) on whichever thread owns the connection; the UI only formats them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace

from db import calendar_repo, market_repo, reference_repo, stats_repo, watchlist_repo
from services.core import analytics, valuation
from services.core.analytics import MissingDataError
from services.core.clock import Clock, daily_bar_ts, local_date, trading_day
from services.core.fx import FxTable
from services.core.models import (
    Fundamentals,
    Instrument,
    Lockup,
    Money,
    Price,
    Target,
)
from services.core.tickers import feed_delay_minutes, is_hkex
from services.core.valuation import BandPrice, Estimate
from services.market import fx_feed, stats
from services.market.calendar import HKEX_CALENDAR, MarketClock, Phase
from services.reference import store as reference_store
from services.reference import yahoo_facts
from services.reference.yahoo_facts import YahooSnapshot
from services.watchlists.snapshots import (
    InstrumentDetail,
    KeptRow,
    PreparedRows,
    WatchlistRow,
    drawdown_facts,
)

CONTINUOUS_SOURCES = frozenset(stats_repo.SETTLED_SOURCES)
LIVE_SOURCES = frozenset(market_repo.LIVE_SOURCES)
# Yahoo's HK quotes run 15 minutes late, so a quote 15 trading minutes old is simply delayed;
# no new trade for this many minutes of continuous trading is stale.
STALE_AFTER_TRADING_MIN = 25


class WatchlistService:
    """Reads snapshots for the GUI thread (or the CLI) from one connection.

    A refresh reads one row a symbol (stored figures and prices, never the history). While
    the database and the trading day are unchanged it reads nothing at all: the window asks
    on every tick, and most ticks find nothing new."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock):
        self._conn = conn
        self._clock = clock
        self._seen: tuple[int, int] | None = None  # the database state the memo below holds
        self._lists: dict[tuple[str, tuple[dt.date, ...]], list[WatchlistRow]] = {}
        self._sessions: dict[str, str | None] = {}
        self._facts: tuple[int, tuple[dict[str, Instrument], FxTable, _Facts]] | None = None
        self._rows: dict[str, KeptRow] = {}
        self._adopted: PreparedRows | None = None
        self._list_items: dict[int, _Items] = {}
        self._notes: dict[str, tuple[WatchlistRow, WatchlistRow]] = {}  # row -> with note
        self._details: dict[tuple[str, str, str | None], tuple[object, InstrumentDetail]] = {}

    def today(self, instrument: Instrument) -> dt.date:
        return trading_day(self._clock, instrument.timezone)

    def watchlist_names(self) -> list[str]:
        return [row["name"] for row in watchlist_repo.watchlists(self._conn)]

    def rows(self, watchlist: str = "Main",
             market: MarketClock | None = None) -> list[WatchlistRow]:
        """One row a symbol. `market` (a calendar already loaded): flag a live price that has
        not moved for STALE_AFTER_TRADING_MIN minutes of continuous trading — the lunch break,
        nights and Yahoo's 15-minute delay do not make a price stale."""
        self._forget_if_changed()
        key = (watchlist, (trading_day(self._clock),))
        rows = self._lists.get(key)
        if rows is None:
            rows = self._lists[key] = self._read_rows(watchlist)
        now = self._clock.now()
        if market is None or market.phase(now) != Phase.OPEN:
            return rows  # no price is stale while the market does not trade
        moved_since = now.timestamp() - STALE_AFTER_TRADING_MIN * 60  # trading time never
        return [self._with_staleness(row, market, now)  # runs faster than the clock
                if row.last is not None and row.last.ts < moved_since else row for row in rows]

    def _forget_if_changed(self) -> None:
        """Drop what was read when anything was committed since: by another connection (the
        poller's, seen in data_version) or by this one (its total_changes)."""
        seen = (self._conn.execute("PRAGMA data_version").fetchone()[0],
                self._conn.total_changes)
        if seen != self._seen:
            self._seen = seen
            self._lists.clear()
            self._sessions.clear()

    def _read_rows(self, watchlist: str) -> list[WatchlistRow]:
        """The list's rows: those adopted from the poll worker while still current, else
        from the price rows, rebuilding only the rows whose change counter moved."""
        list_id = watchlist_repo.watchlist_id(self._conn, watchlist)
        if list_id is None:
            raise KeyError(f"no watchlist named {watchlist!r}")
        instruments, fx, facts = self._reference()
        adopted = self._still_adopted(list_id)
        if adopted is not None:
            return adopted
        days = _Today(self._clock)
        return [self._noted(self._kept_row(instruments[stored[0]], fx, facts, stored, days),
                            stored["note"])
                for stored in stats_repo.price_rows(self._conn, list_id)]

    def _still_adopted(self, list_id: int) -> list[WatchlistRow] | None:
        """The list's rows from the last rows adopted, when no price row, reference fact or
        trading day changed since they were built (one sum read, not a counter a row); None
        when one did, or the list holds a symbol they lack."""
        adopted = self._adopted
        if adopted is None or adopted.facts_version != self._facts_version \
                or any(trading_day(self._clock, tz) != day for tz, day in adopted.days.items()) \
                or stats_repo.price_stamp(self._conn) != adopted.stamp:
            return None
        items = self._items(list_id)
        if not adopted.rows.keys() >= items.symbols:
            return None
        return [self._noted(self._rows[symbol][1], note) for symbol, note in items.notes]

    def _items(self, list_id: int) -> _Items:
        """The list's symbols and notes in order, read again only when a list's items changed
        (m012's counter: a poll's commit leaves it). The counter is read first, so an edit
        committed between the two reads only makes the next refresh read them again."""
        version = watchlist_repo.items_version(self._conn)
        kept = self._list_items.get(list_id)
        if kept is None or kept.version != version:
            notes = [(row[0], row[1]) for row in watchlist_repo.items(self._conn, list_id)]
            kept = self._list_items[list_id] = _Items(version, notes,
                                                      frozenset(s for s, _ in notes))
        return kept

    def _noted(self, row: WatchlistRow, note: str) -> WatchlistRow:
        """The row with its note in the list shown; the same object while neither changed
        (the table redraws only rows that are new objects)."""
        if row.note == note:
            return row
        kept = self._notes.get(row.symbol)
        if kept is None or kept[0] is not row or kept[1].note != note:
            kept = self._notes[row.symbol] = (row, replace(row, note=note))
        return kept[1]

    def _kept_row(self, instrument: Instrument, fx: FxTable, facts: _Facts,
                  stored: sqlite3.Row, today: Callable[[Instrument], dt.date]) -> WatchlistRow:
        """A symbol whose prices, facts and trading day are as last time keeps its row: a
        poll that moved a few prices rebuilds a few rows."""
        # what it was built from: its price row's change counter, the facts, the trading day
        key = (stored["price_version"], self._facts_version, today(instrument))
        kept = self._rows.get(instrument.symbol)
        if kept is None or kept[0] != key:
            kept = self._rows[instrument.symbol] = (key, self._row(instrument, fx, facts, stored))
        return kept[1]

    def prepared_rows(self) -> PreparedRows:
        """Every watched symbol's row with the stored state it was built from. The poll worker
        builds them right after its commit, so the window's refresh (`adopt`) does not."""
        instruments, fx, facts = self._reference()
        watched, stamp = stats_repo.watched_price_rows(self._conn)
        today = _Today(self._clock)
        for stored in watched:
            self._kept_row(instruments[stored[0]], fx, facts, stored, today)
        return PreparedRows({stored[0]: self._rows[stored[0]] for stored in watched}, stamp,
                            self._facts_version, today.zones)

    def adopt(self, prepared: PreparedRows) -> None:
        """Rows another connection built. Each is used only while the stored state this
        service reads is the one it was built from: a later commit simply rebuilds it here."""
        self._rows.update(prepared.rows)
        self._adopted = prepared

    @property
    def _facts_version(self) -> int | None:
        """The reference version the kept facts were read at (None before the first read)."""
        return self._facts[0] if self._facts else None

    def _reference(self) -> tuple[dict[str, Instrument], FxTable, _Facts]:
        """The reference facts of every symbol, read again only when one changed (a poll
        changes prices, rarely facts)."""
        version = reference_repo.version(self._conn)
        if self._facts is None or self._facts[0] != version:
            self._facts = (version, (reference_store.instruments(self._conn),
                                     reference_store.fx_table(self._conn),
                                     _Facts.read(self._conn)))
        return self._facts[1]

    @staticmethod
    def _with_staleness(row: WatchlistRow, market: MarketClock,
                        now: dt.datetime) -> WatchlistRow:
        """The row with the trading minutes since its live price last moved, when that is
        too long (the market trading `now`)."""
        last = row.last
        if last is None or last.source not in LIVE_SOURCES:
            return row
        minutes = market.trading_seconds(dt.datetime.fromtimestamp(last.ts, dt.UTC), now) / 60
        return replace(row, stale_minutes=int(minutes)) \
            if minutes > STALE_AFTER_TRADING_MIN else row

    def detail(self, symbol: str, basis: str = "fy", currency: str | None = None,
               watchlist: str | None = None) -> InstrumentDetail:
        """Everything the detail pane shows; band prices on `basis` revenue, their market caps
        in `currency` (default: the trading currency); the note the symbol has in `watchlist`.
        Only the price row and the FX feed's state are read each time: the facts part is kept
        while no reference fact and not the trading day changed."""
        self._forget_if_changed()
        instruments, fx, facts = self._reference()
        instrument = instruments[symbol]
        row = self._kept_row(instrument, fx, facts, stats_repo.price_row(self._conn, symbol),
                             _Today(self._clock))
        if watchlist is not None:
            row = self._noted(row, self._note(watchlist, symbol))
        today = self.today(instrument)
        stamp = (self._facts_version, today)
        kept = self._details.get((symbol, basis, currency))
        if kept is None or kept[0] != stamp:
            funds = facts.fundamentals_of(symbol)
            kept = self._details[(symbol, basis, currency)] = (stamp, InstrumentDetail(
                row=row,
                targets=tuple(facts.targets.get(symbol, ())),
                lockups=tuple(self.lockups(instrument, facts.lockups.get(symbol, []))),
                fundamentals=funds,
                reference_points=tuple(reference_store.reference_points(self._conn, symbol)),
                band_prices=tuple(self.band_prices(instrument, funds, fx, basis,
                                                   currency or instrument.currency)),
                fx_notes=(),
                today=today,
                key_facts=tuple(reference_store.key_facts(self._conn, symbol)),
                basis=basis,
                yahoo_fundamentals=yahoo_facts.fundamentals(self._conn, symbol).get(symbol),
            ))
        return replace(kept[1], row=row,
                       fx_notes=tuple(self._fx_notes(instrument, fx, today)))

    def instrument(self, symbol: str) -> Instrument:
        """One instrument from the kept reference facts (KeyError for an unknown symbol)."""
        return self._reference()[0][symbol]

    def _note(self, watchlist: str, symbol: str) -> str:
        list_id = watchlist_repo.watchlist_id(self._conn, watchlist)
        notes = self._items(list_id).notes if list_id is not None else []
        return next((note for item, note in notes if item == symbol), "")

    def _fx_notes(self, instrument: Instrument, fx: FxTable, today: dt.date) -> list[str]:
        """The rate each conversion of this instrument uses today, with its date and source."""
        notes = []
        for other in dict.fromkeys((instrument.reporting_currency, "USD", "CNY", "HKD")):
            if not other or other == instrument.currency:
                continue
            try:
                notes.append(fx.quote(other, instrument.currency, today).describe())
            except MissingDataError as missing:
                notes.append(str(missing))
        return notes + fx_feed.pair_status(self._conn)

    def lockups(self, instrument: Instrument, locks: list[Lockup] | None = None
                ) -> list[Lockup]:
        """The instrument's lock-ups (`locks`, when already read) with the first trading day
        their shares are free (from the exchange calendar the poller stores; unknown before
        the first poll or beyond it)."""
        if locks is None:
            locks = reference_store.lockups(self._conn, instrument.symbol)
        if not is_hkex(instrument.symbol):
            return locks
        result = []
        for lock in locks:
            day = calendar_repo.first_trading_day(self._conn, HKEX_CALENDAR,
                                                  lock.first_free_day.isoformat())
            result.append(replace(lock, first_trading_day=dt.date.fromisoformat(day))
                          if day else lock)
        return result

    def last_price(self, instrument: Instrument,
                   stored: sqlite3.Row | None = None) -> tuple[Price | None, float | None]:
        """The newest price (live quote or stored bar) and the change against the previous
        session's official close. `stored`: the symbol's price row, when already read."""
        price, previous = self._price_and_previous(instrument, stored)
        change = None if price is None or previous is None else price.amount / previous - 1.0
        return price, change

    def _price_and_previous(self, instrument: Instrument, stored: sqlite3.Row | None
                            ) -> tuple[Price | None, float | None]:
        symbol = instrument.symbol
        row = stored if stored is not None else stats_repo.price_row(self._conn, symbol)
        delay = feed_delay_minutes(symbol)
        quote_ts, close_ts = row["quote_ts"], row["close_ts"]
        if quote_ts is not None and (close_ts is None or quote_ts >= close_ts):
            source = row["quote_source"]
            price = Price(row["quote_price"], row["quote_currency"], quote_ts, source,
                          delay_min=delay if source == "yahoo" else 0)
            return price, self._previous_close(instrument, price, row["quote_previous"], row)
        if close_ts is None:
            return None, None
        source = row["close_source"]
        confidence = ""
        if source == "reference":
            confidence = self._reference_confidence(symbol, close_ts, instrument.timezone)
        price = Price(row["close"], instrument.currency, close_ts, source, confidence,
                      daily=True, delay_min=delay if source == "yahoo" else 0)
        return price, self._previous_close(instrument, price, None, row)

    def _previous_close(self, instrument: Instrument, price: Price,
                        quoted_previous: float | None, row: sqlite3.Row) -> float | None:
        """The stored official close of the session before the price's day (from one
        continuous feed; never a sparse reference point). Yahoo's own previous close is used
        only when no daily close is stored."""
        if price.source not in CONTINUOUS_SOURCES:
            return None
        day = local_date(price.ts, instrument.timezone)
        day_start = daily_bar_ts(day, instrument.timezone)
        previous = next(((ts, close) for ts, close in (
            (row["settled_ts"], row["settled_close"]),
            (row["settled_before_ts"], row["settled_before_close"]))
            if ts is not None and ts < day_start), None)
        if previous is None:
            return quoted_previous or None
        session = self._session_before(day.isoformat())
        closed_on = local_date(previous[0], instrument.timezone).isoformat()
        if is_hkex(instrument.symbol) and session is not None and closed_on != session:
            return None  # the previous session's close is not stored: no change, not a guess
        return previous[1]

    def _session_before(self, day: str) -> str | None:
        if day not in self._sessions:
            self._sessions[day] = calendar_repo.previous_trading_day(self._conn, HKEX_CALENDAR,
                                                                     day)
        return self._sessions[day]

    def _reference_confidence(self, symbol: str, ts: int, tz: str) -> str:
        row = self._conn.execute(
            "SELECT confidence FROM reference_points WHERE symbol = ? AND date = ?",
            [symbol, local_date(ts, tz).isoformat()],
        ).fetchone()
        return row[0] if row else ""

    def _row(self, instrument: Instrument, fx: FxTable, facts: _Facts,
             stored: sqlite3.Row) -> WatchlistRow:
        """From the symbol's price row (stored figures, closes and quote): its history is not
        read."""
        symbol = instrument.symbol
        figures = stats.from_row(stored)
        last, previous = self._price_and_previous(instrument, stored)
        change = None if last is None or previous is None else last.amount / previous - 1.0
        peak = None
        if figures is not None and figures.figures.peak_ts is not None:
            peak = Price(figures.figures.peak, instrument.currency, figures.figures.peak_ts, "",
                         daily=True)
        yahoo = facts.yahoo.get(symbol)
        target = analytics.latest_target(facts.targets.get(symbol, ())) or \
            yahoo_facts.consensus_target(yahoo)
        today = self.today(instrument)
        lock = analytics.next_lockup(self.lockups(instrument, facts.lockups.get(symbol, [])),
                                     today)

        drawdown = upside = None
        cap = None
        ps: Estimate | None = None
        ps_basis = ""
        if last is not None:
            if peak is not None:
                drawdown = analytics.drawdown(last.amount, max(peak.amount, last.amount))
            if target is not None:
                upside = analytics.upside(last.money, target.price)
            cap, ps, ps_basis = self._valuation(instrument, last, fx,
                                                facts.fundamentals_of(symbol))
        return WatchlistRow(
            instrument=instrument, last=last, change=change, peak=peak, drawdown=drawdown,
            drawdowns=drawdown_facts(instrument, last, drawdown, figures),
            latest_target=target, upside=upside, market_cap=cap,
            price_to_sales=ps.value if ps else None, ps_basis=ps_basis, next_lockup=lock,
            lockup_days=None if lock is None else analytics.days_until(lock.free_to_trade, today),
            ps=ps, yahoo=yahoo, previous_close=previous,
        )

    @staticmethod
    def _valuation(instrument: Instrument, last: Price, fx: FxTable,
                   funds: Fundamentals) -> tuple[Money | None, Estimate | None, str]:
        """Market cap and P/S on the last fiscal year's revenue as known on the price's day."""
        on = local_date(last.ts, instrument.timezone)
        try:
            point = valuation.valuation_on(on, last, funds.shares, funds.revenue, fx,
                                           last.currency, "fy")
        except MissingDataError as missing:
            return None, None, str(missing)
        if point.revenue is None:
            return point.market_cap, None, f"no annual revenue published by {on.isoformat()}"
        return point.market_cap, point.ps, point.revenue.period

    def band_prices(self, instrument: Instrument, funds: Fundamentals, fx: FxTable,
                    basis: str = "fy", currency: str | None = None) -> list[BandPrice]:
        """Price (and market cap in `currency`) each valuation band implies today, on the
        revenue of `basis` published by today and the share count in force today."""
        try:
            return valuation.band_prices(
                reference_store.valuation_bands(self._conn), funds.shares, funds.revenue, fx,
                instrument.currency, currency or instrument.currency, basis,
                self.today(instrument))
        except MissingDataError:
            return []


class _Today:
    """Today in each instrument's time zone, worked out once for a whole refresh."""

    def __init__(self, clock: Clock):
        self._clock = clock
        self.zones: dict[str, dt.date] = {}

    def __call__(self, instrument: Instrument) -> dt.date:
        zone = instrument.timezone
        if zone not in self.zones:
            self.zones[zone] = trading_day(self._clock, zone)
        return self.zones[zone]


@dataclass(frozen=True)
class _Facts:
    """Reference facts by symbol, read once for a whole refresh (not once per symbol)."""

    targets: dict[str, list[Target]]
    lockups: dict[str, list[Lockup]]
    fundamentals: dict[str, Fundamentals]
    yahoo: dict[str, YahooSnapshot]

    @classmethod
    def read(cls, conn: sqlite3.Connection, symbol: str | None = None) -> _Facts:
        return cls(reference_store.group(reference_store.targets(conn, symbol)),
                   reference_store.group(reference_store.lockups(conn, symbol)),
                   reference_store.all_fundamentals(conn, symbol),
                   yahoo_facts.snapshots(conn, symbol))

    def fundamentals_of(self, symbol: str) -> Fundamentals:
        return self.fundamentals.get(symbol, Fundamentals((), ()))


@dataclass(frozen=True)
class _Items:
    """A list's items as of a value of the items counter."""

    version: int
    notes: list[tuple[str, str]]  # (symbol, note) in list order
    symbols: frozenset[str]
