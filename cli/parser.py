"""The command line's shape: global options and every command's arguments, in one parser.

`main.py` uses it to decide between the window and a command; the window's own options
(`--db`, `--demo`, `--poll-interval`) are parsed here too, so both faces read them the same way.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import NoReturn

from cli import (
    alerts,
    desktop,
    events,
    ledger,
    lockups,
    polling,
    retention,
    show,
    transfer,
    valuation,
    watchlist,
)
from cli.about import VersionAction
from services.app.preferences import MIN_POLL_INTERVAL_S, interval_problem
from services.core.paths import default_paths
from services.desktop.autostart import MINIMISED_FLAG

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BAD_INPUT = 2  # as cli.context.BAD_INPUT; argparse exits before a command runs


class Parser(argparse.ArgumentParser):
    """argparse with its errors as one line on stderr (usage stays behind --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        description="HarbourWatch — track HKEX stocks (Zhipu AI 2513.HK, MiniMax 0100.HK, any "
        "Yahoo symbol) against analyst targets, lock-up expiries and valuation bands.",
        epilog="Without a command the window opens. Headless: QT_QPA_PLATFORM=offscreen or "
        "xvfb-run python main.py.",
    )
    parser.add_argument("--version", action=VersionAction,
                        help="print the version and those of Qt, PySide6, yfinance, SQLite")
    parser.add_argument("--db", type=Path, help="database file (default: in the user data dir)")
    parser.add_argument("--poll-interval", type=int, default=None, metavar="SECONDS",
                        help="seconds between polls while the market trades (default: as set "
                             f"in Settings, else 60; min {MIN_POLL_INTERVAL_S})")
    parser.add_argument("--demo", action="store_true",
                        help="simulated prices (marked DEMO everywhere) in a separate database")
    parser.add_argument("--log-level", type=str.upper, choices=LOG_LEVELS,
                        default=os.environ.get("HARBOURWATCH_LOG_LEVEL", "INFO").upper(),
                        help="how much the log file records (default INFO, or "
                             "$HARBOURWATCH_LOG_LEVEL)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = commands.add_parser("gui", help="open the window (the default); if it is already open "
                              "for this database, bring it to the front")
    gui.add_argument("symbol", nargs="?", help="select this symbol (any common spelling)")
    gui.add_argument(MINIMISED_FLAG, dest="minimised", action="store_true",
                     help="start in the tray (start at login uses it)")
    parser.set_defaults(symbol=None, minimised=False)
    show.add_parser(commands)
    polling.add_parsers(commands)
    alerts.add_parser(commands)
    transfer.add_parsers(commands)
    watchlist.add_parser(commands)
    retention.add_parser(commands)
    valuation.add_parser(commands)
    desktop.add_parsers(commands)
    ledger.add_parser(commands)
    events.add_parser(commands)
    lockups.add_parser(commands)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parsed arguments plus `paths` and `db_path` (the database this run uses)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for flag, value in (("--poll-interval", args.poll_interval),
                        ("--interval", getattr(args, "interval", None))):
        problem = None if value is None else interval_problem(value)
        if problem:
            parser.error(f"{flag}: {problem}; got {value}")
    problem = undecodable_argument(args)
    if problem:
        parser.error(problem)
    args.paths = default_paths()
    args.db_path = args.db or (args.paths.demo_database if args.demo else args.paths.database)
    return args


def undecodable_argument(args: argparse.Namespace) -> str | None:
    """Why a text argument cannot be used: bytes that are not UTF-8 reach Python as lone
    surrogates, which nothing can store or print. File names may hold any bytes (Path)."""
    for name, value in vars(args).items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and any("\ud800" <= c <= "\udfff" for c in text):
                shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                return (f"the {name.replace('_', ' ')} {shown!r} is not valid UTF-8 text; "
                        "retype it (the terminal's encoding may be wrong)")
    return None
