"""Desktop entry files (freedesktop.org Desktop Entry Specification): where they go and
how their text is written, the Exec line's quoting included."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

APP_ID = "harbourwatch"  # the entry's file name, the icon's name, the window's app id
ENTRY_FILE = f"{APP_ID}.desktop"
# Characters that make an Exec argument need quoting; inside quotes these four take a backslash.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = set('"`$\\')


def freedesktop() -> bool:
    """Whether this system's desktops read freedesktop entries (not Windows, not macOS)."""
    return os.name == "posix" and sys.platform != "darwin"


def data_home() -> Path:
    return _xdg_dir("XDG_DATA_HOME", Path.home() / ".local" / "share")


def config_home() -> Path:
    return _xdg_dir("XDG_CONFIG_HOME", Path.home() / ".config")


def _xdg_dir(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else default  # the spec's rule


def exec_argument(argument: str) -> str:
    """One argument of an Exec line: quoted when it must be, `%` doubled, and backslashes
    doubled again for the file's string escaping (the spec applies that before the quoting)."""
    if "\n" in argument or "\r" in argument:
        raise ValueError(f"a desktop entry cannot launch an argument with a line break: "
                         f"{argument!r}")
    text = argument.replace("%", "%%")
    if not text or any(c in _RESERVED for c in text):
        text = '"' + "".join("\\" + c if c in _ESCAPED_IN_QUOTES else c for c in text) + '"'
    return text.replace("\\", "\\\\")


def exec_line(command: Sequence[str]) -> str:
    return " ".join(exec_argument(a) for a in command)


def _value(text: str) -> str:
    """A string value: no line breaks, backslashes escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def entry_text(command: Sequence[str], icon: str, comment: str,
               extra: Sequence[tuple[str, str]] = ()) -> str:
    """A launcher entry for HarbourWatch running `command`."""
    exec_keys = [f"Exec={exec_line(command)}"]
    if Path(command[0]).is_absolute():  # menus hide an entry whose program has gone
        exec_keys.append(f"TryExec={_value(command[0])}")
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",  # the newest desktop-file-validate 0.26 (Debian 12) knows
        "Name=HarbourWatch",
        "GenericName=Stock Tracker",
        f"Comment={_value(comment)}",
        *exec_keys,
        f"Icon={_value(icon)}",
        "Terminal=false",
        "Categories=Office;Finance;",
        "Keywords=stocks;shares;HKEX;Hong Kong;portfolio;alerts;",
        *(f"{key}={_value(value)}" for key, value in extra),
    ]
    return "\n".join(lines) + "\n"


def write_entry(path: Path, text: str) -> None:
    """Written whole (a temporary file renamed), so a desktop watching the folder never reads
    half an entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
