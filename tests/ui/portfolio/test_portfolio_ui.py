"""Watchlists, the portfolio tab, the import dialog, exports and the reference-data editor,
driven through the window as a trader would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest

from services.core.clock import FixedClock
from services.core.paths import AppPaths
from services.market.yahoo_source import YahooQuoteSource
from tests.fake_yahoo import FakeSymbol, FakeYahoo, FakeYahooSession
from ui.app import launch
from ui.files import actions as file_actions
from ui.main_window import MainWindow
from ui.portfolio import pane as portfolio_pane
from ui.reference import dialog as reference_dialog
from ui.watchlist import actions as watchlist_actions

PRICES = "date,open,high,low,close\n2026-11-18,100,101,99,100\n2026-11-19,100,111,100,110\n" \
         "2026-11-20,110,111,104,105\n"


@pytest.fixture
def window(qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock,
           fake_yahoo: FakeYahoo, tmp_path: Path) -> MainWindow:
    fake_yahoo.symbols["0700.HK"] = FakeSymbol("0700.HK", "HKD",
                                               fake_yahoo.symbols["2513.HK"].minute_bars)
    source = YahooQuoteSource(tmp_path / "yf", FakeYahooSession(fake_yahoo.proxy_url),
                              timeout=2.0)
    win = launch(db_path, isolated_home, clock, start_feed=False,
                 verify=lambda symbol: source.fetch(symbol, "1d", "5d", None).meta)
    qtbot.addWidget(win)
    return win


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """The trader's answers to the window's questions, and the warnings it showed."""
    given: dict[str, list] = {"text": [], "choice": [], "warnings": []}
    for module in (watchlist_actions, portfolio_pane, reference_dialog, file_actions):
        for name, fake in (("ask_text", lambda *a: given["text"].pop(0)),
                           ("ask_choice", lambda *a: given["choice"].pop(0)),
                           ("confirm", lambda *a: True),
                           ("warn", lambda parent, title, text: given["warnings"].append(text))):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, fake)
    return given


def symbols(window: MainWindow) -> list[str]:
    return [row.symbol for row in window.model.rows()]


def test_watchlists_are_made_filled_and_rearranged_in_the_window(
        qtbot, window: MainWindow, answers: dict[str, list]) -> None:
    actions = window.watchlist_actions
    answers["text"].append("Tech")
    actions.new_list()
    assert window.current_watchlist() == "Tech" and symbols(window) == []
    answers["text"].append("Main")
    actions.new_list()
    assert answers["warnings"].pop() == "A watchlist named 'Main' already exists."

    dialog = actions.add_symbol()
    for typed, expected in (("700", "Added 0700.HK (HKG, HKD)."),
                            ("9999", "Not added: Yahoo Finance does not know 9999.HK."),
                            ("HK$$", "Not added:")):
        dialog.symbol.setText(typed)
        dialog.submit()
        qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=10_000)
        assert dialog.status.text().startswith(expected)
    assert symbols(window) == ["0700.HK"]

    window.select_symbol("0700.HK")
    answers["choice"].append("Main")
    actions.move_to_list()
    assert symbols(window) == []
    window.watchlist_box.setCurrentText("Main")
    assert symbols(window) == ["2513.HK", "0100.HK", "0700.HK"]
    window.select_symbol("0700.HK")
    actions.move_by(-1)
    assert symbols(window) == ["2513.HK", "0700.HK", "0100.HK"]
    assert window.selected_symbol() == "0700.HK"
    answers["text"].append("core\x07holding")
    actions.edit_note()
    assert "control characters" in answers["warnings"].pop()
    answers["text"].append("core holding")
    actions.edit_note()
    assert window.workspace.editor.note("Main", "0700.HK") == "core holding"
    actions.remove_symbol()
    assert symbols(window) == ["2513.HK", "0100.HK"]
    window.watchlist_box.setCurrentText("Tech")
    actions.delete_list()
    assert [window.watchlist_box.itemText(i) for i in range(window.watchlist_box.count())] \
        == ["Main"]
    actions.delete_list()
    assert answers["warnings"].pop() == "Keep at least one watchlist."


def test_portfolio_tab_records_values_and_charts_holdings(
        qtbot, window: MainWindow, answers: dict[str, list], tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text(PRICES, encoding="utf-8")
    window.workspace.ledger.import_prices(prices, "2513.HK")
    window.select_symbol("2513.HK")
    dialog = window.portfolio.record_transaction()
    dialog.quantity.setText("150")
    assert "not a multiple of the board lot (100)" in dialog.hint.text()
    dialog.price.setText("-1")
    dialog.try_save()
    assert "price -1 must be above zero" in dialog.errors.text().lower() and dialog.isVisible()
    dialog.price.setText("100")
    dialog.fees.setText("15")
    dialog.date.setDate(dialog.date.date().addDays(-5))  # 2026-11-18
    dialog.try_save()
    assert not dialog.isVisible()
    pane = window.portfolio
    assert pane.positions.rowCount() == 1
    cell = pane.positions.index(0, 6).data()
    assert cell == "HK$15,750.00 (import)"  # 150 x the imported close of 105, and says so
    # the price beside it says when and where it came from
    assert pane.positions.index(0, 5).data() == "imported file"
    assert pane.positions.index(0, 4).data() == "2026-11-20"
    assert "Market value HK$15,750.00" in pane.totals.text()
    assert "2513.HK valued at the imported price 2026-11-20" in pane.totals.text()
    assert "board lot" in pane.warnings.text()
    _, y = pane.chart.value_curve.getData()
    assert list(y) == [15_000, 16_500, 15_750]

    sell = pane.record_transaction()
    sell.side.setCurrentText("sell")
    sell.quantity.setText("200")
    sell.price.setText("110")
    sell.try_save()
    assert "only 150 are held" in sell.errors.text()
    sell.reject()

    pane.base.setCurrentText("USD")
    assert "US$" in pane.totals.text()
    pane.transactions_table.selectRow(0)
    pane.delete_transaction()
    assert pane.positions.rowCount() == 0


def test_import_dialog_maps_columns_lists_bad_lines_and_skips_on_request(
        qtbot, window: MainWindow, answers: dict[str, list], app_db: sqlite3.Connection,
        tmp_path: Path) -> None:
    broker = tmp_path / "broker.csv"
    broker.write_text("Trade Date;Stk;Action;Shares;Fill Price;Commission\n"
                      "2026-11-02;2513;Bought;200;95.5;12\n"
                      "2026-11-03;2513;Bought;zero;95.5;12\n"
                      "2026-11-04;HKEX:100;Bought;40;150;8\n", encoding="utf-8")
    dialog = window.file_actions.open_import()
    dialog.set_file(str(broker))
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    assert dialog.kind.currentData() == "transactions"
    assert dialog.mapping["price"].currentText() == "Fill Price"
    assert dialog.mapping["symbol"].currentText() == "(not in the file)"

    def run() -> str:
        dialog.start_import()
        qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
        return dialog.summary.text()

    assert "Map a column to symbol" in run()
    dialog.mapping["symbol"].setCurrentText("Stk")
    assert run().startswith("Nothing was imported: 1 of 3 rows are bad")
    assert dialog.problems.toPlainText() == "line 3: quantity 'zero' is not a number"
    assert app_db.execute("SELECT COUNT(*) FROM transactions").fetchone()[0] == 0
    dialog.skip_bad.setChecked(True)
    assert run() == "Transactions: 3 rows read, 2 added, 1 bad rows"
    assert "skipped line 3" in dialog.problems.toPlainText()
    window.tabs.setCurrentWidget(window.portfolio)
    assert window.portfolio.transactions.rowCount() == 2  # the window followed
    assert "2 already there" in run()

    lists = tmp_path / "tv.txt"
    lists.write_text("###Imported AI\nHKEX:2513\nHKEX:100\n", encoding="utf-8")
    dialog.set_file(str(lists))
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    assert dialog.kind.currentData() == "watchlist"
    assert run() == "Watchlist 'Imported AI': 2 rows read, 2 added"
    assert window.watchlist_box.findText("Imported AI") >= 0

    prices = tmp_path / "prices.csv"
    prices.write_text(PRICES, encoding="utf-8")
    dialog.set_file(str(prices))
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    assert dialog.kind.currentData() == "prices"
    dialog.symbol.setCurrentText("0100.HK")
    assert run() == "Prices for 0100.HK: 3 rows read, 3 added"


def test_exports_from_the_file_menu(window: MainWindow, answers: dict[str, list],
                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "out"
    monkeypatch.setattr(file_actions, "ask_save_path",
                        lambda parent, title, suggested, filt: str(target))
    window.file_actions.export_watchlist("tradingview")
    assert target.with_suffix(".txt").read_text(encoding="utf-8").splitlines() == [
        "###Main", "HKEX:2513", "HKEX:100"]
    assert "Wrote 2 symbols" in window.statusBar().currentMessage()
    window.file_actions.export_everything()
    sheets = openpyxl.load_workbook(target.with_suffix(".xlsx")).sheetnames
    assert sheets == ["Contents", "List Main", "Holdings", "Transactions", "Alerts"]
    (tmp_path / "taken.csv").mkdir()  # a folder where the file should go
    monkeypatch.setattr(file_actions, "ask_save_path", lambda *a: str(tmp_path / "taken.csv"))
    window.file_actions.export_table("transactions", "csv")
    assert answers["warnings"] and answers["warnings"][-1].startswith("Nothing was written")


def test_reference_data_editor(window: MainWindow, answers: dict[str, list]) -> None:
    window.select_symbol("2513.HK")
    dialog = window.open_reference_data()
    targets = dialog.pages["targets"]
    bundled = targets.model.rowCount()
    assert {targets.model.index(r, 0).data() for r in range(bundled)} == {"bundled"}
    form = targets.add()
    assert form.inputs["currency"].text() == "HKD"
    form.inputs["broker"].setText("CICC")
    form.inputs["price"].setText("cheap")
    form.try_save()
    assert "is not a number" in form.errors.text() and targets.model.rowCount() == bundled
    form.inputs["price"].setText("2,100")
    form.inputs["date"].setText("2026-11-22")
    form.try_save()
    assert targets.model.rowCount() == bundled + 1
    row = next(r for r in range(targets.model.rowCount())
               if targets.model.index(r, 1).data() == "CICC")
    assert targets.model.index(row, 0).data() == "added by you"
    latest = {r.symbol: r for r in window.model.rows()}["2513.HK"]
    assert latest.latest_target is not None and latest.latest_target.broker == "CICC"

    targets.table.selectRow(0)
    edit = targets.edit_selected()
    assert edit is not None
    edit.inputs["note"].setText("checked against the note")
    edit.try_save()
    assert targets.model.index(0, 0).data() == "bundled, edited by you"
    targets.table.selectRow(row)
    targets.delete_selected()
    assert targets.model.rowCount() == bundled

    lockups = dialog.pages["lockups"]
    lockups.table.selectRow(0)
    before = lockups.model.rowCount()
    lockups.delete_selected()
    assert lockups.model.rowCount() == before - 1
