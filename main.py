#!/usr/bin/env python3
"""HarbourWatch: price, valuation and alert tracker for Hong Kong-listed stocks.

Thin entry point: parse the command line, resolve paths, hand over to the window or a command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.core.paths import default_paths


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="HarbourWatch — track HKEX stocks (Zhipu AI 2513.HK, MiniMax 0100.HK, any "
        "Yahoo symbol) against analyst targets, lock-up expiries and valuation bands.",
        epilog="Without a command the window opens. Headless: QT_QPA_PLATFORM=offscreen or "
        "xvfb-run python main.py.",
    )
    parser.add_argument("--db", type=Path, help="database file (default: in the user data dir)")
    parser.add_argument("--poll-interval", type=int, default=60, metavar="SECONDS",
                        help="seconds between polls while the market trades (default 60, min 15)")
    parser.add_argument("--demo", action="store_true",
                        help="simulated prices (marked DEMO everywhere) in a separate database")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("gui", help="open the window (the default)")
    show = commands.add_parser("show", help="print a watchlist as a text table and exit")
    show.add_argument("--watchlist", default="Main", help="watchlist name (default: Main)")
    poll = commands.add_parser("poll", help="run one poll cycle, print a summary and exit")
    poll.add_argument("--once", action="store_true", required=True,
                      help="poll once (backfilling new symbols); exit 1 if nothing was fetched")
    alerts = commands.add_parser("alerts", help="list, add or remove alert rules")
    from cli.alerts import add_arguments

    add_arguments(alerts)
    from cli.transfer import add_arguments as add_transfer_arguments

    add_transfer_arguments(commands)
    run = commands.add_parser("run", help="keep polling on the market schedule")
    run.add_argument("--headless", action="store_true", required=True,
                     help="without a window; Ctrl-C or SIGTERM stops cleanly")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.poll_interval < 15:
        parser.error("--poll-interval must be at least 15 seconds (Yahoo's HK quotes are "
                     "delayed 15 minutes; polling faster only invites rate limits)")
    paths = default_paths()
    db_path: Path = args.db or (paths.demo_database if args.demo else paths.database)
    if args.command == "show":
        from cli.show import show_watchlist

        return show_watchlist(db_path, args.watchlist, demo=args.demo)
    if args.command == "poll":
        from cli.polling import poll_once

        return poll_once(db_path, paths, args.demo)
    if args.command == "alerts":
        from cli.alerts import run as run_alerts

        return run_alerts(args, db_path, sys.stdout, sys.stderr, args.demo)
    if args.command in ("export", "import", "watchlist"):
        from cli.transfer import run as run_transfer

        return run_transfer(args, db_path, sys.stdout, sys.stderr, args.demo)
    if args.command == "run":
        from cli.polling import run_headless

        return run_headless(db_path, paths, args.demo, interval_s=args.poll_interval)
    from ui.app import run_gui

    return run_gui(db_path, paths, args.demo, args.poll_interval)


if __name__ == "__main__":
    sys.exit(main())
