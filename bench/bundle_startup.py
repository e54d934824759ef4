"""Start-up of the standalone bundle: time to its first painted main window, against
bench/startup.py's bare PySide6 + pyqtgraph window (run by this environment's Python).

Both are measured in this run, alternately, from spawning the process; the bundle's paint time
is the timestamp of its "main window painted" log line. Yahoo is pointed at a closed local port,
so the feed that starts after the paint reaches nothing. Build the bundle first:

    python3 dev.py bundle && .venv/bin/python bench/bundle_startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import alternating_medians
from bench.startup import time_once
from ui.app import PAINTED_MESSAGE

ROOT = Path(__file__).resolve().parent.parent
EXECUTABLE = ROOT / "build" / "dist" / "harbourwatch" / "harbourwatch"
CLOSED_PORT = "http://127.0.0.1:9"


def painted_times(log: Path) -> list[float]:
    if not log.exists():
        return []
    stamps = [line[:23] for line in log.read_text().splitlines() if PAINTED_MESSAGE in line]
    return [dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S,%f").timestamp() for s in stamps]


def time_bundle(executable: Path, home: Path) -> float:
    log = home / "data" / "logs" / "harbourwatch.log"
    before = len(painted_times(log))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
           "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "HARBOURWATCH_HOME": str(home), "HARBOURWATCH_FAKE_YAHOO": CLOSED_PORT}
    start = time.time()
    child = subprocess.Popen([str(executable)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(times := painted_times(log)) == before:
            if time.monotonic() > deadline or child.poll() is not None:
                raise RuntimeError("the bundle did not paint")
            time.sleep(0.05)
    finally:
        child.terminate()
        child.wait(timeout=60)
    return times[-1] - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--executable", type=Path, default=EXECUTABLE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        first = time_bundle(args.executable, home)  # empty home: schema + bundled data
        time_once("bare", home)
        times = alternating_medians(args.runs, bare=lambda: time_once("bare", home),
                                    bundle=lambda: time_bundle(args.executable, home))
    b, a = times["bare"], times["bundle"]
    print(f"bare PySide6 + pyqtgraph window : {b * 1000:7.0f} ms (median of {args.runs})")
    print(f"HarbourWatch bundle main window : {a * 1000:7.0f} ms (median of {args.runs})")
    print(f"ratio bundle / bare             : {a / b:7.2f}x")
    print(f"bundle's first start (schema + bundled data): {first * 1000:.0f} ms")


if __name__ == "__main__":
    main()
