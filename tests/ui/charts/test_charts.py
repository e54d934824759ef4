"""Charts built from a seeded database: ranges, markers, readout, export, in-place updates."""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage

from services.app.database import open_app_database
from services.core.clock import FixedClock, daily_bar_ts, epoch
from services.core.paths import AppPaths
from services.market import trading_days
from services.market.calendar import MarketClock
from services.market.poller import Poller
from tests.conftest import hkt
from ui.app import launch
from ui.charts.tabs import COMPARE, PRICE, VALUATION
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> MainWindow:
    conn = open_app_database(db_path)  # the exchange's trading days, as a first poll stores
    trading_days.ensure_stored(conn, MarketClock())
    conn.close()
    win = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(win)
    win.resize(1200, 900)
    return win


@pytest.fixture
def seeded(poller: Poller, app_db: sqlite3.Connection) -> sqlite3.Connection:
    """Yahoo bars as a poll stores them: daily history and 5 sessions of minutes."""
    assert len(poller.poll().succeeded) == 2
    return app_db


def lines(window: MainWindow) -> dict[str, float]:
    return {item.label.format: item.value() for item in window.price_chart.overlays
            if isinstance(item, pg.InfiniteLine) and item.label is not None}


def test_charts_build_for_both_stocks_with_targets_lockups_and_bands(window: MainWindow) -> None:
    for symbol, name in (("2513.HK", "Zhipu AI"), ("0100.HK", "MiniMax")):
        assert window.select_symbol(symbol)
        window.tabs.setCurrentIndex(VALUATION)
        assert window.valuation_chart.data is not None
        assert window.valuation_chart.data.instrument.name == name
        summary = window.valuation_chart.summary.text()
        assert "trades at" in summary and "FY2025 revenue" in summary
        window.tabs.setCurrentIndex(PRICE)
        chart = window.price_chart
        assert chart.data is not None and chart.data.instrument.name == name
        assert name in chart.price_plot.titleLabel.text
        assert "reference points" in chart.price_plot.titleLabel.text
    headline = window.price_chart.drawdown_plot.titleLabel.text  # MiniMax is selected
    assert "max −85.0% (peak 2026-03-18 → trough 2026-07-23)" in headline
    assert "needs +567.3% to recover" in headline and "from 52-week high −85.0%" in headline
    marks = lines(window)
    # every target line says how sure it is: a digest figure never looks like a filing
    assert marks["Goldman Sachs 2026-02-23 Neutral HK$1,018.00 (press)"] == 1018
    assert marks["Citi 2026-07-24 Buy / High Risk HK$533.00 (digest)"] == 533
    assert marks["IPO HK$165.00"] == 165
    lock = next(k for k in marks if k.startswith("lock-up 2026-07-09"))
    assert "past" in lock and "14 cornerstone investors" in lock and "Pre-IPO" in lock
    assert marks[lock] == daily_bar_ts(dt.date(2026, 7, 9))
    upcoming = next(k for k in marks if k.startswith("lock-up ≥ 2027-01-11"))
    assert "in ≥ 49 d" in upcoming and "Founders" in upcoming
    assert marks["listed 2026-01-09"] == daily_bar_ts(dt.date(2026, 1, 9))
    regions = [i for i in window.price_chart.overlays if isinstance(i, pg.LinearRegionItem)]
    assert len(regions) == 5
    # older targets are drawn fainter than the newest
    alphas = {i.label.format.split()[0] + i.label.format.split()[1]: i.pen.color().alpha()
              for i in window.price_chart.overlays
              if isinstance(i, pg.InfiniteLine) and "HK$" in (i.label.format if i.label else "")
              and i.angle == 0 and not i.label.format.startswith("IPO")}
    assert alphas["MorganStanley"] == 255 and alphas["J.P.Morgan"] < 255


def label_span(label: pg.InfLineLabel) -> tuple[float, float]:
    """(bottom, top) of a label in its plot's coordinates."""
    rect = label.mapRectToView(label.boundingRect())
    return rect.top(), rect.bottom()  # a view's y grows upwards: top() is the lower edge


def test_band_labels_sit_inside_their_own_band(window: MainWindow, qtbot) -> None:
    """'L4 10–20x' is written in the 10–20x band, not in the 20–30x one above it."""
    window.show()
    qtbot.waitExposed(window)
    window.select_symbol("2513.HK")
    window.tabs.setCurrentIndex(VALUATION)
    chart = window.valuation_chart
    chart.refresh()  # drawn again in a plot that has its final size
    bands = sorted(chart.data.bands, key=lambda b: b.ps_low)

    def placed(label: pg.InfLineLabel, edge: float, axis: float = 2.0) -> bool:
        """The label has been laid out against its line (one of its edges is on it) in a
        plot that has its size (a line of text is a small part of the `axis` shown)."""
        rect = label.mapRectToView(label.boundingRect())
        bottom, top = label_span(label)
        return (rect.left() > 1e9  # on the time axis, not before the view got its dates
                and 0 < top - bottom < axis / 4
                and any(abs(y - edge) < 1e-6 * max(1.0, edge) for y in (bottom, top)))

    for band, label in zip(bands, chart.band_labels, strict=True):
        edge = float(np.log10(band.ps_high))
        qtbot.waitUntil(lambda label=label, edge=edge: placed(label, edge))
        bottom, top = label_span(label)
        middle = 10 ** ((bottom + top) / 2)
        assert band.ps_low < middle < band.ps_high, band.name
        assert top == pytest.approx(edge)  # hung from the band's top
    assert "one commentator's view, not a market standard" in chart.bands_note.text()
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    chart.price_plot.setYRange(0, 300)
    regions = [i for i in chart.overlays if isinstance(i, pg.LinearRegionItem)]
    for region in regions:
        _, high = region.getRegion()
        [label] = [c for c in region.lines[1].childItems() if isinstance(c, pg.InfLineLabel)]
        assert "article's bands" in label.format
        qtbot.waitUntil(lambda label=label, high=high: placed(label, high, 300))
        bottom, top = label_span(label)
        assert top == pytest.approx(high) and bottom < top


def test_valuation_summary_follows_the_basis_and_the_currency(window: MainWindow) -> None:
    window.select_symbol("0100.HK")
    window.tabs.setCurrentIndex(VALUATION)
    chart = window.valuation_chart
    text = chart.summary.text()
    assert "At HK$199.30 on 2026-07-23 (bundled reference price, press — not a live quote" in text
    assert "on FY2025 revenue (last fiscal year)" in text
    chart.basis.setCurrentIndex(chart.basis.findData("arr"))
    text = chart.summary.text()
    assert "≤ " in text and "ARR Feb 2026 revenue (ARR" in text
    assert "Price each band implies today on ARR Feb 2026 revenue (ARR)" in text
    assert "L2 infrastructure at least HK$" in text
    chart.currency.setCurrentText("USD")
    assert chart.data is not None and chart.data.series.currency == "USD"
    text = chart.summary.text()
    assert "(market cap US$3.0bn–US$4.5bn)" in text  # L2: 20–30x US$150m
    assert "Morgan Stanley 2026-08-10 HK$900.00 (digest) → US$" in text
    assert all(c.cap.currency == "USD" for c in chart.data.target_caps)


def test_range_buttons_set_the_view(window: MainWindow, seeded: sqlite3.Connection,
                                    clock: FixedClock) -> None:
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    window.select_symbol("2513.HK")
    chart.range_buttons["1M"].click()
    assert chart.data is not None and chart.data.bars.interval == "1d"
    (x0, x1), _ = chart.price_plot.viewRange()
    month_ago = epoch(hkt(2026, 10, 23, 0, 0))
    assert month_ago - 3 * 86400 < x0 < month_ago + 3 * 86400
    chart.range_buttons["1D"].click()
    assert chart.data.bars.interval == "1m"
    (x0, x1), _ = chart.price_plot.viewRange()  # intraday: x is the bar's index
    assert x0 < 0 and x1 > len(chart.data.bars) - 1  # every bar of the session is in view
    assert epoch(hkt(2026, 11, 23, 9, 0)) < chart.data.bars.ts[0]
    assert chart.data.bars.ts[-1] < epoch(hkt(2026, 11, 23, 11, 0))
    chart.range_buttons["5D"].click()
    sessions = {dt.datetime.fromtimestamp(t, dt.UTC).date() for t in chart.data.bars.ts}
    assert len(sessions) == 5
    chart.range_buttons["Max"].click()
    (x0, x1), _ = chart.price_plot.viewRange()
    assert x0 < daily_bar_ts(dt.date(2026, 1, 8)) and x1 > daily_bar_ts(dt.date(2027, 1, 8))


def test_readout_log_scale_candles_and_in_place_refresh(
    qtbot, window: MainWindow, seeded: sqlite3.Connection, poller: Poller, clock: FixedClock
) -> None:
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    window.select_symbol("0100.HK")
    chart.set_range("1D")
    bars = chart.data.bars
    text = chart.readout_text(len(bars) - 1)
    assert text.startswith("2026-11-23 10:15 HKT") and f"C {bars.close[-1]:,.2f}" in text
    assert "yahoo" in text and "from peak" in text

    chart.log_scale.setChecked(True)
    jpm = "J.P. Morgan 2026-02-09 Overweight HK$700.00 (article)"
    assert lines(window)[jpm] == pytest.approx(np.log10(700))
    chart.log_scale.setChecked(False)
    assert lines(window)[jpm] == 700
    chart.mode.setCurrentText("Candles")
    assert chart.candles.isVisible() and not chart.line.isVisible()

    chart.price_plot.setXRange(chart.x_of(epoch(hkt(2026, 11, 23, 9, 40))),
                               chart.x_of(epoch(hkt(2026, 11, 23, 10, 0))), padding=0)
    before = chart.price_plot.viewRange()[0]
    count = len(chart.data.bars)
    clock.advance(5 * 60)
    poller.poll()
    with qtbot.waitSignal(window.feed.data_loaded):
        window.refresh()  # what a landed poll does (the charts on the next turn)
    assert len(chart.data.bars) == count + 5
    assert chart.price_plot.viewRange()[0] == pytest.approx(before)


def test_export_png_and_csv_match_the_database(window: MainWindow, seeded: sqlite3.Connection,
                                               tmp_path: Path) -> None:
    window.select_symbol("2513.HK")
    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    chart.set_range("Max")
    chart.export_png(tmp_path / "chart.png")
    image = QImage(str(tmp_path / "chart.png"))
    assert not image.isNull() and image.width() >= 1200
    chart.export_csv(tmp_path / "chart.csv")
    with (tmp_path / "chart.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    stored = {r[0]: (r[1], r[2]) for r in seeded.execute(
        "SELECT ts, close, source FROM bars WHERE symbol = '2513.HK' AND interval = '1d'")}
    assert len(rows) == len(stored)
    for row in rows:
        close, source = stored[int(row["ts_utc"])]
        assert row["source"] == source
        assert (row["close"] == "" and close is None) or float(row["close"]) == close
    assert not list(tmp_path.glob(".chart*"))  # no temporary files left behind
    window.tabs.setCurrentIndex(VALUATION)
    window.valuation_chart.export_csv(tmp_path / "valuation.csv")
    window.tabs.setCurrentIndex(COMPARE)
    window.comparison_chart.export_csv(tmp_path / "comparison.csv")
    # every export carries each price's date and source
    with (tmp_path / "valuation.csv").open(newline="", encoding="utf-8") as handle:
        valuation = {row["date"]: row for row in csv.DictReader(handle)}
    assert valuation["2026-09-10"]["price_source"] == "reference"
    assert valuation["2026-09-10"]["price_confidence"] == "digest"
    assert valuation["2026-11-20"]["price_source"] == "yahoo"
    assert valuation["2026-11-20"]["ps_fx_source"].startswith("Yahoo CNYHKD=X")
    assert valuation["2026-11-20"]["revenue_published"] == "2026-03-31"
    with (tmp_path / "comparison.csv").open(newline="", encoding="utf-8") as handle:
        compared = list(csv.DictReader(handle))
    assert {row["symbol"] for row in compared} == {"2513.HK", "0100.HK"}
    assert {row["price_source"] for row in compared} == {"reference", "yahoo"}


def test_comparison_and_dark_theme(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(COMPARE)
    compare = window.comparison_chart
    assert [line.symbol for line in compare.lines] == ["2513.HK", "0100.HK"]
    assert compare.lines[1].index[0] == pytest.approx(345 / 165 * 100)
    compare.base.setCurrentText("Date")
    compare.base_date.setDate(dt.date(2026, 2, 20))
    assert compare.lines[0].index[0] == pytest.approx(100.0)
    window.tabs.setCurrentIndex(VALUATION)
    window.set_dark_theme(True)
    assert window.valuation_chart.theme.dark and window.comparison_chart.theme.dark
    window.set_dark_theme(False)
    assert not window.valuation_chart.theme.dark


def test_demo_data_is_marked_on_every_chart(qtbot, tmp_path: Path, isolated_home: AppPaths,
                                            clock: FixedClock) -> None:
    from db.connection import transaction
    from services.app.database import open_app_database

    db = tmp_path / "demo.sqlite3"
    conn = open_app_database(db, demo=True)
    with transaction(conn):
        conn.execute("INSERT INTO bars (symbol, interval, ts, open, high, low, close, volume, "
                     "source) VALUES ('2513.HK', '1d', ?, 800, 830, 790, 820, 1000, 'demo')",
                     [daily_bar_ts(dt.date(2026, 11, 20))])
    conn.close()
    win = launch(db, isolated_home, clock, demo=True, start_feed=False)
    qtbot.addWidget(win)
    win.select_symbol("2513.HK")
    for tab in (PRICE, VALUATION, COMPARE):
        win.tabs.setCurrentIndex(tab)
    assert "DEMO" in win.price_chart.price_plot.titleLabel.text
    assert "DEMO" in win.valuation_chart.cap_plot.titleLabel.text
    assert "DEMO" in win.comparison_chart.index_plot.titleLabel.text
    assert "DEMO" in win.price_chart._file_name()


def test_hidden_charts_are_built_late_and_catch_up_when_shown(window: MainWindow) -> None:
    assert window.tabs.currentIndex() == 0 and not window.tabs._built  # nothing built yet
    window.tabs.setCurrentIndex(PRICE)
    window.select_symbol("2513.HK")
    assert window.price_chart.data.instrument.symbol == "2513.HK"
    window.tabs.setCurrentIndex(0)
    window.select_symbol("0100.HK")
    assert window.price_chart.data.instrument.symbol == "2513.HK"  # hidden: not redrawn
    window.tabs.setCurrentIndex(PRICE)
    assert window.price_chart.data.instrument.symbol == "0100.HK"


def test_alert_thresholds_are_drawn_when_given(window: MainWindow) -> None:
    import dataclasses

    window.tabs.setCurrentIndex(PRICE)
    chart = window.price_chart
    chart.show_data(dataclasses.replace(chart.data, alert_levels=(250.0, 1500.0)))
    assert lines(window)["alert 250.00"] == 250.0
    assert lines(window)["alert 1,500.00"] == 1500.0
