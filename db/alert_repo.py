"""Alert rules (with their engine state) and alert events."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from db.market_repo import LIVE_SOURCES

RULE_COLUMNS = ("symbol", "kind", "level", "direction", "policy", "hysteresis_pct",
                "cooldown_min", "band_pct", "expires_at", "enabled", "note", "start_ts",
                "created_at", "state")
EVENT_COLUMNS = ("rule_id", "symbol", "observed_ts", "fired_at", "value", "rule_text",
                 "message", "source", "while_closed")
_LIVE = "(" + ", ".join(f"'{source}'" for source in LIVE_SOURCES) + ")"  # for SQL: IN _LIVE


def insert_rule(conn: sqlite3.Connection, row: Mapping[str, Any]) -> int:
    cursor = conn.execute(
        f"INSERT INTO alert_rules ({', '.join(RULE_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(RULE_COLUMNS))})",
        [row[c] for c in RULE_COLUMNS])
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def update_rule(conn: sqlite3.Connection, rule_id: int, row: Mapping[str, Any]) -> bool:
    columns = [c for c in RULE_COLUMNS if c in row and c != "created_at"]
    cursor = conn.execute(
        f"UPDATE alert_rules SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
        [*(row[c] for c in columns), rule_id])
    return cursor.rowcount == 1


def rules(conn: sqlite3.Connection, enabled_only: bool = False,
          symbol: str | None = None) -> list[sqlite3.Row]:
    """Rules (of one symbol, when given) by symbol and id."""
    where = " AND ".join(["1", *(["enabled = 1"] if enabled_only else []),
                          *(["symbol = ?"] if symbol is not None else [])])
    return conn.execute(f"SELECT * FROM alert_rules WHERE {where} ORDER BY symbol, id",
                        [symbol] if symbol is not None else []).fetchall()


def rule(conn: sqlite3.Connection, rule_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM alert_rules WHERE id = ?", [rule_id]).fetchone()


def delete_rule(conn: sqlite3.Connection, rule_id: int) -> bool:
    return conn.execute("DELETE FROM alert_rules WHERE id = ?", [rule_id]).rowcount == 1


def save_states(conn: sqlite3.Connection, states: Iterable[tuple[str, int]]) -> None:
    """(state JSON, rule id) pairs."""
    conn.executemany("UPDATE alert_rules SET state = ? WHERE id = ?", list(states))


def insert_events(conn: sqlite3.Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert fires; one already stored for the same (rule, observation) is skipped. Returns the
    ids of the rows actually inserted, so only those are ever notified."""
    inserted = []
    sql = (f"INSERT INTO alert_events ({', '.join(EVENT_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))}) "
           "ON CONFLICT(rule_id, observed_ts) DO NOTHING RETURNING id")
    for row in rows:
        got = conn.execute(sql, [row[c] for c in EVENT_COLUMNS]).fetchone()
        if got is not None:
            inserted.append(int(got[0]))
    return inserted


def events(conn: sqlite3.Connection, ids: Sequence[int] | None = None, limit: int = 1000
           ) -> list[sqlite3.Row]:
    if ids is not None:
        marks = ",".join("?" * len(ids))
        return conn.execute(f"SELECT * FROM alert_events WHERE id IN ({marks}) ORDER BY id",
                            list(ids)).fetchall()
    return conn.execute("SELECT * FROM alert_events "
                        "ORDER BY fired_at DESC, observed_ts DESC, id DESC LIMIT ?",
                        [limit]).fetchall()


def acknowledge(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    conn.executemany("UPDATE alert_events SET acknowledged = 1 WHERE id = ?",
                     [(i,) for i in ids])


def delete_events(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    conn.executemany("DELETE FROM alert_events WHERE id = ?", [(i,) for i in ids])


def unread_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute(
        "SELECT COUNT(*) FROM alert_events WHERE acknowledged = 0").fetchone()[0])


def last_live_minute_bar(conn: sqlite3.Connection, symbol: str) -> tuple | None:
    """(ts, close) of the newest live 1-minute bar: where a new rule starts watching."""
    return conn.execute(
        "SELECT ts, close FROM bars WHERE symbol = ? AND interval = '1m' "
        f"AND source IN {_LIVE} ORDER BY ts DESC LIMIT 1", [symbol]).fetchone()


def minute_bars_after(conn: sqlite3.Connection, symbol: str, after: int) -> list[tuple]:
    """Live 1-minute bars (Yahoo or demo) newer than `after`: what alerts are evaluated on.
    Reference points and imported history never fire an alert."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        "SELECT ts, high, low, close, partial, source FROM bars WHERE symbol = ? "
        f"AND interval = '1m' AND ts > ? AND source IN {_LIVE} ORDER BY ts",
        [symbol, after]).fetchall()


def _over_marks(conn: sqlite3.Connection, names: str, select: str,
                marks: Sequence[tuple]) -> list[tuple]:
    """`select` over the marks as a table m(`names`): one statement for every symbol, rows as
    plain tuples."""
    if not marks:
        return []
    cursor = conn.cursor()
    cursor.row_factory = None
    row = "(" + ",".join("?" * len(marks[0])) + ")"
    return cursor.execute(f"WITH m({names}) AS (VALUES {','.join([row] * len(marks))}) {select}",
                          [value for mark in marks for value in mark]).fetchall()


def new_minute_bars(conn: sqlite3.Connection, marks: Sequence[tuple[int, str, int]]
                    ) -> list[tuple]:
    """minute_bars_after for many symbols in one statement: (key, ts, high, low, close,
    partial) of each (key, symbol, after) mark's bars, by key then time."""
    return _over_marks(
        conn, "key, symbol, after",
        "SELECT m.key, b.ts, b.high, b.low, b.close, b.partial FROM m CROSS JOIN bars b "
        "ON b.symbol = m.symbol AND b.interval = '1m' AND b.ts > m.after "
        f"AND b.source IN {_LIVE} ORDER BY m.key, b.ts", marks)


def day_context(conn: sqlite3.Connection, marks: Sequence[tuple[int, str, int]]
                ) -> list[tuple]:
    """For each (key, symbol, midnight) mark: (key, the last market close before midnight (as
    market_repo.close_before), the symbol's kept figures last_ts, last_high, last_close and
    peak, and the time of the newest daily bar before last_ts (what `peak` folds in))."""
    return _over_marks(
        conn, "key, symbol, midnight",
        "SELECT m.key, (SELECT b.close FROM bars b WHERE b.symbol = m.symbol "
        "AND b.interval = '1d' AND b.ts < m.midnight AND b.source != 'reference' "
        "AND b.close IS NOT NULL ORDER BY b.ts DESC LIMIT 1), "
        "s.last_ts, s.last_high, s.last_close, s.peak, "
        "(SELECT MAX(b.ts) FROM bars b WHERE b.symbol = m.symbol AND b.interval = '1d' "
        "AND b.ts < s.last_ts) "
        "FROM m LEFT JOIN symbol_stats s ON s.symbol = m.symbol ORDER BY m.key", marks)


def minute_peaks(conn: sqlite3.Connection, marks: Sequence[tuple[int, str, int, int]]
                 ) -> list[tuple[int, float | None]]:
    """For each (key, symbol, start, end) mark: (key, the highest price (high, else close) of
    the symbol's 1-minute bars from `start` to `end`), by key."""
    return _over_marks(
        conn, "key, symbol, start, end",
        "SELECT m.key, (SELECT MAX(COALESCE(b.high, b.close)) FROM bars b "
        "WHERE b.symbol = m.symbol AND b.interval = '1m' AND b.ts >= m.start "
        "AND b.ts <= m.end) FROM m ORDER BY m.key", marks)


def pass_versions(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """What an alert pass checks first, in one statement: a counter that triggers bump on every
    change to a rule (not to its engine state), the reference facts' version
    (reference_repo.version) and PRAGMA data_version (moves when another connection commits)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute("SELECT (SELECT version FROM alert_rules_version), "
                          "(SELECT version FROM reference_version), "
                          "(SELECT data_version FROM pragma_data_version)").fetchone()


def progress(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(symbol, ts): every enabled rule of the symbol has evaluated the bars up to ts."""
    return [(r[0], int(r[1])) for r in conn.execute("SELECT symbol, last_ts FROM alert_progress")]


def save_progress(conn: sqlite3.Connection, marks: Sequence[tuple[str, int]]) -> None:
    conn.executemany(
        "INSERT INTO alert_progress (symbol, last_ts) VALUES (?, ?) ON CONFLICT(symbol) "
        "DO UPDATE SET last_ts = max(last_ts, excluded.last_ts)", list(marks))
