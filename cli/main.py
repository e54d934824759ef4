"""Running one command: the context it gets, and the one place its errors become exit codes."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable
from typing import TextIO

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
from cli.context import FAILED, CommandError, Context
from services.app.database import explain
from services.app.logs import current_log_file

log = logging.getLogger(__name__)
Command = Callable[[argparse.Namespace, Context], int]
COMMANDS: dict[str, Command] = {
    "show": show.run, "poll": polling.run_poll, "run": polling.run_runner,
    "alerts": alerts.run, "export": transfer.run, "import": transfer.run,
    "watchlist": watchlist.run, "retention": retention.run, "valuation": valuation.run,
    "install-desktop": desktop.run_install, "uninstall-desktop": desktop.run_uninstall,
    "transactions": ledger.run, "events": events.run, "lockups": lockups.run,
}


def dispatch(args: argparse.Namespace, ctx: Context | None = None) -> int:
    """Run `args.command`; a CommandError is one line on stderr and its exit code, any other
    exception a bug: its traceback goes to the log, one line to the user."""
    ctx = ctx or context(args)
    try:
        return COMMANDS[args.command](args, ctx)
    except CommandError as error:
        print(error, file=ctx.err)
        return error.code
    except (sqlite3.Error, OSError) as error:
        words = explain(error)
        if words is None:
            return _bug(args, ctx, error)
        log.warning("command %s failed: %s", args.command, error, exc_info=True)
        print(words, file=ctx.err)
        return FAILED
    except Exception as error:
        return _bug(args, ctx, error)


def _bug(args: argparse.Namespace, ctx: Context, error: Exception) -> int:
    log.error("command %s failed", args.command, exc_info=error)
    log_file = current_log_file()
    details = f" Details are in {log_file}." if log_file else ""
    print(f"HarbourWatch could not finish {args.command!r}: {type(error).__name__}: "
          f"{error}.{details}", file=ctx.err)
    return FAILED


def context(args: argparse.Namespace, out: TextIO | None = None,
            err: TextIO | None = None) -> Context:
    """A DEMO command runs on the DEMO's clock (where its stored session stands), so a rule
    added with `--demo alerts add` is stamped in simulated time and fires in the demo."""
    if not args.demo:
        return Context(args.db_path, args.paths, args.demo, out or sys.stdout, err or sys.stderr)
    from services.market.calendar import MarketClock
    from services.market.feeds import make_clock

    return Context(args.db_path, args.paths, True, out or sys.stdout, err or sys.stderr,
                   make_clock(True, MarketClock(), args.db_path))
