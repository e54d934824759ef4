"""Transactions from a broker's CSV: every row checked, then checked against the ledger and
written in one transaction, or nothing.

The oversell check and the write share one `BEGIN IMMEDIATE` transaction, so two imports at
the same moment cannot together sell more than was held. A row that is skipped (with "skip bad
rows") is never written: a sell the ledger cannot hold is set aside and the rest checked again
without it. Symbols no watchlist knows are checked with Yahoo like the Add-symbol action (a
symbol Yahoo does not know makes its rows bad; an unreachable Yahoo adds it unverified) and
added to a watchlist in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db import portfolio_repo, watchlist_repo
from db.connection import transaction
from services.core.clock import Clock, epoch
from services.core.models import Instrument
from services.core.parsing import parse_date, parse_number
from services.core.tickers import TickerError, is_hkex, normalise_symbol
from services.files.tables import ImportRejectedError, ImportReport, RowProblem, read_rows
from services.files.trade_columns import TradeRows, combined_mapping, side_and_quantity, trade_table
from services.market.feed_types import QuoteMeta, Verify
from services.portfolio.holdings import (
    PortfolioService,
    Transaction,
    check_transaction,
    new_problems,
)
from services.reference import store as reference_store
from services.watchlists.editing import HKEX_DEFAULTS, WatchlistEditor, WatchlistError


@dataclass(frozen=True)
class Row:
    line: int
    transaction: Transaction
    trade_id: str = ""

    @property
    def key(self) -> str:
        """Re-importing the same row adds nothing; a broker's trade id tells two identical
        fills apart (and leaves the key of files without one as it always was)."""
        t = self.transaction
        text = "|".join(str(v) for v in (t.trade_date, t.symbol, t.side, repr(t.quantity),
                                         repr(t.price), repr(t.fees), t.currency, t.note))
        if self.trade_id:
            text += f"|id={self.trade_id}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class NewSymbol:
    symbol: str
    meta: QuoteMeta | None  # None: Yahoo could not be reached; added unverified

    def instrument(self) -> Instrument:
        if self.meta is not None:
            return Instrument(self.symbol, self.symbol, self.meta.currency, self.meta.timezone,
                              self.meta.exchange)
        currency, tz, exchange = HKEX_DEFAULTS if is_hkex(self.symbol) else ("", "UTC", "")
        return Instrument(self.symbol, self.symbol, currency, tz, exchange)


class TradeImport:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, verify: Verify | None = None,
                 watchlist: str | None = None):
        self._conn = conn
        self._clock = clock
        self._verify = verify
        self._watchlist = watchlist
        self.added_symbols: list[str] = []

    def run(self, path: Path, mapping: dict[str, str] | None = None,
            skip_bad: bool = False) -> ImportReport:
        header, rows = trade_table(*read_rows(path))
        columns = TradeRows(header, combined_mapping(header, mapping))
        executions = columns.has_executions(rows)
        report = ImportReport(read=len(rows))
        parsed: list[Row] = []
        for line, cells in rows:
            if columns.not_a_trade(cells, executions):
                report.ignored += 1
                continue
            try:
                parsed.append(_row(line, cells, columns))
            except ValueError as error:
                report.problems.append(RowProblem(line, str(error)))
        instruments = reference_store.instruments(self._conn)
        new = self._new_symbols({r.transaction.symbol for r in parsed} - set(instruments),
                                parsed, report)
        checked = self._checked(parsed, instruments, new, report)
        with transaction(self._conn):  # the ledger cannot change between check and write
            stored = PortfolioService(self._conn, self._clock).transactions()
            keys = portfolio_repo.import_keys(self._conn)
            fresh = [r for r in checked if r.key not in keys]
            report.already_there = len(checked) - len(fresh)
            fresh = self._without_oversells(stored, fresh, report)
            report.problems.sort(key=lambda p: p.line)
            if report.problems and not skip_bad:
                raise ImportRejectedError(report)
            self._add_symbols([new[s] for s in dict.fromkeys(r.transaction.symbol for r in fresh)
                               if s in new])
            now = epoch(self._clock.now())
            report.added = portfolio_repo.insert(self._conn, [
                (t.symbol, t.trade_date.isoformat(), t.side, t.quantity, t.price, t.fees,
                 t.currency, t.note, r.key, now) for r in fresh for t in [r.transaction]])
        return report

    def _new_symbols(self, unknown: set[str], parsed: list[Row],
                     report: ImportReport) -> dict[str, NewSymbol]:
        """Each unknown symbol checked with Yahoo (as Add symbol does); rows of a symbol Yahoo
        does not know are bad."""
        editor = WatchlistEditor(self._conn, self._verify)
        new, refused = {}, {}
        for symbol in sorted(unknown):
            try:
                checked = editor.check(symbol)
            except (WatchlistError, TickerError) as error:
                refused[symbol] = str(error)
                continue
            new[symbol] = NewSymbol(symbol, checked.meta)
        for row in parsed:
            if row.transaction.symbol in refused:
                report.problems.append(RowProblem(row.line, refused[row.transaction.symbol]))
        return new

    def _checked(self, parsed: list[Row], instruments: dict[str, Instrument],
                 new: dict[str, NewSymbol], report: ImportReport) -> list[Row]:
        today = PortfolioService(self._conn, self._clock).today()
        seen: dict[tuple, int] = {}
        good = []
        for row in parsed:
            t = row.transaction
            ins = instruments.get(t.symbol) or (new[t.symbol].instrument()
                                                if t.symbol in new else None)
            if ins is None:
                continue  # refused by Yahoo: reported already
            try:
                t = check_transaction(t, ins, today)
            except ValueError as error:
                report.problems.append(RowProblem(row.line, str(error)))
                continue
            same = (t.trade_date, t.symbol, t.side, t.quantity, t.price, t.fees, t.note,
                    row.trade_id)
            if same in seen:
                report.problems.append(RowProblem(
                    row.line, f"repeats line {seen[same]} exactly; if these are two fills, give "
                              "them different notes"))
                continue
            seen[same] = row.line
            good.append(Row(row.line, t, row.trade_id))
        return good

    @staticmethod
    def _without_oversells(stored: list[Transaction], fresh: list[Row],
                           report: ImportReport) -> list[Row]:
        """The rows that leave no sell short: a row's sell of more than is held then is bad, and
        so is one that would leave a stored later sell short. Each is set aside and the rest
        checked again, so a skipped row is never written."""
        candidates = list(fresh)
        while True:
            by_object = {id(r.transaction): r for r in candidates}
            found = new_problems(stored, stored + [r.transaction for r in candidates])
            if not found:
                return candidates
            problem = found[0]
            culprit = by_object.get(id(problem.transaction)) or _last_sell_before(
                candidates, problem.transaction)
            if culprit is None:  # cannot happen: a new problem needs a new row
                return candidates
            reason = problem.reason if culprit.transaction is problem.transaction else (
                f"this sale would leave the stored sale of "
                f"{problem.transaction.trade_date.isoformat()} short ({problem.reason})")
            report.problems.append(RowProblem(culprit.line, reason))
            candidates.remove(culprit)

    def _add_symbols(self, symbols: list[NewSymbol]) -> None:
        """Inside the import's transaction: the new symbols on the chosen (or first) list."""
        if not symbols:
            return
        lists = watchlist_repo.watchlists(self._conn)
        names = {row["name"]: row["id"] for row in lists}
        list_id = names.get(self._watchlist or "", lists[0]["id"] if lists else None)
        if list_id is None:
            list_id = watchlist_repo.create(self._conn, "Main")
        editor = WatchlistEditor(self._conn)
        for new in symbols:
            editor.ensure_instrument(new.symbol, new.meta)
            watchlist_repo.add_item(self._conn, list_id, new.symbol)
            if new.meta is not None:
                watchlist_repo.set_verified(self._conn, new.symbol)
            self.added_symbols.append(new.symbol + ("" if new.meta else " (unverified)"))


def _row(line: int, cells: list[str], columns: TradeRows) -> Row:
    """One row's transaction before its instrument is known; ValueError says what is wrong."""
    if len(cells) <= columns.last_required:
        raise ValueError(f"has {len(cells)} cells, the header has {len(columns.header)}; "
                         "wrong delimiter?")
    try:
        symbol = normalise_symbol(columns.symbol(cells))
    except TickerError as error:
        raise ValueError(str(error)) from None
    quantity = parse_number(columns.text(cells, "quantity"), "quantity")
    side, quantity = side_and_quantity(columns.carried(cells, "side"), quantity)
    day: dt.date = parse_date(columns.text(cells, "date"))
    return Row(line, Transaction(
        symbol, day, side, quantity, parse_number(columns.text(cells, "price"), "price"),
        columns.fees(cells), columns.carried(cells, "currency").upper(),
        columns.text(cells, "note")), columns.text(cells, "trade_id"))


def _last_sell_before(rows: list[Row], sell: Transaction) -> Row | None:
    """The file's latest sale of the same symbol on or before a stored sale it left short."""
    earlier = [r for r in rows if r.transaction.symbol == sell.symbol
               and r.transaction.side == "sell" and r.transaction.trade_date <= sell.trade_date]
    return max(earlier, key=lambda r: r.transaction.trade_date, default=None)
