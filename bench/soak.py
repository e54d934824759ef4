"""A simulated trading week: the headless runner and the window, each in DEMO mode on a fast
clock (one process each, one shared DEMO database), then the window idle on a Saturday.

Figures, each printed with its goal:
- resident memory growth per simulated day after the first (warm-up) day: goal <= 10 MB/day;
- the WAL's largest size seen at a day's end: goal <= 64 MB;
- the window's live Qt objects at each day's end (should not grow with polls);
- the window's CPU with the market closed, at real speed: goal <= 1 %. The baseline is the
  same process's own wall time (CPU seconds / wall seconds).

    .venv/bin/python bench/soak.py [--speed 600] [--days 5] [--symbols 20] [--idle 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHILD = Path(__file__).resolve().parent / "_soak_child.py"
MAIN = Path(__file__).resolve().parent.parent / "main.py"


def run(*args: str, home: Path) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "HARBOURWATCH_HOME": str(home)}
    done = subprocess.run([sys.executable, str(CHILD), args[0], str(home), *args[1:]],
                          env=env, capture_output=True, text=True, timeout=7200)
    if "done" not in done.stdout.split():
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout.splitlines()


def add_symbols(home: Path, count: int) -> None:
    """More symbols on the DEMO watchlist (unverified, as the DEMO accepts them)."""
    env = {**os.environ, "HARBOURWATCH_HOME": str(home)}
    for symbol in (f"{9000 + i}.HK" for i in range(count)):
        subprocess.run([sys.executable, str(MAIN), "--demo", "watchlist", "add", "Main", symbol],
                       env=env, check=True, capture_output=True, text=True)


def days(lines: list[str]) -> list[tuple[int, int, int, int]]:
    return [tuple(int(x) for x in line.split()[1:]) for line in lines if line.startswith("day")]


def report(name: str, samples: list[tuple[int, int, int, int]], objects: bool) -> None:
    print(f"{name}:")
    for day, rss, wal, qobjects in samples:
        extra = f", {qobjects:6d} Qt objects" if objects else ""
        print(f"  day {day}: RSS {rss / 1024:7.1f} MB, WAL {wal / 2**20:6.1f} MB{extra}")
    first, last = samples[0], samples[-1]
    growth = (last[1] - first[1]) / 1024 / max(1, last[0] - first[0])
    print(f"  RSS growth after day 1: {growth:+.2f} MB per simulated day   (goal <= 10)")
    print(f"  largest WAL: {max(s[2] for s in samples) / 2**20:.1f} MB   (goal <= 64)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=600.0)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--symbols", type=int, default=20, help="added to the two bundled")
    parser.add_argument("--idle", type=float, default=60.0, help="real seconds of idle CPU")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        add_symbols(home, args.symbols)
        print(f"{args.days} simulated days at {args.speed:.0f}x, {args.symbols + 2} symbols")
        report("headless runner", days(run("headless", str(args.speed), str(args.days),
                                           home=home)), False)
        report("window", days(run("window", str(args.speed), str(args.days), home=home)),
               True)
        cpu = next(float(line.split()[1]) for line in run("idle", str(args.idle), home=home)
                   if line.startswith("cpu"))
        print(f"window idle, market closed: {cpu:.2f} s CPU in {args.idle:.0f} s = "
              f"{100 * cpu / args.idle:.2f} %   (goal <= 1 %)")


if __name__ == "__main__":
    main()
