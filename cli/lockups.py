"""`python main.py lockups SYMBOL [--confirm KEY|all]`: a symbol's lock-ups with their overhang
figures, the rule-derived lock-ups offered for a recent listing, and confirming them."""

from __future__ import annotations

import argparse

from cli.context import CommandError, Context, database
from services.core.tickers import TickerError, normalise_symbol
from services.events.overhang import OverhangService
from services.events.overhang_text import FREE_FLOAT_DEFINITION, figure_rows, offer_line
from services.market import trading_days
from services.market.calendar import MarketClock
from services.reference import lockup_offers
from services.watchlists.service import WatchlistService


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lockups", help="a symbol's lock-ups and what each expiry releases; the lock-ups the "
                        "Listing Rules imply for a recent listing, to confirm")
    parser.add_argument("symbol", help="e.g. 2513.HK")
    parser.add_argument("--confirm", action="append", metavar="KEY",
                        help="record an offered lock-up as yours (its key, or 'all')")


def run(args: argparse.Namespace, ctx: Context) -> int:
    try:
        symbol = normalise_symbol(args.symbol)
    except TickerError as error:
        raise CommandError(str(error)) from None
    with database(ctx) as conn:
        trading_days.ensure_stored(conn, MarketClock())
        service = OverhangService(conn, ctx.clock, WatchlistService(conn, ctx.clock))
        try:
            report = service.report(symbol)
        except KeyError:
            raise CommandError(f"{symbol} is not on any watchlist; add it first.") from None
        if args.confirm:
            offers = {offer.key: offer for offer in report.offers}
            wanted = list(offers) if "all" in args.confirm else args.confirm
            unknown = [key for key in wanted if key not in offers]
            if unknown or not wanted:
                keys = ", ".join(offers) or "none"
                raise CommandError(f"No offered lock-up {', '.join(unknown) or 'to confirm'}; "
                                   f"offered: {keys}.")
            for key in wanted:
                lockup_offers.confirm(conn, offers[key])
                print(f"confirmed {key} as your lock-up (edit it in Data › Reference data)",
                      file=ctx.out)
            report = service.report(symbol)
    ins = report.instrument
    print(f"{ins.name} {ins.symbol}{' — DEMO' if ctx.demo else ''}: lock-ups on "
          f"{report.today.isoformat()}. {FREE_FLOAT_DEFINITION}", file=ctx.out)
    if not report.figures:
        print("No lock-up recorded.", file=ctx.out)
    for figures in report.figures:
        print("", file=ctx.out)
        for label, value in figure_rows(figures, ins.timezone):
            print(f"  {label + ':':32} {value}", file=ctx.out)
        for reason in figures.missing():
            print(f"  (missing: {reason})", file=ctx.out)
    for path in report.paths:
        after = dict(zip(path.offsets, path.rebased, strict=True))
        moves = ", ".join(f"T{k:+d}: {after[k]:.1f}" for k in (0, 1, 5, 10) if k in after)
        print(f"\nPast expiry {path.lockup.free_to_trade.isoformat()} ({path.lockup.holders}), "
              f"close before = 100 on {path.base_day.isoformat()} ({path.source}): {moves}",
              file=ctx.out)
    if report.offers:
        print("\nOffered for this recent listing (not a filing; confirm with --confirm KEY):",
              file=ctx.out)
        for offer in report.offers:
            print(f"  {offer_line(offer)}", file=ctx.out)
    return 0
