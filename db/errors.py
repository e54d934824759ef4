"""Database failures a trader can act on, in words: a busy, full, read-only or damaged database.

SQLite reports these as generic `OperationalError`/`DatabaseError` texts; every entry point (the
window, each command, the poller) turns them into the same sentences here instead of showing a
traceback or "database is locked".
"""

from __future__ import annotations

import errno
import sqlite3

BUSY = ("The database is busy: another program (perhaps a second HarbourWatch) kept it locked "
        "for longer than HarbourWatch waited; nothing was changed. Try again when it has "
        "finished.")
FULL = ("The disk is full (or the database reached its size limit): nothing of this was "
        "stored. Free some space and try again.")
READ_ONLY = ("The database cannot be written (a read-only file, folder or disk): nothing was "
             "changed. Make it writable, or choose another file with --db.")
DISK_IO = ("The disk reported an error while reading or writing the database: nothing was "
           "changed. Check the disk, then try again.")
DAMAGED = ("The database file is damaged (truncated or overwritten): nothing was changed. "
           "Restore it from a backup, or choose another file with --db.")
CANNOT_OPEN = ("The database file cannot be opened (a missing or unwritable folder?): nothing "
               "was changed. Choose another file with --db.")


class DatabaseBusyError(sqlite3.OperationalError):
    """Another connection held the write lock for longer than every attempt waited."""


def is_busy(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and (
        "database is locked" in text or "database is busy" in text
        or "database table is locked" in text)


def explain(error: BaseException) -> str | None:
    """The words for a database or disk failure a user can act on; None for anything else
    (a bug, which belongs in the log with its traceback)."""
    if isinstance(error, DatabaseBusyError):
        return str(error)
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC:
            return FULL
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return READ_ONLY
        return None
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    text = str(error).lower()
    if is_busy(error):
        return BUSY
    if "disk is full" in text or "database or disk is full" in text:
        return FULL
    if "readonly" in text or "read-only" in text:
        return READ_ONLY
    if "disk i/o error" in text:
        return DISK_IO
    if "malformed" in text or "not a database" in text or "file is encrypted" in text:
        return DAMAGED
    if "unable to open database" in text:
        return CANNOT_OPEN
    return None
