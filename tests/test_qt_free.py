"""Every module in services/, db/ and cli/ imports with Qt made unimportable (import-linter
checks the imports it can see; this catches the ones made at run time, e.g. plugins)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib, pkgutil, sys
for banned in ("PySide6", "shiboken6", "pyqtgraph"):
    sys.modules[banned] = None  # any import of them now raises ImportError
for package in ("db", "services", "cli"):
    importlib.import_module(package)
    for info in pkgutil.walk_packages([package], prefix=f"{package}."):
        importlib.import_module(info.name)
print("ok")
"""


def test_services_db_and_cli_import_without_qt() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
