"""The window as a hostile user and a broken machine meet it: keys act on the table that has
the focus, destructive questions default to No, an inconsistent ledger is shown and mended, a
skipped row is never written, a database that cannot be used is named in a message box."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from db.errors import DatabaseBusyError
from services.core.clock import FixedClock
from services.core.paths import AppPaths
from tests.hostile.support import unchanged
from ui.app import launch, run_gui
from ui.common import crash, prompts
from ui.common.workers import WorkerPool
from ui.main_window import MainWindow

H = "date,symbol,side,quantity,price,fees,currency,note\n"


@pytest.fixture(autouse=True)
def worker_pool_ends() -> Iterator[None]:
    """The window's worker pool ends with each test, as it does when the app quits."""
    yield
    assert WorkerPool.shutdown_instance(5.0), "a background task was still running"


@pytest.fixture
def window(qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> MainWindow:
    win = launch(db_path, isolated_home, clock, start_feed=False, verify=None)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    win.activateWindow()
    return win


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every yes/no question the window asks, answered No."""
    asked: list[str] = []

    def answer(parent: object, title: str, text: str) -> bool:
        asked.append(title)
        return False

    from ui.alerts import panes
    from ui.portfolio import pane
    from ui.watchlist import actions
    for module in (panes, pane, actions):
        monkeypatch.setattr(module, "confirm", answer)
    return asked


def press_delete(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)


def test_del_acts_on_the_table_that_has_the_focus(qtbot, window: MainWindow, db_path: Path,
                                                  questions: list[str]) -> None:
    window.workspace.portfolio.record(_buy())
    window.select_symbol("2513.HK")
    window.alert_rules.preset_lockups()
    window.tabs.setCurrentWidget(window.portfolio)
    transactions = window.portfolio.transactions_table
    transactions.selectRow(0)
    with unchanged(db_path):
        press_delete(qtbot, transactions)
        assert questions == ["Delete transaction"]  # not "Remove symbol"
        window.tabs.setCurrentWidget(window.alert_rules)
        window.alert_rules.table.selectRow(0)
        press_delete(qtbot, window.alert_rules.table)
        assert questions[-1] == "Delete alert rule"
        press_delete(qtbot, window.table)
        assert questions == ["Delete transaction", "Delete alert rule", "Remove symbol"]


def test_destructive_questions_default_to_no(monkeypatch: pytest.MonkeyPatch, qtbot) -> None:
    seen: dict[str, object] = {}

    def question(parent: object, title: str, text: str, buttons: object,
                 default: object) -> QMessageBox.StandardButton:
        seen["default"] = default
        return default  # a stray Enter

    monkeypatch.setattr(QMessageBox, "question", question)
    assert prompts.confirm(None, "Remove symbol", "Remove 2513.HK?") is False
    assert seen["default"] == QMessageBox.StandardButton.No


def test_an_inconsistent_ledger_is_shown_and_mended_in_the_window(
        qtbot, window: MainWindow, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sqlite3.connect(db_path)
    conn.executescript("""
        INSERT INTO transactions (symbol, trade_date, side, quantity, price, fees, currency,
                                  created_at)
        VALUES ('2513.HK', '2026-03-02', 'buy', 100, 250, 0, 'HKD', 0),
               ('2513.HK', '2026-03-03', 'sell', 300, 260, 0, 'HKD', 0);
    """)
    conn.close()
    pane = window.portfolio
    window.tabs.setCurrentWidget(pane)
    pane.refresh()
    assert "The ledger does not add up" in pane.totals.text()
    assert pane.positions.rowCount() == 0 and pane.transactions.rowCount() == 2
    assert pane.transactions.index(0, 3).data().endswith("⛔")  # newest first: the sell
    assert "selling 300 2513.HK but only 100" in pane.warnings.text()
    from ui.portfolio import pane as pane_module

    monkeypatch.setattr(pane_module, "confirm", lambda *a: True)
    pane.transactions_table.selectRow(0)
    pane.delete_transaction()
    assert "Market value" in pane.totals.text() and pane.positions.rowCount() == 1
    assert window.workspace.portfolio.problems() == []


def test_the_import_dialog_never_writes_a_skipped_oversold_sell(
        qtbot, window: MainWindow, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(H + "2026-03-02,2513.HK,buy,100,250,0,HKD,\n"
                        "2026-03-03,2513.HK,sell,300,260,0,HKD,\n", encoding="utf-8")
    dialog = window.file_actions.open_import()
    dialog.set_file(str(path))
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=10_000)
    dialog.skip_bad.setChecked(True)
    dialog.start_import()
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=10_000)
    assert dialog.summary.text() == "Transactions: 2 rows read, 1 added, 1 bad rows"
    assert "skipped line 3: 2026-03-03: selling 300" in dialog.problems.toPlainText()
    assert window.workspace.portfolio.problems() == []
    assert len(window.workspace.portfolio.transactions()) == 1


@pytest.mark.parametrize(("case", "content", "words"), [
    ("a text file", b"not a database at all", "is not an SQLite database"),
    ("zero bytes", b"", "is empty (0 bytes)"),
])
def test_the_window_names_a_database_it_cannot_open(
        qtbot, tmp_path: Path, isolated_home: AppPaths, monkeypatch: pytest.MonkeyPatch,
        case: str, content: bytes, words: str) -> None:
    import ui.app

    path = tmp_path / "broken.sqlite3"
    path.write_bytes(content)
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(ui.app, "tell_startup_problem", lambda t, x: told.append((t, x)))
    monkeypatch.setattr(crash, "install", lambda log_file: None)
    with unchanged(path):
        assert run_gui(path, isolated_home) == 1
    assert told and told[0][0] == "HarbourWatch cannot open its database"
    assert words in told[0][1]


def test_a_busy_database_in_the_window_is_a_message_not_a_bug(tmp_path: Path) -> None:
    shown: list[tuple[str, str]] = []
    hook = crash.make_excepthook(tmp_path / "log", lambda t, x: shown.append((t, x)))
    hook(DatabaseBusyError, DatabaseBusyError("The database is busy: another program"), None)
    assert shown[0][0] == "HarbourWatch could not finish that"
    assert shown[0][1].startswith("The database is busy")


def test_the_window_refuses_a_read_only_export_and_a_bad_webhook(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.common import settings as cfg
    from ui.files import actions as file_actions
    from ui.window import commands

    warnings: list[str] = []
    target = tmp_path / "locked.csv"
    target.write_text("keep me")
    target.chmod(0o444)
    monkeypatch.setattr(file_actions, "ask_save_path", lambda *a: str(target))
    monkeypatch.setattr(file_actions, "warn", lambda parent, title, text: warnings.append(text))
    window.file_actions.export_table("transactions", "csv")
    assert warnings[-1].endswith("is read-only; nothing was written. Make it writable or "
                                 "choose another file.")
    assert target.read_text() == "keep me"

    monkeypatch.setattr(commands, "warn", lambda parent, title, text: warnings.append(text))
    for typed in ("ftp://example.com/x", "https://hooks.example.com/alerts"):
        monkeypatch.setattr(commands, "ask_text", lambda *a, typed=typed: typed)
        window.commands.set_webhook()
    assert "http:// or https://" in warnings[-1]
    assert cfg.WEBHOOK_URL.get(window._store) == "https://hooks.example.com/alerts"


def _buy():
    import datetime as dt

    from services.portfolio.holdings import Transaction

    return Transaction("2513.HK", dt.date(2026, 11, 2), "buy", 100, 700.0, 0.0, "HKD")
