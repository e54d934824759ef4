"""`python main.py watchlist ...`: list, create and change watchlists without a window.

Symbols are checked with Yahoo as the window's Add-symbol does (unverified when unreachable).
"""

from __future__ import annotations

import argparse

from cli.context import CommandError, Context, database
from services.core.tickers import TickerError, normalise_symbol
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
            _act(args, editor, ctx)
        except (WatchlistError, TickerError) as error:
            raise CommandError(f"Nothing was changed: {error}") from None
    return 0


def _act(args: argparse.Namespace, editor: WatchlistEditor, ctx: Context) -> None:
    if args.action == "list":
        for name, items in editor.contents():
            print(f"{name}: " + ", ".join(
                symbol + ("" if verified else " (unverified)") for symbol, verified in items),
                file=ctx.out)
    elif args.action == "create":
        editor.create(args.name)
        print(f"created {args.name}", file=ctx.out)
    elif args.action == "add":
        print(editor.add(args.name, args.symbol, args.note).message, file=ctx.out)
    else:
        editor.remove(args.name, normalise_symbol(args.symbol))
        print(f"removed {args.symbol} from {args.name}", file=ctx.out)
