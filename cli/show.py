"""`python main.py show`: a watchlist as a text table, with the figures the window shows."""

from __future__ import annotations

import argparse

from cli.context import CommandError, Context, database
from services.market import trading_days
from services.market.calendar import MarketClock
from services.watchlists.columns import render_text_table
from services.watchlists.service import WatchlistService
from services.watchlists.status import price_status


def add_parser(commands: argparse._SubParsersAction) -> None:
    show = commands.add_parser("show", help="print a watchlist as a text table and exit")
    show.add_argument("--watchlist", default="Main", help="watchlist name (default: Main)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    with database(ctx) as conn:
        service = WatchlistService(conn, ctx.clock)
        names = service.watchlist_names()
        if args.watchlist not in names:  # before anything is stored
            raise CommandError(f"No watchlist named {args.watchlist!r}. "
                               f"Watchlists: {', '.join(names)}")
        trading_days.ensure_stored(conn, MarketClock())  # lock-ups' first trading days
        rows = service.rows(args.watchlist)
        print(f"{args.watchlist}{' — DEMO' if ctx.demo else ''} — {ctx.db_path}", file=ctx.out)
        print(render_text_table(rows), file=ctx.out)
        print(price_status(rows, ctx.clock.now()), file=ctx.out)
    return 0
