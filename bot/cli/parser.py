"""The ``mlorg`` command line's arguments: every command, its options and their help, in one place."""

from __future__ import annotations

import argparse
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["build_parser"]


def _version() -> str:
    try:
        return version("mlorg")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
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
    diagnose_cmd.add_argument(
        "--chart", type=Path, metavar="FILE", default=None, help="also draw the result as a PNG chart in FILE"
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
    export_cmd.add_argument(
        "--charts",
        type=Path,
        metavar="DIR",
        default=None,
        help="also draw each workspace's summary charts (PNG, as /mlorg summary shows them) into DIR/<workspace id>/",
    )

    commands.add_parser(
        "questions", help="(operators) questions mlorg could not answer, or answered unhelpfully (no askers)"
    )

    workspaces_cmd = commands.add_parser(
        "workspaces", help="(operators) the workspaces mlorg is installed in or left, and purging one"
    )
    workspaces_sub = workspaces_cmd.add_subparsers(dest="workspaces_command", metavar="ACTION")
    workspaces_sub.add_parser("list", help="team, name, installed at, status and purge date (the default)")
    purge_cmd = workspaces_sub.add_parser("purge", help="delete a workspace's data and tokens now")
    purge_cmd.add_argument("team", metavar="TEAM", help="a team id (or an org id, for an org-wide install)")
    purge_cmd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    workspaces_sub.add_parser(
        "rekey",
        help="re-encrypt every stored token under the first MLORG_ENCRYPTION_KEY key, so older keys can go",
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
    try_cmd.add_argument(
        "--workspaces",
        type=int,
        choices=(1, 2, 3),
        default=1,
        help="local workspaces to run (default: 1, with a bot token); 2 or 3 install mlorg in each through OAuth",
    )
    return parser
