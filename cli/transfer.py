"""`python main.py export ...` / `import ...`: files in and out without a window.

Every problem is reported in words; an import with bad rows changes nothing (exit code 2)
unless --skip-bad is given.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from cli.context import FAILED, CommandError, Context, database
from services.files.imports import ImportRequest, run_import
from services.files.ledger_transfer import LedgerTransfer
from services.files.tables import FileProblemError, ImportRejectedError
from services.files.trade_columns import FIELDS
from services.files.watchlist_transfer import FORMATS, WatchlistTransfer
from services.watchlists.editing import WatchlistError

TABLES = ("transactions", "holdings", "alerts")


def add_parsers(commands: argparse._SubParsersAction) -> None:
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
                    help=f"which column holds a field ({', '.join(FIELDS)}), on top of the "
                         "columns recognised by name (IB, moomoo/Futu, Tiger and common ones)")
    tx.add_argument("--watchlist", help="where symbols no list has yet go (default: the first "
                                        "list); they are checked with Yahoo first")
    prices = kind.add_parser("prices", help="CSV of daily bars: date, open, high, low, close, "
                                            "volume")
    prices.add_argument("file", type=Path)
    prices.add_argument("--symbol", required=True)
    for p in (w, tx, prices):
        p.add_argument("--skip-bad", action="store_true",
                       help="import the good rows and list the bad ones")



def run(args: argparse.Namespace, ctx: Context) -> int:
    with database(ctx) as conn:
        try:
            if args.command == "export":
                _export(args, ctx, conn)
            else:
                _import(args, ctx, conn)
        except ImportRejectedError as error:
            raise CommandError(str(error)) from None
        except (FileProblemError, WatchlistError, ValueError) as error:
            raise CommandError(f"Nothing was changed: {error}") from None
        except OSError as error:
            raise CommandError(f"Nothing was changed: {error}", FAILED) from None
    return 0


def _export(args: argparse.Namespace, ctx: Context, conn: sqlite3.Connection) -> None:
    lists = WatchlistTransfer(conn, ctx.clock, ctx.demo)
    ledger = LedgerTransfer(conn, ctx.clock, ctx.demo)
    if args.what == "watchlist":
        n = lists.export(args.name, args.format, args.output)
    elif args.what == "workbook":
        sheets = lists.workbook_sheets()
        ledger.export_workbook(args.output, sheets, args.base)
        n = len(sheets)
    else:
        n = ledger.export_table(args.what, args.format, args.output, args.base)
    what = "rows" if args.what != "workbook" else "watchlists and the rest"
    print(f"wrote {n} {what} to {args.output}", file=ctx.out)


def parse_map(given: list[str]) -> dict[str, str]:
    """`--map FIELD=COLUMN` options as a mapping; CommandError for one without `=`."""
    mapping = {}
    for text in given:
        name, sep, column = text.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise CommandError(f"--map {text!r}: write FIELD=COLUMN, e.g. --map "
                               "price='Avg Price' (fields: " + ", ".join(FIELDS) + ").")
        mapping[name.strip().lower()] = column.strip()
    return mapping


def _import(args: argparse.Namespace, ctx: Context, conn: sqlite3.Connection) -> None:
    mapping = parse_map(getattr(args, "map", []))
    result = run_import(conn, ctx.clock, ctx.demo, ImportRequest(
        args.what, args.file, args.skip_bad, mapping or None, getattr(args, "symbol", ""),
        getattr(args, "name", None), getattr(args, "watchlist", None)),
        ctx.verifier() if args.what == "transactions" else None)
    print(result.headline, file=ctx.out)
    for warning in result.warnings:
        print(f"warning: {warning}", file=ctx.out)
    for problem in result.report.problems:
        print(f"skipped {problem}", file=ctx.out)
