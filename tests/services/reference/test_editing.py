"""The trader's edits of reference data: checked field by field, marked as theirs, and kept
when a newer bundled file arrives."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from services.core.clock import FixedClock
from services.core.valuation import revenue_on
from services.reference import store
from services.reference.editing import KINDS, FactError, ReferenceEditor
from services.reference.loader import load_reference_data
from tests.conftest import hkt
from tests.services.reference.test_loader import bundled, dump, write

TARGET = {"broker": "CICC", "date": "2026-11-02", "rating": "Outperform", "price": "1,250",
          "currency": "hkd", "source": "https://example.org/cicc-note", "note": ""}


@pytest.fixture
def editor(app_db: sqlite3.Connection, clock: FixedClock) -> ReferenceEditor:
    return ReferenceEditor(app_db, clock)


def test_targets_added_edited_and_deleted(editor: ReferenceEditor) -> None:
    before = {r.id for r in editor.rows("targets", "2513.HK")}
    assert {r.origin for r in editor.rows("targets", "2513.HK")} == {"bundled"}
    new_id = editor.add("targets", "2513.HK", TARGET)
    added = next(r for r in editor.rows("targets", "2513.HK") if r.id == new_id)
    assert added.origin == "added by you"
    assert added.values["price"] == "1,250" and added.values["currency"] == "HKD"
    editor.edit("targets", new_id, {**TARGET, "price": "1300", "rating": "Buy"})
    edited = next(r for r in editor.rows("targets", "2513.HK") if r.id == new_id)
    assert (edited.values["price"], edited.values["rating"]) == ("1,300", "Buy")
    editor.delete("targets", new_id)
    assert {r.id for r in editor.rows("targets", "2513.HK")} == before


def test_a_users_edit_wins_over_a_newer_bundled_file(editor: ReferenceEditor,
                                                     app_db: sqlite3.Connection,
                                                     tmp_path: Path) -> None:
    ms = next(r for r in editor.rows("targets", "2513.HK")
              if r.values["broker"] == "Morgan Stanley")
    editor.edit("targets", ms.id, {**ms.values, "price": "1800", "note": "note of 20 Nov"})
    lockup = editor.rows("lockups", "2513.HK")[0]
    editor.delete("lockups", lockup.id)
    doc = bundled()
    for target in doc["targets"]:
        target["price"] += 5  # the newer file changes every target
    load_reference_data(app_db, write(tmp_path / "newer.json", doc))
    after = {r.id: r for r in editor.rows("targets", "2513.HK")}
    assert after[ms.id].values["price"] == "1,800"
    assert after[ms.id].origin == "bundled, edited by you"
    assert lockup.id not in {r.id for r in editor.rows("lockups", "2513.HK")}
    others = [r for r in after.values() if r.id != ms.id]
    assert others and all(r.origin == "bundled" for r in others)


def test_share_counts_and_revenue_with_their_dates(editor: ReferenceEditor) -> None:
    shares_id = editor.add("shares_outstanding", "0100.HK",
                           {"as_of": "2026-10-31", "shares": "305,000,000"})
    revenue_id = editor.add("revenue", "0100.HK", {
        "period": "H1 2026", "kind": "interim", "period_end": "2026-06-30", "months": "6",
        "amount": "95.5e6", "currency": "USD", "source": "interim report"})
    shares = {r.id: r for r in editor.rows("shares_outstanding", "0100.HK")}[shares_id]
    assert shares.values == {"as_of": "2026-10-31", "shares": "305000000", "published": "",
                             "published_basis": "assumed", "source": "", "note": ""}
    revenue = {r.id: r for r in editor.rows("revenue", "0100.HK")}[revenue_id]
    assert revenue.values["amount"] == "95,500,000" and revenue.values["kind"] == "interim"
    assert revenue.values["bound"] == "exact"
    assert editor.defaults("targets", "2513.HK")["currency"] == "HKD"


def test_a_fundamental_records_when_it_became_public(editor: ReferenceEditor,
                                                     app_db: sqlite3.Connection) -> None:
    new = {"period": "H1 2026", "kind": "interim", "period_end": "2026-06-30", "months": "6",
           "amount": "95.5e6", "bound": "at least", "currency": "USD",
           "published": "2026-08-28", "published_basis": "known"}
    editor.add("revenue", "0100.HK", new)
    revenue = store.fundamentals(app_db, "0100.HK").revenue
    figure = revenue_on(revenue, dt.date(2026, 8, 28), "annualised")
    assert figure is not None and figure.period == "H1 2026"
    assert (figure.published, figure.published_known, figure.bound) == (
        dt.date(2026, 8, 28), True, "at least")
    assert revenue_on(revenue, dt.date(2026, 8, 27), "annualised").period == "FY2025"
    with pytest.raises(FactError, match="published after the period ends"):
        editor.add("revenue", "0100.HK", {**new, "published": "2026-06-29"})
    with pytest.raises(FactError, match="known publication date needs the date"):
        editor.add("revenue", "0100.HK", {**new, "published": ""})


def test_today_is_hong_kong_today_at_one_in_the_morning(app_db: sqlite3.Connection) -> None:
    """01:00 HKT on 2026-11-24 is still 2026-11-23 in UTC: a target dated the 24th is today,
    not the future."""
    clock = FixedClock(hkt(2026, 11, 24, 1, 0))
    assert clock.now().astimezone(dt.UTC).date() == dt.date(2026, 11, 23)
    editor = ReferenceEditor(app_db, clock)
    assert editor.defaults("targets", "2513.HK")["date"] == "2026-11-24"
    editor.add("targets", "2513.HK", {**TARGET, "date": "2026-11-24"})
    with pytest.raises(FactError, match="in the future"):
        editor.add("targets", "2513.HK", {**TARGET, "date": "2026-11-25"})


BAD = [
    ("targets", {**TARGET, "broker": "  "}, "Broker is required"),
    ("targets", {**TARGET, "date": "31/31/2026"}, "Date:"),
    ("targets", {**TARGET, "date": "2027-01-05"}, "in the future"),
    ("targets", {**TARGET, "date": "1970-01-01"}, "out of range"),
    ("targets", {**TARGET, "price": "-5"}, "Target price: must be above zero"),
    ("targets", {**TARGET, "price": "abc"}, "is not a number"),
    ("targets", {**TARGET, "price": "nan"}, "finite"),
    ("targets", {**TARGET, "currency": "HK$"}, "three-letter currency"),
    ("targets", {**TARGET, "note": "x" * 301}, "300 characters"),
    ("targets", {**TARGET, "broker": "Bad\nname"}, "one line"),
    ("lockups", {"holders": "cornerstones", "shares": "12.5", "first_free_day": "2027-01-08"},
     "whole number"),
    ("lockups", {"holders": "cornerstones", "first_free_day": "soon"}, "Expiry"),
    ("shares_outstanding", {"as_of": "2026-10-31", "shares": "0"}, "above zero"),
    ("revenue", {"period": "FY", "kind": "weekly", "period_end": "2025-12-31", "months": "12",
                 "amount": "1", "currency": "USD"}, "annual, interim, arr"),
    ("revenue", {"period": "FY", "kind": "annual", "period_end": "2025-12-31", "months": "40",
                 "amount": "1", "currency": "USD"}, "1 to 24 months"),
]


@pytest.mark.parametrize(("kind", "values", "message"), BAD)
def test_bad_fields_are_named_and_change_nothing(editor: ReferenceEditor,
                                                 app_db: sqlite3.Connection, kind: str,
                                                 values: dict[str, str], message: str) -> None:
    before = dump(app_db)
    with pytest.raises(FactError, match=message):
        editor.add(kind, "2513.HK", values)
    some = editor.rows(kind, "2513.HK")
    if some:
        with pytest.raises(FactError, match=message):
            editor.edit(kind, some[0].id, values)
    assert dump(app_db) == before


def test_every_kind_has_the_fields_the_issue_names() -> None:
    names = {kind: {f.name for f in spec.fields} for kind, spec in KINDS.items()}
    assert {"broker", "date", "rating", "price", "currency", "source"} <= names["targets"]
    assert {"holders", "shares", "first_free_day", "source"} <= names["lockups"]
    assert {"as_of", "shares"} <= names["shares_outstanding"]
    assert {"period", "period_end", "amount", "currency"} <= names["revenue"]
