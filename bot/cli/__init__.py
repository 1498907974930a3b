"""``mlorg``: the one console script.

The knowledge base works from a terminal with no Slack account (``explain``,
``compare``, ``knowledge check``: :mod:`bot.cli.terminal`); operators work on the
app's database (:mod:`bot.cli.operator_commands`, and :mod:`bot.cli.workspaces` for
installations); ``serve`` runs the Slack app and ``try`` the sandbox. Every expected
failure ends with one readable line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from bot.cli import operator_commands, terminal, workspaces
from bot.cli.parser import build_parser
from bot.settings import ConfigError, load_settings
from knowledge import KnowledgeError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "explain":
            return terminal.explain_topic(terminal.knowledge(), " ".join(args.topic))
        if args.command == "compare":
            return terminal.compare_topics(terminal.knowledge(), " ".join(args.topics))
        if args.command == "ask":
            return terminal.ask(terminal.knowledge(), " ".join(args.question), args.subject)
        if args.command == "diagnose":
            return terminal.diagnose(terminal.knowledge(), args.answers, chart=args.chart)
        if args.command == "knowledge":
            return terminal.check(args.directory or load_settings().mlorg_knowledge_dir)
        if args.command == "outbox":
            return asyncio.run(operator_commands.outbox(args))
        if args.command == "export":
            return asyncio.run(operator_commands.export_data(args.out, charts=args.charts))
        if args.command == "questions":
            return asyncio.run(operator_commands.questions())
        if args.command == "workspaces":
            return asyncio.run(workspaces.workspaces(args))
        if args.command == "serve":
            from bot.serve import serve  # imported late: the terminal commands need no Slack

            return serve(http=args.http, host=args.host, port=args.port)
        if args.command == "try":
            from bot.sandbox.runner import (  # late: the terminal commands need no Slack
                default_data_dir,
                run_try,
            )

            return run_try(
                data_dir=args.data_dir or default_data_dir(),
                host=args.host,
                port=args.port,
                browser=not args.no_browser,
                reset=args.reset,
                workspaces=args.workspaces,
            )
    except ConfigError as error:
        print(f"mlorg: {error}", file=sys.stderr)
        return 2
    except KnowledgeError as error:
        print("mlorg: the knowledge content is invalid:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    build_parser().print_help()
    return 0
