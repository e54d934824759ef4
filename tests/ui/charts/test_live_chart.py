"""The price chart as a trader watches it: following the market, the lunch break compressed,
the crosshair, labels that never overlap, a menu of our own, degenerate data drawn sensibly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtWidgets import QApplication

from services.app.database import open_app_database
from services.core.clock import FixedClock, epoch
from services.core.paths import AppPaths
from services.market import trading_days
from services.market.calendar import MarketClock
from services.market.history import BarSeries
from services.market.poller import Poller
from tests.conftest import hkt
from ui.app import launch
from ui.charts.axes import nice_price_ticks
from ui.charts.portfolio_chart import PortfolioChart
from ui.charts.tabs import COMPARE, PRICE, VALUATION
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> MainWindow:
    conn = open_app_database(db_path)
    trading_days.ensure_stored(conn, MarketClock())
    conn.close()
    win = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def seeded(poller: Poller, app_db: sqlite3.Connection) -> sqlite3.Connection:
    assert len(poller.poll().succeeded) == 2
    return app_db


def poll_minutes(qtbot, poller: Poller, clock: FixedClock, window: MainWindow,
                 minutes: int) -> None:
    clock.advance(minutes * 60)
    poller.poll()
    with qtbot.waitSignal(window.feed.data_loaded):
        window.refresh()  # what a landed poll does (the charts on the next turn)


def test_live_view_follows_new_bars_keeps_a_panned_view_and_goes_back_to_live(
    qtbot, window: MainWindow, seeded: sqlite3.Connection, poller: Poller, clock: FixedClock
) -> None:
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    window.select_symbol("2513.HK")
    chart.set_range("1D")
    assert chart.at_live_edge() and chart.live_button.isHidden()
    (x0, x1), _ = chart.price_plot.viewRange()
    count = len(chart.data.bars)
    markers = list(chart.overlays)  # targets, IPO price, previous close...
    assert len(markers) >= 3

    poll_minutes(qtbot, poller, clock, window, 5)
    assert len(chart.data.bars) == count + 5
    (y0, y1), _ = chart.price_plot.viewRange()
    assert y1 >= chart.x[-1] and (y0, y1) == pytest.approx((x0 + 5, x1 + 5))  # followed
    assert chart.live_button.isHidden()
    assert all(a is b for a, b in zip(chart.overlays, markers, strict=True))  # kept, not rebuilt
    chart.log_scale.setChecked(True)  # the markers move: drawn again
    assert len(chart.overlays) == len(markers) and chart.overlays[0] is not markers[0]
    chart.log_scale.setChecked(False)

    chart.price_plot.setXRange(2, 20, padding=0)  # the trader looks at the opening minutes
    assert not chart.live_button.isHidden() and not chart.at_live_edge()
    first_shown = chart.data.bars.ts[2]
    poll_minutes(qtbot, poller, clock, window, 5)
    (p0, p1), _ = chart.price_plot.viewRange()
    assert (p0, p1) == pytest.approx((2, 20))  # the same bars stay in view
    assert chart.data.bars.ts[2] == first_shown
    assert not chart.live_button.isHidden()

    chart.live_button.click()
    (b0, b1), _ = chart.price_plot.viewRange()
    assert chart.at_live_edge() and chart.live_button.isHidden()
    assert b1 - b0 == pytest.approx(18)  # the trader's zoom kept
    poll_minutes(qtbot, poller, clock, window, 3)
    (c0, c1), _ = chart.price_plot.viewRange()
    assert (c0, c1) == pytest.approx((b0 + 3, b1 + 3))


def test_lunch_break_takes_one_bar_step_on_the_intraday_axis(
    window: MainWindow, seeded: sqlite3.Connection, poller: Poller, clock: FixedClock
) -> None:
    clock.set(hkt(2026, 11, 23, 13, 30))
    poller.poll()
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    window.select_symbol("0100.HK")
    chart.set_range("1D")
    ts = chart.data.bars.ts
    before, after = (int(np.flatnonzero(ts == epoch(hkt(2026, 11, 23, h, m)))[0])
                     for h, m in ((11, 59), (13, 0)))
    step = chart.x[1] - chart.x[0]
    assert chart.x[after] - chart.x[before] == pytest.approx(step)
    assert chart.x[before] - chart.x[before - 1] == pytest.approx(step)
    assert chart.time_axis.tickStrings([float(before), float(after)], 1, 1) == ["11:59", "13:00"]
    x, volume, rising = chart.volume.values()  # volume bars coloured by the bar's direction
    bars = chart.data.bars
    assert np.array_equal(x, chart.x) and np.array_equal(volume, bars.volume)
    assert np.array_equal(rising, bars.close >= bars.open) and 0 < rising.sum() < rising.size
    # with the session's first bar labelled with its date, the ticks fall on round minutes
    (x0, x1), _ = chart.price_plot.viewRange()
    levels = chart.time_axis.tickValues(x0, x1, 600)
    labels = chart.time_axis.tickStrings(levels[0][1] + levels[1][1], 1, 1)
    assert labels[0] == "23 Nov" and all(label.endswith(("0", "5")) for label in labels[1:])
    # on 5D the nights are gone too: consecutive sessions meet one step apart
    chart.set_range("5D")
    assert np.allclose(np.diff(chart.x), step)
    assert chart.data.previous_close is not None  # and the previous close is a dashed line
    assert any("prev close" in label.format for label, _, _ in chart.labels)


def test_crosshair_labels_price_and_time_and_goes_when_the_mouse_leaves(
    window: MainWindow, seeded: sqlite3.Connection, qtbot
) -> None:
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    window.select_symbol("0100.HK")
    chart.set_range("1D")
    assert not chart.crosshair.visible()
    centre = chart.price_plot.getViewBox().sceneBoundingRect().center()
    chart.graphics.scene().sigMouseMoved.emit(QPointF(centre))
    qtbot.waitUntil(chart.crosshair.visible)
    price = chart.crosshair.price_label.textItem.toPlainText()
    assert price and float(price.replace(",", "")) > 0
    assert chart.crosshair.time_label.textItem.toPlainText().endswith(
        chart.readout.text()[11:16])  # the readout's HH:MM
    QApplication.sendEvent(chart.graphics, QEvent(QEvent.Type.Leave))
    assert not chart.crosshair.visible()
    assert not chart.crosshair.price_label.isVisible()
    assert not chart.crosshair.time_label.isVisible()


def test_right_click_menus_hold_harbourwatch_actions_only(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(PRICE)
    window.tabs.setCurrentIndex(VALUATION)
    window.tabs.setCurrentIndex(COMPARE)
    exports = ["Export chart as PNG…", "Export data as CSV…"]
    expected = {window.price_chart: [*exports, "Alert when price crosses here…",
                                     "Show the whole range"],
                window.valuation_chart: exports, window.comparison_chart: exports}
    for chart, actions in expected.items():
        assert chart.graphics.scene().contextMenu == []  # no second "Export…"
        for plot in chart.plots:
            view = plot.getViewBox()
            menu = view.getMenu(None)
            assert [a.text() for a in menu.actions() if not a.isSeparator()] == actions
            # what pyqtgraph adds from the plot and the scene when the menu opens: nothing
            click = SimpleNamespace(acceptedItem=view)
            chart.graphics.scene().addParentContextMenus(view, menu, click)
            assert [a.text() for a in menu.actions() if not a.isSeparator()] == actions


def visible_label_boxes(chart) -> list:
    return [label.sceneBoundingRect() for label, _, _ in chart.labels if label.isVisible()]


def test_overlay_labels_never_overlap(window: MainWindow, qtbot) -> None:
    window.resize(1280, 760)
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    window.select_symbol("0100.HK")  # six targets, the IPO price, bands, lock-ups
    for setup in (lambda: chart.set_range("Max"), lambda: chart.log_scale.setChecked(True),
                  lambda: chart.price_plot.setYRange(np.log10(150), np.log10(1100))):
        setup()

        def laid_out() -> bool:
            chart.lay_out_labels()
            chart.graphics.grab()  # painted: the boxes are the ones on screen
            return len(visible_label_boxes(chart)) >= 6

        qtbot.waitUntil(laid_out)
        boxes = visible_label_boxes(chart)
        for a, b in itertools.combinations(boxes, 2):
            assert not a.intersects(b), (a, b)
        plot_area = chart.price_plot.getViewBox().sceneBoundingRect()
        on_screen = chart.graphics.mapToScene(chart.graphics.viewport().rect()).boundingRect()
        assert all(plot_area.contains(box) and on_screen.contains(box) for box in boxes)


def test_log_scale_and_drawdown_axes_read_as_prices_and_stop_at_minus_100(
    window: MainWindow
) -> None:
    assert nice_price_ticks(150, 1300, 8) == [150, 200, 300, 500, 700, 1000]
    assert nice_price_ticks(200, 220, 6) == [200, 205, 210, 215, 220]
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    window.select_symbol("0100.HK")
    chart.log_scale.setChecked(True)
    axis = chart.price_plot.getAxis("left")
    _, (y0, y1) = chart.price_plot.viewRange()
    [(_, values)] = axis.tickValues(y0, y1, 400)
    labels = axis.tickStrings(values, 1, 1)
    assert len(labels) >= 4 and len(set(labels)) == len(labels)
    assert all(label.replace(",", "").isdigit() for label in labels)
    for plot in (chart.drawdown_plot, window.portfolio.chart.drawdown_plot):
        plot.setYRange(-180, 0, padding=0)
        assert plot.viewRange()[1][0] >= -100


def test_degenerate_series_draw_sensibly(window: MainWindow, qtbot) -> None:
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    window.select_symbol("2513.HK")
    bars = chart.data.bars
    one = BarSeries(bars.symbol, "1m", bars.currency, *(np.array([a[-1]]) for a in (
        bars.ts, bars.open, bars.high, bars.low, bars.close, bars.volume)), np.array([0.0]))
    chart.show_data(dataclasses.replace(chart.data, bars=one, drawdown=np.array([0.0]),
                                        range_key="1D"))
    (x0, x1), (y0, y1) = chart.price_plot.viewRange()
    assert x0 < 0 < x1 and y0 < float(one.close[0]) < y1  # a single bar today, in view
    assert chart.line.opts["symbol"] == "o"  # drawn as a dot
    assert chart.time_axis.tickStrings([0.0], 1, 1)[0]

    portfolio = PortfolioChart()
    qtbot.addWidget(portfolio)
    portfolio.resize(600, 400)
    portfolio.show()
    day = float(epoch(dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)))
    for values in (np.array([811.66]), np.array([811.66, 811.66, 811.66])):
        ts = day + 86400.0 * np.arange(values.size)
        portfolio.show_history(ts, values, np.zeros(values.size), "HKD", False)
        (x0, x1), (y0, y1) = portfolio.value_plot.viewRange()
        assert x1 - x0 >= 2 * 86400 and y0 < 811.66 < y1  # days on the axis, not seconds
        value_axis = portfolio.value_plot.getAxis("left")
        strings = [s for _, ticks in value_axis.tickValues(y0, y1, 300)
                   for s in value_axis.tickStrings(ticks, 1, 1)]
        assert len(set(strings)) == len(strings) >= 2  # no value repeated down the axis


def test_compare_colours_follow_the_symbol_and_it_says_what_it_left_out(
    window: MainWindow
) -> None:
    window.tabs.setCurrentIndex(COMPARE)
    compare = window.comparison_chart

    def pens() -> dict[str, str]:
        return {item.name().split()[-1]: item.opts["pen"].color().name()
                for item in compare.index_plot.listDataItems() if item.name()}

    compare.show_symbols(["2513.HK", "0100.HK"])
    before = pens()
    compare.show_symbols(["0100.HK", "2513.HK"])  # the list reordered
    assert pens() == before and len(set(before.values())) == 2
    assert compare.left_out.isHidden()
    compare.base.setCurrentText("Date")
    compare.base_date.setDate(dt.date(2027, 6, 1))
    assert compare.lines == []
    text = compare.left_out.text()
    assert not compare.left_out.isHidden()
    assert "2513.HK (no close on or after 2027-06-01)" in text and "0100.HK" in text
