"""`python main.py alerts ...`: manage alert rules without a window."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TextIO

from cli.context import CommandError, Context, database
from services.alerts.rules import (
    AlertRule,
    Direction,
    Policy,
    RuleError,
    RuleKind,
    rule_number,
    state_text,
)
from services.alerts.service import AlertService
from services.core.clock import HKEX_TZ, end_of_day
from services.core.parsing import parse_id
from services.core.tickers import TickerError, normalise_symbol
from services.market.calendar import MarketClock

KINDS = {"above": RuleKind.PRICE_ABOVE, "below": RuleKind.PRICE_BELOW,
         "cross": RuleKind.PRICE_CROSS, "move": RuleKind.PCT_MOVE,
         "drawdown": RuleKind.DRAWDOWN, "target": RuleKind.TARGET, "cap": RuleKind.MARKET_CAP,
         "ps": RuleKind.PS, "lockup": RuleKind.LOCKUP,
         "results": RuleKind.RESULTS, "stale": RuleKind.FEED_STALE}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("alerts", help="list, add or remove alert rules")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list alert rules and the latest events")
    add = actions.add_parser("add", help="add a rule, e.g. alerts add 2513.HK cross 900")
    add.add_argument("symbol", help="2513.HK, 02513, HKEX:2513, …")
    add.add_argument("kind", choices=sorted(KINDS), help="what to watch")
    add.add_argument("level", help="price, %%, x, days or minutes, by kind")
    add.add_argument("--direction", default="up", help="up, down or either")
    add.add_argument("--policy", default="once", help="once, rearm or daily")
    add.add_argument("--hysteresis", default="0", help="re-arm band, %% of the level")
    add.add_argument("--cooldown", default="0", help="minutes between fires")
    add.add_argument("--within", default="0", help="target rules: fire within this %%")
    add.add_argument("--expires", default="", help="YYYY-MM-DD (exchange time)")
    add.add_argument("--note", default="", help="free text shown with the alert")
    remove = actions.add_parser("remove", help="remove a rule by id")
    remove.add_argument("id")
    preset = actions.add_parser("preset",
                                help="targets SYMBOL | lockups SYMBOL | results SYMBOL")
    preset.add_argument("which", choices=["targets", "lockups", "results"])
    preset.add_argument("symbol")
    preset.add_argument("--within", default="0", help="targets: fire within this %%")
    preset.add_argument("--days", help="lockups: days before each expiry (default 30); "
                                       "results: days before each results date (default 3)")


def _choice(text: str, enum: type, what: str) -> object:
    try:
        return enum(text.strip().lower())
    except ValueError:
        options = ", ".join(member.value for member in enum)
        raise RuleError(f"{what} must be one of {options} (got {text!r}).") from None


def build_rule(args: argparse.Namespace, tz: str = HKEX_TZ) -> AlertRule:
    try:
        symbol = normalise_symbol(args.symbol)
    except TickerError as error:
        raise RuleError(str(error)) from None
    expires = None
    if args.expires:
        try:
            expires = end_of_day(dt.date.fromisoformat(args.expires.strip()), tz)
        except ValueError:
            raise RuleError(f"The expiry must be a date like 2026-12-31 (got {args.expires!r})."
                            ) from None
    cooldown = rule_number(args.cooldown, "The cooldown")
    if not cooldown.is_integer():
        raise RuleError("The cooldown must be whole minutes.")
    return AlertRule(
        symbol, KINDS[args.kind], rule_number(args.level, "The level"),
        _choice(args.direction, Direction, "The direction"),  # type: ignore[arg-type]
        _choice(args.policy, Policy, "The policy"),  # type: ignore[arg-type]
        rule_number(args.hysteresis, "The re-arm band"), int(cooldown),
        rule_number(args.within, "'Within'"), expires, note=args.note)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Every problem with the input is reported in words and nothing is changed (exit 2)."""
    with database(ctx) as conn:
        service = AlertService(conn, ctx.clock, MarketClock())
        try:
            _act(args, service, ctx.out)
        except (RuleError, TickerError) as error:
            problems = str(error)  # several problems, one a line; a single one stays on one
            raise CommandError("Nothing was changed:" + ("\n" if "\n" in problems else " ")
                               + problems) from None
        except KeyError as error:
            raise CommandError(f"Nothing was changed: {error.args[0]}") from None
    return 0


def _act(args: argparse.Namespace, service: AlertService, out: TextIO) -> None:
    if args.action == "list":
        for rule, state in service.rules():
            status = state_text(rule, state)
            flags = [] if status == "armed" else [status]
            print(f"{rule.id:>4}  {rule.describe()}  [{rule.policy}]"
                  f"{'  ' + ', '.join(flags) if flags else ''}"
                  f"{'  — ' + rule.note if rule.note else ''}", file=out)
        for event in service.events(limit=10):
            print(f"  event {event.id}: {event.message}", file=out)
    elif args.action == "add":
        print(f"added rule {service.add_rule(build_rule(args))}", file=out)
    elif args.action == "remove":
        try:
            rule_id = parse_id(args.id, "The rule id")
        except ValueError as error:
            raise RuleError(f"{error}.") from None
        service.remove_rule(rule_id)
        print(f"removed rule {rule_id}", file=out)
    else:
        symbol = normalise_symbol(args.symbol)
        if args.which == "targets":
            ids = service.preset_targets(symbol, rule_number(args.within, "'Within'"))
        elif args.which == "lockups":
            ids = [service.preset_lockups(symbol, int(rule_number(args.days or "30", "Days")))]
        else:
            ids = [service.preset_results(symbol, int(rule_number(args.days or "3", "Days")))]
        print(f"added rules {', '.join(map(str, ids))}", file=out)
