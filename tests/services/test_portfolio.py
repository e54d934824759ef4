"""Average-cost P&L against hand-computed cases."""

from __future__ import annotations

import datetime as dt

import pytest

from services.analytics import FxTable
from services.models import FxRate, Money, Price
from services.portfolio import OversoldError, Transaction, positions, value

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


def test_a_missing_rate_or_price_is_said_not_guessed() -> None:
    held = positions([tx("buy", 10, 150, 0, "AAPL", "USD"), tx("buy", 1, 1)])
    _, totals = value(held, {"AAPL": Price(160, "USD", 0, "yahoo")}, FxTable([]), "HKD", D)
    assert totals.market_value is None
    assert "no USD/HKD rate" in totals.missing and "no price for 2513.HK" in totals.missing
