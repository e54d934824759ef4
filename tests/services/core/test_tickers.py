from __future__ import annotations

import pytest

from services.core.tickers import TickerError, is_hkex, normalise_symbol


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        ("2513.HK", "2513.HK"),
        ("02513", "2513.HK"),
        ("2513", "2513.HK"),
        ("2513.hk", "2513.HK"),
        ("HKEX:2513", "2513.HK"),
        ("HKEX:02513", "2513.HK"),
        ("hkex:02513", "2513.HK"),
        ("  2513 ", "2513.HK"),
        ("00100", "0100.HK"),
        ("100", "0100.HK"),
        ("0100.HK", "0100.HK"),
        ("00100.HK", "0100.HK"),
        ("5", "0005.HK"),
        ("HKG:0700", "0700.HK"),
        ("aapl", "AAPL"),
        ("BRK-B", "BRK-B"),
        ("^HSI", "^HSI"),
        ("usdhkd=x", "USDHKD=X"),
        ("005930.KS", "005930.KS"),
    ],
)
def test_common_spellings_normalise(typed: str, symbol: str) -> None:
    assert normalise_symbol(typed) == symbol


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "0000", "HKEX:", "HKEX:ABC", "123456", "25 13?", "DROP TABLE;", "a" * 21,
     "2513.HK.HK.X!", "智谱"],
)
def test_garbage_gets_a_clear_error(typed: str) -> None:
    with pytest.raises(TickerError) as error:
        normalise_symbol(typed)
    assert str(error.value)  # a message fit to show the user
    assert "e.g." in str(error.value) or "Enter a ticker" in str(error.value) or "zeros" in str(
        error.value
    ) or "at most 5 digits" in str(error.value)


def test_is_hkex() -> None:
    assert is_hkex("2513.HK") and not is_hkex("AAPL")
