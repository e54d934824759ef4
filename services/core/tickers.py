"""Turning what a trader types, or a broker's file or TradingView writes, into the symbol Yahoo
knows."""

from __future__ import annotations

import re
import unicodedata


class TickerError(ValueError):
    """Raised with a message fit to show the user as it is."""


_HK_PREFIXES = ("HKEX:", "HKG:", "SEHK:", "HK:", "HK.")
_HK_SUFFIXES = (".HK", ".HKG")
# Exchange prefixes of TradingView and brokers (moomoo writes US.AAPL): Yahoo's suffix for each.
_EXCHANGE_PREFIXES = {
    "NASDAQ:": "", "NYSE:": "", "AMEX:": "", "NYSEARCA:": "", "ARCA:": "", "BATS:": "",
    "CBOE:": "", "OTC:": "", "US.": "", "TSE:": ".T", "JP.": ".T", "LSE:": ".L", "SSE:": ".SS",
    "SH.": ".SS", "SZSE:": ".SZ", "SZ.": ".SZ", "TSX:": ".TO", "ASX:": ".AX", "SGX:": ".SI",
    "SG.": ".SI", "XETR:": ".DE", "KRX:": ".KS", "TWSE:": ".TW",
}
_YAHOO_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,19}$")
_PREFIX = re.compile(r"^([A-Z][A-Z0-9_]{0,15}):")


def normalise_symbol(text: str) -> str:
    """`02513`, `2513`, `2513.hk`, `HKEX:02513`, `HK.02513` -> `2513.HK`; `aapl`, `NASDAQ:AAPL`,
    `US.AAPL` -> `AAPL`; `TSE:7203` -> `7203.T`.

    HKEX codes (up to 5 digits) become Yahoo's 4-digit form: `00100` -> `0100.HK`. Full-width
    digits and letters (typed with a CJK input method) count as their ASCII twins. Other input
    is upper-cased and checked for characters Yahoo symbols never contain.
    """
    shown = (text or "").strip()
    raw = unicodedata.normalize("NFKC", shown).upper().replace(" ", "")
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
    if raw.isascii() and raw.isdigit():
        return _hk_symbol(raw, shown)
    if hk:
        raise TickerError(f"{shown!r} is not an HKEX code: use digits, e.g. 2513.HK.")
    raw = _without_exchange_prefix(raw, shown)
    if not _YAHOO_SYMBOL.match(raw):
        raise TickerError(
            f"{shown!r} is not a ticker: use letters, digits, '.', '-', '=' or '^' "
            "(at most 20), e.g. 2513.HK, AAPL, BRK-B."
        )
    return raw


def _without_exchange_prefix(raw: str, shown: str) -> str:
    for prefix, suffix in _EXCHANGE_PREFIXES.items():
        if raw.startswith(prefix) and len(raw) > len(prefix):
            rest = raw[len(prefix):]
            return rest if rest.endswith(suffix) else rest + suffix
    unknown = _PREFIX.match(raw)
    if unknown:
        raise TickerError(f"{shown!r}: HarbourWatch does not know the exchange "
                          f"{unknown.group(1)}; type the Yahoo symbol instead, e.g. 2513.HK, "
                          "AAPL, 7203.T.")
    return raw


def _hk_symbol(digits: str, original: str) -> str:
    code = digits.lstrip("0")
    if not code:
        raise TickerError(f"{original!r} is not an HKEX code (it is all zeros).")
    if len(code) > 5:
        raise TickerError(f"{original!r} is not an HKEX code: they have at most 5 digits.")
    return f"{code.zfill(4)}.HK"


def is_hkex(symbol: str) -> bool:
    return symbol.endswith(".HK")


# HKEX allows delayed data to be redistributed no sooner than 15 minutes after the trade, and
# Yahoo's HKEX quotes are that late.
HKEX_DELAY_MIN = 15


def feed_delay_minutes(symbol: str) -> int:
    """How late Yahoo shows a symbol's trades (0 where no fixed delay is known)."""
    return HKEX_DELAY_MIN if is_hkex(symbol) else 0
