"""Turning what a trader types into the symbol Yahoo knows."""

from __future__ import annotations

import re


class TickerError(ValueError):
    """Raised with a message fit to show the user as it is."""


_HK_PREFIXES = ("HKEX:", "HKG:", "SEHK:", "HK:")
_HK_SUFFIXES = (".HK", ".HKG")
_YAHOO_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,19}$")


def normalise_symbol(text: str) -> str:
    """`02513`, `2513`, `2513.hk`, `HKEX:02513` -> `2513.HK`; `aapl` -> `AAPL`.

    HKEX codes (up to 5 digits) become Yahoo's 4-digit form: `00100` -> `0100.HK`. Other input
    is upper-cased and checked for characters Yahoo symbols never contain.
    """
    raw = (text or "").strip().upper().replace(" ", "")
    if not raw:
        raise TickerError("Enter a ticker, for example 2513.HK or 0100.")
    hk = False
    for prefix in _HK_PREFIXES:
        if raw.startswith(prefix):
            raw, hk = raw[len(prefix) :], True
            break
    for suffix in _HK_SUFFIXES:
        if raw.endswith(suffix):
            raw, hk = raw[: -len(suffix)], True
            break
    if raw.isdigit():
        return _hk_symbol(raw, text)
    if hk:
        raise TickerError(f"{text.strip()!r} is not an HKEX code: use digits, e.g. 2513.HK.")
    if not _YAHOO_SYMBOL.match(raw):
        raise TickerError(
            f"{text.strip()!r} is not a ticker: use letters, digits, '.', '-', '=' or '^' "
            "(at most 20), e.g. 2513.HK, AAPL, BRK-B."
        )
    return raw


def _hk_symbol(digits: str, original: str) -> str:
    code = digits.lstrip("0")
    if not code:
        raise TickerError(f"{original.strip()!r} is not an HKEX code (it is all zeros).")
    if len(code) > 5:
        raise TickerError(f"{original.strip()!r} is not an HKEX code: they have at most 5 digits.")
    return f"{code.zfill(4)}.HK"


def is_hkex(symbol: str) -> bool:
    return symbol.endswith(".HK")


# HKEX allows delayed data to be redistributed no sooner than 15 minutes after the trade, and
# Yahoo's HKEX quotes are that late.
HKEX_DELAY_MIN = 15


def feed_delay_minutes(symbol: str) -> int:
    """How late Yahoo shows a symbol's trades (0 where no fixed delay is known)."""
    return HKEX_DELAY_MIN if is_hkex(symbol) else 0
