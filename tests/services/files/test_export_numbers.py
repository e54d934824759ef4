"""Exports a spreadsheet reads right: the watchlist's last price, change and time; numbers at
the instrument's precision; dates and times as real XLSX dates."""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl

from services.core.clock import FixedClock
from services.files.ledger_transfer import LedgerTransfer
from services.files.watchlist_transfer import WatchlistTransfer
from services.portfolio.holdings import PortfolioService, Transaction


def test_watchlist_csv_carries_last_price_change_and_time(app_db: sqlite3.Connection,
                                                          clock: FixedClock,
                                                          tmp_path: Path) -> None:
    WatchlistTransfer(app_db, clock).export("Main", "csv", tmp_path / "main.csv")
    with (tmp_path / "main.csv").open(encoding="utf-8-sig") as handle:
        rows = {r["symbol"]: r for r in csv.DictReader(handle)}
    zhipu = rows["2513.HK"]
    assert zhipu["last_price"] == "819.0" and zhipu["currency"] == "HKD"  # the bundled point
    assert zhipu["price_time"].startswith("2026-09-10T09:30:00+08:00")
    assert zhipu["price_source"] == "reference (digest)"


def test_numbers_rounded_and_dates_real_in_xlsx(app_db: sqlite3.Connection, clock: FixedClock,
                                                tmp_path: Path) -> None:
    PortfolioService(app_db, clock).record(Transaction(
        "2513.HK", dt.date(2026, 3, 2), "buy", 300, 250.123456, 20.0049, "HKD"))
    ledger = LedgerTransfer(app_db, clock)
    book = tmp_path / "all.xlsx"
    ledger.export_workbook(book, WatchlistTransfer(app_db, clock).workbook_sheets())
    sheets = openpyxl.load_workbook(book)
    tx = sheets["Transactions"]
    header = [c.value for c in tx[1]]
    row = {h: c.value for h, c in zip(header, tx[2], strict=True)}
    assert row["date"] == dt.datetime(2026, 3, 2) and tx.cell(2, 2).is_date
    assert row["price"] == 250.12 and row["fees"] == 20.0  # as the window shows them
    holdings = sheets["Holdings"]
    header = [c.value for c in holdings[1]]
    row = {h: c.value for h, c in zip(header, holdings[2], strict=True)}
    assert row["average_cost"] == round(row["average_cost"], 2)
    assert isinstance(row["last_price_time"], dt.datetime)
    main = sheets["List Main"]
    header = [c.value for c in main[1]]
    assert isinstance(main.cell(2, header.index("price_time") + 1).value, dt.datetime)
