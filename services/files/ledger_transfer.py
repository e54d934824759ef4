"""Transactions from CSV (services.files.trade_import), price history from CSV, and the exports
of holdings, transactions and alert history (CSV, JSON, one XLSX workbook for everything).

Imports check every row first and report bad ones by line; nothing is written unless every row
is good or the user chose to skip the bad ones. Re-importing the same file adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from db import alert_repo, market_repo
from db.connection import transaction
from services.core.clock import DAILY_BAR_LOCAL_TIME, HKEX_TZ, Clock, from_epoch
from services.core.formatting import currency_decimals, price_caveat, source_label
from services.core.tickers import TickerError, normalise_symbol
from services.core.ticks import round_price
from services.files import workbook
from services.files.atomic import iso_text, write_atomically, write_csv
from services.files.tables import (
    FileProblemError,
    ImportRejectedError,
    ImportReport,
    RowProblem,
    check_header,
    read_text,
    sniff_delimiter,
)
from services.files.trade_import import TradeImport
from services.market import stats
from services.market.feed_types import Verify
from services.portfolio.holdings import PortfolioService
from services.reference import store as reference_store

if TYPE_CHECKING:
    import pandas as pd

PRICE_FILE_LIMIT = 150 * 1024 * 1024
PRICE_NUMBERS = ("open", "high", "low", "close", "volume")
TX_HEADER = ("id", "date", "symbol", "side", "quantity", "price", "fees", "currency", "note")
# A price never travels without its time and source: a value computed from a bundled reference
# price or an imported close says so in `price_note`.
POSITION_HEADER = ("symbol", "currency", "quantity", "average_cost", "cost", "last_price",
                   "last_price_time", "last_price_source", "price_note", "market_value",
                   "unrealised", "realised", "fees", "weight")
ALERT_HEADER = ("id", "symbol", "observed_at", "fired_at", "value", "rule", "message", "source",
                "while_closed", "acknowledged")


class LedgerTransfer:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, demo: bool = False):
        self._conn = conn
        self._clock = clock
        self._demo = demo

    # -- transactions in -----------------------------------------------------------------------
    def import_transactions(self, path: Path, mapping: dict[str, str] | None = None,
                            skip_bad: bool = False, verify: Verify | None = None,
                            watchlist: str | None = None) -> ImportReport:
        """See services.files.trade_import: checked, then written in one transaction."""
        return TradeImport(self._conn, self._clock, verify, watchlist).run(path, mapping,
                                                                            skip_bad)

    # -- prices in -----------------------------------------------------------------------------
    def import_prices(self, path: Path, symbol: str, skip_bad: bool = False) -> ImportReport:
        """Daily bars (date, open, high, low, close[, volume]) as source 'import'. Stored Yahoo
        bars win over imported ones for the same day. Vectorised: a million rows take about
        as long as inserting them (bench/import.py)."""
        import pandas as pd  # imported here: only a price import needs it

        try:
            symbol = normalise_symbol(symbol)
        except TickerError as error:
            raise FileProblemError(str(error)) from None
        ins = reference_store.instruments(self._conn).get(symbol)
        if ins is None:
            raise FileProblemError(f"{symbol} is not on any watchlist; add it first.")
        text = read_text(path, PRICE_FILE_LIMIT)
        frame = _price_frame(text, Path(path).name)
        line = frame.index.to_numpy() + 2  # the header is line 1
        report = ImportReport(read=len(frame))
        days = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
        if days.isna().any():  # perhaps spaces around the date: the slower way for these files
            days = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
        parsed = {c: _numbers(frame[c]) for c in PRICE_NUMBERS if c in frame}
        numbers = {c: values for c, (values, _) in parsed.items()}
        close = numbers["close"]
        high, low = numbers.get("high", close), numbers.get("low", close)
        today = np.datetime64(PortfolioService(self._conn, self._clock).today().isoformat())
        day_values = days.to_numpy(dtype="datetime64[D]")
        reasons = [
            (days.isna().to_numpy(), "the date is not YYYY-MM-DD"),
            (day_values > today, "the date is in the future"),
            (~(close > 0), "close must be a number above zero"),
            (~((low <= close) & (close <= high)) & ~np.isnan(low) & ~np.isnan(high),
             "close must be between low and high"),
            (days.duplicated(keep="first").to_numpy() & days.notna().to_numpy(),
             "the same date appears earlier in the file"),
        ]
        for name, (_, not_numbers) in parsed.items():
            reasons.append((not_numbers, f"{name} is not a number"))
        bad = np.zeros(len(frame), dtype=bool)
        for mask, reason in reasons:
            for i in np.flatnonzero(mask & ~bad)[:1000]:
                report.problems.append(RowProblem(int(line[i]), reason))
            bad |= mask
        report.problems.sort(key=lambda p: p.line)
        if report.problems and not skip_bad:
            raise ImportRejectedError(report)
        good = ~bad
        open_time = pd.Timedelta(hours=DAILY_BAR_LOCAL_TIME.hour,
                                 minutes=DAILY_BAR_LOCAL_TIME.minute)
        local = (days[good] + open_time).dt.tz_localize(ins.timezone)
        # whole seconds whatever pandas' resolution (ns, us or s depending on version)
        stamps = (local - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
        volume = numbers.get("volume", np.full(len(frame), np.nan))[good]
        columns = [
            stamps.to_numpy().tolist(),
            *(_nullable(a) for a in (numbers.get("open", close)[good], high[good], low[good])),
            close[good].tolist(),
            _nullable(volume, np.int64),
        ]
        out = [(symbol, "1d", ts, o, h, lo, c, v, "import", 0)
               for ts, o, h, lo, c, v in zip(*columns, strict=True)]
        before = self._conn.total_changes
        with transaction(self._conn):
            market_repo.upsert_bars(self._conn, out, keep_market_data=True)
            report.added = self._conn.total_changes - before
            stats.refresh(self._conn, stats.oldest_daily(out))
        report.already_there = len(out) - report.added
        return report

    # -- exports -------------------------------------------------------------------------------
    def transaction_rows(self) -> list[tuple]:
        return [(t.id, t.trade_date, t.symbol, t.side, t.quantity, round_price(t.price),
                 _money(t.fees, t.currency), t.currency, t.note)
                for t in PortfolioService(self._conn, self._clock).transactions()]

    def position_rows(self, base: str) -> list[tuple]:
        held, _ = PortfolioService(self._conn, self._clock).snapshot(base)
        return [(p.symbol, p.currency, p.quantity, round_price(p.average_cost),
                 _money(p.cost, p.currency),
                 round_price(p.last.amount) if p.last else None,
                 _iso(p.last.ts, HKEX_TZ) if p.last else None,
                 source_label(p.last) if p.last else None, price_caveat(p.last),
                 _money(p.market_value.amount, p.currency) if p.market_value else None,
                 _money(p.unrealised.amount, p.currency) if p.unrealised else None,
                 _money(p.realised, p.currency), _money(p.fees, p.currency),
                 None if p.weight is None else round(p.weight, 4))
                for p in held]

    def alert_rows(self) -> list[tuple]:
        tz = {s: i.timezone for s, i in reference_store.instruments(self._conn).items()}
        return [(r["id"], r["symbol"], _iso(r["observed_ts"], tz.get(r["symbol"], "UTC")),
                 _iso(r["fired_at"], tz.get(r["symbol"], "UTC")), r["value"], r["rule_text"],
                 r["message"], r["source"], bool(r["while_closed"]), bool(r["acknowledged"]))
                for r in alert_repo.events(self._conn, limit=1_000_000)]

    def export_table(self, what: str, fmt: str, path: Path, base: str = "HKD") -> int:
        header, rows = {"transactions": (TX_HEADER, self.transaction_rows),
                        "holdings": (POSITION_HEADER, lambda: self.position_rows(base)),
                        "alerts": (ALERT_HEADER, self.alert_rows)}[what]
        data = rows()
        if fmt == "csv":
            write_csv(path, (*header, "data") if self._demo else header,
                      [(*r, "DEMO") if self._demo else r for r in data])
        elif fmt == "json":
            document = {"app": "HarbourWatch", "format": what, "demo": self._demo,
                        "rows": [dict(zip(header, r, strict=True)) for r in data]}
            text = json.dumps(document, indent=2, ensure_ascii=False,
                              default=lambda v: str(iso_text(v))) + "\n"
            write_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))
        else:
            raise FileProblemError(f"{what} export as {fmt!r}: use csv or json (or the workbook).")
        return len(data)

    def export_workbook(self, path: Path, watchlists: dict[str, workbook.Sheet],
                        base: str = "HKD") -> None:
        """Everything in one XLSX: each watchlist, holdings, transactions, alert history."""
        sheets = dict(watchlists)
        sheets["Holdings"] = (POSITION_HEADER, self.position_rows(base))
        sheets["Transactions"] = (TX_HEADER, self.transaction_rows())
        sheets["Alerts"] = (ALERT_HEADER, self.alert_rows())
        workbook.write(path, sheets, demo=self._demo, contents=True)


def _price_frame(text: str, name: str) -> pd.DataFrame:
    """The price file as a frame with blank lines dropped: numbers parsed by pandas' C parser
    (the fast path), text kept where a cell is not a number so it can be reported."""
    import pandas as pd

    try:
        sep = sniff_delimiter(text)
        header = [h.strip().lower() for h in next(csv.reader([text.split("\n", 1)[0]],
                                                             delimiter=sep))]
    except csv.Error as error:
        raise FileProblemError(f"{name}: line 1: {error}.") from None
    check_header(header, Path(name))
    if "date" not in header or "close" not in header:
        raise FileProblemError(f"{name} needs 'date' and 'close' columns (found: "
                               f"{', '.join(header)}). Is the delimiter right?")
    if len(set(header)) != len(header):
        raise FileProblemError(f"{name} names a column twice: {', '.join(header)}.")
    numeric = [h for h in header if h in PRICE_NUMBERS]
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, header=0, names=header, skip_blank_lines=False,
            skipinitialspace=True, keep_default_na=False, na_values={h: [""] for h in numeric},
            dtype={h: str for h in header if h not in numeric},
            thousands="," if sep != "," else None)
    except (pd.errors.ParserError, ValueError) as error:
        raise FileProblemError(f"{name}: {error}") from None
    maybe_blank = (frame["date"].str.strip() == "").to_numpy()
    if maybe_blank.any():
        rows = frame[maybe_blank]
        blank = rows.apply(lambda c: c.isna() | (c.astype(str).str.strip() == "")).all(axis=1)
        frame = frame.drop(blank.index[blank])
    return frame


def _numbers(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(floats, which cells hold text that is not a number); empty cells are NaN, not bad."""
    import pandas as pd

    if column.dtype.kind in "fiu":
        values = column.to_numpy(dtype=float)
        return values, np.zeros(len(values), dtype=bool)
    text = column.fillna("").astype(str).str.strip()
    values = pd.to_numeric(text.str.replace(",", "", regex=False),
                           errors="coerce").to_numpy(dtype=float)
    return values, np.isnan(values) & (text != "").to_numpy()


def _nullable(values: np.ndarray, dtype: type = float) -> list:
    """NaN becomes NULL; the common all-present column skips the object array."""
    missing = np.isnan(values)
    if not missing.any():
        return values.astype(dtype).tolist()
    return np.where(missing, None, np.nan_to_num(values).astype(dtype)).tolist()


def _iso(ts: int, tz: str) -> dt.datetime:
    """The exchange's local time (text in CSV and JSON, a date-time cell in XLSX)."""
    return from_epoch(int(ts), tz)


def _money(amount: float, currency: str) -> float:
    return round(amount, currency_decimals(currency))
