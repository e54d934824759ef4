"""Time to the first painted main window, against a bare PySide6 + pyqtgraph window.

Both are measured in this run, alternately, as wall time from spawning the process to the
window's first paint (interpreter start-up included for both). Prints medians and the ratio.
Goal: HarbourWatch at most 1.2x the bare window; its very first start (an empty home: schema
and bundled data) at most 1.3x.

    .venv/bin/python bench/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import alternating_medians

CHILD = Path(__file__).resolve().parent / "_startup_child.py"


def time_once(mode: str, home: Path) -> float:
    return time_lines(mode, home)[0]


def time_lines(mode: str, home: Path) -> list[float]:
    """Seconds from spawning the child to each line it prints: "painted" (its first paint),
    then "chart" in the `app-chart` mode."""
    # Bytecode as an installed app has it (pip and the bundle compile it; a checkout writes
    # it on its first run): with PYTHONDONTWRITEBYTECODE set, as on the test machine, every
    # start compiled HarbourWatch's modules from source while the bare window's pyqtgraph
    # loaded compiled.
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
           "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "HARBOURWATCH_HOME": str(home)}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(CHILD), mode, str(home)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert child.stdout is not None
    lines, times = [], []
    for line in child.stdout:
        times.append(time.perf_counter() - start)
        lines.append(line.strip())
    child.wait(timeout=60)
    if lines[:1] != ["painted"]:
        raise RuntimeError(f"{mode} did not paint (exit {child.returncode})")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        time_once("app", home)  # creates the database; warms the OS file cache for both
        time_once("bare", home)
        fresh = count()

        def first_start() -> float:  # an empty home each time: schema + bundled data
            return time_once("app", home / f"fresh{next(fresh)}")

        times = alternating_medians(args.runs, bare=lambda: time_once("bare", home),
                                    app=lambda: time_once("app", home), first=first_start)
    b, a, first = times["bare"], times["app"], times["first"]
    print(f"bare PySide6 + pyqtgraph window : {b * 1000:7.0f} ms (median of {args.runs})")
    print(f"HarbourWatch main window        : {a * 1000:7.0f} ms (median of {args.runs})")
    print(f"ratio app / bare                : {a / b:7.2f}x   (goal <= 1.20x)")
    print(f"first start (schema + bundled data): {first * 1000:7.0f} ms = {first / b:.2f}x bare"
          f"   (goal <= 1.30x)")


if __name__ == "__main__":
    main()
