"""Bundled and user-entered facts (instruments, targets, lock-ups, share counts, revenue, FX rates,
valuation bands, reference price points, key facts): loading bundled updates without clobbering
user edits.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FACT_TABLES = (
    "instruments",
    "shares_outstanding",
    "revenue",
    "fx_rates",
    "targets",
    "lockups",
    "valuation_bands",
    "reference_points",
    "key_facts",
)


@dataclass(frozen=True)
class LoadCounts:
    """What one bundled load did: facts added, unedited facts refreshed, user-owned ones kept."""

    added: int = 0
    updated: int = 0
    kept_user: int = 0

    def __add__(self, other: LoadCounts) -> LoadCounts:
        return LoadCounts(
            self.added + other.added,
            self.updated + other.updated,
            self.kept_user + other.kept_user,
        )


def _check_table(table: str) -> None:
    if table not in FACT_TABLES:
        raise ValueError(f"not a fact table: {table!r}")


def _key_column(table: str) -> str:
    return "symbol" if table == "instruments" else "id"


def apply_bundled_facts(
    conn: sqlite3.Connection, table: str, facts: Sequence[Mapping[str, Any]]
) -> LoadCounts:
    """Insert bundled facts seen for the first time; refresh ones the user never touched.

    A fact whose key was loaded before but whose row is gone was deleted by the user and stays
    deleted; a row with user_edited=1 keeps the user's values. Runs inside the caller's
    transaction.
    """
    _check_table(table)
    known = bundled_keys(conn, table)
    counts = LoadCounts()
    for fact in facts:
        key = fact["fact_key"]
        row = {**fact, "origin": "bundled"}
        existing = conn.execute(
            f"SELECT {_key_column(table)} AS pk, * FROM {table} WHERE fact_key = ?", [key]
        ).fetchone()
        if key not in known:
            if existing is None:
                _insert(conn, table, row)
                counts += LoadCounts(added=1)
            remember_bundled(conn, key, table)
        elif existing is None or existing["user_edited"]:
            counts += LoadCounts(kept_user=1)
        else:
            changes = {k: v for k, v in row.items() if existing[k] != v}
            if changes:
                _update(conn, table, existing["pk"], changes)
                counts += LoadCounts(updated=1)
    return counts


def _insert(conn: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> None:
    columns = ", ".join(f'"{name}"' for name in row)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})",
                 list(row.values()))


def _update(conn: sqlite3.Connection, table: str, pk: int | str,
            changes: Mapping[str, Any]) -> None:
    assignments = ", ".join(f'"{name}" = ?' for name in changes)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE {_key_column(table)} = ?",
                 [*changes.values(), pk])


def bundled_keys(conn: sqlite3.Connection, table: str) -> set[str]:
    """Keys of every bundled fact of a table ever loaded (kept after the user deletes it)."""
    return {row[0] for row in conn.execute(
        "SELECT fact_key FROM bundled_facts WHERE table_name = ?", [table])}


def remember_bundled(conn: sqlite3.Connection, key: str, table: str) -> None:
    conn.execute(
        "INSERT INTO bundled_facts (fact_key, table_name, loaded_at) VALUES (?, ?, ?)",
        [key, table, int(time.time())])


def edit_fact(
    conn: sqlite3.Connection, table: str, pk: int | str, changes: Mapping[str, Any]
) -> None:
    """Change a fact on the user's behalf; marks it so bundled updates never overwrite it."""
    _check_table(table)
    forbidden = {"fact_key", "origin", "user_edited", _key_column(table)} & set(changes)
    if forbidden:
        raise ValueError(f"cannot edit {sorted(forbidden)}")
    columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    unknown = set(changes) - columns
    if unknown:
        raise ValueError(f"{table} has no column {sorted(unknown)}")
    values = {**changes, "user_edited": 1}
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE {_key_column(table)} = ?",
                 [*values.values(), pk])


def delete_fact(conn: sqlite3.Connection, table: str, pk: int | str) -> None:
    """Delete a fact; a bundled one stays deleted because its key remains in bundled_facts."""
    _check_table(table)
    conn.execute(f"DELETE FROM {table} WHERE {_key_column(table)} = ?", [pk])


def add_fact(conn: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> int:
    """A fact the user adds (origin 'user'); returns its id."""
    _check_table(table)
    columns = [*values, "origin"]
    cursor = conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [*values.values(), "user"])
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)
