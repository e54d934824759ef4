"""Reference facts read from the database as domain values."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol, TypeVar

from db import fx_repo, reference_repo
from services.core.fx import DailyRates, FxTable
from services.core.models import (
    Fundamentals,
    FxRate,
    Instrument,
    KeyFact,
    Lockup,
    Money,
    Provenance,
    ReferencePoint,
    Revenue,
    SharesCount,
    Target,
    ValuationBand,
)
from services.reference import yahoo_facts


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
    """Every instrument; one without a recorded name or listing date takes Yahoo's name and
    first trade date."""
    yahoo = {r["symbol"]: r for r in conn.execute(
        "SELECT symbol, name, first_trade FROM yahoo_fundamentals")}
    found = {}
    for r in reference_repo.fact_rows(conn, "instruments"):
        own = _instrument(r)
        instrument, theirs = own, yahoo.get(r["symbol"])
        if theirs is not None and instrument.listing_date is None and theirs["first_trade"]:
            instrument = replace(instrument, listing_date=_date(theirs["first_trade"]))
        if theirs is not None and instrument.name == instrument.symbol and theirs["name"]:
            instrument = replace(instrument, name=theirs["name"])
        if instrument != own and not r["source"]:  # the row holds no sourced fact of its own
            instrument = replace(instrument, provenance=Provenance(
                "Yahoo Finance: name and first trade date", yahoo_facts.CONFIDENCE,
                r["origin"]))
        found[r["symbol"]] = instrument
    return found


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
    """Share counts and revenue of every symbol (or one): bundled and user facts, and Yahoo's
    where a symbol has none of its own (services.reference.yahoo_facts)."""
    shares = tuple(
        SharesCount(r["symbol"], dt.date.fromisoformat(r["as_of"]), r["shares"], r["note"],
                    _provenance(r), _date(r["published"]), r["published_basis"] == "known")
        for r in reference_repo.fact_rows(conn, "shares_outstanding", symbol)
    )
    revenue = tuple(
        Revenue(r["symbol"], r["period"], r["kind"], dt.date.fromisoformat(r["period_end"]),
                r["months"], Money(r["amount"], r["currency"]), r["note"], _provenance(r),
                _date(r["published"]), r["published_basis"] == "known", r["bound"])
        for r in reference_repo.fact_rows(conn, "revenue", symbol)
    )
    counts, sales = group(shares), group(revenue)
    own = {s: Fundamentals(tuple(counts.get(s, ())), tuple(sales.get(s, ())))
           for s in counts.keys() | sales.keys()}
    return yahoo_facts.merged(own, yahoo_facts.fundamentals(conn, symbol))


def group(facts: Iterable[F]) -> dict[str, list[F]]:
    """Facts by symbol, each list in the order read."""
    grouped: dict[str, list[F]] = {}
    for fact in facts:
        grouped.setdefault(fact.symbol, []).append(fact)
    return grouped


def fx_rates(conn: sqlite3.Connection) -> list[FxRate]:
    """FX facts: bundled placeholders and any dated rate the user stored."""
    return [
        FxRate(r["base"], r["quote"], dt.date.fromisoformat(r["as_of"]), r["rate"], r["note"],
               _provenance(r), r["rate_low"], r["rate_high"])
        for r in reference_repo.fact_rows(conn, "fx_rates")
    ]


def daily_fx_rates(conn: sqlite3.Connection) -> list[DailyRates]:
    """The feed's daily rates (Yahoo's FX pairs), one series a pair."""
    by_pair: dict[tuple[str, str, str], tuple[list[dt.date], list[float]]] = {}
    for base, quote, day, rate, symbol in fx_repo.rate_tuples(conn):
        days, rates = by_pair.setdefault((base, quote, symbol), ([], []))
        days.append(dt.date.fromisoformat(day))
        rates.append(rate)
    return [DailyRates(base, quote, f"Yahoo {symbol} daily close", tuple(days), tuple(rates))
            for (base, quote, symbol), (days, rates) in by_pair.items()]


def fx_table(conn: sqlite3.Connection) -> FxTable:
    """Every rate a conversion may use: observed daily rates first, placeholders as the
    labelled fallback before the first fetch."""
    return FxTable(fx_rates(conn), daily_fx_rates(conn))


def key_facts(conn: sqlite3.Connection, symbol: str) -> list[KeyFact]:
    return [
        KeyFact(r["symbol"], r["topic"], r["label"], r["value"], _date(r["date"]),
                bool(r["opinion"]), r["note"], _provenance(r))
        for r in reference_repo.fact_rows(conn, "key_facts", symbol)
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
