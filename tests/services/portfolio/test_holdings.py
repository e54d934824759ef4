"""Average-cost P&L against hand-computed cases."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from services.core.clock import FixedClock, daily_bar_ts
from services.core.fx import FxTable
from services.core.models import FxRate, Money, Price, Provenance
from services.files.ledger_transfer import LedgerTransfer
from services.portfolio.holdings import (
    OversoldError,
    PortfolioService,
    Transaction,
    growth,
    positions,
    value,
)

D = dt.date(2026, 3, 2)


def tx(side: str, qty: float, price: float, fees: float = 0.0, symbol: str = "2513.HK",
       currency: str = "HKD", day: int = 0) -> Transaction:
    return Transaction(symbol, D + dt.timedelta(days=day), side, qty, price, fees, currency)


def test_partial_sells_with_fees_on_average_cost() -> None:
    held = positions([tx("buy", 100, 200, 10), tx("buy", 100, 300, 10, day=1),
                      tx("sell", 50, 400, 5, day=2)])["2513.HK"]
    # cost 20,010 + 30,010 = 50,020 for 200 -> 250.10 each; sell 50: proceeds 19,995,
    # cost 12,505 -> realised 7,490; 150 left at 37,515
    assert held.quantity == 150
    assert held.realised == pytest.approx(7_490)
    assert held.cost == pytest.approx(37_515)
    assert held.average_cost == pytest.approx(250.10)
    assert held.fees == 25


def test_selling_everything_then_buying_again_starts_a_new_cost() -> None:
    held = positions([tx("buy", 10, 100), tx("sell", 10, 120, day=1),
                      tx("buy", 5, 90, 1, day=2)])["2513.HK"]
    assert (held.quantity, held.realised, held.cost) == (5, pytest.approx(200), 451)


def test_overselling_is_refused() -> None:
    with pytest.raises(OversoldError, match="only 10"):
        positions([tx("buy", 10, 100), tx("sell", 11, 100, day=1)])


def test_two_currencies_total_in_the_base_currency() -> None:
    held = positions([tx("buy", 200, 250, 20), tx("buy", 10, 150, 1, "AAPL", "USD")])
    fx = FxTable([FxRate("USD", "HKD", D, 7.8)])
    prices = {"2513.HK": Price(300, "HKD", 0, "yahoo"), "AAPL": Price(160, "USD", 0, "yahoo")}
    priced, totals = value(held, prices, fx, "HKD", D)
    by = {p.symbol: p for p in priced}
    assert by["2513.HK"].unrealised == Money(200 * 300 - 50_020, "HKD")
    assert by["AAPL"].unrealised == Money(1_600 - 1_501, "USD")
    assert totals.market_value == Money(pytest.approx(60_000 + 1_600 * 7.8), "HKD")
    assert totals.unrealised == Money(pytest.approx(9_980 + 99 * 7.8), "HKD")
    assert by["AAPL"].weight == pytest.approx(12_480 / 72_480)
    in_usd = value(held, prices, fx, "USD", D)[1]
    assert in_usd.market_value.amount == pytest.approx(60_000 / 7.8 + 1_600)


def test_totals_say_what_they_rest_on() -> None:
    """A total built on a bundled reference price or a placeholder FX rate says so."""
    held = positions([tx("buy", 200, 250, 20), tx("buy", 10, 150, 1, "AAPL", "USD")])
    fx = FxTable([FxRate("USD", "HKD", D, 7.8, provenance=Provenance("HKMA", "approximate"),
                         low=7.75, high=7.85)])
    prices = {"2513.HK": Price(819, "HKD", daily_bar_ts(dt.date(2026, 9, 10)), "reference",
                               "digest", daily=True),
              "AAPL": Price(160, "USD", 0, "yahoo")}
    _, totals = value(held, prices, fx, "HKD", D)
    assert totals.caveats == ("2513.HK valued at the reference price 2026-09-10",
                              "USD/HKD converted at a placeholder rate (7.7500–7.8500), not an "
                              "observed one")


def test_today_is_hong_kong_today_at_one_in_the_morning(app_db: sqlite3.Connection) -> None:
    """01:00 HKT on 2026-11-24 is still the 23rd in UTC: a trade dated the 24th is today."""
    clock = FixedClock(dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert clock.now().astimezone(dt.UTC).date() == dt.date(2026, 11, 23)
    service = PortfolioService(app_db, clock)
    assert service.today() == dt.date(2026, 11, 24)
    service.record(Transaction("2513.HK", dt.date(2026, 11, 24), "buy", 100, 800, 0, ""))
    with pytest.raises(ValueError, match="in the future"):
        service.record(Transaction("2513.HK", dt.date(2026, 11, 25), "buy", 100, 800, 0, ""))


def test_a_missing_rate_or_price_is_said_not_guessed() -> None:
    held = positions([tx("buy", 10, 150, 0, "AAPL", "USD"), tx("buy", 1, 1)])
    _, totals = value(held, {"AAPL": Price(160, "USD", 0, "yahoo")}, FxTable([]), "HKD", D)
    assert totals.market_value is None
    assert "no USD/HKD rate" in totals.missing and "no price for 2513.HK" in totals.missing


def test_growth_leaves_money_in_and_out_out_of_the_return() -> None:
    # day 0: buy 1,000 -> worth 1,100; day 1: +10%; day 2: buy 1,210 more at an unchanged
    # price; day 3: sell half for 1,210 (price unchanged); day 4: the price halves.
    values = np.array([1_100.0, 1_210.0, 2_420.0, 1_210.0, 605.0])
    flows = np.array([1_000.0, 0.0, 1_210.0, -1_210.0, 0.0])
    assert growth(values, flows) == pytest.approx([1.1, 1.21, 1.21, 1.21, 0.605])
    gap = growth(np.array([100.0, np.nan, 150.0, 75.0]), np.array([100.0, 0, 0, 0]))
    assert np.isnan(gap[1]) and gap[[0, 2, 3]] == pytest.approx([1.0, 1.0, 0.5])


@pytest.fixture
def book(app_db: sqlite3.Connection, clock: FixedClock, tmp_path: Path) -> PortfolioService:
    prices = tmp_path / "prices.csv"
    prices.write_text("date,close\n2026-03-02,100\n2026-03-03,110\n2026-03-04,121\n"
                      "2026-03-05,60.5\n", encoding="utf-8")
    LedgerTransfer(app_db, clock).import_prices(prices, "2513.HK")
    return PortfolioService(app_db, clock)


def test_history_values_and_drawdown_by_hand(book: PortfolioService) -> None:
    book.record(tx("buy", 100, 100))
    book.record(tx("sell", 50, 121, day=2))
    ts, values, drawdown = book.history("HKD")
    assert ts.tolist() == [daily_bar_ts(D + dt.timedelta(days=d)) for d in range(4)]
    assert values.tolist() == [10_000, 11_000, 6_050, 3_025]
    # the sell halves the value but is not a loss; the halved price is
    assert drawdown == pytest.approx([0, 0, 0, -0.5])
    in_usd = book.history("USD")[1]  # bundled USD/HKD 7.8
    assert in_usd == pytest.approx(values / 7.8)
    assert np.isnan(book.history("EUR")[1]).all()  # no EUR rate stored: unknown, not zero


def test_recording_checks_each_transaction(book: PortfolioService, app_db: sqlite3.Connection
                                           ) -> None:
    first = book.record(tx("buy", 150, 100, 5))
    assert first.id is not None and first.currency == "HKD"
    assert book.board_lot_warnings() == [
        "2026-03-02 buy: 150 2513.HK is not a multiple of the board lot (100)"]
    sell = book.record(tx("sell", 100, 110, day=1))
    for bad, message in ((tx("sell", 51, 110, day=2), "only 50"),
                         (tx("buy", 1, 100, day=400), "in the future"),
                         (tx("buy", 0, 100), "above zero"),
                         (tx("buy", 1, 100, currency="USD"), "trades in HKD"),
                         (tx("buy", 1, 100, symbol="NOPE.HK"), "not on any watchlist")):
        with pytest.raises(ValueError, match=message):
            book.record(bad)
    with pytest.raises(OversoldError):
        book.delete(first.id)  # the later sell would then sell shares never bought
    assert [t.id for t in book.transactions()] == [first.id, sell.id]
    book.delete(sell.id)
    book.delete(first.id)
    assert book.transactions() == []
    assert "HKD" in book.base_currencies() and "USD" in book.base_currencies()
