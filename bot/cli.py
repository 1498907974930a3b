"""``mlorg``: the one console script.

The knowledge base works from a terminal with no Slack account (``explain``,
``compare``, ``knowledge check``); ``serve`` runs the Slack app. Every expected
failure ends with one readable line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot.operator import export, list_outbox, list_questions, open_store, retry_outbox
from bot.settings import ConfigError, Settings, load_settings
from bot.store import Store, StoreError
from knowledge import (
    Answer,
    Answerer,
    Archetype,
    KnowledgeBase,
    KnowledgeError,
    check_knowledge,
    compare,
    explain,
    load_knowledge,
    overview,
    render_card,
    render_comparison,
    render_diagnosis,
    render_miss,
    render_overview,
    score,
)

__all__ = ["main"]


def _version() -> str:
    try:
        return version("mlorg")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlorg",
        description="mlorg: how to structure machine-learning teams, in Slack and in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"mlorg {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    explain_cmd = commands.add_parser("explain", help="explain an archetype or a dimension")
    explain_cmd.add_argument("topic", nargs="*", help="a name, alias or number 1-5; omit for an overview")

    compare_cmd = commands.add_parser("compare", help="compare two archetypes (or two dimensions)")
    compare_cmd.add_argument("topics", nargs="+", metavar="TOPIC", help="e.g. 'rnd independent'")

    ask_cmd = commands.add_parser("ask", help="answer a question about the framework from its content")
    ask_cmd.add_argument("question", nargs="+", help='e.g. "what goes wrong when ML sits in the R&D lab?"')
    ask_cmd.add_argument("--subject", default=None, help="a topic id the question follows up on, e.g. rnd")

    diagnose_cmd = commands.add_parser("diagnose", help="answer the diagnosis questionnaire in the terminal")
    diagnose_cmd.add_argument(
        "--answers",
        metavar="Q=O,...",
        help="answer non-interactively: question id = option id pairs, e.g. where_ml_happens=product_teams",
    )

    knowledge_cmd = commands.add_parser("knowledge", help="work with the knowledge content")
    knowledge_sub = knowledge_cmd.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)
    check_cmd = knowledge_sub.add_parser("check", help="validate the built-in content and an overlay")
    check_cmd.add_argument("directory", nargs="?", type=Path, help="an overlay directory of .yaml files")

    outbox_cmd = commands.add_parser("outbox", help="list pending and failed leadership posts, or retry them")
    outbox_sub = outbox_cmd.add_subparsers(dest="outbox_command", metavar="ACTION")
    outbox_list = outbox_sub.add_parser("list", help="pending and failed items (the default)")
    outbox_list.add_argument("--all", action="store_true", help="include delivered items")
    outbox_retry = outbox_sub.add_parser("retry", help="put failed items back in the queue")
    outbox_retry.add_argument("item", nargs="?", help="an item id from 'mlorg outbox'")
    outbox_retry.add_argument("--all", action="store_true", help="retry every failed item")

    export_cmd = commands.add_parser("export", help="write anonymised CSVs of diagnoses and quiz results")
    export_cmd.add_argument(
        "--out", type=Path, default=Path("mlorg-export"), help="directory (default: mlorg-export)"
    )

    commands.add_parser(
        "questions", help="(operators) questions mlorg could not answer, or answered unhelpfully (no askers)"
    )

    serve_cmd = commands.add_parser("serve", help="run the Slack app")
    serve_cmd.add_argument("--http", action="store_true", help="HTTP mode even if SLACK_APP_TOKEN is set")
    serve_cmd.add_argument("--host", default="0.0.0.0", help="address to listen on (HTTP mode)")
    serve_cmd.add_argument("--port", type=int, default=None, help="port (default: MLORG_PORT, PORT or 3000)")

    try_cmd = commands.add_parser("try", help="the whole app in a browser, on a local stand-in for Slack")
    try_cmd.add_argument("--port", type=int, default=3000, help="port of the page (default: 3000)")
    try_cmd.add_argument("--host", default="127.0.0.1", help="address of the page (default: 127.0.0.1)")
    try_cmd.add_argument("--no-browser", action="store_true", help="do not open a browser")
    try_cmd.add_argument("--reset", action="store_true", help="start with empty channels and a new database")
    try_cmd.add_argument("--data-dir", type=Path, default=None, help="where the sandbox keeps its data")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "explain":
            return _explain(_knowledge(), " ".join(args.topic))
        if args.command == "compare":
            return _compare(_knowledge(), " ".join(args.topics))
        if args.command == "ask":
            return _ask(_knowledge(), " ".join(args.question), args.subject)
        if args.command == "diagnose":
            return _diagnose(_knowledge(), args.answers)
        if args.command == "knowledge":
            return _check(args.directory or load_settings().mlorg_knowledge_dir)
        if args.command == "outbox":
            return asyncio.run(_outbox(args))
        if args.command == "export":
            return asyncio.run(_export(args.out))
        if args.command == "questions":
            return asyncio.run(_questions())
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
            )
    except ConfigError as error:
        print(f"mlorg: {error}", file=sys.stderr)
        return 2
    except KnowledgeError as error:
        print("mlorg: the knowledge content is invalid:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    _parser().print_help()
    return 0


def _knowledge() -> KnowledgeBase:
    return load_knowledge(load_settings().mlorg_knowledge_dir)


def _explain(kb: KnowledgeBase, topic: str) -> int:
    if not topic.strip():
        print(render_overview(overview(kb)))
        return 0
    lookup = kb.find(topic)
    if lookup.topic is None:
        print(render_miss(lookup), file=sys.stderr)
        return 1
    if lookup.corrected:
        print(f"(showing {lookup.topic.name} for '{topic}')\n")
    print(render_card(explain(kb, lookup.topic)))
    return 0


def _compare(kb: KnowledgeBase, text: str) -> int:
    left, right = kb.find_pair(text)
    for side in (left, right):
        if side.topic is None:
            message = render_miss(side) if side.query else "Name two topics, e.g. 'rnd independent'."
            print(message, file=sys.stderr)
            return 1
    assert left.topic is not None and right.topic is not None
    try:
        print(render_comparison(compare(kb, left.topic, right.topic)))
    except ValueError:
        print(
            f"{left.topic.short_name} is {_kind(left.topic)} and {right.topic.short_name} is "
            f"{_kind(right.topic)}: compare two archetypes, or two dimensions.",
            file=sys.stderr,
        )
        return 1
    return 0


def _ask(kb: KnowledgeBase, question: str, subject: str | None) -> int:
    """Print the answer; a question the framework does not answer is still a clean exit 0."""
    print(render_answer(Answerer(kb).answer(question, subject=subject)))
    return 0


def render_answer(result: Answer) -> str:
    """The answer as plain text: headline, each fact with its topic, and the diagnose hint."""
    if not result.answered:
        lines = [
            "The framework does not answer that.",
            "Ask about the five ML organization archetypes or the three team-design dimensions,",
            'e.g. mlorg ask "what goes wrong when ML sits in the R&D lab?"',
        ]
    else:
        lines = [result.headline, ""]
        lines += [f"  - [{fact.topic.short_name}] {fact.text}" for fact in result.facts]
    if result.suggest_diagnose:
        lines += ["", "For a fuller picture of your team, run: mlorg diagnose"]
    return "\n".join(lines)


def _kind(topic: object) -> str:
    return "an archetype" if isinstance(topic, Archetype) else "a dimension"


def _diagnose(kb: KnowledgeBase, given: str | None) -> int:
    """The Slack questionnaire in a terminal: number to answer, b to go back, q to quit."""
    if not kb.questions:
        print("No questionnaire is loaded.", file=sys.stderr)
        return 1
    if given is not None:
        answers = dict(pair.split("=", 1) for pair in given.split(",") if "=" in pair)
        print(render_diagnosis(score(kb, answers)))
        return 0
    answers = {}
    step = 0
    total = len(kb.questions)
    print("mlorg diagnosis: which ML organization archetype are you closest to?")
    print("Answer with a number; 'b' goes back, 'q' quits.\n")
    while step < total:
        question = kb.questions[step]
        print(f"Question {step + 1} of {total}: {question.prompt}")
        if question.help:
            print(f"  ({question.help})")
        for number, option in enumerate(question.options, start=1):
            print(f"  {number}. {option.label}")
        try:
            reply = input("> ").strip().lower()
        except EOFError:
            print("\nCancelled.", file=sys.stderr)
            return 1
        if reply == "q":
            print("Cancelled.", file=sys.stderr)
            return 1
        if reply == "b":
            step = max(0, step - 1)
            continue
        if reply.isdigit() and 1 <= int(reply) <= len(question.options):
            answers[question.id] = question.options[int(reply) - 1].id
            step += 1
            print()
            continue
        print(f"Please type a number from 1 to {len(question.options)}, 'b' or 'q'.\n")
    print(render_diagnosis(score(kb, answers)))
    return 0


async def _on_store(settings: Settings, work: Callable[[Store], Awaitable[int]]) -> int:
    """Run an operator command on the app's database: migrated first, closed after, and a
    database problem reported as one line naming DATABASE_URL."""
    store = open_store(settings)
    try:
        await store.migrate()
        return await work(store)
    except StoreError as error:
        raise ConfigError(f"DATABASE_URL: {error}") from None
    finally:
        await store.close()


def _print_lines(lines: Sequence[str]) -> int:
    for line in lines:
        print(line)
    return 0


async def _outbox(args: argparse.Namespace) -> int:
    async def work(store: Store) -> int:
        if args.outbox_command == "retry":
            if not args.item and not args.all:
                print("Name an item id, or use --all to retry every failed item.", file=sys.stderr)
                return 1
            count = await retry_outbox(store, None if args.all else args.item)
            if count == 0:
                print("No failed item matched; nothing was changed.", file=sys.stderr)
                return 1
            print(f"{count} item(s) queued again; a running mlorg delivers them.")
            return 0
        return _print_lines(await list_outbox(store, show_all=getattr(args, "all", False)))

    return await _on_store(load_settings(), work)


async def _export(directory: Path) -> int:
    settings = load_settings()
    kb = load_knowledge(settings.mlorg_knowledge_dir)

    async def work(store: Store) -> int:
        return _print_lines(await export(store, kb, directory))

    return await _on_store(settings, work)


async def _questions() -> int:
    async def work(store: Store) -> int:
        return _print_lines(await list_questions(store))

    return await _on_store(load_settings(), work)


def _check(directory: Path | None) -> int:
    problems = check_knowledge(directory)
    if problems:
        print(f"{len(problems)} problem(s) found:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    kb = load_knowledge(directory)
    where = f"built-in content plus {directory}" if directory else "built-in content"
    print(f"OK: {where}: {len(kb.archetypes)} archetypes, {len(kb.dimensions)} dimensions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
