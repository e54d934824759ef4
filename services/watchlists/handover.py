"""The poll worker's side of the watchlist rows: built after each poll cycle and handed to the
window with the outcome, so the window's refresh builds none."""

from __future__ import annotations

import sqlite3
from collections import deque

from services.core.clock import Clock
from services.watchlists.service import WatchlistService
from services.watchlists.snapshots import PreparedRows


class RowPreparer:
    """Every watched symbol's row after a cycle, rebuilding only those whose price row, facts
    or day moved since the last; the reference facts are read again only when one changed
    (the service lives as long as the cycle's connection). The rows handed over stay
    referenced one cycle longer: by then the window holds the newer ones, so the old are
    freed here, not on the GUI thread."""

    def __init__(self, clock: Clock):
        self._clock = clock
        self._handed: deque[PreparedRows] = deque(maxlen=2)
        self._service: tuple[sqlite3.Connection, WatchlistService] | None = None

    def prepare(self, conn: sqlite3.Connection) -> PreparedRows:
        """On the cycle's connection, after its last write."""
        if self._service is None or self._service[0] is not conn:  # a new connection
            self._service = (conn, WatchlistService(conn, self._clock))
        prepared = self._service[1].prepared_rows()
        self._handed.append(prepared)
        return prepared
