"""A broken database and its surroundings: every command answers in one line with its exit
code, and whatever the file held is left exactly as it was."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import db.connection
from cli.context import Context
from cli.polling import run_headless
from services.app.database import open_app_database
from services.core.clock import FastClock
from services.core.paths import AppPaths
from services.market.poller import Poller
from tests.conftest import hkt
from tests.hostile.support import assert_sound, db_run, run, state, unchanged
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
PRICES = "date,open,high,low,close,volume\n" + "".join(
    f"{dt.date(2010, 1, 1) + dt.timedelta(days=i)},1,2,1,1.5,{i}\n" for i in range(3000))


def make_fresh(path: Path) -> Path:
    open_app_database(path).close()
    return path


def text_file(path: Path) -> Path:
    path.write_text("symbol,note\n2513.HK,not a database\n")
    return path


def empty_file(path: Path) -> Path:
    path.touch()
    return path


def folder(path: Path) -> Path:
    path.mkdir()
    return path


def truncated(path: Path) -> Path:
    make_fresh(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.truncate(path, path.stat().st_size // 2)
    return path


def newer_schema(path: Path) -> Path:
    make_fresh(path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('harbourwatch', 'm042_from_the_future', '2027-01-01')")
    return path


def foreign(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
        conn.execute("INSERT INTO recipes VALUES ('congee', 90)")
    return path


def read_only_file(path: Path) -> Path:
    make_fresh(path)
    path.chmod(0o444)
    return path


def read_only_folder(path: Path) -> Path:
    make_fresh(path)
    path.parent.chmod(0o555)
    return path


def below_a_file(path: Path) -> Path:
    blocker = path.parent / "blocker"
    blocker.write_text("a file where a folder should be")
    return blocker / "sub" / "hw.sqlite3"


def demo_database(path: Path) -> Path:
    open_app_database(path, demo=True).close()
    return path


@pytest.fixture
def place(tmp_path: Path) -> Iterator[Path]:
    """A folder of its own for the database, made writable again after the test."""
    folder_ = tmp_path / "place"
    folder_.mkdir()
    yield folder_ / "hw.sqlite3"
    folder_.chmod(0o755)
    for p in folder_.iterdir():
        if p.is_file():
            p.chmod(0o644)


CASES: list[tuple[str, Callable[[Path], Path], int, tuple[str, ...]]] = [
    ("text file", text_file, 1, ("is not an SQLite database",)),
    ("zero bytes", empty_file, 1, ("is empty (0 bytes)",)),
    ("a folder", folder, 1, ("is a folder, not a database file",)),
    ("truncated", truncated, 1, ("is damaged", "truncated")),
    ("newer schema", newer_schema, 1, ("newer version of HarbourWatch", "m042_from_the_future")),
    ("another program's database", foreign, 1, ("another program's SQLite database",)),
    ("read-only file", read_only_file, 1, ("is read-only",)),
    ("read-only folder", read_only_folder, 1, ("is read-only", "journal")),
    ("parent is a file", below_a_file, 1, ("cannot be created", "is a file, not a folder")),
    ("demo database opened for real prices", demo_database, 2, ("holds DEMO prices",)),
]
COMMANDS = [("show",), ("watchlist", "create", "Tech"), ("alerts", "list"),
            ("transactions", "check")]


@pytest.mark.parametrize(("what", "make", "code", "words"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_database_that_cannot_be_used_is_refused_and_left_alone(
        place: Path, what: str, make: Callable[[Path], Path], code: int,
        words: tuple[str, ...], command: tuple[str, ...]) -> None:
    path = make(place)
    with unchanged(path):
        result = db_run(path, *command)
    assert result.code == code, result
    assert result.says(*words), result.err
    assert result.err.count("\n") == 1, "one line"
    assert result.out == ""


def test_a_locked_database_is_waited_for_then_refused_and_works_when_free(
        db_path: Path, app_db: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db.connection, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, holding the lock
    try:
        with unchanged(db_path):
            result = db_run(db_path, "watchlist", "create", "Tech")
        assert result.code == 1
        assert result.err.count("waiting and trying again") == 2
        assert result.err.splitlines()[-1].startswith("The database is busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert db_run(db_path, "watchlist", "create", "Tech").code == 0


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Every new connection to a HarbourWatch database may not grow it: SQLite answers
    SQLITE_FULL exactly as on a full disk (yfinance's own cache databases are spared). Switch
    `on` off to free space again."""
    real = sqlite3.connect
    switch = {"on": True}

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real(*args, **kwargs)  # type: ignore[arg-type]
        if switch["on"] and str(args[0]).endswith(".sqlite3"):
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return conn

    monkeypatch.setattr(db.connection.sqlite3, "connect", connect)
    return switch


def test_a_full_disk_rolls_an_import_back_whole_and_the_next_one_works(
        db_path: Path, app_db: sqlite3.Connection, tmp_path: Path,
        disk_full: dict[str, bool]) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text(PRICES)
    with unchanged(db_path):
        result = db_run(db_path, "import", "prices", str(prices), "--symbol", "2513.HK")
    assert result.code == 1 and result.says("The disk is full", "nothing of this was stored")
    assert result.err.count("\n") == 1
    disk_full["on"] = False
    assert db_run(db_path, "import", "prices", str(prices), "--symbol", "2513.HK").code == 0
    assert_sound(db_path)


def test_a_full_disk_rolls_a_poll_back_whole_and_the_next_one_works(
        db_path: Path, poller: Poller, disk_full: dict[str, bool]) -> None:
    from services.app.database import explain

    with unchanged(db_path), pytest.raises(sqlite3.OperationalError) as error:
        poller.poll(force=True)
    assert explain(error.value).startswith("The disk is full")
    disk_full["on"] = False
    assert len(poller.poll(force=True).succeeded) == 2
    assert_sound(db_path)


@pytest.fixture
def mounted_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MB file system (root only): the disk really fills up."""
    where = tmp_path / "small-disk"
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)],
            capture_output=True).returncode != 0:
        pytest.skip("mounting a small file system needs root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_really_full_disk_rolls_an_import_back(mounted_tmpfs: Path, tmp_path: Path) -> None:
    path = make_fresh(mounted_tmpfs / "hw.sqlite3")
    filler = mounted_tmpfs / "filler"
    free = shutil.disk_usage(mounted_tmpfs).free
    filler.write_bytes(b"\0" * max(0, free - 48 * 1024))
    prices = tmp_path / "prices.csv"
    prices.write_text(PRICES)
    with unchanged(path):
        result = db_run(path, "import", "prices", str(prices), "--symbol", "2513.HK")
    assert result.code == 1 and result.says("The disk is full"), result
    filler.unlink()
    assert db_run(path, "import", "prices", str(prices), "--symbol", "2513.HK").code == 0


def test_the_headless_runner_keeps_going_while_another_writer_holds_the_lock(
        db_path: Path, isolated_home: AppPaths, poller: Poller,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db.connection, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    out, stop = io.StringIO(), threading.Event()
    clock = FastClock(hkt(2026, 11, 23, 10, 15), 60.0)
    runner = threading.Thread(target=run_headless, args=(
        Context(db_path, isolated_home, out=out), stop, clock, lambda: poller, 15))
    runner.start()
    try:
        wait_for(lambda: "poll failed: The database is busy" in out.getvalue(),
                 message=out.getvalue)
        holder.execute("ROLLBACK")
        wait_for(lambda: "2/2 symbols updated" in out.getvalue(), message=out.getvalue)
        assert runner.is_alive() and "Traceback" not in out.getvalue()
    finally:
        stop.set()
        runner.join(20)
        holder.close()
    assert_sound(db_path)


def test_harbourwatch_home_pointing_at_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    env = {**os.environ, "HARBOURWATCH_HOME": str(home)}
    result = subprocess.run([sys.executable, "main.py", "show"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "is a file, not a folder" in result.stderr
    assert home.read_text() == "not a folder"


def test_an_unwritable_data_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "data").write_text("a file where the data folder should be")
    monkeypatch.setenv("HARBOURWATCH_HOME", str(home))
    result = run("show")
    assert result.code == 1 and result.says("cannot be created", "is a file, not a folder")
    assert state(home / "data").kind == "file"


def test_an_unwritable_cache_folder_does_not_stop_prices(
        tmp_path: Path, db_path: Path, app_db: sqlite3.Connection, fake_yahoo: object,
        clock: object) -> None:
    import random

    from services.market.calendar import MarketClock
    from services.market.yahoo_source import YahooQuoteSource
    from tests.fake_yahoo import FakeYahooSession

    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    source = YahooQuoteSource(blocker / "yfinance",
                              FakeYahooSession(fake_yahoo.proxy_url),  # type: ignore[attr-defined]
                              timeout=2.0)
    poller = Poller(db_path, source, clock, MarketClock(),  # type: ignore[arg-type]
                    random.Random(1))
    try:
        outcome = poller.poll(force=True)
    finally:
        poller.close()
    assert len(outcome.succeeded) == 2
    assert blocker.read_text() == "a file where the cache folder should be"
