"""The events as an iCalendar file (RFC 5545) a calendar app imports or subscribes to.

Every event is an all-day VEVENT (DTSTART;VALUE=DATE, DTEND the next day) whose UID comes from
the fact behind it, so exporting again updates the events instead of duplicating them; the
DESCRIPTION names where the date comes from. Written atomically: a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from services.core.events import MARKET, DatedEvent
from services.files.atomic import write_atomically

PRODUCT_ID = "-//HarbourWatch//Events calendar//EN"


def calendar_bytes(events: Sequence[DatedEvent], stamp: dt.datetime, demo: bool = False) -> bytes:
    """`stamp` (the export time, UTC) is DTSTAMP; it never enters a UID."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "HarbourWatch events" + (" (DEMO)" if demo else ""))
    for event in events:
        entry = Event()
        entry.add("uid", event.uid)
        entry.add("dtstamp", stamp.astimezone(dt.UTC))
        entry.add("dtstart", event.day)
        entry.add("dtend", event.day + dt.timedelta(days=1))
        who = "" if event.symbol == MARKET else f"{event.symbol} "
        entry.add("summary", f"{who}{event.title}")
        lines = [f"Kind: {event.kind}", f"Source: {event.source}"]
        if event.detail:
            lines.append(event.detail)
        if event.at_earliest:
            lines.append("On or after this date (the exact day is not known).")
        entry.add("description", "\n".join(lines))
        entry.add("categories", [str(event.kind)])
        entry.add("transp", "TRANSPARENT")  # a reminder, not time the trader is busy
        calendar.add_component(entry)
    return calendar.to_ical()


def write_ics(path: Path, events: Sequence[DatedEvent], stamp: dt.datetime,
              demo: bool = False) -> None:
    data = calendar_bytes(events, stamp, demo)
    write_atomically(path, lambda temp: temp.write_bytes(data))
