#!/usr/bin/env python3
"""HarbourWatch: price, valuation and alert tracker for Hong Kong-listed stocks.

Thin entry point: parse the command line, start the log, hand over to the window or a command.
"""

from __future__ import annotations

import sys

from cli.parser import BAD_INPUT, parse_args
from services.app.logs import configure_logging
from services.core.paths import home_problem


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    gui = args.command in (None, "gui")
    problem = home_problem()
    if problem:
        if gui:
            from ui.app import tell_startup_problem

            tell_startup_problem("HarbourWatch cannot start", problem)
        print(problem, file=sys.stderr)
        return BAD_INPUT
    log_file = configure_logging(args.paths, args.log_level)
    if gui:
        from ui.app import run_gui

        return run_gui(args.db_path, args.paths, args.demo, args.poll_interval, log_file,
                       args.symbol, args.minimised)
    from cli.main import dispatch

    return dispatch(args)


if __name__ == "__main__":
    sys.exit(main())
