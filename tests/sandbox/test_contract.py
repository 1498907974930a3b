"""The stand-in answers every Web API method the app's code calls, and every event it subscribes to."""

from __future__ import annotations

import re
from pathlib import Path

from bot.sandbox.manifest import load_manifest
from bot.sandbox.web_api import METHODS

ROOT = Path(__file__).resolve().parents[2]
#: ``client.chat_postMessage(``, ``self.client.views_open(``, ``ctx.client.users_info(``…
_CALL = re.compile(r"\bclient\.([a-z]+)_([a-zA-Z0-9_]+)\(")
#: What Bolt itself calls for a single-workspace app with a bot token.
BOLT_CALLS = {"auth.test"}
#: slack_sdk helpers that are several Web API calls.
COMPOSITE = {"files.upload.v2": {"files.getUploadURLExternal", "files.completeUploadExternal"}}


def methods_called_by_the_app() -> set[str]:
    found = set(BOLT_CALLS)
    for path in (ROOT / "bot").rglob("*.py"):
        if "sandbox" in path.relative_to(ROOT).parts:  # the stand-in, not a checkout named "sandbox"
            continue
        for family, name in _CALL.findall(path.read_text(encoding="utf-8")):
            # slack_sdk: chat_postMessage -> chat.postMessage, conversations_history -> conversations.history
            method = f"{family}.{name.replace('_', '.')}"
            found |= COMPOSITE.get(method, {method})
    return found


def test_the_scan_finds_the_calls_it_should() -> None:
    called = methods_called_by_the_app()
    assert {"chat.postMessage", "chat.update", "views.open", "views.publish", "users.info"} <= called


def test_the_stand_in_answers_every_method_the_app_calls() -> None:
    missing = methods_called_by_the_app() - set(METHODS)
    assert not missing, f"the sandbox lacks Web API methods the app calls: {sorted(missing)}"


def test_the_stand_in_delivers_every_event_the_manifest_subscribes_to() -> None:
    delivered = {"app_mention", "app_home_opened", "message.im", "message.channels", "message.groups"}
    # Slack sends these when a workspace leaves, not in answer to anything done on the page;
    # tests/e2e/test_leaving.py delivers them.
    leaving = {"app_uninstalled", "tokens_revoked"}
    assert load_manifest().bot_events - leaving <= delivered


def test_the_packaged_manifest_is_the_repository_manifest() -> None:
    packaged = load_manifest()
    assert packaged == load_manifest(ROOT / "app_manifest.yml")
    assert (
        packaged.command("/mlorg") is not None and "explain [topic]" in packaged.command("/mlorg").subcommands
    )  # type: ignore[union-attr]


def test_files_upload_v2_counts_as_the_calls_it_makes() -> None:
    """The app will upload charts with ``files_upload_v2``; the stand-in must answer its steps."""
    method = "files.upload.v2"
    assert _CALL.findall("await client.files_upload_v2(content=png)") == [("files", "upload_v2")]
    assert COMPOSITE[method] <= set(METHODS)
