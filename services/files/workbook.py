"""XLSX files through openpyxl: one sheet per table, text cells safe from formula injection and
from characters XML cannot carry; reading bounded before anything is inflated.

Excel limits sheet names to 31 characters and forbids `[ ] : * ? / \\`; two list names sharing
their first 31 characters must still get a sheet each, so sheet names are made legal and unique
and a Contents sheet says which table is on which sheet. An XLSX is a zip: a small file may
inflate to gigabytes (a zip bomb), so the declared sizes and the row count are bounded first.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from services.files.atomic import safe_cell, write_atomically
from services.files.tables import MAX_COLUMNS, FileProblemError

Sheet = tuple[Sequence[str], Iterable[Sequence[Any]]]
MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold (controls other than tab and newlines, lone surrogates, and
# U+FFFE/U+FFFF); each becomes U+FFFD, the replacement character.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_ROWS = 100_000
CONTENTS = "Contents"


def xml_safe(value: Any) -> Any:
    """Text a cell can hold; numbers pass unchanged."""
    return NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def _cell(value: Any) -> Any:
    """Excel has no time zones: a time is written as the wall-clock time it was given in (the
    exchange's), a real date-time cell rather than text."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def sheet_names(titles: Iterable[str], suffix: str = "") -> list[str]:
    """Legal sheet names, unique regardless of case, in the order of `titles`; `suffix` (e.g.
    " (DEMO)") is kept whole."""
    taken: set[str] = set()
    names = []
    for title in titles:
        base = FORBIDDEN_IN_SHEET_NAMES.sub("_", xml_safe(title)).strip().strip("'") or "Sheet"
        name, n = "", 1
        while not name or name.lower() in taken or name.lower() == "history":
            tail = f" ({n})" if n > 1 else ""
            room = MAX_SHEET_NAME - len(tail) - len(suffix)
            name = base[:room].rstrip().rstrip("'") + tail + suffix
            n += 1
        taken.add(name.lower())
        names.append(name)
    return names


def write(path: Path, sheets: dict[str, Sheet], demo: bool = False,
          contents: bool = False) -> None:
    """One sheet per entry of `sheets` (keyed by what the sheet holds, any length); with
    `contents`, a first sheet lists which table is on which sheet."""
    from openpyxl import Workbook  # imported here: only exports and imports need it

    suffix = " (DEMO)" if demo else ""
    names = sheet_names([CONTENTS, *sheets] if contents else sheets, suffix)
    tables = dict(zip(names[1:] if contents else names, sheets.items(), strict=True))

    def build(temp: Path) -> None:
        book = Workbook(write_only=True)
        if contents:
            index = book.create_sheet(names[0])
            index.append(["sheet", "holds"])
            for name, (title, _) in tables.items():
                index.append([xml_safe(name), safe_cell(xml_safe(title))])
        for name, (_, (header, rows)) in tables.items():
            sheet = book.create_sheet(name)
            sheet.append([xml_safe(h) for h in header])
            for row in rows:
                sheet.append([safe_cell(xml_safe(_cell(v))) for v in row])
        book.save(temp)

    write_atomically(path, build)


def check_archive(path: Path) -> None:
    """FileProblemError unless `path` is a zip whose entries inflate to a sane size."""
    name = Path(path).name
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise FileProblemError(f"{name} is not an XLSX workbook (not a zip archive: {error}). "
                               "Save it from Excel as .xlsx, or export CSV.") from None
    inflated = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ENTRIES or inflated > MAX_INFLATED_BYTES:
        raise FileProblemError(
            f"{name} would inflate to {inflated / 2**20:,.0f} MB in {len(entries):,} parts; "
            f"HarbourWatch reads workbooks of at most {MAX_INFLATED_BYTES / 2**20:,.0f} MB. "
            "Export the sheet as CSV instead.")


def read(path: Path, title: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(row number, cells as text)]) of the sheet named `title` (or its DEMO twin)."""
    from openpyxl import load_workbook

    check_archive(path)
    name = Path(path).name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileProblemError(f"{name} is not a readable XLSX workbook ({error}).") from None
    try:
        names = [n for n in book.sheetnames if n in (title, f"{title} (DEMO)")]
        if not names:
            raise FileProblemError(f"{name} has no sheet named {title!r} "
                                   f"(found: {', '.join(book.sheetnames)}).")
        rows = []
        for row in book[names[0]].iter_rows(values_only=True, max_col=MAX_COLUMNS):
            if len(rows) > MAX_ROWS:
                raise FileProblemError(f"{name}: the {title!r} sheet has more than "
                                       f"{MAX_ROWS:,} rows; split it.")
            rows.append(row)
    except FileProblemError:
        raise
    except Exception as error:  # a sheet whose XML is damaged
        raise FileProblemError(f"{name}: the {title!r} sheet cannot be read ({error}).") \
            from None
    finally:
        book.close()
    if not rows:
        raise FileProblemError(f"The {title!r} sheet is empty.")
    text = [["" if v is None else str(v) for v in row] for row in rows]
    return [h.strip() for h in text[0]], [(n, cells) for n, cells in enumerate(text[1:], 2)
                                          if any(c.strip() for c in cells)]
