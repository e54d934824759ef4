"""Watchlists, transactions, prices and alert history in and out of files."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import openpyxl
import pytest

from services.alerts.rules import AlertRule, Direction, Policy, RuleKind
from services.alerts.service import AlertService
from services.core.clock import FixedClock, daily_bar_ts
from services.files.imports import preview
from services.files.ledger_transfer import LedgerTransfer
from services.files.tables import FileProblemError, ImportRejectedError
from services.files.watchlist_transfer import FORMATS, WatchlistTransfer
from services.market.calendar import MarketClock
from services.portfolio.holdings import PortfolioService
from services.watchlists.editing import WatchlistEditor


@pytest.fixture
def lists(app_db: sqlite3.Connection, clock: FixedClock) -> WatchlistTransfer:
    return WatchlistTransfer(app_db, clock)


@pytest.fixture
def ledger(app_db: sqlite3.Connection, clock: FixedClock) -> LedgerTransfer:
    return LedgerTransfer(app_db, clock)


def snapshot(conn: sqlite3.Connection) -> list:
    """Everything an import may touch."""
    return [conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in (
        "watchlists", "watchlist_items", "instruments", "alert_rules", "targets",
        "transactions", "bars")]


def seed_list(conn: sqlite3.Connection, clock: FixedClock) -> None:
    editor = WatchlistEditor(conn)
    editor.create("AI names")
    editor.add("AI names", "02513", note="=HYPERLINK(\"http://x\") Zhipu, 智谱")
    editor.add("AI names", "hkex:100", note="MiniMax")
    editor.add("AI names", "aapl")
    alerts = AlertService(conn, clock, MarketClock())
    alerts.add_rule(AlertRule("2513.HK", RuleKind.PRICE_CROSS, 500, Direction.DOWN,
                              Policy.REARM, 1.5, 10, note="support"))
    alerts.add_rule(AlertRule("0100.HK", RuleKind.DRAWDOWN, 40))


@pytest.mark.parametrize("fmt", FORMATS)
def test_watchlist_round_trip(fmt: str, lists: WatchlistTransfer, app_db: sqlite3.Connection,
                              clock: FixedClock, tmp_path: Path, db_path: Path) -> None:
    seed_list(app_db, clock)
    path = tmp_path / f"list.{ {'tradingview': 'txt'}.get(fmt, fmt) }"
    assert lists.export("AI names", fmt, path) == 3
    before = lists.items("AI names")
    # into a fresh database
    from services.app.database import open_app_database

    other = open_app_database(tmp_path / "other.sqlite")
    name, report = WatchlistTransfer(other, clock).import_file(path, fmt, name="AI names")
    assert report.added == 3 and not report.problems
    after = WatchlistTransfer(other, clock).items(name)
    assert [i.symbol for i in after] == ["2513.HK", "0100.HK", "AAPL"]
    if fmt != "tradingview":  # TradingView's format holds symbols only
        assert [(i.note, i.alerts) for i in after] == [(i.note, i.alerts) for i in before]
        assert {json.dumps(t, sort_keys=True) for i in after for t in i.targets} >= \
            {json.dumps(t, sort_keys=True) for i in before for t in i.targets}
    again = snapshot(other)
    _, report = WatchlistTransfer(other, clock).import_file(path, fmt, name="AI names")
    assert report.added == 0 and report.already_there == 3 and snapshot(other) == again
    other.close()


def test_tradingview_lines_and_formula_injection(lists: WatchlistTransfer,
                                                 app_db: sqlite3.Connection, clock: FixedClock,
                                                 tmp_path: Path) -> None:
    seed_list(app_db, clock)
    lists.export("AI names", "tradingview", tmp_path / "tv.txt")
    assert (tmp_path / "tv.txt").read_text().splitlines() == [
        "###AI names", "HKEX:2513", "HKEX:100", "AAPL"]
    lists.export("AI names", "csv", tmp_path / "l.csv")
    assert "'=HYPERLINK" in (tmp_path / "l.csv").read_text(encoding="utf-8")
    lists.export("AI names", "xlsx", tmp_path / "l.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "l.xlsx")["Watchlist"]
    assert sheet["C2"].value.startswith("'=HYPERLINK") and sheet["C2"].data_type == "s"


def test_interrupted_export_leaves_the_previous_file(lists: WatchlistTransfer,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    target = tmp_path / "out" / "main.json"
    lists.export("Main", "json", target)
    previous = target.read_bytes()

    def killed(*_: object) -> None:  # the new file is written but not yet in place
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", killed)
    for fmt in ("json", "csv", "xlsx", "tradingview"):
        with pytest.raises(KeyboardInterrupt):
            lists.export("Main", fmt, target)
    assert target.read_bytes() == previous
    assert [p.name for p in target.parent.iterdir()] == ["main.json"]  # no temporary left


def write(tmp_path: Path, text: str | bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


TX_GOOD = "date,symbol,side,quantity,price,fees,currency,note\n" \
          "2026-03-02,2513.HK,buy,200,250,20,HKD,first\n" \
          "2026-04-01,2513.HK,sell,100,300,10,HKD,\n"


def test_transactions_import_with_mapping_is_idempotent(ledger: LedgerTransfer,
                                                        app_db: sqlite3.Connection,
                                                        clock: FixedClock, tmp_path: Path
                                                        ) -> None:
    broker = write(tmp_path, "Trade Date;Ticker;Action;Qty;Fill Price;Commission\n"
                             "02/03/2026;02513;BUY;200;250.00;20\n"
                             "01/04/2026;2513.HK;Sold;-100;300;10\n")
    seen = preview(broker)
    assert seen.kind == "transactions" and seen.header[0] == "Trade Date"
    assert seen.mapping == {"date": "Trade Date", "symbol": "Ticker", "side": "Action",
                       "quantity": "Qty", "price": "Fill Price", "fees": "Commission"}
    assert ledger.import_transactions(broker).added == 2
    assert ledger.import_transactions(broker).added == 0
    (held,), _ = PortfolioService(app_db, clock).snapshot("HKD")
    assert (held.quantity, held.realised) == (100, pytest.approx(100 * 300 - 10 - 100 * 250.1))
    out = tmp_path / "tx.csv"
    ledger.export_table("transactions", "csv", out)
    assert out.read_text().count("\n") == 3
    ledger.export_table("holdings", "json", tmp_path / "h.json")
    rows = json.loads((tmp_path / "h.json").read_text())["rows"]
    assert rows[0]["symbol"] == "2513.HK" and rows[0]["quantity"] == 100
    # the price travels with its time and source, and says it is not a live quote
    assert (rows[0]["last_price"], rows[0]["last_price_source"]) == (819.0, "reference (digest)")
    assert rows[0]["last_price_time"].startswith("2026-09-10T09:30:00+08:00")
    assert rows[0]["price_note"] == "reference price 2026-09-10"
    ledger.export_table("holdings", "csv", tmp_path / "h.csv")
    header, first = (tmp_path / "h.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    assert "last_price_time,last_price_source,price_note" in header
    assert "reference (digest)" in first and "reference price 2026-09-10" in first


def test_prices_import_and_everything_workbook(ledger: LedgerTransfer,
                                               app_db: sqlite3.Connection, tmp_path: Path
                                               ) -> None:
    path = write(tmp_path, "\ufeffDate,Open,High,Low,Close,Volume\n"
                           "2025-01-02,10,11,9,10.5,1000\n2025-01-03,10.5,12,10,11.5,\n")
    report = ledger.import_prices(path, "2513.HK")
    assert report.added == 2
    assert ledger.import_prices(path, "2513.HK").added == 0
    rows = app_db.execute("SELECT ts, close, volume, source FROM bars WHERE symbol = '2513.HK' "
                          "AND source = 'import' ORDER BY ts").fetchall()
    assert [tuple(r) for r in rows] == [
        (daily_bar_ts(dt.date(2025, 1, 2), "Asia/Hong_Kong"), 10.5, 1000, "import"),
        (daily_bar_ts(dt.date(2025, 1, 3), "Asia/Hong_Kong"), 11.5, None, "import")]
    book = tmp_path / "all.xlsx"
    ledger.export_workbook(book, {"List Main": (("symbol",), [("2513.HK",)])})
    assert openpyxl.load_workbook(book).sheetnames == ["Contents", "List Main", "Holdings",
                                                       "Transactions", "Alerts"]


def test_demo_exports_say_demo(app_db: sqlite3.Connection, clock: FixedClock,
                               tmp_path: Path) -> None:
    lists = WatchlistTransfer(app_db, clock, demo=True)
    lists.export("Main", "json", tmp_path / "d.json")
    assert json.loads((tmp_path / "d.json").read_text())["demo"] is True
    lists.export("Main", "csv", tmp_path / "d.csv")
    assert (tmp_path / "d.csv").read_text().splitlines()[1].endswith("DEMO")
    lists.export("Main", "xlsx", tmp_path / "d.xlsx")
    assert openpyxl.load_workbook(tmp_path / "d.xlsx").sheetnames == ["Watchlist (DEMO)"]


H = "date,symbol,side,quantity,price,fees,currency,note\n"
P = "date,open,high,low,close,volume\n"
MALFORMED = [
    # (what, file kind, content) -> each must be refused with a clear message, nothing changed
    ("empty file", "tx", ""),
    ("only blank lines", "tx", "\n\n  \n"),
    ("header only", "wl", "symbol,note\n"),
    ("bad symbol", "tx", H + "2026-03-02,$$$,buy,200,250,0,HKD,\n"),
    ("all-zero HK code", "tx", H + "2026-03-02,0000,buy,200,250,0,HKD,\n"),
    ("six-digit HK code", "tx", H + "2026-03-02,123456.HK,buy,200,250,0,HKD,\n"),
    ("bad date", "tx", H + "2026-02-30,2513.HK,buy,200,250,0,HKD,\n"),
    ("words for a date", "tx", H + "yesterday,2513.HK,buy,200,250,0,HKD,\n"),
    ("future date", "tx", H + "2031-01-01,2513.HK,buy,200,250,0,HKD,\n"),
    ("ancient date", "tx", H + "1901-01-01,2513.HK,buy,200,250,0,HKD,\n"),
    ("negative quantity", "tx", H + "2026-03-02,2513.HK,buy,-200,250,0,HKD,\n"),
    ("zero quantity", "tx", H + "2026-03-02,2513.HK,buy,0,250,0,HKD,\n"),
    ("absurd quantity", "tx", H + "2026-03-02,2513.HK,buy,1e15,250,0,HKD,\n"),
    ("NaN price", "tx", H + "2026-03-02,2513.HK,buy,200,nan,0,HKD,\n"),
    ("negative price", "tx", H + "2026-03-02,2513.HK,buy,200,-1,0,HKD,\n"),
    ("text price", "tx", H + "2026-03-02,2513.HK,buy,200,cheap,0,HKD,\n"),
    ("fees in words", "tx", H + "2026-03-02,2513.HK,buy,200,250,some,HKD,\n"),
    ("unknown side", "tx", H + "2026-03-02,2513.HK,hold,200,250,0,HKD,\n"),
    ("wrong currency", "tx", H + "2026-03-02,2513.HK,buy,200,250,0,USD,\n"),
    ("selling more than held", "tx", H + "2026-03-02,2513.HK,sell,200,250,0,HKD,\n"),
    ("duplicate rows", "tx", H + "2026-03-02,2513.HK,buy,200,250,0,HKD,\n" * 2),
    ("SQL-looking symbol", "tx", H + "2026-03-02,\"2513.HK'; DROP TABLE bars;--\",buy,1,2,0,"
                                     "HKD,\n"),
    ("control characters in a note", "tx", H + "2026-03-02,2513.HK,buy,200,250,0,HKD,a\x07b\n"),
    ("wrong delimiter", "tx", "date|symbol|side|quantity|price\n2026-03-02|2513.HK|buy|1|2\n"),
    ("too few cells", "tx", H + "2026-03-02,2513.HK\n"),
    ("Latin-1 bytes", "tx", (H + "2026-03-02,2513.HK,buy,200,250,0,HKD,caf\xe9\n").encode(
        "latin-1")),
    ("binary junk", "tx", b"\x89PNG\r\n\x1a\n\x00\x00\x00"),
    ("unclosed quote", "wl", "symbol,note\n2513.HK,\"open\n"),
    ("watchlist with a bad symbol", "wl", "symbol,note\n2513.HK,ok\n$$$,bad\n"),
    ("watchlist with a bad alert", "wl", "symbol,alerts\n2513.HK,\"[{\"\"kind\"\": \"\"price "
                                         "above\"\", \"\"level\"\": -5}]\"\n"),
    ("watchlist with an unreadable alert cell", "wl", "symbol,alerts\n2513.HK,not json\n"),
    ("watchlist note too long", "wl", "symbol,note\n2513.HK," + "x" * 600 + "\n"),
    ("JSON that is not a watchlist", "json", "[1, 2, 3]"),
    ("broken JSON", "json", "{\"format\": \"watchlist\", "),
    ("prices: close above high", "px", P + "2025-01-02,10,11,9,12,100\n"),
    ("prices: duplicate day", "px", P + "2025-01-02,10,11,9,10,100\n" * 2),
    ("prices: bad number", "px", P + "2025-01-02,10,11,9,ten,100\n"),
    ("prices: no close column", "px", "date,price\n2025-01-02,10\n"),
    ("prices: future day", "px", P + "2030-01-02,10,11,9,10,100\n"),
    ("non-ASCII symbol", "tx", H + "2026-03-02,智谱,buy,200,250,0,HKD,\n"),
]


@pytest.mark.parametrize(("what", "kind", "content"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_is_refused_clearly_and_changes_nothing(
        what: str, kind: str, content: str | bytes, ledger: LedgerTransfer,
        lists: WatchlistTransfer, app_db: sqlite3.Connection, tmp_path: Path) -> None:
    path = write(tmp_path, content, "in.json" if kind == "json" else "in.csv")
    before = snapshot(app_db)
    with pytest.raises((FileProblemError, ImportRejectedError)) as caught:
        if kind == "tx":
            ledger.import_transactions(path)
        elif kind == "px":
            ledger.import_prices(path, "2513.HK")
        else:
            lists.import_file(path, name="Imported")
    message = str(caught.value)
    assert len(message) > 15 and "Traceback" not in message
    if isinstance(caught.value, ImportRejectedError):
        assert "line " in message  # bad rows are named by line
    assert snapshot(app_db) == before


def test_a_200_mb_file_is_refused_before_reading(ledger: LedgerTransfer, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: no 200 MB written
    with pytest.raises(FileProblemError, match="200 MB; the limit is 100 MB"):
        ledger.import_transactions(path)


def test_skip_bad_imports_the_good_rows(ledger: LedgerTransfer, tmp_path: Path) -> None:
    path = write(tmp_path, H + "2026-03-02,2513.HK,buy,200,250,0,HKD,\n"
                               "2026-03-03,2513.HK,buy,-1,250,0,HKD,\n")
    with pytest.raises(ImportRejectedError, match="line 3"):
        ledger.import_transactions(path)
    report = ledger.import_transactions(path, skip_bad=True)
    assert report.added == 1 and [p.line for p in report.problems] == [3]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_workbook_converts_headlessly_in_libreoffice(ledger: LedgerTransfer,
                                                         lists: WatchlistTransfer,
                                                         tmp_path: Path) -> None:
    book = tmp_path / "everything.xlsx"
    ledger.export_workbook(book, lists.workbook_sheets())
    profile = (tmp_path / "lo-profile").as_uri()  # no shared user profile, no dialogs
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "csv",
         "--outdir", str(tmp_path / "out"), str(book)],
        capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    first_sheet = (tmp_path / "out" / "everything.csv").read_text(encoding="utf-8")
    assert first_sheet.splitlines()[0].startswith("symbol,name,note,alerts,targets")
    assert "2513.HK" in first_sheet
