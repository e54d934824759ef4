"""What every hostile case needs: the command line run as a user runs it, and a snapshot of the
database (integrity, row counts, a digest of every table's contents) to show nothing changed.

A path that is no database (a text file, a folder) is snapshot as its bytes or its listing, so
"unchanged" means the same for every case.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cli.context import Context
from cli.main import dispatch
from cli.parser import parse_args
from services.core.clock import FixedClock
from services.market.feed_types import ErrorKind, FeedError, QuoteMeta
from tests.conftest import hkt

CLOCK = FixedClock(hkt(2026, 11, 23, 10, 15))


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def says(self, *words: str) -> bool:
        return all(w in self.err for w in words)


@dataclass(frozen=True)
class State:
    """What a path holds: for a database its integrity, row counts and a digest of every
    table; otherwise its bytes' digest or a folder's listing."""

    kind: str
    integrity: str = ""
    counts: tuple[tuple[str, int], ...] = ()
    digest: str = ""


def state(path: Path) -> State:
    if path.is_dir():
        return State("folder", digest=",".join(sorted(p.name for p in path.iterdir())))
    if not path.exists():
        return State("missing")
    raw = path.read_bytes()
    if not raw.startswith(b"SQLite format 3\x00"):
        return State("file", digest=hashlib.sha256(raw).hexdigest())
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:  # damaged: its bytes are what must not change
        conn.close()
        return State("damaged database", digest=hashlib.sha256(raw).hexdigest())
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        digest = hashlib.sha256()
        counts = []
        for table in tables:
            rows = sorted(repr(tuple(r)) for r in conn.execute(f'SELECT * FROM "{table}"'))
            counts.append((table, len(rows)))
            digest.update(f"{table}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(row.encode("utf-8", "surrogatepass"))
        return State("database", integrity, tuple(counts), digest.hexdigest())
    finally:
        conn.close()


def assert_sound(path: Path) -> None:
    snapshot = state(path)
    assert snapshot.kind == "database" and snapshot.integrity == "ok", snapshot


def run(*argv: str, verify: object = None) -> Result:
    """`main.py ARGS` in this process: argparse's own errors included (they exit)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            args = parse_args(list(argv))
        except SystemExit as stop:
            return Result(int(stop.code or 0), out.getvalue(), err.getvalue())
    ctx = Context(args.db_path, args.paths, args.demo, out, err, CLOCK, verify=verify)
    code = dispatch(args, ctx)
    result = Result(code, out.getvalue(), err.getvalue())
    assert "Traceback" not in result.err, result.err
    return result


def db_run(db: Path, *argv: str, verify: object = None) -> Result:
    return run("--db", str(db), *argv, verify=verify)


def known_to_yahoo(*symbols: str, currency: str = "USD"):
    """A verify function: these symbols exist (in `currency`), every other is unknown."""
    def verify(symbol: str) -> QuoteMeta:
        if symbol not in symbols:
            raise FeedError(ErrorKind.NOT_FOUND, symbol, "HTTP 404")
        hk = symbol.endswith(".HK")
        return QuoteMeta(symbol, "HKD" if hk else currency, 10.0, 0, None,
                         "Asia/Hong_Kong" if hk else "America/New_York",
                         "HKG" if hk else "NMS")
    return verify


def yahoo_unreachable(symbol: str) -> QuoteMeta:
    raise FeedError(ErrorKind.TRANSPORT, symbol, "cannot connect")


@contextlib.contextmanager
def unchanged(path: Path) -> Iterator[None]:
    """The block must leave `path` exactly as it found it (and a database sound)."""
    before = state(path)
    yield
    after = state(path)
    assert after == before, f"{path} changed: {before} -> {after}"
    if after.kind == "database":
        assert after.integrity == "ok"
