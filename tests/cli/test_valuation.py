"""`main.py valuation`: the chart's numbers, checkable without a screen, against hand
calculations for MiniMax before and after its FY2025 results (published 2026-03-02)."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from cli.context import Context
from cli.main import dispatch
from cli.parser import parse_args
from db import fx_repo
from db.connection import transaction
from services.app.database import open_app_database
from services.core.clock import FixedClock
from services.core.paths import default_paths

# Yahoo's daily USD/HKD closes as the FX feed stores them; none on 2026-02-20, so that day
# converts at the 19th's rate.
RATES = {"2026-01-09": 7.7812, "2026-02-19": 7.8123, "2026-03-03": 7.8200}


def run(db_path: Path, clock: FixedClock, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = parse_args(["--db", str(db_path), *argv])
    code = dispatch(args, Context(db_path, default_paths(), out=out, err=err, clock=clock))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def minimax_db(db_path: Path, clock: FixedClock, tmp_path: Path) -> Path:
    """Bundled facts, Yahoo's dated FX, and the trader's imported closes of 2-3 March."""
    conn: sqlite3.Connection = open_app_database(db_path)
    with transaction(conn):
        fx_repo.upsert_rates(conn, [("USD", "HKD", day, rate, "USDHKD=X", "yahoo", 0)
                                    for day, rate in RATES.items()])
    conn.close()
    prices = tmp_path / "minimax.csv"
    prices.write_text("date,close\n2026-03-02,1120.0\n2026-03-03,1150.0\n", encoding="utf-8")
    assert run(db_path, clock, "import", "prices", str(prices), "--symbol", "0100.HK")[0] == 0
    return db_path


def rows(text: str) -> dict[str, dict[str, str]]:
    return {row["date"]: row for row in csv.DictReader(io.StringIO(text))}


def test_valuation_csv_matches_the_hand_calculation(minimax_db: Path, clock: FixedClock) -> None:
    code, out, _ = run(minimax_db, clock, "valuation", "0100", "--csv")
    assert code == 0
    days = rows(out)

    listing = days["2026-01-09"]  # 345 x 309.26m over FY2024 US$30.52m (the prospectus)
    assert (listing["price"], listing["price_source"], listing["price_confidence"]) == (
        "345.0", "reference", "press")
    assert (listing["shares"], listing["shares_as_of"]) == ("309260000", "2026-01-09")
    assert float(listing["market_cap"]) == pytest.approx(106_694_700_000)
    assert (listing["revenue_period"], listing["revenue_published"],
            listing["revenue_published_basis"]) == ("FY2024", "2026-01-09", "assumed")
    assert (listing["ps_fx_pair"], listing["ps_fx_rate"], listing["ps_fx_date"]) == (
        "USD/HKD", "7.7812", "2026-01-09")
    assert float(listing["ps"]) == pytest.approx(106_694_700_000 / (30_520_000 * 7.7812))
    assert float(listing["ps"]) == pytest.approx(449.27, abs=0.01)  # not FY2025's 173x

    feb = days["2026-02-20"]  # 970 x 313.6m; still FY2024; the 19th's rate
    assert (feb["shares"], feb["shares_confidence"]) == ("313600000", "derived")
    assert float(feb["market_cap"]) == pytest.approx(304_192_000_000)
    assert feb["revenue_period"] == "FY2024" and feb["ps_fx_date"] == "2026-02-19"
    assert float(feb["ps"]) == pytest.approx(304_192_000_000 / (30_520_000 * 7.8123))
    assert float(feb["ps"]) == pytest.approx(1275.81, abs=0.01)

    march = days["2026-03-03"]  # 1,150 (imported) x 313.6m over FY2025 US$79.04m
    assert (march["price"], march["price_source"]) == ("1150.0", "import")
    assert float(march["market_cap"]) == pytest.approx(360_640_000_000)
    assert (march["revenue_period"], march["revenue_published"],
            march["revenue_published_basis"]) == ("FY2025", "2026-03-02", "known")
    assert float(march["ps"]) == pytest.approx(360_640_000_000 / (79_040_000 * 7.82))
    assert float(march["ps"]) == pytest.approx(583.47, abs=0.01)
    assert march["ps_text"] == "≈583.5x"  # the 313.6m share count is derived


def test_basis_and_currency(minimax_db: Path, clock: FixedClock) -> None:
    usd = rows(run(minimax_db, clock, "valuation", "0100.HK", "--currency", "usd", "--csv")[1])
    assert float(usd["2026-01-09"]["market_cap"]) == pytest.approx(106_694_700_000 / 7.7812)
    assert usd["2026-01-09"]["cap_currency"] == "USD"
    annualised = rows(run(minimax_db, clock, "valuation", "0100.HK", "--basis", "annualised",
                          "--csv")[1])
    assert annualised["2026-01-09"]["revenue_period"] == "9M 2025"
    assert float(annualised["2026-01-09"]["ps"]) == pytest.approx(
        106_694_700_000 / (53_440_000 * 12 / 9 * 7.7812))
    arr = rows(run(minimax_db, clock, "valuation", "0100.HK", "--basis", "arr", "--csv")[1])
    assert arr["2026-03-03"]["ps"] == ""  # the ARR was not public before 2026-06-27
    assert arr["2026-07-23"]["ps_bound"] == "at most"
    assert arr["2026-07-23"]["ps_text"].startswith("≤ ")


def test_the_text_table_names_every_source(minimax_db: Path, clock: FixedClock) -> None:
    code, out, _ = run(minimax_db, clock, "valuation", "0100.HK")
    assert code == 0
    line = next(row for row in out.splitlines() if row.startswith("2026-03-03"))
    assert "imported file" in line and "FY2025" in line and "2026-03-02" in line
    assert "USD/HKD 7.8200" in line and "≈583.5x" in line
    listing = next(row for row in out.splitlines() if row.startswith("2026-01-09"))
    assert "reference (press)" in listing and "2026-01-09 (assumed)" in listing
    assert "the article's taxonomy — one commentator's view, not a market standard" in out
    assert "The article's reading (opinion)" in out


def test_bad_symbols_fail_clearly(minimax_db: Path, clock: FixedClock) -> None:
    code, _, err = run(minimax_db, clock, "valuation", "9999.HK")
    assert code == 2 and "9999.HK is not on any watchlist" in err
    code, _, err = run(minimax_db, clock, "valuation", "!!")
    assert code == 2 and "not a ticker" in err
