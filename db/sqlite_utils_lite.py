"""sqlite-utils, imported without pandas while pandas is not loaded yet.

sqlite-utils imports pandas (about 0.4 s) only to map `pandas.Timestamp` to a column type when
it infers a table's schema from Python values. HarbourWatch writes its schema in SQL and never
hands pandas values to sqlite-utils, so a start that upgrades the schema need not wait for
pandas before the window paints (a new database needs neither: db/migrations.py). Hiding a module
affects every thread, so it is done only while no other Python thread runs; otherwise
sqlite-utils is imported as usual.
"""

from __future__ import annotations

import sys
import threading

if ("sqlite_utils.db" not in sys.modules and "pandas" not in sys.modules
        and threading.active_count() == 1):
    sys.modules["pandas"] = None  # type: ignore[assignment]  # `import pandas` now fails
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        del sys.modules["pandas"]

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

__all__ = ["Database", "Migrations"]
