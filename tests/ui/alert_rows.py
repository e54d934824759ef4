"""An unread alert in the log, as a poll would have stored it, for window tests."""

from __future__ import annotations

import sqlite3


def store_unread_alert(conn: sqlite3.Connection, symbol: str = "0100.HK") -> None:
    conn.execute("INSERT INTO alert_events (rule_id, symbol, observed_ts, fired_at, value, "
                 "rule_text, message, source, while_closed, acknowledged) VALUES "
                 "(NULL, ?, 1790000000, 1790000000, 1, 'r', 'm', 'yahoo', 0, 0)", [symbol])
    conn.commit()
