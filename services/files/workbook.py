"""XLSX files through openpyxl: one sheet per table, text cells safe from formula injection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from services.files.atomic import safe_cell, write_atomically
from services.files.tables import FileProblemError

Sheet = tuple[Sequence[str], Iterable[Sequence[Any]]]


def write(path: Path, sheets: dict[str, Sheet], demo: bool = False) -> None:
    from openpyxl import Workbook  # imported here: only exports and imports need it

    def build(temp: Path) -> None:
        book = Workbook(write_only=True)
        for title, (header, rows) in sheets.items():
            sheet = book.create_sheet(f"{title} (DEMO)" if demo else title)
            sheet.append(list(header))
            for row in rows:
                sheet.append([safe_cell(v) for v in row])
        book.save(temp)

    write_atomically(path, build)


def read(path: Path, title: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(row number, cells as text)]) of the sheet named `title` (or its DEMO twin)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise FileProblemError(f"{Path(path).name} is not a readable XLSX workbook ({error}).") \
            from None
    names = [n for n in book.sheetnames if n in (title, f"{title} (DEMO)")]
    if not names:
        raise FileProblemError(f"{Path(path).name} has no sheet named {title!r} "
                          f"(found: {', '.join(book.sheetnames)}).")
    rows = list(book[names[0]].iter_rows(values_only=True))
    book.close()
    if not rows:
        raise FileProblemError(f"The {title!r} sheet is empty.")
    text = [["" if v is None else str(v) for v in row] for row in rows]
    return [h.strip() for h in text[0]], [(n, cells) for n, cells in enumerate(text[1:], 2)
                                          if any(c.strip() for c in cells)]
