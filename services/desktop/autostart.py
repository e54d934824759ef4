"""Start at login: an XDG autostart entry ($XDG_CONFIG_HOME/autostart/harbourwatch.desktop)
that launches the window minimised to the tray. The entry's presence is the setting's truth: a
trader who removes it in the desktop's own startup settings has turned it off."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from services.core.paths import RESOURCES
from services.desktop.entries import ENTRY_FILE, config_home, entry_text, write_entry

MINIMISED_FLAG = "--minimised"
COMMENT = "Keep polling prices and alerts from the tray after login"


def entry_path() -> Path:
    return config_home() / "autostart" / ENTRY_FILE


def enabled() -> bool:
    return entry_path().is_file()


def login_command(launcher: Sequence[str], options: Sequence[str] = ()) -> list[str]:
    """`launcher` with the global `options` (e.g. --db) opening the window in the tray."""
    return [*launcher, *options, "gui", MINIMISED_FLAG]


def enable(command: Sequence[str]) -> Path:
    # The icon by path: the menu entry's themed icons may not be installed.
    text = entry_text(command, str(RESOURCES / "icon.svg"), COMMENT,
                      [("X-GNOME-Autostart-enabled", "true")])
    write_entry(entry_path(), text)
    return entry_path()


def disable() -> bool:
    """Remove the entry; whether there was one."""
    path = entry_path()
    if not path.exists():
        return False
    path.unlink()
    return True
