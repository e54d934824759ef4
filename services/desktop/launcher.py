"""The command that starts this installation of HarbourWatch, for menu and autostart entries."""

from __future__ import annotations

import sys
from pathlib import Path


def launch_command() -> list[str]:
    """The bundle's executable, the installed `harbourwatch` script, or python + main.py."""
    if getattr(sys, "frozen", False):  # the PyInstaller bundle
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if script is not None and script.suffix == ".py":  # a source checkout: python main.py
        return [str(Path(sys.executable).absolute()), str(script)]
    if script is not None and script.is_file():  # the console script pip or pipx installed
        return [str(script)]
    return [str(Path(sys.executable).absolute()), "-m", "main"]
