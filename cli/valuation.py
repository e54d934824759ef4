"""`python main.py valuation SYMBOL`: the daily valuation history the chart draws, with the
source of every input, so the numbers can be checked without a screen."""

from __future__ import annotations

import argparse
import csv

from cli.context import CommandError, Context, database
from services.charts import valuation_table
from services.charts.service import ChartService
from services.charts.valuation_text import summary_lines
from services.core.tickers import TickerError, normalise_symbol
from services.core.valuation import BASES
from services.market import trading_days
from services.market.calendar import MarketClock
from services.watchlists.service import WatchlistService

CURRENCIES = ("HKD", "USD", "CNY")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "valuation", help="print a symbol's daily valuation history (price, shares, market "
                          "cap, revenue, FX, P/S) with the source of every input")
    parser.add_argument("symbol", help="e.g. 0100.HK, 2513")
    parser.add_argument("--basis", choices=tuple(BASES), default="fy",
                        help="revenue the P/S divides by: last fiscal year (default), the "
                             "latest period annualised, or ARR")
    parser.add_argument("--currency", type=str.upper, choices=CURRENCIES, default="HKD",
                        help="currency of the market cap (default HKD)")
    parser.add_argument("--csv", action="store_true", help="CSV on stdout instead of a table")


def run(args: argparse.Namespace, ctx: Context) -> int:
    try:
        symbol = normalise_symbol(args.symbol)
    except TickerError as error:
        raise CommandError(str(error)) from None
    with database(ctx) as conn:
        trading_days.ensure_stored(conn, MarketClock())  # lock-ups' first trading days
        watchlists = WatchlistService(conn, ctx.clock)
        charts = ChartService(conn, ctx.clock, watchlists)
        try:
            charts.instrument(symbol)
        except KeyError:
            raise CommandError(f"{symbol} is not on any watchlist; add it first.") from None
        data = charts.valuation_chart(symbol, args.currency, args.basis)
        if args.csv:
            writer = csv.writer(ctx.out, lineterminator="\n")
            header = valuation_table.HEADER
            writer.writerow((*header, "data") if ctx.demo else header)
            for row in valuation_table.rows(data.series):
                writer.writerow((*row, "DEMO") if ctx.demo else row)
            return 0
        ins = data.instrument
        print(f"{ins.name} {ins.symbol}{' — DEMO' if ctx.demo else ''} — P/S on "
              f"{BASES[args.basis]}, market cap in {args.currency}. Point in time: each "
              "share count and revenue figure counts from the day it was published.",
              file=ctx.out)
        print(valuation_table.render_text(data.series), file=ctx.out)
        print("", file=ctx.out)
        for line in summary_lines(ins.name, data.last, data.bands, data.band_prices,
                                  data.target_caps, data.today):
            print(line, file=ctx.out)
        for opinion in data.opinions:
            print(f"{opinion.topic}: {opinion.value}", file=ctx.out)
    return 0
