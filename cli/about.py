"""`--version`: HarbourWatch's version and what it runs on, the lines a bug report needs."""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence
from typing import Any

from services.app.about import VERSION, runtime_versions


def how_installed() -> str:
    if getattr(sys, "frozen", False):
        return f"bundle ({sys.executable})"
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", "") or ""
    return f"source checkout ({script})" if script.endswith(".py") else "installed package"


def qt_versions() -> list[tuple[str, str]]:
    """Qt as loaded (imported here only: the version is what Qt itself reports)."""
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except ImportError as error:
        return [("Qt", f"cannot be loaded ({error})")]
    return [("Qt", qVersion()), ("PySide6", PySide6.__version__)]


def version_text() -> str:
    rows = [*qt_versions(), *runtime_versions(),
            ("System", platform.platform()), ("Running", how_installed())]
    width = max(len(name) for name, _ in rows)
    return "\n".join([f"HarbourWatch {VERSION}",
                      *(f"  {name:<{width}}  {value}" for name, value in rows)])


class VersionAction(argparse.Action):
    """Prints version_text() and exits, like argparse's own version action (which would build
    the text, importing Qt and yfinance, on every start)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 **kwargs: Any):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(version_text(), flush=True)
        parser.exit()
