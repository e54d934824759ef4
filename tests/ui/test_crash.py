"""An error nobody expected is logged with its traceback and the trader is told where the log
is; a command's unexpected error is one line on stderr and the traceback in the log."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import context, dispatch
from cli.parser import parse_args
from services.app.logs import configure_logging
from services.core.paths import AppPaths
from ui.common.crash import make_excepthook


@pytest.fixture
def log_file(isolated_home: AppPaths) -> Iterator[Path]:
    root = logging.getLogger()
    before = list(root.handlers)
    path = configure_logging(isolated_home)
    assert path is not None
    yield path
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()


def test_the_excepthook_logs_the_traceback_and_names_the_log(log_file: Path) -> None:
    shown: list[tuple[str, str]] = []
    hook = make_excepthook(log_file, lambda title, text: shown.append((title, text)))
    try:
        raise ZeroDivisionError("a bug in a slot")
    except ZeroDivisionError:
        hook(*sys.exc_info())  # type: ignore[arg-type]
    text = log_file.read_text(encoding="utf-8")
    assert "CRITICAL" in text and "ZeroDivisionError: a bug in a slot" in text
    assert "Traceback" in text and "test_the_excepthook_logs_the_traceback" in text
    assert len(shown) == 1 and str(log_file) in shown[0][1]


def test_a_command_bug_is_one_line_and_a_logged_traceback(
    log_file: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object) -> list:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("services.watchlists.service.WatchlistService.rows", broken)
    args = parse_args(["--db", str(db_path), "show"])
    out, err = io.StringIO(), io.StringIO()
    assert dispatch(args, context(args, out, err)) == 1
    assert err.getvalue().count("\n") == 1 and "disk on fire" in err.getvalue()
    assert str(log_file) in err.getvalue() and "Traceback" not in err.getvalue()
    assert "RuntimeError: disk on fire" in log_file.read_text(encoding="utf-8")
