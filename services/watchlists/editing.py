"""Changing watchlists: several named lists, adding a symbol by any common spelling, removing,
reordering, moving between lists, notes.

A new symbol is checked against Yahoo when a `verify` function is given and Yahoo answers; when
Yahoo cannot be reached it is accepted as "unverified" and the first good poll fills in its
currency and time zone. A symbol Yahoo says does not exist is refused.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from db import watchlist_repo
from db.connection import transaction
from services.core.clock import HKEX_TZ
from services.core.parsing import note_problem, unstorable_characters
from services.core.tickers import is_hkex, normalise_symbol
from services.market.feed_types import ErrorKind, FeedError, QuoteMeta, Verify

MAX_NAME = 60
HKEX_DEFAULTS = ("HKD", HKEX_TZ, "HKG")


class WatchlistError(ValueError):
    """Fit to show the user as it is."""


@dataclass(frozen=True)
class Added:
    symbol: str
    verified: bool
    message: str


@dataclass(frozen=True)
class Checked:
    """A normalised symbol and what Yahoo said about it (None: not asked or not reachable)."""

    symbol: str
    meta: QuoteMeta | None
    why: str


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise WatchlistError("A watchlist needs a name.")
    if len(name) > MAX_NAME:
        raise WatchlistError(f"Keep the name to {MAX_NAME} characters.")
    if "\t" in name or unstorable_characters(name):
        raise WatchlistError("The name contains control characters or bytes that are not text.")
    return name


def check_note(note: str) -> str:
    problem = note_problem(note)
    if problem:
        raise WatchlistError(problem)
    return note


class WatchlistEditor:
    def __init__(self, conn: sqlite3.Connection, verify: Verify | None = None):
        self._conn = conn
        self._verify = verify

    def list_id(self, name: str) -> int:
        found = watchlist_repo.watchlist_id(self._conn, name)
        if found is None:
            raise WatchlistError(f"There is no watchlist named {name!r}.")
        return found

    def create(self, name: str) -> int:
        name = check_name(name)
        if watchlist_repo.watchlist_id(self._conn, name) is not None:
            raise WatchlistError(f"A watchlist named {name!r} already exists.")
        with transaction(self._conn):
            return watchlist_repo.create(self._conn, name)

    def rename(self, old: str, new: str) -> None:
        new = check_name(new)
        list_id = self.list_id(old)
        if new != old and watchlist_repo.watchlist_id(self._conn, new) is not None:
            raise WatchlistError(f"A watchlist named {new!r} already exists.")
        with transaction(self._conn):
            watchlist_repo.rename(self._conn, list_id, new)

    def delete(self, name: str) -> None:
        list_id = self.list_id(name)
        if len(watchlist_repo.watchlists(self._conn)) == 1:
            raise WatchlistError("Keep at least one watchlist.")
        with transaction(self._conn):
            watchlist_repo.delete(self._conn, list_id)

    def add(self, name: str, text: str, note: str = "") -> Added:
        """Normalise, verify (when possible) and append; WatchlistError says what is wrong."""
        return self.add_checked(name, self.check(text), note)

    def check(self, text: str) -> Checked:
        """Normalise and ask Yahoo (the slow, network half of `add`; touches no database, so a
        window can run it on a worker thread). TickerError/WatchlistError say what is wrong."""
        symbol = normalise_symbol(text)
        if self._verify is None:
            return Checked(symbol, None, "checked with Yahoo on the next poll.")
        try:
            return Checked(symbol, self._verify(symbol), "")
        except FeedError as error:
            if error.kind == ErrorKind.NOT_FOUND:
                raise WatchlistError(f"Yahoo Finance does not know {symbol}.") from None
            return Checked(symbol, None, f"Yahoo could not be reached ({error.kind}); "
                                         "checked on the next poll.")

    def add_checked(self, name: str, checked: Checked, note: str = "") -> Added:
        symbol, meta = checked.symbol, checked.meta
        note = check_note(note)
        list_id = self.list_id(name)
        with transaction(self._conn):
            self.ensure_instrument(symbol, meta)
            if not watchlist_repo.add_item(self._conn, list_id, symbol, note):
                raise WatchlistError(f"{symbol} is already on {name}.")
            if meta is not None:
                watchlist_repo.set_verified(self._conn, symbol)
        if meta is not None:
            return Added(symbol, True, f"Added {symbol} ({meta.exchange}, {meta.currency}).")
        return Added(symbol, False, f"Added {symbol} as unverified: {checked.why}")

    def ensure_instrument(self, symbol: str, meta: QuoteMeta | None = None) -> None:
        """Make `symbol` known (inside the caller's transaction)."""
        if meta is not None:
            currency, tz, exchange = meta.currency, meta.timezone, meta.exchange
        elif is_hkex(symbol):
            currency, tz, exchange = HKEX_DEFAULTS
        else:
            currency, tz, exchange = "", "UTC", ""
        watchlist_repo.ensure_instrument(self._conn, symbol, symbol, currency, tz, exchange,
                                         None)

    def remove(self, name: str, symbol: str) -> None:
        with transaction(self._conn):
            if not watchlist_repo.remove_item(self._conn, self.list_id(name), symbol):
                raise WatchlistError(f"{symbol} is not on {name}.")

    def move(self, symbol: str, source: str, target: str) -> None:
        """Move to another list (at its end), keeping the note."""
        note = self.note(source, symbol)
        target_id = self.list_id(target)
        with transaction(self._conn):
            if not watchlist_repo.add_item(self._conn, target_id, symbol, note):
                raise WatchlistError(f"{symbol} is already on {target}.")
            watchlist_repo.remove_item(self._conn, self.list_id(source), symbol)

    def reorder(self, name: str, symbols: list[str]) -> None:
        list_id = self.list_id(name)
        if sorted(self.symbols(name)) != sorted(symbols):
            raise WatchlistError("The new order must hold exactly the list's symbols.")
        with transaction(self._conn):
            watchlist_repo.set_order(self._conn, list_id, symbols)

    def set_note(self, name: str, symbol: str, note: str) -> None:
        note = check_note(note)
        with transaction(self._conn):
            watchlist_repo.set_note(self._conn, self.list_id(name), symbol, note)

    def contents(self) -> list[tuple[str, list[tuple[str, bool]]]]:
        """Every list with its symbols in order, each with whether Yahoo verified it."""
        return [(row["name"], [(item["symbol"], bool(item["verified"]))
                               for item in watchlist_repo.items(self._conn, row["id"])])
                for row in watchlist_repo.watchlists(self._conn)]

    def symbols(self, name: str) -> list[str]:
        """The list's symbols in their stored order."""
        return [row["symbol"] for row in watchlist_repo.items(self._conn, self.list_id(name))]

    def note(self, name: str, symbol: str) -> str:
        for row in watchlist_repo.items(self._conn, self.list_id(name)):
            if row["symbol"] == symbol:
                return str(row["note"])
        raise WatchlistError(f"{symbol} is not on {name}.")
