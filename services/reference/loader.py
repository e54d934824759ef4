"""Loading the bundled reference facts (resources/reference_data.json) into the database.

Loading the same file twice changes nothing; a newer file adds its new facts and refreshes the ones
the user never touched, and leaves user edits, user additions and user deletions alone.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from db import facts_repo, market_repo, meta_repo, stats_repo, watchlist_repo
from db.connection import transaction
from services.core.clock import daily_bar_ts
from services.market import stats
from services.reference.bundled import BUNDLED_FILE, DIGEST_KEY, file_digest


def _fact_rows(document: dict[str, Any], table: str) -> list[dict[str, Any]]:
    rows = []
    for fact in document.get(table, []):
        row = {k: (int(v) if isinstance(v, bool) else v) for k, v in fact.items() if k != "key"}
        row["fact_key"] = fact.get("key") or f"instrument:{fact['symbol']}"
        rows.append(row)
    return rows


def load_reference_data(
    conn: sqlite3.Connection, path: Path = BUNDLED_FILE
) -> facts_repo.LoadCounts:
    """Apply the bundled file in one transaction and remember its digest."""
    document = json.loads(path.read_text(encoding="utf-8"))
    counts = facts_repo.LoadCounts()
    with transaction(conn):
        for table in facts_repo.FACT_TABLES:
            counts += facts_repo.apply_bundled_facts(conn, table, _fact_rows(document, table))
        _seed_watchlist(conn, document.get("watchlist"))
        sync_reference_bars(conn)
        meta_repo.set_meta(conn, DIGEST_KEY, file_digest(path))
    return counts


def _seed_watchlist(conn: sqlite3.Connection, spec: dict[str, Any] | None) -> None:
    """Put the bundled symbols on the bundled list once; a user who removes them keeps them off."""
    if not spec:
        return
    list_id = watchlist_repo.watchlist_id(conn, spec["name"])
    if list_id is None:
        return
    seen = facts_repo.bundled_keys(conn, "watchlist_items")
    for symbol in spec["symbols"]:
        key = f"watchlist:{spec['name']}:{symbol}"
        if key not in seen:
            watchlist_repo.add_item(conn, list_id, symbol)
            facts_repo.remember_bundled(conn, key, "watchlist_items")


def sync_reference_bars(conn: sqlite3.Connection) -> None:
    """Mirror reference_points into bars (source 'reference') so charts read one series.

    A reference point never replaces a bar from Yahoo, an import or the demo feed.
    """
    conn.execute("DELETE FROM bars WHERE source = 'reference'")
    rows = conn.execute(
        "SELECT p.symbol, p.date, p.close, p.high, i.timezone FROM reference_points p "
        "JOIN instruments i USING (symbol)"
    ).fetchall()
    bars = [
        (r["symbol"], "1d", daily_bar_ts(dt.date.fromisoformat(r["date"]), r["timezone"]),
         None, r["high"], None, r["close"], None, "reference", 0)
        for r in rows
    ]
    market_repo.upsert_bars(conn, bars, keep_market_data=True)
    for symbol in {r["symbol"] for r in rows} | set(stats_repo.all_stats(conn)):
        stats.rebuild(conn, symbol)
