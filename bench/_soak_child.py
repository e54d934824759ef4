"""Child process for bench/soak.py: one HarbourWatch process on a fast DEMO clock, reporting
its resident memory, the WAL's size and (the window) its live Qt objects once a simulated day.

    _soak_child.py headless|window HOME SPEED DAYS
    _soak_child.py idle HOME SECONDS     (the window on a Saturday at real speed: CPU only)

Prints `day N RSS_KB WAL_BYTES QOBJECTS` lines, then `done`; idle prints `cpu SECONDS`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cli.parser import parse_args
from services.core.clock import HONG_KONG, FastClock
from services.market.calendar import MarketClock
from services.market.demo_feed import demo_clock

SAMPLE_S = 0.25  # real seconds between looks at the clock


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Days:
    """Reports once per simulated day; `finished` once `days` of them have passed."""

    def __init__(self, clock: FastClock, wal: Path, days: int, objects=lambda: 0):
        self._clock, self._wal, self._days, self._objects = clock, wal, days, objects
        self._start = clock.now()
        self._reported = 0

    def look(self) -> bool:
        passed = int((self._clock.now() - self._start).total_seconds() // 86400)
        while self._reported < min(passed, self._days):
            self._reported += 1
            wal = self._wal.stat().st_size if self._wal.exists() else 0
            print(f"day {self._reported} {rss_kb()} {wal} {self._objects()}", flush=True)
        return self._reported >= self._days


def headless(home: Path, speed: float, days: int) -> None:
    from cli.main import context
    from cli.polling import run_headless

    args = parse_args(["--demo", "run", "--headless"])
    clock = fast_clock(speed)
    stop = threading.Event()
    tracker = Days(clock, Path(f"{args.db_path}-wal"), days)

    def watch() -> None:
        while not tracker.look():
            time.sleep(SAMPLE_S)
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    with Path(os.devnull).open("w") as quiet:
        run_headless(context(args, out=quiet), stop=stop, clock=clock)


def window(home: Path, speed: float, days: int) -> None:
    from PySide6.QtCore import QObject, QTimer

    from ui.app import application, launch

    args = parse_args(["--demo"])
    clock = fast_clock(speed)
    win = launch(args.db_path, args.paths, clock=clock, demo=True)
    app = application()
    tracker = Days(clock, Path(f"{args.db_path}-wal"), days,
                   lambda: len(win.findChildren(QObject)))

    def look() -> None:
        if tracker.look():
            app.quit()

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(int(SAMPLE_S * 1000))
    app.exec()
    win.close()


def idle(home: Path, seconds: float) -> None:
    from PySide6.QtCore import QTimer

    from ui.app import application, launch

    args = parse_args(["--demo"])
    saturday = dt.datetime(2026, 11, 28, 11, 0, tzinfo=HONG_KONG)
    win = launch(args.db_path, args.paths, clock=FastClock(saturday, 1.0), demo=True)
    app = application()
    begun: list[float] = []

    def begin() -> None:  # after start-up's one-off work (the first poll, the tray)
        begun.append(cpu())
        QTimer.singleShot(int(seconds * 1000), end)

    def end() -> None:
        print(f"cpu {cpu() - begun[0]:.3f}", flush=True)
        app.quit()

    QTimer.singleShot(15_000, begin)
    app.exec()
    win.close()


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def fast_clock(speed: float) -> FastClock:
    start = demo_clock(MarketClock(), dt.datetime.now(dt.UTC)).now()
    return FastClock(start, speed)


def main() -> None:
    mode, home = sys.argv[1], Path(sys.argv[2])
    os.environ["HARBOURWATCH_HOME"] = str(home)
    if mode == "idle":
        idle(home, float(sys.argv[3]))
    else:
        {"headless": headless, "window": window}[mode](home, float(sys.argv[3]),
                                                       int(sys.argv[4]))
    print("done", flush=True)


if __name__ == "__main__":
    main()
