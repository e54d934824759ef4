"""Reading a user's CSV file into rows with line numbers, or a clear reason why not.

Accepts UTF-8 (with or without a BOM) and UTF-16 with a BOM (Excel's "Unicode text"); the
delimiter is the one of `,` `;` tab that splits the header into the most columns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 100 * 1024 * 1024
MAX_COLUMNS = 1_000  # no watchlist, broker or price file comes near; a wider one is no table
DELIMITERS = (",", ";", "\t")


class FileProblemError(ValueError):
    """The file as a whole cannot be read; the message says why, fit for the user."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        """Line 0 is a problem of the rows together (a sell of more than was bought)."""
        return f"line {self.line}: {self.reason}" if self.line else f"all rows: {self.reason}"


@dataclass
class ImportReport:
    """What an import did, or would do."""

    read: int = 0
    added: int = 0
    already_there: int = 0
    ignored: int = 0  # rows that are no trades: cancelled orders, summaries, currency deals
    problems: list[RowProblem] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.read} rows read", f"{self.added} added"]
        if self.already_there:
            parts.append(f"{self.already_there} already there")
        if self.ignored:
            parts.append(f"{self.ignored} not trades (ignored)")
        if self.problems:
            parts.append(f"{len(self.problems)} bad rows")
        return ", ".join(parts)


class ImportRejectedError(ValueError):
    """Bad rows and no permission to skip them: nothing was imported."""

    def __init__(self, report: ImportReport):
        self.report = report
        shown = "\n".join(str(p) for p in report.problems[:20])
        more = len(report.problems) - 20
        super().__init__(f"Nothing was imported: {len(report.problems)} bad rows.\n{shown}"
                         + (f"\n… and {more} more" if more > 0 else ""))


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    path = Path(path)
    if not path.is_file():
        raise FileProblemError(f"{path} does not exist or is not a file.")
    size = path.stat().st_size
    if size > max_bytes:
        raise FileProblemError(f"{path.name} is {size / 2**20:,.0f} MB; the limit is "
                          f"{max_bytes / 2**20:,.0f} MB. Split the file.")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileProblemError(f"{path.name} is empty.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise FileProblemError(f"{path.name} is not UTF-8 text (line {line}). Save it as "
                          "'CSV UTF-8' and try again.") from None
    if "\x00" in text:
        raise FileProblemError(f"{path.name} looks like a binary file, not CSV text.")
    return text


Rows = list[tuple[int, list[str]]]


def sniff_delimiter(text: str) -> str:
    """The one of DELIMITERS that splits the first line into the most columns; csv.Error when
    none can read it (a field beyond the csv module's limit whichever the delimiter)."""
    first = text.split("\n", 1)[0]
    widths = {}
    failure: csv.Error | None = None
    for delimiter in DELIMITERS:
        try:
            widths[delimiter] = len(next(csv.reader([first], delimiter=delimiter)))
        except csv.Error as error:  # a wrong delimiter leaves one huge field
            failure = error
    if not widths:
        assert failure is not None
        raise failure
    return max(widths, key=lambda d: widths[d])


def check_header(header: list[str], path: Path) -> list[str]:
    """The header, or FileProblemError when it is too wide to be a table of ours."""
    if len(header) > MAX_COLUMNS:
        raise FileProblemError(
            f"{Path(path).name} has {len(header):,} columns in its first line; HarbourWatch "
            f"reads tables of at most {MAX_COLUMNS:,}. Is this the right file?")
    return header


def read_rows(path: Path, max_bytes: int = MAX_BYTES) -> tuple[list[str], Rows]:
    """(header, [(line number, cells)]) with blank lines skipped."""
    text = read_text(path, max_bytes)
    line = 1
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        header = check_header([h.strip() for h in next(reader)], path)
        rows = []
        for cells in reader:
            line = reader.line_num
            if any(c.strip() for c in cells):
                rows.append((line, cells))
    except csv.Error as error:
        raise FileProblemError(f"{Path(path).name}: line {line}: {error}.") from None
    return header, rows
