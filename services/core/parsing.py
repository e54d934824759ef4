"""Reading what a trader typed or a file holds: dates, numbers and short texts.

One implementation each, shared by imports, the reference editor, alert rules, the window and
the command line, so the same input is accepted or refused with the same words everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

MAX_NOTE = 500
MAX_ID = 2**63 - 1  # SQLite's largest integer
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Year first (ISO, 2026/01/15, 2026年1月15日), compact (IB's 20260115 or 20260115;093000), day
# first (15/01/2026, 15.01.2026), month names (Jan 15, 2026 as moomoo writes; 15 Jan 2026). A
# time after the date is ignored: the trade date is the exchange's local date.
_DATES = (
    (re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(\d{4})(\d{2})(\d{2})(?![\d.:/-])"), "ymd"),
    (re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)"), "dmy"),
    (re.compile(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)"), "mdy"),
    (re.compile(r"(\d{1,2})[\s-]+([a-z]{3})[a-z]*\.?[\s-]+(\d{4})(?!\d)"), "dmy"),
)


def parse_date(text: str) -> dt.date:
    """ValueError naming the text when it is no date in a common format."""
    shown = text.strip()
    cleaned = unicodedata.normalize("NFKC", shown).lower()
    for pattern, order in _DATES:
        found = pattern.match(cleaned)
        if found is None:
            continue
        parts = dict(zip(order, found.groups(), strict=True))
        month = parts["m"]
        number = _MONTHS.index(month) + 1 if month in _MONTHS else \
            int(month) if month.isdigit() else 0
        try:
            return dt.date(int(parts["y"]), number, int(parts["d"]))
        except ValueError:
            break
    raise ValueError(f"{shown!r} is not a date (use YYYY-MM-DD)")


def parse_number(text: str, what: str) -> float:
    """A finite number, thousands separators allowed; ValueError naming `what` otherwise."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"{what} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    return value


def parse_whole_number(text: str, what: str) -> int:
    """A whole number (an id, a count): `1.5` is refused instead of read as 1."""
    value = parse_number(text, what)
    if not value.is_integer():
        raise ValueError(f"{what} must be a whole number (got {text.strip()!r})")
    return int(value)


def parse_id(text: str, what: str) -> int:
    """A stored row's id: a whole number from 1 to SQLite's largest integer."""
    value = parse_whole_number(text, what)
    if not 1 <= value <= MAX_ID:
        raise ValueError(f"{what} must be from 1 to {MAX_ID} (got {text.strip()!r})")
    return value


def unstorable_characters(text: str) -> bool:
    """Control characters (a tab aside) and lone surrogates: the first break a table or a file
    line, the second cannot be stored as UTF-8 at all (bytes that were not UTF-8 arrive so).
    Every other Unicode character, emoji and right-to-left text included, is kept."""
    return any(unicodedata.category(c) in ("Cc", "Cs") and c != "\t" for c in text)


def note_problem(note: str) -> str | None:
    """Why a free-text note cannot be stored, or None when it can."""
    if len(note) > MAX_NOTE:
        return f"The note is {len(note)} characters; keep it to {MAX_NOTE}."
    if unstorable_characters(note):
        return "The note contains control characters or bytes that are not text."
    return None
