from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from db import facts_repo
from db.connection import open_connection, transaction
from db.migrations import migrate
from services.app.database import open_app_database
from services.core.valuation import revenue_published
from services.reference import loader as loader_module
from services.reference import store
from services.reference.bundled import BUNDLED_FILE
from services.reference.loader import load_reference_data

TABLES = (*facts_repo.FACT_TABLES, "bars", "watchlist_items", "bundled_facts")


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")]
            for t in TABLES}


def bundled() -> dict:
    return json.loads(BUNDLED_FILE.read_text(encoding="utf-8"))


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_first_start_loads_every_bundled_fact(app_db: sqlite3.Connection) -> None:
    doc = bundled()
    for table in facts_repo.FACT_TABLES:
        count = app_db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        assert count == len(doc[table]), table
    assert app_db.execute(
        "SELECT COUNT(*) FROM bars WHERE source = 'reference'"
    ).fetchone()[0] == len(doc["reference_points"])
    symbols = [r[0] for r in app_db.execute("SELECT symbol FROM watchlist_items ORDER BY position")]
    assert symbols == ["2513.HK", "0100.HK"]
    # every fact keeps where it came from and how sure it is
    assert app_db.execute(
        "SELECT COUNT(*) FROM targets WHERE source = '' OR confidence = ''"
    ).fetchone()[0] == 0


def test_loading_again_changes_nothing(app_db: sqlite3.Connection, db_path: Path) -> None:
    before = dump(app_db)
    counts = load_reference_data(app_db)
    assert counts.added == 0 and counts.updated == 0
    assert dump(app_db) == before
    again = open_app_database(db_path)  # a restart
    assert dump(again) == before


def test_newer_bundled_file_adds_and_refreshes_but_keeps_user_changes(
    app_db: sqlite3.Connection, tmp_path: Path
) -> None:
    # The user corrects one bundled target, deletes one and adds their own.
    jpm_id = app_db.execute(
        "SELECT id FROM targets WHERE fact_key = 'target:2513.HK:JPM:2026-02-09'"
    ).fetchone()[0]
    citi_id = app_db.execute(
        "SELECT id FROM targets WHERE fact_key = 'target:0100.HK:Citi:2026-07-24'"
    ).fetchone()[0]
    with transaction(app_db):
        facts_repo.edit_fact(app_db, "targets", jpm_id, {"price": 420.0, "note": "my fix"})
        facts_repo.delete_fact(app_db, "targets", citi_id)
        app_db.execute(
            "INSERT INTO targets (symbol, broker, date, price, currency, source, confidence) "
            "VALUES ('2513.HK', 'My broker', '2026-11-20', 1000, 'HKD', 'phone call', 'user')"
        )
        app_db.execute("DELETE FROM watchlist_items WHERE symbol = '0100.HK'")

    doc = bundled()
    for target in doc["targets"]:
        if target["key"] in {"target:2513.HK:JPM:2026-02-09", "target:0100.HK:Citi:2026-07-24"}:
            target["price"] += 1  # the newer file changes both
        if target["key"] == "target:2513.HK:MS:2026-08-10":
            target["price"] = 1750  # and one the user never touched
    doc["targets"].append({**doc["targets"][0], "key": "target:2513.HK:CICC:2026-11-01",
                           "broker": "CICC", "date": "2026-11-01", "price": 1200})
    counts = load_reference_data(app_db, write(tmp_path / "newer.json", doc))

    assert counts.added == 1 and counts.updated == 1
    prices = dict(app_db.execute(
        "SELECT symbol || ' ' || broker || ' ' || date, price FROM targets"
    ).fetchall())
    assert prices["2513.HK J.P. Morgan 2026-02-09"] == 420.0  # the user's edit wins
    assert "0100.HK Citi 2026-07-24" not in prices  # the user's delete sticks
    assert prices["2513.HK My broker 2026-11-20"] == 1000  # the user's own row is untouched
    assert prices["2513.HK Morgan Stanley 2026-08-10"] == 1750  # unedited bundled fact refreshed
    assert prices["2513.HK CICC 2026-11-01"] == 1200  # new bundled fact added
    assert [r[0] for r in app_db.execute("SELECT symbol FROM watchlist_items")] == ["2513.HK"]


def test_reference_points_never_replace_market_bars(app_db: sqlite3.Connection) -> None:
    ts = app_db.execute(
        "SELECT ts FROM bars WHERE symbol = '2513.HK' AND source = 'reference' ORDER BY ts LIMIT 1"
    ).fetchone()[0]
    with transaction(app_db):
        app_db.execute(
            "UPDATE bars SET source = 'yahoo', close = 130.0 WHERE symbol = '2513.HK' AND ts = ?",
            [ts],
        )
    load_reference_data(app_db)
    row = app_db.execute(
        "SELECT source, close FROM bars WHERE symbol = '2513.HK' AND ts = ?", [ts]
    ).fetchone()
    assert tuple(row) == ("yahoo", 130.0)


def test_an_older_database_gains_publication_dates_but_keeps_user_edits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database from before point-in-time provenance: bundled facts the user never touched
    get their publication dates; a fact the user edited keeps the user's figure and, having no
    publication date, is used only from HKEX's reporting deadline."""
    conn = open_connection(tmp_path / "old.sqlite3")
    # Today's figures need columns the old schema lacks; the upgrade below fills them.
    monkeypatch.setattr(loader_module.stats, "rebuild", lambda conn, symbol: None)
    migrate(conn, stop_before="m008_provenance_fx")
    old = bundled()
    for table in ("revenue", "shares_outstanding"):
        for fact in old[table]:
            for key in ("published", "published_basis", "bound"):
                fact.pop(key, None)
    for fact in old["fx_rates"]:
        fact.pop("rate_low"), fact.pop("rate_high")
    for fact in old["lockups"]:
        if fact["key"] == "lockup:0100.HK:founders-12m":
            fact.update(locked_through=None, first_free_day="2027-01-08")
    old.pop("key_facts")
    load_reference_data(conn, write(tmp_path / "old.json", old))
    edited = conn.execute("SELECT id FROM revenue WHERE fact_key = 'revenue:0100.HK:FY2025'"
                          ).fetchone()[0]
    with transaction(conn):
        facts_repo.edit_fact(conn, "revenue", edited, {"amount": 79_100_000})

    monkeypatch.undo()
    migrate(conn)
    load_reference_data(conn)
    revenue = {r.period: r for r in store.fundamentals(conn, "0100.HK").revenue}
    assert revenue["FY2025"].amount.amount == 79_100_000  # the user's figure
    assert revenue_published(revenue["FY2025"]) == (dt.date(2026, 4, 2), False)
    assert revenue_published(revenue["9M 2025"]) == (dt.date(2026, 1, 9), False)
    assert revenue["ARR Feb 2026"].bound == "at least"
    founders = [lock for lock in store.lockups(conn, "0100.HK") if not lock.date_exact]
    assert [lock.first_free_day for lock in founders] == [dt.date(2027, 1, 9)]
    assert len(store.key_facts(conn, "0100.HK")) >= 5
    conn.close()
