"""`python main.py events [--days N] [--past N] [--ics FILE]`: every dated event across the
watchlists (lock-up expiries, results dates, target changes, alert rule expiries, HKEX holidays
and half days) with the days left, optionally written as an iCalendar file."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.context import FAILED, CommandError, Context, database
from services.core.events import EventKind
from services.core.parsing import parse_whole_number
from services.core.tickers import TickerError, normalise_symbol
from services.events.agenda import EventsService, Horizon
from services.events.ics import write_ics
from services.files.atomic import ExportRefusedError
from services.market import trading_days
from services.market.calendar import MarketClock

KINDS = {kind.name.lower().replace("_", "-"): kind for kind in EventKind}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "events", help="list dated events across the watchlists; --ics writes them as an "
                       "iCalendar file")
    parser.add_argument("--days", default="90", help="days ahead to include (default 90)")
    parser.add_argument("--past", default="0", help="days back to include (default 0)")
    parser.add_argument("--kind", action="append", choices=sorted(KINDS),
                        help="only this kind (repeatable)")
    parser.add_argument("--symbol", help="only this symbol's events (and HKEX's)")
    parser.add_argument("--ics", type=Path, metavar="FILE",
                        help="also write the events to this .ics file (replaced atomically)")


def _days(text: str, option: str) -> int:
    try:
        days = parse_whole_number(text, option)
    except ValueError:
        days = -1
    if not 0 <= days <= 3650:
        raise CommandError(f"{option} must be a whole number of days from 0 to 3650 "
                           f"(got {text!r}).")
    return days


def run(args: argparse.Namespace, ctx: Context) -> int:
    horizon = Horizon(_days(args.days, "--days"), _days(args.past, "--past"))
    with database(ctx) as conn:
        market = MarketClock()
        trading_days.ensure_stored(conn, market)  # lock-ups' first trading days
        service = EventsService(conn, ctx.clock, market)
        symbol = None
        if args.symbol:
            try:
                symbol = normalise_symbol(args.symbol)
            except TickerError as error:
                raise CommandError(str(error)) from None
            if symbol not in service.symbols():
                raise CommandError(f"{symbol} is not on any watchlist.")
        kinds = {KINDS[k] for k in args.kind} if args.kind else set(EventKind)
        events = [e for e in service.events(horizon) if e.kind in kinds
                  and (symbol is None or e.symbol in (symbol, "HKEX"))]
        today = service.today()
    demo = " — DEMO" if ctx.demo else ""
    print(f"Events from {horizon.past} days back to {horizon.ahead} days ahead of "
          f"{today.isoformat()} (Hong Kong){demo}: {len(events)}", file=ctx.out)
    for event in events:
        days = event.days_left(today)
        left = "today" if days == 0 else f"in {days} d" if days > 0 else f"{-days} d ago"
        earliest = "≥ " if event.at_earliest else ""
        print(f"{earliest + event.day.isoformat():<12} {left:>10}  {event.symbol:8}  "
              f"{event.kind:18}  {event.title}  [{event.source}]", file=ctx.out)
    if args.ics is not None:
        try:
            write_ics(args.ics, events, ctx.clock.now(), ctx.demo)
        except ExportRefusedError as error:
            raise CommandError(str(error), FAILED) from error
        except OSError as error:
            raise CommandError(f"{args.ics}: {error.strerror or error}; nothing was written.",
                               FAILED) from error
        print(f"wrote {len(events)} events to {args.ics}", file=ctx.out)
    return 0
