"""Writing export files so an interruption never leaves half a file: write a temporary file in
the same folder, flush it to disk, then rename it over the target in one step.

The target is where a symbolic link points (the link stays a link); a read-only target is
refused rather than replaced; a new file gets the mode the user's umask gives any new file,
an existing one keeps its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEW_FILE_MODE = 0o666  # less the umask, as for any file a program creates


class ExportRefusedError(OSError):
    """The target cannot be replaced (read-only, a folder); nothing was written."""


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(temp_path)`, then replace the target with the result; on failure the target
    is untouched and the temporary file is removed."""
    target = Path(path).resolve()  # through symbolic links, so the link is kept
    mode = _existing_mode(Path(path), target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _new_temp(target, mode)
    try:
        write(temp)
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        if mode is not None:
            temp.chmod(mode)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _existing_mode(path: Path, target: Path) -> int | None:
    """The mode of the file being replaced (None: a new file); ExportRefusedError when it is a
    folder or read-only (no write permission bit, or the system refuses writing)."""
    if not target.exists():
        return None
    if target.is_dir():
        raise ExportRefusedError(f"{path} is a folder; nothing was written. Choose a file name.")
    mode = stat.S_IMODE(target.stat().st_mode)
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise ExportRefusedError(f"{path} is read-only; nothing was written. Make it writable "
                                 "or choose another file.")
    return mode


def _new_temp(target: Path, mode: int | None) -> Path:
    """An empty temporary file beside the target, created with the umask's mode (mkstemp's
    0600 would make every export private whatever the user's umask)."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}{target.suffix}")
        try:
            os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY,
                             NEW_FILE_MODE if mode is None else 0o600))
            return temp
        except FileExistsError:
            continue


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
        writer.writerow([safe_cell(iso_text(value)) for value in row])


def iso_text(value: Any) -> Any:
    """Dates and times as ISO 8601 text in CSV and JSON (an XLSX keeps them as dates)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def restore_cell(value: str) -> str:
    """Undo safe_cell when reading our own files back."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value
