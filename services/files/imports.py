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
from services.files.ledger_transfer import PRICE_FILE_LIMIT, REQUIRED, LedgerTransfer, guess_mapping
from services.files.tables import FileProblemError, ImportReport, read_text, sniff_delimiter
from services.files.watchlist_transfer import WatchlistTransfer, format_of
from services.portfolio.holdings import PortfolioService

KINDS = {"watchlist": "Watchlist", "transactions": "Transactions",
         "prices": "Price history (daily bars)"}
PRICE_COLUMNS = {"date", "close"}
PREVIEW_ROWS = 8


@dataclass(frozen=True)
class ImportRequest:
    kind: str  # a key of KINDS
    path: Path
    skip_bad: bool = False
    mapping: dict[str, str] | None = None  # transactions: field -> the file's column
    symbol: str = ""  # prices
    list_name: str | None = None  # watchlist: None keeps the file's name


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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        header = [h.strip() for h in next(reader)]
        rows = list(itertools.islice(reader, PREVIEW_ROWS))
    except csv.Error as error:
        raise FileProblemError(f"{path.name}: line {reader.line_num}: {error}") from None
    kind = guess_kind(header)
    return FilePreview(kind, header, rows,
                       guess_mapping(header) if kind == "transactions" else {})


def run_import(conn: sqlite3.Connection, clock: Clock, demo: bool,
               request: ImportRequest) -> ImportResult:
    """ImportRejectedError (bad rows, nothing imported) or FileProblemError/ValueError."""
    if request.kind == "watchlist":
        name, report = WatchlistTransfer(conn, clock, demo).import_file(
            request.path, None, request.list_name, request.skip_bad)
        return ImportResult(report, f"Watchlist {name!r}: {report.summary()}")
    ledger = LedgerTransfer(conn, clock, demo)
    if request.kind == "transactions":
        report = ledger.import_transactions(request.path, request.mapping, request.skip_bad)
        return ImportResult(report, f"Transactions: {report.summary()}",
                            tuple(PortfolioService(conn, clock).board_lot_warnings()))
    if request.kind == "prices":
        report = ledger.import_prices(request.path, request.symbol, request.skip_bad)
        return ImportResult(report, f"Prices for {request.symbol}: {report.summary()}")
    raise FileProblemError(f"Unknown import kind {request.kind!r}.")

