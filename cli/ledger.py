"""`python main.py transactions ...`: list the ledger, find the sells it cannot hold, delete one.

A ledger edited outside the app (or by an older version) may sell more shares than it bought;
`check` names those sells with their ids and `delete ID` removes one, so the trader always has
a way out without a database tool.
"""

from __future__ import annotations

import argparse

from cli.context import FAILED, CommandError, Context, database
from services.core.parsing import parse_id
from services.portfolio.holdings import PortfolioService, Transaction


def add_parser(commands: argparse._SubParsersAction) -> None:
    ledger = commands.add_parser("transactions", help="list, check or delete transactions")
    act = ledger.add_subparsers(dest="action", metavar="ACTION", required=True)
    act.add_parser("list", help="every transaction with its id")
    act.add_parser("check", help="the sells the ledger cannot hold (exit 1 if any)")
    delete = act.add_parser("delete", help="delete a transaction by id")
    delete.add_argument("id")


def describe(t: Transaction) -> str:
    note = f"  — {t.note}" if t.note else ""
    return (f"{t.id:>6}  {t.trade_date.isoformat()}  {t.side:<4}  {t.quantity:>12,g} "
            f"{t.symbol:<10} at {t.price:,.4g} {t.currency}  fees {t.fees:,.2f}{note}")


def run(args: argparse.Namespace, ctx: Context) -> int:
    with database(ctx) as conn:
        portfolio = PortfolioService(conn, ctx.clock)
        if args.action == "list":
            flagged = {p.transaction.id for p in portfolio.problems()}
            for t in portfolio.transactions():
                print(describe(t) + ("  ⚠ sells more than held" if t.id in flagged else ""),
                      file=ctx.out)
            return 0
        if args.action == "check":
            return _check(portfolio, ctx)
        transaction_id = _id(args.id)
        try:
            gone = portfolio.delete(transaction_id)
        except ValueError as error:
            raise CommandError(f"Nothing was changed: {error}") from None
        print(f"deleted {describe(gone).strip()}", file=ctx.out)
    return 0


def _check(portfolio: PortfolioService, ctx: Context) -> int:
    problems = portfolio.problems()
    if not problems:
        print(f"The ledger adds up: {len(portfolio.transactions())} transactions.", file=ctx.out)
        return 0
    for problem in problems:
        print(f"{describe(problem.transaction)}\n        {problem.reason}", file=ctx.out)
    raise CommandError(
        f"The ledger does not add up: {len(problems)} sell(s) above sell more shares than were "
        "held. Delete each with `transactions delete ID`, or record the missing buys.", FAILED)


def _id(text: str) -> int:
    try:
        return parse_id(text, "The transaction id")
    except ValueError as error:
        raise CommandError(f"Nothing was changed: {error}.") from None
