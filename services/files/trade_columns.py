"""Reading a broker's trade file: which column holds what, and which rows are trades.

Brokers name their columns their own way, and their files hold more than trades:

- Interactive Brokers (Flex "Trades" and trade confirmations): `TradeDate`, `Symbol`, `Buy/Sell`,
  `Quantity` (negative for sells), `TradePrice`, `IBCommission` (negative: a cost),
  `CurrencyPrimary`, `TradeID`; `AssetClass` CASH rows are currency conversions, and with
  `LevelOfDetail` only EXECUTION rows are trades (ORDER rows add them up again).
- moomoo / Futu: `Fill Time`, `Symbol` as `HK.00700` or `US.AAPL`, `Side`, `Fill Qty`, `Fill
  Price`, one column per fee (commission, platform fee, stamp duty, ...), in English or Chinese;
  cancelled orders have no fill; a second fill of an order repeats only the fill columns.
- Tiger: an activity statement in which the "Trades" section holds the table; the symbol reads
  `Apple (AAPL)`, the side comes from the quantity's sign (Open/Close), every fee has a column.

`guess_mapping` recognises these and common names; a mapping given by the trader adds to it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from services.core.parsing import parse_number
from services.files.tables import FileProblemError, Rows

FIELDS = ("date", "symbol", "side", "quantity", "price", "fees", "currency", "note", "exchange",
          "trade_id", "status")
REQUIRED = ("date", "symbol", "side", "quantity", "price")
FEE_JOIN = " + "  # a fees mapping of several columns: "Commission + Platform Fees"
SYNONYMS = {
    "date": ("date", "trade date", "trade_date", "tradedate", "fill time", "filled time",
             "trade time", "成交时间", "成交日期", "交易日期", "date/time", "datetime", "time",
             "executed", "order time", "下单时间", "日期", "时间"),
    "symbol": ("symbol", "ticker", "code", "stock code", "stock", "instrument", "security",
               "代码", "股票代码", "证券代码"),
    "side": ("side", "action", "type", "buy/sell", "direction", "transaction", "activity type",
             "方向", "买卖方向", "交易方向", "买卖"),
    "quantity": ("quantity", "qty", "fill qty", "filled qty", "filled quantity", "shares",
                 "units", "amount of shares", "volume", "成交数量", "已成交数量", "数量"),
    "price": ("price", "unit price", "trade price", "tradeprice", "fill price", "filled price",
              "t. price", "avg price", "成交价格", "成交价", "成交均价"),
    "fees": ("fees", "fee", "total fees", "ibcommission", "comm/fee", "commission",
             "commissions", "charges", "costs", "费用", "合计费用", "佣金"),
    "currency": ("currency", "currencyprimary", "ccy", "cur", "币种", "货币"),
    "note": ("note", "notes", "comment", "memo", "remarks", "remark", "description", "备注"),
    "exchange": ("listingexchange", "listing exchange", "exchange", "market", "markets",
                 "市场"),
    "trade_id": ("tradeid", "trade id", "trade_id", "transactionid", "execid", "exec id",
                 "ibexecid", "成交编号"),
    "status": ("status", "order status", "状态", "订单状态"),
}
# Columns that each hold one kind of fee; a file with several has its fees summed.
FEE_PARTS = (
    "commission", "commissions", "platform fee", "platform fees", "settlement fee",
    "settlement fees", "sec fee", "sec fees", "trading activity fee", "trading activity fees",
    "stamp duty", "trading fee", "trading fees", "transaction fee", "transaction levy",
    "sfc levy", "frc levy", "afrc transaction levy", "ccass fee", "clearing fee",
    "clearing fees", "exchange fee", "consolidated audit trail fee",
    "consolidated audit trail fees", "options regulatory fees", "option regulatory fee",
    "occ fees", "contract fees", "tax", "taxes",
    "佣金", "平台使用费", "交收费", "印花税", "交易费", "证监会征费", "财汇局征费", "交易征费",
    "交易系统使用费", "结算费",
)
SIDES = {"buy": "buy", "b": "buy", "bot": "buy", "bought": "buy", "purchase": "buy",
         "买入": "buy", "买": "buy",
         "sell": "sell", "s": "sell", "sld": "sell", "sold": "sell", "sale": "sell",
         "卖出": "sell", "卖": "sell"}
BY_SIGN = ("open", "close")  # Tiger: the quantity's sign tells, positive buys, negative sells
STOCKS = ("", "stk", "stock", "stocks", "equity", "common")
SUMMARY_LEVELS = ("symbol_summary", "asset_summary", "closed_lot", "closedlot", "wash_sale",
                  "order")
EXCHANGE_SUFFIX = {"sehk": ".HK", "hkex": ".HK", "hk": ".HK", "hkg": ".HK", "tsej": ".T",
                   "tse": ".T", "jp": ".T", "lse": ".L", "sehksh": ".SS", "sse": ".SS",
                   "sehksz": ".SZ", "szse": ".SZ", "tsx": ".TO", "asx": ".AX", "sgx": ".SI"}
_IN_PARENTHESES = re.compile(r"\(([^()\s]+)\)\s*$")  # Tiger: "Apple (AAPL)"
SECTION = "trades"


def guess_mapping(header: list[str]) -> dict[str, str]:
    """field -> column name, from common spellings; unmatched fields are left out. Several fee
    columns become one mapping joined by FEE_JOIN."""
    mapping = {}
    lowered: dict[str, str] = {}
    for h in header:
        lowered.setdefault(h.strip().lower(), h)
    for name, spellings in SYNONYMS.items():
        for spelling in spellings:
            if spelling in lowered:
                mapping[name] = lowered[spelling]
                break
    parts = [lowered[p] for p in dict.fromkeys(FEE_PARTS) if p in lowered]
    if len(parts) > 1 and mapping.get("fees", "").strip().lower() in ("", *FEE_PARTS):
        mapping["fees"] = FEE_JOIN.join(parts)
    return mapping


def combined_mapping(header: list[str], given: dict[str, str] | None) -> dict[str, str]:
    """The recognised columns with the trader's choices on top; FileProblemError naming an
    unknown field or a column the file does not have."""
    mapping = guess_mapping(header)
    for name, column in (given or {}).items():
        if name not in FIELDS:
            raise FileProblemError(f"There is no field {name!r} to map; the fields are "
                                   f"{', '.join(FIELDS)}.")
        missing = [c for c in column.split(FEE_JOIN) if c not in header]
        if missing:
            raise FileProblemError(f"The file has no column {missing[0]!r} (its columns: "
                                   f"{', '.join(header) or 'none'}).")
        mapping[name] = column
    absent = [f for f in REQUIRED if f not in mapping]
    if absent:
        raise FileProblemError(
            f"Map a column to {', '.join(absent)} (the file's columns: "
            f"{', '.join(header) or 'none'}). Is the delimiter right?")
    return mapping


def trade_table(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
    """The trades of a sectioned statement (Tiger's "Trades,,,,Symbol,…" with DATA rows; IB's
    activity statement "Trades,Header,…" with Data rows); other files as they are."""
    everything = [(0, header), *rows]
    for i, (_, cells) in enumerate(everything):
        if not cells or cells[0].strip().lower() != SECTION:
            continue
        if len(cells) > 4 and not any(c.strip() for c in cells[1:4]):
            kept = [(n, c[4:]) for n, c in everything[i + 1:]
                    if len(c) > 4 and c[0].strip().lower() == SECTION
                    and c[3].strip().upper() == "DATA"]
            return [h.strip() for h in cells[4:]], kept
        if len(cells) > 2 and cells[1].strip().lower() == "header":
            kept = [(n, c[2:]) for n, c in everything[i + 1:]
                    if len(c) > 2 and c[0].strip().lower() == SECTION
                    and c[1].strip().lower() == "data"]
            return [h.strip() for h in cells[2:]], kept
    return header, rows


@dataclass
class TradeRows:
    """Reads the fields of each row under one mapping, and says which rows are no trades."""

    header: list[str]
    mapping: dict[str, str]
    columns: dict[str, list[int]] = field(init=False)
    last_required: int = field(init=False)
    _carry: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.columns = {name: [self.header.index(c) for c in column.split(FEE_JOIN)
                               if c in self.header]
                        for name, column in self.mapping.items()}
        self.last_required = max(i for f in REQUIRED for i in self.columns.get(f, [0]))
        lowered = [h.strip().lower() for h in self.header]
        self._asset = next((i for i, h in enumerate(lowered)
                            if h in ("assetclass", "asset class", "asset category")), None)
        self._level = next((i for i, h in enumerate(lowered)
                            if h in ("levelofdetail", "datadiscriminator")), None)

    def text(self, cells: list[str], name: str) -> str:
        found = self.columns.get(name, [])
        return cells[found[0]].strip() if found and found[0] < len(cells) else ""

    def not_a_trade(self, cells: list[str], executions: bool) -> str | None:
        """Why a row is no trade to import (it is then ignored, not reported), or None."""
        if [c.strip() for c in cells] == [h.strip() for h in self.header]:
            return "the header repeated"
        if self._asset is not None and self._asset < len(cells) and \
                cells[self._asset].strip().lower() not in STOCKS:
            return "not a stock trade"
        if self._level is not None and self._level < len(cells):
            level = cells[self._level].strip().lower()
            if level in SUMMARY_LEVELS and (executions or level != "order"):
                return "a summary of other rows"
        quantity = self.text(cells, "quantity")
        if "status" in self.columns and quantity in ("", "0", "0.0", "--"):
            return "an order that was not filled"
        return None

    def has_executions(self, rows: Rows) -> bool:
        """IB files with executions also list their orders; then only executions count."""
        return self._level is not None and any(
            self._level < len(cells) and cells[self._level].strip().lower() == "execution"
            for _, cells in rows)

    def symbol(self, cells: list[str]) -> str:
        """The ticker as written (`Apple (AAPL)` -> `AAPL`, `2513` on SEHK -> `2513.HK`); a
        further fill of the order above (moomoo) carries its symbol, side and currency."""
        text = self.text(cells, "symbol")
        if not text and self.text(cells, "quantity"):
            return self._carry.get("symbol", "")
        inner = _IN_PARENTHESES.search(text)
        text = inner.group(1) if inner else text
        suffix = EXCHANGE_SUFFIX.get(self.text(cells, "exchange").lower(), "")
        if suffix and not any(c in text for c in ".:"):
            text += suffix
        self._carry = {"symbol": text, "side": self.text(cells, "side"),
                       "currency": self.text(cells, "currency")}
        return text

    def carried(self, cells: list[str], name: str) -> str:
        """A field of this row, or of the order above when this row is a further fill."""
        return self.text(cells, name) if self.text(cells, "symbol") else \
            self._carry.get(name, "")

    def fees(self, cells: list[str]) -> float:
        """Every fee column added up; brokers that write costs as negative numbers (IB) mean
        the same amount."""
        total = 0.0
        for i in self.columns.get("fees", []):
            text = cells[i].strip() if i < len(cells) else ""
            if text and text not in ("--", "-"):
                total += abs(parse_number(text, "fees"))
        return total if math.isfinite(total) else math.inf


def side_and_quantity(side_text: str, quantity: float) -> tuple[str, float]:
    """('buy' | 'sell', a positive quantity); ValueError when the side is unknown."""
    side = SIDES.get(side_text.strip().lower())
    if side is None and side_text.strip().lower() in BY_SIGN:
        side = "sell" if quantity < 0 else "buy"
    if side is None:
        raise ValueError(f"side {side_text!r} is neither buy nor sell")
    if side == "sell" and quantity < 0:
        quantity = -quantity  # brokers often write sells as negative quantities
    return side, quantity
