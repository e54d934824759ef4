"""`python main.py watchlist ...`: list, create and change watchlists without a window.

Symbols are checked with Yahoo as the window's Add-symbol does (unverified when unreachable).
"""

from __future__ import annotations

import argparse
import sqlite3

from cli.context import CommandError, Context, database
from services.core.clock import epoch
from services.core.tickers import TickerError, normalise_symbol
from services.market import fundamentals_feed
from services.market.fundamentals_feed import FundamentalsSource
from services.reference import yahoo_facts
from services.watchlists.editing import WatchlistEditor, WatchlistError


def add_parser(commands: argparse._SubParsersAction) -> None:
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


def run(args: argparse.Namespace, ctx: Context) -> int:
    with database(ctx) as conn:
        editor = WatchlistEditor(conn, ctx.verifier())
        try:
            _act(args, editor, ctx, conn)
        except (WatchlistError, TickerError) as error:
            raise CommandError(f"Nothing was changed: {error}") from None
    return 0


def _fundamentals(conn: sqlite3.Connection, source: FundamentalsSource, symbol: str,
                  ctx: Context) -> str:
    """Fetch a new symbol's fundamentals once (the poller refreshes them daily after)."""
    done = fundamentals_feed.refresh(conn, source, epoch(ctx.clock.now()), only={symbol})
    if not done:
        return f"Yahoo's fundamentals of {symbol}: fetched after the next poll."
    if not done[0].ok:
        return (f"Yahoo's fundamentals of {symbol} could not be fetched ({done[0].error_kind}); "
                "the poller tries again.")
    return f"Fundamentals of {symbol}: {yahoo_facts.snapshots(conn, symbol)[symbol].status()}."


def _act(args: argparse.Namespace, editor: WatchlistEditor, ctx: Context,
         conn: sqlite3.Connection) -> None:
    if args.action == "list":
        for name, items in editor.contents():
            print(f"{name}: " + ", ".join(
                symbol + ("" if verified else " (unverified)") for symbol, verified in items),
                file=ctx.out)
    elif args.action == "create":
        editor.create(args.name)
        print(f"created {args.name}", file=ctx.out)
    elif args.action == "add":
        added = editor.add(args.name, args.symbol, args.note)
        print(added.message, file=ctx.out)
        source = ctx.fundamentals_source() if added.verified else None
        if source is not None:
            print(_fundamentals(conn, source, added.symbol, ctx), file=ctx.out)
    else:
        editor.remove(args.name, normalise_symbol(args.symbol))
        print(f"removed {args.symbol} from {args.name}", file=ctx.out)
