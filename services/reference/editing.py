"""The trader's corrections to reference data: analyst targets, lock-ups, share counts, revenue.

Each kind is described once (its fields, how each is checked), so the window's editor and
its checks come from the same table. Bundled facts stay marked as bundled; an edit marks the
row as the user's, and bundled updates never overwrite it (db.facts_repo).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from db import facts_repo, reference_repo
from db.connection import transaction
from services.core.clock import Clock, trading_day
from services.core.parsing import parse_date, parse_number, unstorable_characters
from services.reference import store as reference_store

MAX_TEXT = 300
CURRENCY = re.compile(r"^[A-Z]{3}$")


class FactError(ValueError):
    """A field the user typed is not acceptable; names the field."""


@dataclass(frozen=True)
class Field:
    name: str  # the column
    label: str
    kind: str  # text | date | number | integer | currency | choice
    required: bool = True
    choices: tuple[str, ...] = ()
    hint: str = ""
    future_ok: bool = False  # dates: an expiry may lie ahead, a published fact may not


@dataclass(frozen=True)
class FactKind:
    table: str
    title: str
    fields: tuple[Field, ...]


SOURCE = Field("source", "Source (link)", "text", False, hint="https://… or where you read it")
NOTE = Field("note", "Note", "text", False)
# A valuation uses a fundamental only from the day it became public (point in time).
PUBLISHED = Field("published", "Published on", "date", False,
                  hint="the day it became public (blank: assumed from the period)")
PUBLISHED_BASIS = Field("published_basis", "Publication date is", "choice", False,
                        choices=("known", "assumed"))
KINDS: dict[str, FactKind] = {k.table: k for k in (
    FactKind("targets", "Analyst targets", (
        Field("broker", "Broker", "text"),
        Field("date", "Date", "date"),
        Field("rating", "Rating", "text", False, hint="e.g. Buy, Overweight"),
        Field("price", "Target price", "number"),
        Field("currency", "Currency", "currency"),
        SOURCE, NOTE)),
    FactKind("lockups", "Lock-ups", (
        Field("holders", "Holders", "text", hint="e.g. cornerstone investors"),
        Field("shares", "Shares", "integer", False),
        Field("first_free_day", "Expiry (first day free)", "date", future_ok=True),
        SOURCE, NOTE)),
    FactKind("shares_outstanding", "Shares outstanding", (
        Field("as_of", "As of", "date"),
        Field("shares", "Shares", "integer"),
        PUBLISHED, PUBLISHED_BASIS,
        SOURCE, NOTE)),
    FactKind("revenue", "Revenue", (
        Field("period", "Period", "text", hint="e.g. FY2025, H1 2026"),
        Field("kind", "Kind", "choice", choices=("annual", "interim", "arr")),
        Field("period_end", "Period end", "date"),
        Field("months", "Months", "integer"),
        Field("amount", "Amount", "number"),
        Field("bound", "Amount is", "choice", False, choices=("exact", "at least", "at most"),
              hint="'at least' for a figure reported as \"more than\""),
        Field("currency", "Currency", "currency"),
        PUBLISHED, PUBLISHED_BASIS,
        SOURCE, NOTE)),
)}


@dataclass(frozen=True)
class FactRow:
    id: int
    values: dict[str, str]  # every field as text, ready to show or edit
    origin: str  # "bundled", "bundled, edited by you" or "added by you"


def origin_text(origin: str, user_edited: bool) -> str:
    if origin == "bundled":
        return "bundled, edited by you" if user_edited else "bundled"
    return "added by you"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def check_value(field: Field, text: str, today: dt.date) -> Any:
    """The typed text as the column's value; FactError naming the field when it is not one."""
    text = (text or "").strip()
    if not text:
        if field.required:
            raise FactError(f"{field.label} is required.")
        return "" if field.kind == "text" else None
    try:
        if field.kind == "text":
            if len(text) > MAX_TEXT or unstorable_characters(text) or "\t" in text:
                raise ValueError(f"keep it to {MAX_TEXT} characters on one line")
            return text
        if field.kind == "date":
            day = parse_date(text)
            latest = dt.date(2100, 1, 1) if field.future_ok else today
            if not dt.date(1990, 1, 1) <= day <= latest:
                raise ValueError(f"{day.isoformat()} is "
                                 f"{'in the future' if day > today else 'out of range'}")
            return day.isoformat()
        if field.kind == "currency":
            if not CURRENCY.match(text.upper()):
                raise ValueError(f"{text!r} is not a three-letter currency code")
            return text.upper()
        if field.kind == "choice":
            if text.lower() not in field.choices:
                raise ValueError(f"choose one of {', '.join(field.choices)}")
            return text.lower()
        number = parse_number(text, "the value")
        if not 0 < number < 1e15:
            raise ValueError("must be above zero")
        if field.kind == "integer":
            if number != math.floor(number):
                raise ValueError("must be a whole number")
            return int(number)
        return number
    except ValueError as error:
        raise FactError(f"{field.label}: {error}.") from None


class ReferenceEditor:
    """Add, edit and delete the facts of one kind for one symbol (Qt-free)."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock):
        self._conn = conn
        self._clock = clock

    def rows(self, kind: str, symbol: str) -> list[FactRow]:
        fields = KINDS[kind].fields
        return [FactRow(r["id"], {f.name: _text(r[f.name]) for f in fields},
                        origin_text(r["origin"], bool(r["user_edited"])))
                for r in reference_repo.fact_rows(self._conn, kind, symbol)]

    def defaults(self, kind: str, symbol: str) -> dict[str, str]:
        """What a new fact starts with: the instrument's currency, today."""
        instrument = reference_store.instruments(self._conn).get(symbol)
        today = trading_day(self._clock).isoformat()
        currency = instrument.currency if instrument else ""
        if kind == "revenue" and instrument and instrument.reporting_currency:
            currency = instrument.reporting_currency
        values = {"currency": currency, "date": today, "as_of": today, "published": today,
                  "published_basis": "known", "bound": "exact"}
        return {f.name: values.get(f.name, "") for f in KINDS[kind].fields}

    def check(self, kind: str, values: dict[str, str]) -> dict[str, Any]:
        today = trading_day(self._clock)
        checked = {f.name: check_value(f, values.get(f.name, ""), today)
                   for f in KINDS[kind].fields}
        if kind == "revenue" and not 1 <= checked["months"] <= 24:
            raise FactError("Months: a reporting period is 1 to 24 months.")
        if checked.get("bound", "exact") is None:
            checked["bound"] = "exact"
        if "published" in checked:
            if checked["published_basis"] is None:  # not chosen: a typed date is known
                checked["published_basis"] = "known" if checked["published"] else "assumed"
            if checked["published"] is None and checked["published_basis"] == "known":
                raise FactError("Published on: a known publication date needs the date "
                                "(or choose 'assumed').")
            if (kind == "revenue" and checked["published"] is not None
                    and checked["published"] < checked["period_end"]):
                raise FactError("Published on: a period's revenue is published after the "
                                "period ends.")
        return checked

    def add(self, kind: str, symbol: str, values: dict[str, str]) -> int:
        checked = self.check(kind, values)
        if symbol not in reference_store.instruments(self._conn):
            raise FactError(f"{symbol} is not on any watchlist.")
        with transaction(self._conn):
            return facts_repo.add_fact(self._conn, kind, {"symbol": symbol, **checked})

    def edit(self, kind: str, fact_id: int, values: dict[str, str]) -> None:
        checked = self.check(kind, values)
        with transaction(self._conn):
            facts_repo.edit_fact(self._conn, kind, fact_id, checked)

    def delete(self, kind: str, fact_id: int) -> None:
        with transaction(self._conn):
            facts_repo.delete_fact(self._conn, kind, fact_id)
