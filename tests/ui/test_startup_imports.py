"""What the window loads before its first paint: only what draws it. numpy, the alert engine, the
poll cycle (urllib), the poller and sqlite-utils load later, when first used; a start that
loads them again is what made start-up slow (bench/startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QLabel

from services.core.clock import FixedClock
from services.core.paths import AppPaths
from ui.app import launch
from ui.charts.price_chart import PriceChart
from ui.charts.tabs import PRICE
from ui.common import settings as cfg

ROOT = Path(__file__).resolve().parents[2]
LATER = ("numpy", "pyqtgraph", "sqlite_utils", "pandas", "yfinance", "urllib.request",
         "services.alerts.evaluation", "services.app.poll_cycle", "services.market.poller",
         "services.charts.service", "services.events.overhang")

PROBE = """
import sys
from pathlib import Path
from services.core.paths import AppPaths
from ui.app import application, launch
from ui.common.first_paint import FirstPaint

home = Path(sys.argv[1])
window = launch(home / "db.sqlite3", AppPaths(home / "data", home / "cache", home / "config"),
                verify=None)
app = application()

def painted() -> None:
    print(" ".join(sorted(name for name in sys.argv[2:] if name in sys.modules)), flush=True)
    print("painted", flush=True)
    app.quit()

FirstPaint(window, painted)
app.exec()
"""


def loaded_at_first_paint(home: Path) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HARBOURWATCH_HOME": str(home)}
    result = subprocess.run([sys.executable, "-c", PROBE, str(home), *LATER], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and lines[-1:] == ["painted"], result.stderr
    return lines[0].split() if len(lines) > 1 else []


def test_first_and_usual_start_paint_without_what_comes_later(tmp_path: Path) -> None:
    assert loaded_at_first_paint(tmp_path) == []  # a new home: schema and bundled data
    assert (tmp_path / "db.sqlite3").exists()
    assert loaded_at_first_paint(tmp_path) == []  # the usual start


def test_a_chart_left_open_is_built_once_the_window_has_painted(
        qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> None:
    """The last session left the price chart open: the window paints with the table and a
    "Loading" line in that tab, and the chart follows, filled."""
    store = cfg.open_settings(isolated_home.settings_file)
    cfg.DETAIL_TAB.set(store, PRICE)
    store.sync()
    window = launch(db_path, isolated_home, clock, start_feed=False)  # shown, not yet painted
    qtbot.addWidget(window)
    holder = window.tabs.widget(PRICE)
    assert window.tabs.currentIndex() == PRICE
    assert [label.text() for label in holder.findChildren(QLabel)] == [
        "Loading the price chart…"]
    assert not holder.findChildren(PriceChart)
    qtbot.waitUntil(lambda: bool(holder.findChildren(PriceChart)))
    assert window.price_chart.data is not None and len(window.price_chart.data.bars) > 0
    qtbot.waitUntil(lambda: not [label for label in holder.findChildren(QLabel)
                                 if label.text().startswith("Loading")])
