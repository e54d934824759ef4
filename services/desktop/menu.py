"""The application menu entry and its icons in the user's data directory (no root needed):
$XDG_DATA_HOME/applications/harbourwatch.desktop and the hicolor icon theme's sizes."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from services.core.paths import RESOURCES
from services.desktop.entries import APP_ID, ENTRY_FILE, data_home, entry_text, write_entry

ICON_SOURCE = RESOURCES / "icons" / "hicolor"  # NxN/apps/harbourwatch.png, as installed
SCALABLE_SOURCE = RESOURCES / "icon.svg"
COMMENT = "Prices, valuation and alerts for Hong Kong-listed stocks"


def entry_path() -> Path:
    return data_home() / "applications" / ENTRY_FILE


def icon_theme_dir() -> Path:
    return data_home() / "icons" / "hicolor"


def icon_files() -> list[tuple[Path, Path]]:
    """(bundled file, installed file) for every icon size, the scalable SVG last."""
    theme = icon_theme_dir()
    pairs = [(png, theme / png.relative_to(ICON_SOURCE))
             for png in sorted(ICON_SOURCE.glob(f"*/apps/{APP_ID}.png"))]
    pairs.append((SCALABLE_SOURCE, theme / "scalable" / "apps" / f"{APP_ID}.svg"))
    return pairs


def install(command: Sequence[str]) -> list[Path]:
    """Write the icons, then the entry launching `command`; the files written."""
    written = []
    for source, target in icon_files():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    text = entry_text(command, APP_ID, COMMENT, [("StartupNotify", "true"),
                                                 ("StartupWMClass", "HarbourWatch")])
    write_entry(entry_path(), text)
    written.append(entry_path())
    _touch(icon_theme_dir())  # icon caches compare the theme folder's time
    return written


def uninstall() -> list[Path]:
    """Remove the entry and the icons install() wrote; the files removed."""
    removed = []
    for path in [entry_path(), *(target for _, target in icon_files())]:
        if path.exists():
            path.unlink()
            removed.append(path)
    if icon_theme_dir().exists():
        _touch(icon_theme_dir())
    return removed


def _touch(folder: Path) -> None:
    folder.touch(exist_ok=True)
