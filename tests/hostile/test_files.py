"""Hostile and odd files through `import` and `export`: refused in words with exit code 2 (bad
input) or 1 (could not be written), the database untouched; odd but valid files imported."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest

from services.files import workbook
from tests.hostile.support import db_run, state, unchanged

H = "date,symbol,side,quantity,price,fees,currency,note\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def zip_bomb(path: Path) -> Path:
    """A small file whose sheet would inflate to 300 MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                sheet.write(chunk)
    return path


def damaged_sheet(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Watchlist"
    book.active.append(["symbol"])
    book.active.append(["2513.HK"])
    book.save(path)
    raw = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut mid-XML
            target.writestr(item, data)
    return path


FILE_CASES = [
    # (case, import kind, file name, content or maker, words in the message)
    ("xlsx that is not a zip", "watchlist", "l.xlsx", b"PK? not really a zip" * 10,
     ("is not an XLSX workbook",)),
    ("xlsx zip bomb", "watchlist", "bomb.xlsx", zip_bomb, ("would inflate to", "MB")),
    ("xlsx with a damaged sheet", "watchlist", "cut.xlsx", damaged_sheet,
     ("cannot be read",)),
    ("json nested 100,000 deep", "watchlist", "deep.json", "[" * 100_000 + "]" * 100_000,
     ("nests its JSON too deeply",)),
    ("json: items not a list", "watchlist", "a.json",
     json.dumps({"format": "watchlist", "items": 5}), ("'items' must be a list",)),
    ("json: name not a text", "watchlist", "b.json",
     json.dumps({"format": "watchlist", "name": [1], "items": []}), ("'name' a text",)),
    ("json: a list at the top", "watchlist", "c.json", "[1, 2]",
     ("not a HarbourWatch watchlist",)),
    ("json: alert level beyond floats", "watchlist", "d.json", json.dumps(
        {"format": "watchlist", "items": [{"symbol": "2513.HK", "alerts": [
            {"kind": "price above", "level": 10**400}]}]}), ("line 1", "alert")),
    ("json: alert not an object", "watchlist", "e.json", json.dumps(
        {"format": "watchlist", "items": [{"symbol": "2513.HK", "alerts": ["above 5"]}]}),
     ("line 1", "alert")),
    ("json: item not an object", "watchlist", "f.json",
     json.dumps({"format": "watchlist", "items": ["2513.HK"]}), ("line 1",)),
    ("csv header of 2 MB", "transactions", "wide.csv", "x" * (2 << 20) + "\n1\n",
     ("field larger than field limit",)),
    ("csv with 100,000 columns", "transactions", "many.csv",
     ",".join(f"c{i}" for i in range(100_000)) + "\n1\n", ("100,000 columns",)),
    ("prices with 100,000 columns", "prices", "many.csv",
     ",".join(["date", "close"] + [f"c{i}" for i in range(100_000)]) + "\n", ("columns",)),
    ("NUL bytes", "transactions", "nul.csv", H + "2026-03-02,2513.HK,buy,1\0,2,0,HKD,\n",
     ("binary",)),
    ("json with a lone surrogate in a note", "watchlist", "s.json",
     '{"format": "watchlist", "items": [{"symbol": "2513.HK", "note": "a\\ud800b"}]}',
     ("line 1", "bytes that are not text")),
    ("tradingview: unknown exchange", "watchlist", "tv.txt", "###X,BINANCE:BTCUSDT\n",
     ("does not know the exchange BINANCE",)),
    ("file that does not exist", "transactions", None, None, ("does not exist",)),
    ("a folder instead of a file", "transactions", "folder.csv", "FOLDER",
     ("is not a file",)),
    ("empty file", "transactions", "empty.csv", "", ("is empty",)),
    ("--map without '='", "transactions", "t.csv", H, ("write FIELD=COLUMN",)),
    ("--map of an unknown field", "transactions", "t.csv", H, ("no field 'colour'",)),
    ("--map of a missing column", "transactions", "t.csv", H, ("no column 'Nope'",)),
    ("oversold sell without --skip-bad", "transactions", "o.csv",
     H + "2026-03-02,2513.HK,buy,100,250,0,HKD,\n2026-03-03,2513.HK,sell,300,260,0,HKD,\n",
     ("line 3", "selling 300 2513.HK but only 100 are held")),
]
MAPS = {"--map without '='": ["--map", "price"], "--map of an unknown field":
        ["--map", "colour=price"], "--map of a missing column": ["--map", "price=Nope"]}


@pytest.mark.parametrize(("case", "kind", "name", "content", "words"), FILE_CASES,
                         ids=[c[0] for c in FILE_CASES])
def test_a_bad_file_is_refused_in_words_and_changes_nothing(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path, case: str, kind: str,
        name: str | None, content: object, words: tuple[str, ...]) -> None:
    if name is None:
        path = tmp_path / "missing.csv"
    elif content == "FOLDER":
        path = tmp_path / name
        path.mkdir()
    elif callable(content):
        path = content(tmp_path / name)
    else:
        path = write(tmp_path, name, content)  # type: ignore[arg-type]
    extra = ["--symbol", "2513.HK"] if kind == "prices" else []
    with unchanged(db_path):
        result = db_run(db_path, "import", kind, str(path), *extra, *MAPS.get(case, []))
    assert result.code == 2, result
    assert result.says(*words), result.err


CATEGORIES = {  # a character of each Unicode general category
    "Lu": "Ä", "Ll": "ß", "Lt": "ǅ", "Lm": "ʰ", "Lo": "智", "Mn": "\u0301", "Mc": "\u0903",
    "Me": "\u20dd", "Nd": "٣", "Nl": "Ⅻ", "No": "½", "Pc": "‿", "Pd": "—", "Ps": "「",
    "Pe": "」", "Pi": "«", "Pf": "»", "Po": "¿", "Sm": "∑", "Sc": "€", "Sk": "^", "So": "🚀",
    "Zs": "\u3000", "Zl": "\u2028", "Zp": "\u2029", "Cf": "\u202e", "Co": "\ue000",
    "Cn": "\uffff", "Cc": "\x1b", "Cs": "\udc80",
}
REFUSED = {"Cc", "Cs"}


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_unicode_category_in_every_text_field(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path, category: str) -> None:
    """Notes, list names and rule notes keep any character but controls and undecodable
    bytes (refused in words); every export carries what it kept, XLSX with U+FFFD where XML
    cannot hold a character."""
    char = CATEGORIES[category]
    text = f"a{char}b <&>"
    if category in REFUSED:
        with unchanged(db_path):
            for argv in (("watchlist", "create", text),
                         ("watchlist", "add", "Main", "2513.HK", "--note", text),
                         ("alerts", "add", "2513.HK", "above", "900", "--note", text)):
                result = db_run(db_path, *argv)
                assert result.code == 2, result
                words = "not valid UTF-8" if category == "Cs" else "control characters"
                assert words in result.err, result.err
        return
    assert db_run(db_path, "watchlist", "create", text).code == 0
    assert db_run(db_path, "watchlist", "add", text, "2513.HK", "--note", text).code == 0
    assert db_run(db_path, "alerts", "add", "2513.HK", "above", "900", "--note", text).code == 0
    for fmt in ("csv", "json", "xlsx"):
        out = tmp_path / f"out.{fmt}"
        assert db_run(db_path, "export", "watchlist", text, "--format", fmt, "-o",
                      str(out)).code == 0
        other = tmp_path / f"other-{fmt}.sqlite3"
        result = db_run(other, "import", "watchlist", str(out), "--name", "Back")
        assert result.code == 0, result
        conn = sqlite3.connect(other)
        note, = conn.execute("SELECT note FROM watchlist_items JOIN watchlists ON id = "
                             "watchlist_id WHERE name = 'Back'").fetchone()
        rule_note, = conn.execute("SELECT note FROM alert_rules").fetchone()
        conn.close()
        kept = workbook.xml_safe(text) if fmt == "xlsx" else text
        assert note == kept and rule_note == kept
    book = tmp_path / "all.xlsx"
    assert db_run(db_path, "export", "workbook", "-o", str(book)).code == 0


IB_FLEX = (
    '"ClientAccountID","CurrencyPrimary","AssetClass","Symbol","Description",'
    '"ListingExchange","TradeID","TradeDate","DateTime","Buy/Sell","Quantity","TradePrice",'
    '"IBCommission","IBCommissionCurrency","LevelOfDetail"\n'
    '"U1","HKD","STK","2513","ZHIPU AI","SEHK","9001","20261102","20261102;093512","BUY",'
    '"200","700","-55.5","HKD","EXECUTION"\n'
    '"U1","HKD","STK","2513","ZHIPU AI","SEHK","9002","20261102","20261102;093513","BUY",'
    '"200","700","-55.5","HKD","EXECUTION"\n'
    '"U1","HKD","STK","2513","ZHIPU AI","SEHK","","20261102","20261102","BUY","400","700",'
    '"-111","HKD","ORDER"\n'
    '"U1","HKD","STK","100","MINIMAX","SEHK","9003","20261103","20261103;100000","BUY",'
    '"500","150","-20","HKD","EXECUTION"\n'
    '"U1","HKD","STK","2513","ZHIPU AI","SEHK","9004","20261110","20261110;140000","SELL",'
    '"-100","820","-45","HKD","EXECUTION"\n'
    '"U1","USD","CASH","USD.HKD","USD.HKD","","9005","20261102","20261102;090000","BUY",'
    '"1000","7.8","-2","USD","EXECUTION"\n'
)
MOOMOO = (
    "Side,Symbol,Name,Order Price,Order Qty,Order Amount,Status,Filled@Avg Price,Order Time,"
    "Markets,Currency,Fill Qty,Fill Price,Fill Amount,Fill Time,Commission,Platform Fees,"
    "Settlement Fees,Stamp Duty,Trading Fees,SFC Levy,Total\n"
    "Buy,HK.02513,ZHIPU,700,300,210000,Filled,300@700,\"Nov 2, 2026 09:40:00 HKT\",HK,HKD,"
    "200,700,140000,\"Nov 2, 2026 09:40:00 HKT\",15,15,2,140,8,4,184\n"
    ",,,,,,,,,,,100,700,70000,\"Nov 2, 2026 09:41:00 HKT\",,,,,,,\n"
    "Buy,US.AAPL,Apple,200,10,2000,Filled,10@199,\"Nov 3, 2026 10:00:00 ET\",US,USD,10,199,"
    "1990,\"Nov 3, 2026 10:00:00 ET\",0.99,1,0,0,0,0,1.99\n"
    "Sell,HK.00100,MINIMAX,300,100,30000,Cancelled,0@0,\"Nov 4, 2026 10:00:00 HKT\",HK,HKD,"
    "0,,,,,,,,,,\n"
)
FUTU_CN = (
    "方向,代码,名称,成交数量,成交价格,成交时间,币种,佣金,平台使用费,交收费,印花税,备注\n"
    "买入,02513,智谱,100,700,2026/11/02 10:00:00,HKD,3,15,2,70,首次建仓\n"
    "卖出,02513,智谱,100,800,2026/11/12 10:00:00,HKD,3,15,2,80,\n"
)
TIGER = (
    "Activity Statement,,,,2026-01-01 - 2026-11-23\n"
    "Trades,,,,Symbol,Market,Exchange,Activity Type,Quantity,Trade Price,Amount,"
    "Transaction Fee,Settlement Fee,Stamp Duty,Commission,Platform Fee,Realized P/L,Notes,"
    "Trade Time,Settle Date,Currency\n"
    'Trades,Stock,,DATA,ZHIPU (02513),HK,SEHK,Open,100,700.00,70000.00,-3.5,-2,-70,-5,-15,'
    ',,"2026-11-02\n10:00:00, Asia/Hong_Kong",2026-11-04,HKD\n'
    'Trades,Stock,,DATA,"Apple, Inc. (AAPL)",US,NASDAQ,Open,5,199.00,995.00,0,0,0,-1,-1,'
    ',,"2026-11-03\n09:30:00, US/Eastern",2026-11-04,USD\n'
    'Trades,Stock,,DATA,ZHIPU (02513),HK,SEHK,Close,-40,800.00,-32000.00,-1,-1,-32,-5,-15,'
    '4000,,"2026-11-12\n10:00:00, Asia/Hong_Kong",2026-11-14,HKD\n'
    "Holdings,,,,Symbol,Quantity,Multiplier,Cost Price,Close Price,Value,Currency\n"
    "Holdings,Stock,,DATA,ZHIPU (02513),60,1,700,819,49140,HKD\n"
)
BROKERS = [
    # (case, file, trades stored: (symbol, side, quantity, price, fees, currency))
    ("Interactive Brokers Flex trades", IB_FLEX, [
        ("2513.HK", "buy", 200, 700, 55.5, "HKD"), ("2513.HK", "buy", 200, 700, 55.5, "HKD"),
        ("0100.HK", "buy", 500, 150, 20, "HKD"), ("2513.HK", "sell", 100, 820, 45, "HKD")]),
    ("moomoo history (English)", MOOMOO, [
        ("2513.HK", "buy", 200, 700, 184, "HKD"), ("2513.HK", "buy", 100, 700, 0, "HKD"),
        ("AAPL", "buy", 10, 199, 1.99, "USD")]),
    ("Futu history (Chinese)", FUTU_CN, [
        ("2513.HK", "buy", 100, 700, 90, "HKD"), ("2513.HK", "sell", 100, 800, 100, "HKD")]),
    ("Tiger activity statement", TIGER, [
        ("2513.HK", "buy", 100, 700, 95.5, "HKD"), ("AAPL", "buy", 5, 199, 2, "USD"),
        ("2513.HK", "sell", 40, 800, 54, "HKD")]),
]


@pytest.mark.parametrize(("case", "content", "expected"), BROKERS, ids=[b[0] for b in BROKERS])
def test_a_brokers_own_file_imports_without_mapping(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path, case: str, content: str,
        expected: list[tuple]) -> None:
    path = write(tmp_path, "broker.csv", content)
    from tests.hostile.support import known_to_yahoo

    result = db_run(db_path, "import", "transactions", str(path),
                    verify=known_to_yahoo("AAPL"))
    assert result.code == 0, result
    stored = app_db.execute("SELECT symbol, side, quantity, price, fees, currency "
                            "FROM transactions ORDER BY id").fetchall()
    assert [tuple(r) for r in stored] == [tuple(map(_same_type, e)) for e in expected]
    again = db_run(db_path, "import", "transactions", str(path), verify=known_to_yahoo("AAPL"))
    assert again.code == 0 and f"{len(expected)} already there" in again.out
    assert db_run(db_path, "transactions", "check").code == 0


def _same_type(value: object) -> object:
    return float(value) if isinstance(value, int) else value


def test_symbols_no_list_has_are_checked_with_yahoo_and_added(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path) -> None:
    from tests.hostile.support import known_to_yahoo, yahoo_unreachable

    path = write(tmp_path, "t.csv", H + "2026-11-02,MSFT,buy,10,400,1,USD,\n")
    result = db_run(db_path, "import", "transactions", str(path),
                    verify=known_to_yahoo("MSFT"))
    assert result.code == 0 and "added to the watchlist: MSFT" in result.out, result
    assert app_db.execute("SELECT verified FROM watchlist_items WHERE symbol = 'MSFT'"
                          ).fetchone()[0] == 1
    unknown = write(tmp_path, "u.csv", H + "2026-11-02,NOPE,buy,10,4,0,USD,\n")
    with unchanged(db_path):
        result = db_run(db_path, "import", "transactions", str(unknown),
                        verify=known_to_yahoo("MSFT"))
    assert result.code == 2 and result.says("line 2", "Yahoo Finance does not know NOPE")
    offline = write(tmp_path, "o.csv", H + "2026-11-02,IBM,buy,10,250,0,USD,\n")
    result = db_run(db_path, "import", "transactions", str(offline), verify=yahoo_unreachable)
    assert result.code == 0 and "IBM (unverified)" in result.out


def test_map_adds_to_the_recognised_columns(db_path: Path, app_db: sqlite3.Connection,
                                            tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "Trade Date,Stock Code,Action,Shares,Px\n"
                                    "2026-11-02,2513,buy,100,700\n")
    with unchanged(db_path):
        assert db_run(db_path, "import", "transactions", str(path)).says("Map a column to price")
    result = db_run(db_path, "import", "transactions", str(path), "--map", "price=Px")
    assert result.code == 0 and "1 added" in result.out


def test_a_skipped_oversold_sell_is_never_written(db_path: Path, app_db: sqlite3.Connection,
                                                  tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", H + "2026-03-02,2513.HK,buy,100,250,0,HKD,\n"
                                        "2026-03-03,2513.HK,sell,300,260,0,HKD,\n"
                                        "2026-03-04,2513.HK,sell,100,260,0,HKD,\n")
    result = db_run(db_path, "import", "transactions", str(path), "--skip-bad")
    assert result.code == 0 and "skipped line 3: 2026-03-03: selling 300" in result.out
    assert [tuple(r) for r in app_db.execute(
        "SELECT side, quantity FROM transactions ORDER BY trade_date")] == [("buy", 100.0),
                                                                             ("sell", 100.0)]
    assert db_run(db_path, "transactions", "check").code == 0


def test_a_sale_that_would_leave_a_stored_sale_short_is_refused(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", H + "2026-03-02,2513.HK,buy,100,250,0,HKD,\n"
                                         "2026-03-10,2513.HK,sell,100,260,0,HKD,\n")
    assert db_run(db_path, "import", "transactions", str(first)).code == 0
    second = write(tmp_path, "b.csv", H + "2026-03-05,2513.HK,sell,50,255,0,HKD,\n")
    with unchanged(db_path):
        result = db_run(db_path, "import", "transactions", str(second))
    assert result.code == 2 and result.says("line 2", "leave the stored sale of 2026-03-10")


TRADINGVIEW = "###Tech,NASDAQ:AAPL,NYSE:IBM,###Hong Kong,HKEX:700,HKEX:2513"


def test_tradingviews_own_export_imports_with_its_sections(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path) -> None:
    path = write(tmp_path, "tv.txt", TRADINGVIEW)
    result = db_run(db_path, "import", "watchlist", str(path))
    assert result.code == 0 and "'Tech, Hong Kong'" in result.out, result
    lists = [tuple(r) for r in app_db.execute(
        "SELECT w.name, group_concat(i.symbol) FROM watchlists w JOIN watchlist_items i "
        "ON i.watchlist_id = w.id GROUP BY w.name ORDER BY w.name")]
    assert ("Hong Kong", "0700.HK,2513.HK") in lists and ("Tech", "AAPL,IBM") in lists


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_rules_expiry_survives_a_round_trip(db_path: Path, app_db: sqlite3.Connection,
                                              tmp_path: Path, fmt: str) -> None:
    assert db_run(db_path, "alerts", "add", "2513.HK", "cross", "900", "--expires",
                  "2026-12-31", "--policy", "rearm").code == 0
    app_db.execute("UPDATE alert_rules SET enabled = 0")
    out = tmp_path / f"l.{fmt}"
    assert db_run(db_path, "export", "watchlist", "Main", "--format", fmt, "-o", str(out)
                  ).code == 0
    other = tmp_path / "other.sqlite3"
    assert db_run(other, "import", "watchlist", str(out), "--name", "Main").code == 0
    columns = "kind, level, direction, policy, hysteresis_pct, cooldown_min, band_pct, " \
              "expires_at, enabled, note"
    before = app_db.execute(f"SELECT {columns} FROM alert_rules").fetchall()
    conn = sqlite3.connect(other)
    after = conn.execute(f"SELECT {columns} FROM alert_rules").fetchall()
    conn.close()
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert before[0]["expires_at"] is not None


def test_the_workbook_keeps_every_list_on_a_legal_sheet(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path) -> None:
    long = "Hong Kong artificial intelligence names"
    for name in (long + " A", long + " B", "a/b:c*d?[e]", "History"):
        assert db_run(db_path, "watchlist", "create", name).code == 0
    assert db_run(db_path, "watchlist", "add", long + " A", "2513.HK", "--note",
                  "odd \uffff note").code == 0
    book = tmp_path / "all.xlsx"
    assert db_run(db_path, "export", "workbook", "-o", str(book)).code == 0
    sheets = openpyxl.load_workbook(book)
    names = sheets.sheetnames
    assert len(names) == 1 + 5 + 3 and len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    contents = {row[1]: row[0] for row in sheets["Contents"].iter_rows(min_row=2,
                                                                       values_only=True)}
    assert contents[f"List {long} A"] != contents[f"List {long} B"]
    note_sheet = sheets[contents[f"List {long} A"]]
    assert [c.value for c in note_sheet[2]][:3] == ["2513.HK", "Zhipu AI", "odd \ufffd note"]


def test_an_export_follows_a_link_refuses_read_only_and_honours_the_umask(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path) -> None:
    target = write(tmp_path, "real.csv", "old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert db_run(db_path, "export", "watchlist", "Main", "--format", "csv", "-o",
                  str(link)).code == 0
    assert link.is_symlink() and "2513.HK" in target.read_text()

    locked = write(tmp_path, "locked.csv", "keep me")
    locked.chmod(0o444)
    result = db_run(db_path, "export", "transactions", "--format", "csv", "-o", str(locked))
    assert result.code == 1 and result.says("is read-only; nothing was written")
    assert locked.read_text() == "keep me"

    old = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.json"
        assert db_run(db_path, "export", "alerts", "--format", "json", "-o", str(fresh)
                      ).code == 0
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    finally:
        os.umask(old)
    kept = write(tmp_path, "kept.csv", "x")
    kept.chmod(0o604)
    assert db_run(db_path, "export", "holdings", "--format", "csv", "-o", str(kept)).code == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604

    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    result = db_run(db_path, "export", "transactions", "--format", "csv", "-o", str(folder))
    assert result.code == 1 and result.says("is a folder; nothing was written")
    assert state(folder).kind == "folder"


def test_two_imports_at_the_same_moment_cannot_sell_the_same_shares(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path) -> None:
    """The oversell check and the write share one BEGIN IMMEDIATE transaction: of two imports
    racing to sell the 100 shares held, one wins and the other is refused."""
    import threading

    from services.app.database import open_app_database
    from services.files.imports import ImportRequest, run_import
    from services.files.tables import ImportRejectedError
    from tests.hostile.support import CLOCK

    buy = write(tmp_path, "buy.csv", H + "2026-03-02,2513.HK,buy,100,250,0,HKD,\n")
    assert db_run(db_path, "import", "transactions", str(buy)).code == 0
    sells = [write(tmp_path, f"sell{n}.csv", H + f"2026-03-0{3 + n},2513.HK,sell,100,26{n},0,"
                                                 "HKD,\n") for n in range(2)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def sell(path: Path) -> None:
        conn = open_app_database(db_path)
        try:
            start.wait()
            run_import(conn, CLOCK, False, ImportRequest("transactions", path))
            outcomes.append("imported")
        except ImportRejectedError as error:
            outcomes.append(str(error))
        finally:
            conn.close()

    threads = [threading.Thread(target=sell, args=(p,)) for p in sells]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes)[-1] == "imported" and "but only 0 are held" in sorted(outcomes)[0]
    assert db_run(db_path, "transactions", "check").code == 0


def test_a_workbook_with_too_many_rows_is_refused_before_reading_them_all(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_ROWS", 50)
    book = openpyxl.Workbook()
    book.active.title = "Watchlist"
    book.active.append(["symbol"])
    for n in range(1, 80):
        book.active.append([f"{n:04d}.HK"])
    book.save(tmp_path / "rows.xlsx")
    with unchanged(db_path):
        result = db_run(db_path, "import", "watchlist", str(tmp_path / "rows.xlsx"))
    assert result.code == 2 and result.says("more than 50 rows")
