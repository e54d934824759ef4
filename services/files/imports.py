"""One import, whichever kind: what the import dialog and `python main.py import` both run.

`preview` reads just enough of a file to guess its kind and columns; `run_import` does the
import with the rules of its kind (every row checked, all-or-nothing unless skipping bad rows).
"""

from __future__ import annotations

import csv
import io
import itertools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from services.core.clock import Clock
from services.files.ledger_transfer import PRICE_FILE_LIMIT, LedgerTransfer
from services.files.tables import (
    FileProblemError,
    ImportReport,
    check_header,
    read_text,
    sniff_delimiter,
)
from services.files.trade_columns import REQUIRED, guess_mapping, trade_table
from services.files.trade_import import TradeImport
from services.files.watchlist_transfer import WatchlistTransfer, format_of
from services.market.feed_types import Verify
from services.portfolio.holdings import PortfolioService

KINDS = {"watchlist": "Watchlist", "transactions": "Transactions",
         "prices": "Price history (daily bars)"}
PRICE_COLUMNS = {"date", "close"}
PREVIEW_ROWS = 8
SECTION_SCAN_ROWS = 500  # a statement's Trades section starts within its first lines


@dataclass(frozen=True)
class ImportRequest:
    kind: str  # a key of KINDS
    path: Path
    skip_bad: bool = False
    mapping: dict[str, str] | None = None  # transactions: field -> the file's column
    symbol: str = ""  # prices
    list_name: str | None = None  # watchlist: None keeps the file's name
    watchlist: str | None = None  # transactions: where new symbols go (None: the first list)


@dataclass(frozen=True)
class ImportResult:
    report: ImportReport
    headline: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilePreview:
    kind: str
    header: list[str]
    rows: list[list[str]]  # the first few data rows (CSV only)
    mapping: dict[str, str]  # guessed, for transactions


def guess_kind(header: list[str]) -> str:
    lowered = {h.strip().lower() for h in header}
    if lowered >= PRICE_COLUMNS and "symbol" not in lowered:
        return "prices"
    if len(set(REQUIRED) & set(guess_mapping(header))) >= 3:  # the rest mapped by hand
        return "transactions"
    return "watchlist"


def preview(path: Path) -> FilePreview:
    """FileProblemError when the file cannot be read at all."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        format_of(path)  # a watchlist format, or a clear "unknown format"
        return FilePreview("watchlist", [], [], {})
    text = read_text(path, PRICE_FILE_LIMIT)  # checks size, encoding, emptiness
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        header = check_header([h.strip() for h in next(reader)], path)
        scanned = [(reader.line_num, cells)
                   for cells in itertools.islice(reader, SECTION_SCAN_ROWS)]
    except csv.Error as error:
        raise FileProblemError(f"{path.name}: {error}") from None
    header, found = trade_table(header, [(n, c) for n, c in scanned if any(x.strip() for x in c)])
    rows = [cells for _, cells in found[:PREVIEW_ROWS]]
    kind = guess_kind(header)
    return FilePreview(kind, header, rows,
                       guess_mapping(header) if kind == "transactions" else {})


def run_import(conn: sqlite3.Connection, clock: Clock, demo: bool, request: ImportRequest,
               verify: Verify | None = None) -> ImportResult:
    """ImportRejectedError (bad rows, nothing imported) or FileProblemError/ValueError. `verify`
    checks symbols a transactions file names that no watchlist has (None: add them
    unverified)."""
    if request.kind == "watchlist":
        name, report = WatchlistTransfer(conn, clock, demo).import_file(
            request.path, None, request.list_name, request.skip_bad)
        return ImportResult(report, f"Watchlist {name!r}: {report.summary()}")
    if request.kind == "transactions":
        trades = TradeImport(conn, clock, verify, request.watchlist)
        report = trades.run(request.path, request.mapping, request.skip_bad)
        added = (f"; added to the watchlist: {', '.join(trades.added_symbols)}"
                 if trades.added_symbols else "")
        return ImportResult(report, f"Transactions: {report.summary()}{added}",
                            tuple(PortfolioService(conn, clock).board_lot_warnings()))
    ledger = LedgerTransfer(conn, clock, demo)
    if request.kind == "prices":
        report = ledger.import_prices(request.path, request.symbol, request.skip_bad)
        return ImportResult(report, f"Prices for {request.symbol}: {report.summary()}")
    raise FileProblemError(f"Unknown import kind {request.kind!r}.")

