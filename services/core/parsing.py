"""Reading what a trader typed or a file holds: dates, numbers and short texts.

One implementation each, shared by imports, the reference editor, alert rules, the window and
the command line, so the same input is accepted or refused with the same words everywhere.
"""

from __future__ import annotations

import datetime as dt
import math

MAX_NOTE = 500
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d")


def parse_date(text: str) -> dt.date:
    """ValueError naming the text when it is no date in a common format."""
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text[:10] if fmt != "%Y%m%d" else text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD)")


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


def note_problem(note: str) -> str | None:
    """Why a free-text note cannot be stored, or None when it can."""
    if len(note) > MAX_NOTE:
        return f"The note is {len(note)} characters; keep it to {MAX_NOTE}."
    if any(ord(c) < 32 and c != "\t" for c in note):
        return "The note contains control characters."
    return None
