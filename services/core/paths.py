"""Where HarbourWatch keeps its files: the user's data, cache and config directories.

HARBOURWATCH_HOME puts all three under one folder (tests, portable installs); `--db` overrides
only the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "HarbourWatch"
# Beside the top-level packages in a checkout, in site-packages when installed, and in the
# PyInstaller bundle's folder (where this module's __file__ points): one rule for all three.
RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    cache_dir: Path
    config_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "harbourwatch.sqlite3"

    @property
    def demo_database(self) -> Path:
        return self.data_dir / "harbourwatch-demo.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.ini"


def home_problem() -> str | None:
    """Why HARBOURWATCH_HOME cannot hold HarbourWatch's folders, or None."""
    home = os.environ.get("HARBOURWATCH_HOME")
    if home and Path(home).exists() and not Path(home).is_dir():
        return (f"HARBOURWATCH_HOME={home} is a file, not a folder; point it at a folder (it "
                "holds the data, cache and settings). Nothing was changed.")
    return None


def default_paths() -> AppPaths:
    home = os.environ.get("HARBOURWATCH_HOME")
    if home:
        root = Path(home)
        return AppPaths(root / "data", root / "cache", root / "config")
    import platformdirs

    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )
