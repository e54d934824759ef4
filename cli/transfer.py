"""`python main.py export ...` / `import ...` / `watchlist ...`: files and lists without a window.

Every problem is reported in words; an import with bad rows changes nothing (exit code 2)
unless --skip-bad is given.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import TextIO

from services.app.database import DatabaseModeError, open_app_database
from services.core.clock import SystemClock
from services.core.paths import default_paths
from services.core.tickers import normalise_symbol
from services.files.imports import ImportRequest, run_import
from services.files.ledger_transfer import FIELDS, LedgerTransfer
from services.files.tables import FileProblemError, ImportRejectedError
from services.files.watchlist_transfer import FORMATS, WatchlistTransfer
from services.market.feeds import yahoo_verifier
from services.watchlists.editing import WatchlistEditor, WatchlistError

TABLES = ("transactions", "holdings", "alerts")


def add_arguments(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export", help="write a watchlist, holdings, transactions, "
                                                "alert history or everything (xlsx) to a file")
    what = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    wl = what.add_parser("watchlist", help="one watchlist")
    wl.add_argument("name")
    wl.add_argument("--format", choices=FORMATS, required=True)
    wl.add_argument("-o", "--output", type=Path, required=True)
    for table in TABLES:
        t = what.add_parser(table, help=f"{table} as CSV or JSON")
        t.add_argument("--format", choices=("csv", "json"), required=True)
        t.add_argument("-o", "--output", type=Path, required=True)
        t.add_argument("--base", default="HKD", help="base currency for weights (holdings)")
    everything = what.add_parser("workbook", help="everything, one sheet each (xlsx)")
    everything.add_argument("-o", "--output", type=Path, required=True)
    everything.add_argument("--base", default="HKD")

    imp = commands.add_parser("import", help="read a watchlist, transactions or prices")
    kind = imp.add_subparsers(dest="what", metavar="WHAT", required=True)
    w = kind.add_parser("watchlist", help="CSV, JSON, TradingView .txt or XLSX")
    w.add_argument("file", type=Path)
    w.add_argument("--format", choices=FORMATS)
    w.add_argument("--name", help="list name (default: from the file)")
    tx = kind.add_parser("transactions", help="CSV of buys and sells")
    tx.add_argument("file", type=Path)
    tx.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                    help=f"which column holds a field ({', '.join(FIELDS)}); "
                         "common names are recognised without it")
    prices = kind.add_parser("prices", help="CSV of daily bars: date, open, high, low, close, "
                                            "volume")
    prices.add_argument("file", type=Path)
    prices.add_argument("--symbol", required=True)
    for p in (w, tx, prices):
        p.add_argument("--skip-bad", action="store_true",
                       help="import the good rows and list the bad ones")

    lists = commands.add_parser("watchlist", help="list, create or change watchlists")
    act = lists.add_subparsers(dest="action", metavar="ACTION", required=True)
    act.add_parser("list", help="every watchlist and its symbols")
    create = act.add_parser("create")
    create.add_argument("name")
    for name in ("add", "remove"):
        a = act.add_parser(name, help=f"{name} a symbol (any common spelling)")
        a.add_argument("name")
        a.add_argument("symbol")
        if name == "add":
            a.add_argument("--note", default="")


def run(args: argparse.Namespace, db_path: Path, out: TextIO, err: TextIO,
        demo: bool) -> int:
    try:
        conn = open_app_database(db_path, demo)
    except DatabaseModeError as error:
        print(error, file=err)
        return 2
    clock = SystemClock()
    try:
        if args.command == "watchlist":
            editor = WatchlistEditor(conn, yahoo_verifier(default_paths()))
            return _watchlist(args, editor, conn, out)
        lists, ledger = WatchlistTransfer(conn, clock, demo), LedgerTransfer(conn, clock, demo)
        if args.command == "export":
            if args.what == "watchlist":
                n = lists.export(args.name, args.format, args.output)
            elif args.what == "workbook":
                sheets = lists.workbook_sheets()
                ledger.export_workbook(args.output, sheets, args.base)
                n = len(sheets)
            else:
                n = ledger.export_table(args.what, args.format, args.output, args.base)
            print(f"wrote {n} {'rows' if args.what != 'workbook' else 'watchlists and the rest'}"
                  f" to {args.output}", file=out)
            return 0
        mapping = dict(m.split("=", 1) for m in getattr(args, "map", []) if "=" in m)
        result = run_import(conn, clock, demo, ImportRequest(
            args.what, args.file, args.skip_bad, mapping or None, getattr(args, "symbol", ""),
            getattr(args, "name", None)))
        print(result.headline, file=out)
        for warning in result.warnings:
            print(f"warning: {warning}", file=out)
        report = result.report
        for problem in report.problems:
            print(f"skipped {problem}", file=out)
        return 0
    except ImportRejectedError as error:
        print(error, file=err)
        return 2
    except (FileProblemError, WatchlistError, ValueError, OSError) as error:
        print(f"Nothing was changed: {error}", file=err)
        return 2
    finally:
        conn.close()


def _watchlist(args: argparse.Namespace, editor: WatchlistEditor, conn: sqlite3.Connection,
               out: TextIO) -> int:
    if args.action == "list":
        for name, items in editor.contents():
            print(f"{name}: " + ", ".join(
                symbol + ("" if verified else " (unverified)") for symbol, verified in items),
                file=out)
    elif args.action == "create":
        editor.create(args.name)
        print(f"created {args.name}", file=out)
    elif args.action == "add":
        print(editor.add(args.name, args.symbol, args.note).message, file=out)
    else:
        editor.remove(args.name, normalise_symbol(args.symbol))
        print(f"removed {args.symbol} from {args.name}", file=out)
    return 0
