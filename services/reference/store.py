"""Reference facts read from the database as domain values."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import Protocol, TypeVar

from db import reference_repo
from services.core.models import (
    Fundamentals,
    FxRate,
    Instrument,
    Lockup,
    Money,
    Provenance,
    ReferencePoint,
    Revenue,
    SharesCount,
    Target,
    ValuationBand,
)


class _PerSymbol(Protocol):
    @property
    def symbol(self) -> str: ...


F = TypeVar("F", bound=_PerSymbol)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _provenance(row: sqlite3.Row) -> Provenance:
    return Provenance(row["source"], row["confidence"], row["origin"], bool(row["user_edited"]))


def _instrument(r: sqlite3.Row) -> Instrument:
    return Instrument(
        symbol=r["symbol"], name=r["name"], currency=r["currency"], timezone=r["timezone"],
        exchange=r["exchange"], legal_name=r["legal_name"], local_name=r["local_name"],
        reporting_currency=r["reporting_currency"], listing_date=_date(r["listing_date"]),
        offer_price=r["offer_price"], board_lot=r["board_lot"], notes=r["notes"],
        provenance=_provenance(r),
    )


def instruments(conn: sqlite3.Connection) -> dict[str, Instrument]:
    return {r["symbol"]: _instrument(r) for r in reference_repo.fact_rows(conn, "instruments")}


def targets(conn: sqlite3.Connection, symbol: str | None = None) -> list[Target]:
    """A symbol's analyst targets (every symbol's with None: one read for a whole watchlist)."""
    return [
        Target(r["symbol"], r["broker"], dt.date.fromisoformat(r["date"]),
               Money(r["price"], r["currency"]), r["rating"], bool(r["date_approximate"]),
               r["note"], _provenance(r))
        for r in reference_repo.fact_rows(conn, "targets", symbol)
    ]


def lockups(conn: sqlite3.Connection, symbol: str | None = None) -> list[Lockup]:
    return [
        Lockup(r["symbol"], r["holders"], dt.date.fromisoformat(r["first_free_day"]),
               _date(r["locked_through"]), bool(r["date_exact"]), r["shares"],
               r["term_months"], r["note"], _provenance(r))
        for r in reference_repo.fact_rows(conn, "lockups", symbol)
    ]


def fundamentals(conn: sqlite3.Connection, symbol: str) -> Fundamentals:
    return all_fundamentals(conn, symbol).get(symbol, Fundamentals((), ()))


def all_fundamentals(conn: sqlite3.Connection, symbol: str | None = None
                     ) -> dict[str, Fundamentals]:
    """Share counts and revenue of every symbol (or one), in two reads."""
    shares = tuple(
        SharesCount(r["symbol"], dt.date.fromisoformat(r["as_of"]), r["shares"], r["note"],
                    _provenance(r))
        for r in reference_repo.fact_rows(conn, "shares_outstanding", symbol)
    )
    revenue = tuple(
        Revenue(r["symbol"], r["period"], r["kind"], dt.date.fromisoformat(r["period_end"]),
                r["months"], Money(r["amount"], r["currency"]), r["note"], _provenance(r))
        for r in reference_repo.fact_rows(conn, "revenue", symbol)
    )
    counts, sales = group(shares), group(revenue)
    return {s: Fundamentals(tuple(counts.get(s, ())), tuple(sales.get(s, ())))
            for s in counts.keys() | sales.keys()}


def group(facts: Iterable[F]) -> dict[str, list[F]]:
    """Facts by symbol, each list in the order read."""
    grouped: dict[str, list[F]] = {}
    for fact in facts:
        grouped.setdefault(fact.symbol, []).append(fact)
    return grouped


def fx_rates(conn: sqlite3.Connection) -> list[FxRate]:
    return [
        FxRate(r["base"], r["quote"], dt.date.fromisoformat(r["as_of"]), r["rate"], r["note"],
               _provenance(r))
        for r in reference_repo.fact_rows(conn, "fx_rates")
    ]


def valuation_bands(conn: sqlite3.Connection) -> list[ValuationBand]:
    return [
        ValuationBand(r["name"], r["ps_low"], r["ps_high"], r["meaning"], _provenance(r))
        for r in reference_repo.fact_rows(conn, "valuation_bands")
    ]


def reference_points(conn: sqlite3.Connection, symbol: str) -> list[ReferencePoint]:
    return [
        ReferencePoint(r["symbol"], dt.date.fromisoformat(r["date"]), r["close"], r["high"],
                       r["note"], _provenance(r))
        for r in reference_repo.fact_rows(conn, "reference_points", symbol)
    ]
