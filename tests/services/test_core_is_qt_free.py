"""Every module in services/ and db/ imports with Qt made unimportable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, pkgutil, sys
for banned in ("PySide6", "shiboken6", "pyqtgraph"):
    sys.modules[banned] = None  # any import of them now raises ImportError
for package in ("db", "services"):
    for info in pkgutil.iter_modules([package]):
        importlib.import_module(f"{package}.{info.name}")
print("ok")
"""


def test_services_and_db_import_without_qt() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
