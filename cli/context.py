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
from typing import TextIO

from services.app.database import DatabaseModeError, open_app_database
from services.core.clock import Clock, SystemClock
from services.core.paths import AppPaths

BAD_INPUT = 2
FAILED = 1


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


@contextmanager
def database(ctx: Context) -> Iterator[sqlite3.Connection]:
    """The app's database, migrated and loaded, closed afterwards; CommandError when it cannot
    be opened (another mode, not a database, no permission)."""
    try:
        conn = open_app_database(ctx.db_path, ctx.demo)
    except DatabaseModeError as error:
        raise CommandError(str(error), BAD_INPUT) from error
    except sqlite3.DatabaseError as error:
        raise CommandError(f"{ctx.db_path} cannot be used as a HarbourWatch database ({error}); "
                           "nothing was changed. Use --db to choose another file.",
                           FAILED) from error
    except OSError as error:
        raise CommandError(f"{ctx.db_path}: {error.strerror or error}; nothing was changed.",
                           FAILED) from error
    try:
        yield conn
    finally:
        conn.close()
