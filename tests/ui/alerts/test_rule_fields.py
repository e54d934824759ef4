"""The rule editor shows only the fields a kind uses, in words; a fired "once" rule says it is
done and can be re-armed; the chart's level is an HKEX price; the log opens its symbol."""

from __future__ import annotations

from pathlib import Path

from services.alerts.rules import AlertRule, Direction, Policy, RuleKind, RuleState, state_text
from services.core.clock import FixedClock
from services.core.paths import AppPaths
from tests.ui.alert_rows import store_unread_alert
from ui.app import launch
from ui.main_window import MainWindow


def test_editor_shows_the_fields_of_the_kind(window: MainWindow) -> None:
    window.select_symbol("2513.HK")
    dialog = window.alert_rules.new_rule()
    form = dialog._form

    def shown(widget: object) -> bool:
        return form.isRowVisible(widget)  # type: ignore[arg-type]

    dialog.kind.setCurrentText(RuleKind.PRICE_BELOW.value)
    assert not shown(dialog.direction) and not shown(dialog.within)
    dialog.kind.setCurrentText(RuleKind.PRICE_CROSS.value)
    assert shown(dialog.direction) and not shown(dialog.within)
    dialog.kind.setCurrentText(RuleKind.TARGET.value)
    assert shown(dialog.within)
    assert not shown(dialog.hysteresis)
    labels = [dialog.policy.itemText(i) for i in range(dialog.policy.count())]
    assert "rearm" not in labels and "again after moving back" in labels
    dialog.policy.setCurrentIndex(dialog.policy.findData(Policy.REARM))
    assert shown(dialog.hysteresis)
    dialog.level.setText("900")
    dialog.try_save()
    rule, _ = window.alert_rules._service.rules()[0]
    assert rule.policy == Policy.REARM and rule.kind == RuleKind.TARGET


def test_a_fired_once_rule_is_done_and_can_be_rearmed(window: MainWindow) -> None:
    once = AlertRule("2513.HK", RuleKind.PRICE_CROSS, 900, Direction.UP, Policy.ONCE)
    fired = RuleState(armed=False)
    assert state_text(once, fired) == "fired (once) — done; re-enable to watch again"
    rearm = AlertRule("2513.HK", RuleKind.PRICE_CROSS, 900, policy=Policy.REARM)
    assert "re-arms" in state_text(rearm, fired)
    service = window.alert_rules._service
    rule_id = service.add_rule(once)
    service._conn.execute("UPDATE alert_rules SET state = json_set(state, '$.armed', 0) "
                          "WHERE id = ?", [rule_id])
    window.alert_rules.reload()
    assert "done" in window.alert_rules.model.index(0, 3).data()
    window.alert_rules.table.selectRow(0)
    window.alert_rules.rearm_rule()
    assert window.alert_rules.model.index(0, 3).data() == "armed"


def test_chart_level_is_rounded_to_the_hkex_tick(window: MainWindow) -> None:
    window.select_symbol("2513.HK")
    dialog = window.alert_rules.new_rule(level=873.3817)
    assert dialog.level.text() == "873.5"  # 500–1,000 trades in steps of 0.5


def test_double_click_opens_the_symbol_and_marks_the_alert_read(window: MainWindow) -> None:
    conn = window.workspace.conn
    store_unread_alert(conn)
    window.alert_log.reload()
    assert window.tabs.tabText(window._log_tab) == "Alerts (1)"
    window.select_symbol("2513.HK")
    log = window.alert_log
    log.open_alert(log.table.model().index(0, 2))
    assert window.selected_symbol() == "0100.HK"
    assert log.model.unread() == 0 and window.tabs.tabText(window._log_tab) == "Alerts"


def test_the_alerts_tab_counts_unread_from_the_start(qtbot, db_path: Path,
                                                     isolated_home: AppPaths,
                                                     clock: FixedClock) -> None:
    import sqlite3

    first = launch(db_path, isolated_home, clock, start_feed=False)
    first.close()
    first.deleteLater()
    conn = sqlite3.connect(db_path)
    store_unread_alert(conn)
    conn.close()
    window = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(window)
    assert window.tabs.tabText(window._log_tab) == "Alerts (1)"
