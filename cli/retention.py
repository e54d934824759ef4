"""`python main.py retention`: how many sessions of 1-minute bars are kept, and pruning now.

Older sessions are folded into daily bars before their minutes are deleted, so no day is lost.
"""

from __future__ import annotations

import argparse

from cli.context import CommandError, Context, database
from services.market import retention


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "retention", help="show or set how many sessions of 1-minute bars are kept")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--sessions", type=int, metavar="N",
                        help=f"keep the newest N sessions (default {retention.DEFAULT_SESSIONS})")
    choice.add_argument("--keep-all", action="store_true", help="never delete 1-minute bars")


def run(args: argparse.Namespace, ctx: Context) -> int:
    with database(ctx) as conn:
        if args.keep_all or args.sessions is not None:
            sessions = retention.KEEP_ALL if args.keep_all else args.sessions
            if not 1 <= sessions <= 10_000 and not args.keep_all:
                raise CommandError("--sessions takes a number of sessions from 1 to 10000 "
                                   "(or use --keep-all).")
            retention.set_sessions_kept(conn, sessions)
        kept = retention.sessions_kept(conn)
        if kept == retention.KEEP_ALL:
            print("Every 1-minute bar is kept.", file=ctx.out)
            return 0
        pruned = retention.prune(conn)
    print(f"The newest {kept} sessions of 1-minute bars are kept; {pruned.minutes_deleted} "
          f"older ones deleted, {pruned.days_folded} days folded into daily bars first.",
          file=ctx.out)
    return 0
