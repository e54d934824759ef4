"""What every command gets, and the one way a command opens the database and fails.

A command raises CommandError for anything the user can act on (exit 2: bad input; exit 1: it
could not be done); `cli.main.dispatch` prints its message as one line on stderr. Anything else
is a bug: logged with its traceback, one line to the user.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TextIO

from services.app.database import (
    DatabaseModeError,
    DatabaseUnusableError,
    explain,
    open_app_database,
)
from services.core.clock import Clock, SystemClock
from services.core.paths import AppPaths
from services.market.feed_types import Verify
from services.market.fundamentals_feed import FundamentalsSource

BAD_INPUT = 2
FAILED = 1
# A command waits this many times the busy timeout for another writer before giving up.
LOCK_ATTEMPTS = 3


class CommandError(Exception):
    """A problem the user can act on; the message is shown as it is."""

    def __init__(self, message: str, code: int = BAD_INPUT):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Context:
    db_path: Path
    paths: AppPaths
    demo: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    clock: Clock = field(default_factory=SystemClock)
    verify: Verify | Literal["yahoo"] | None = "yahoo"  # tests pass their own
    fundamentals: FundamentalsSource | Literal["yahoo"] | None = "yahoo"

    def verifier(self) -> Verify | None:
        """How a new symbol is checked: with Yahoo, except in the DEMO (no network there)."""
        if self.verify != "yahoo":
            return self.verify
        if self.demo:
            return None
        from services.market.feeds import yahoo_verifier

        return yahoo_verifier(self.paths)

    def fundamentals_source(self) -> FundamentalsSource | None:
        """Where a new symbol's fundamentals come from: Yahoo when symbols are checked with
        Yahoo (never in the DEMO, nor when a test checks symbols its own way)."""
        if self.fundamentals != "yahoo":
            return self.fundamentals
        if self.demo or self.verify != "yahoo":
            return None
        from services.market.yahoo_source import YahooQuoteSource

        return YahooQuoteSource(self.paths.cache_dir / "yfinance", timeout=5.0)


@contextmanager
def database(ctx: Context) -> Iterator[sqlite3.Connection]:
    """The app's database, migrated and loaded, closed afterwards; CommandError when it cannot
    be opened (another mode, not a database, too new, damaged, no permission). A writer that
    finds it locked says so on stderr and tries again before giving up."""
    try:
        conn = open_app_database(ctx.db_path, ctx.demo)
    except DatabaseModeError as error:
        raise CommandError(str(error), BAD_INPUT) from error
    except DatabaseUnusableError as error:
        raise CommandError(str(error), FAILED) from error
    except sqlite3.DatabaseError as error:
        words = explain(error) or f"it cannot be used as a HarbourWatch database ({error}); " \
            "nothing was changed. Use --db to choose another file."
        raise CommandError(f"{ctx.db_path}: {words}", FAILED) from error
    except OSError as error:
        raise CommandError(f"{ctx.db_path}: {error.strerror or error}; nothing was changed.",
                           FAILED) from error
    conn.lock_attempts = LOCK_ATTEMPTS
    conn.on_busy = lambda attempt, attempts: print(
        f"The database is busy (another program is writing to it); waiting and trying again "
        f"({attempt + 1} of {attempts})…", file=ctx.err, flush=True)
    try:
        yield conn
    finally:
        conn.close()
