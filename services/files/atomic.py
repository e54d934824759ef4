"""Writing export files so an interruption never leaves half a file: write a temporary file in
the same folder, flush it to disk, then rename it over the target in one step."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(temp_path)`, then replace `path` with the result; on failure `path` is
    untouched and the temporary file is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(temp))
        with Path(temp).open("rb") as handle:
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection in text cells; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    def write(temp: Path) -> None:
        with temp.open("w", newline="", encoding="utf-8") as handle:
            _write_rows(handle, header, rows)

    write_atomically(path, write)


def _write_rows(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])


def restore_cell(value: str) -> str:
    """Undo safe_cell when reading our own files back."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value
