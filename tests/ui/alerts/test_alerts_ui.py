"""The alert editor, the rule list, the alert log and the chart's 'alert here'."""

from __future__ import annotations

import sqlite3

import pytest

from services.alerts.rules import AlertRule, Direction, RuleKind
from services.app.poll_cycle import PollCycle
from services.core.clock import FixedClock
from tests.fake_yahoo import FakeYahoo
from ui.alerts.editor_dialog import AlertEditorDialog
from ui.charts.tabs import PRICE
from ui.main_window import MainWindow


def test_editor_explains_bad_input_and_saves_good_input(window: MainWindow) -> None:
    pane = window.alert_rules
    window.select_symbol("2513.HK")
    dialog = pane.new_rule()
    dialog.level.setText("abc")
    dialog.try_save()
    assert "must be a finite number" in dialog.errors.text() and dialog.isVisible()
    dialog.level.setText("-5")
    dialog.note.setText("x" * 600)
    dialog.try_save()
    assert "above zero" in dialog.errors.text() and "keep it to 500" in dialog.errors.text()
    assert pane.model.rowCount() == 0  # nothing saved
    dialog.level.setText("1,700")
    dialog.note.setText("MS target 智谱")
    dialog.try_save()
    assert not dialog.isVisible()
    assert pane.model.rowCount() == 1
    assert "2513.HK price crosses up HK$1,700" in pane.model.index(0, 1).data()


def test_duplicate_disable_delete_and_presets(window: MainWindow,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.alerts import panes

    answers = [False, True]
    monkeypatch.setattr(panes, "confirm", lambda *args: answers.pop(0))
    pane = window.alert_rules
    window.select_symbol("0100.HK")
    pane.preset_targets()  # Morgan Stanley's HK$930 is superseded by its HK$900
    assert pane.model.rowCount() == 5
    pane.preset_lockups()
    assert pane.model.rowCount() == 6
    pane.table.selectRow(0)
    pane.duplicate_rule()
    assert pane.model.rowCount() == 7
    pane.table.selectRow(0)
    pane.toggle_rule()
    assert pane.model.index(0, 3).data() == "disabled"
    pane.table.selectRow(0)
    pane.delete_rule()  # the trader answers No
    assert pane.model.rowCount() == 7
    pane.delete_rule()
    assert pane.model.rowCount() == 6


def test_chart_right_click_alert_and_threshold_lines(window: MainWindow) -> None:
    window.select_symbol("2513.HK")
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    chart._hover_price = 1234.567  # where the trader right-clicked
    chart._alert_here()
    dialog = window.alert_rules.findChildren(AlertEditorDialog)[-1]
    # rounded to HKEX's step for 1,000–2,000: a whole dollar
    assert dialog.level.text() == "1235" and dialog.kind.currentText() == "price crosses"
    dialog.try_save()
    labels = [item.label.format for item in chart.overlays
              if getattr(item, "label", None) is not None]
    assert "alert 1,235.00" in labels


def test_alert_log_after_a_poll_unread_search_acknowledge(
    qtbot, window: MainWindow, cycle: PollCycle, fake_yahoo: FakeYahoo, clock: FixedClock,
    app_db: sqlite3.Connection,
) -> None:
    cycle.run()
    price = app_db.execute("SELECT price FROM quotes WHERE symbol = '0100.HK'").fetchone()[0]
    window.alert_rules._service.add_rule(AlertRule("0100.HK", RuleKind.PRICE_CROSS,
                                                   round(price * 0.97, 2), Direction.EITHER))
    bars = fake_yahoo.symbols["0100.HK"].minute_bars
    for i, bar in enumerate(bars):
        if bar[0] > clock.now().timestamp():
            low = price * 0.95
            bars[i] = (bar[0], low, low, low, low, bar[5])
    clock.advance(5 * 60)
    outcome = cycle.run()
    assert len(outcome.events) == 1
    window.on_poll_finished(outcome)
    log = window.alert_log
    assert log.model.unread() == 1
    assert window.tabs.tabText(window._log_tab) == "Alerts (1)"
    assert "0100.HK fell to HK$" in log.model.index(0, 2).data()
    log.search.setText("2513")
    assert log.filter.rowCount() == 0
    log.search.setText("0100")
    assert log.filter.rowCount() == 1
    log.acknowledge_all()
    assert window.tabs.tabText(window._log_tab) == "Alerts"
    log.unread_only.setChecked(True)
    assert log.filter.rowCount() == 0


def test_alert_models_pass_qtmodeltester(qtmodeltester, window: MainWindow,
                                         app_db: sqlite3.Connection) -> None:
    from ui.alerts.log_model import AlertLogModel, AlertRulesModel

    service = window.alert_rules._service
    service.preset_targets("0100.HK")
    rules = AlertRulesModel()
    rules.set_rules(service.rules())
    qtmodeltester.check(rules, force_py=True)
    app_db.execute(
        "INSERT INTO alert_events (rule_id, symbol, observed_ts, fired_at, value, rule_text, "
        "message, source) VALUES (1, '0100.HK', 1, 2, 3.0, 'rule', 'message', 'yahoo')")
    log = AlertLogModel()
    log.set_events(service.events())
    assert log.rowCount() == 1
    qtmodeltester.check(log, force_py=True)
