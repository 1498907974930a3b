"""app_manifest.yml is valid for Slack and matches what the app registers."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.ids import COMMAND
from bot.settings import DEFAULT_BOT_SCOPES

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "app_manifest.yml"
SCHEMA = ROOT.parent / "shared" / "reference" / "slack-manifest-schema" / "manifest.schema.1.0.0.json"


def _validator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "validate_manifest", ROOT / "scripts" / "validate_manifest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture
def schema() -> Path:
    if not SCHEMA.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"Slack's manifest schema is missing at {SCHEMA}")
        pytest.skip("Slack's manifest schema is not beside this checkout")
    return SCHEMA


def test_the_manifest_is_valid_against_slacks_schema(schema: Path) -> None:
    assert _validator().problems(MANIFEST, schema) == []


def test_the_validator_reports_a_broken_manifest_by_field(schema: Path, tmp_path: Path) -> None:
    broken = manifest()
    broken["features"]["slash_commands"][0]["usage_hint"] = 42
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    found = _validator().problems(path, schema)
    assert any("features/slash_commands/0/usage_hint" in problem for problem in found)


def test_the_manifest_declares_exactly_the_command_the_app_registers() -> None:
    commands = [c["command"] for c in manifest()["features"]["slash_commands"]]
    assert commands == [COMMAND]
    [command] = manifest()["features"]["slash_commands"]
    assert command["description"] and command["usage_hint"]
    # Channel references must arrive as <#C…|name> for the features that take a channel.
    assert command["should_escape"] is True


def test_the_manifest_subscribes_to_the_events_the_app_uses_and_enables_interactivity() -> None:
    settings = manifest()["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) >= {"app_mention", "app_home_opened"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert manifest()["features"]["app_home"]["home_tab_enabled"] is True


def test_the_manifest_asks_for_no_scope_the_app_does_not_need() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert scopes == set(DEFAULT_BOT_SCOPES), "each scope is explained in the README's Scopes section"


def test_the_manifest_sends_oauth_installs_to_mlorgs_redirect_page() -> None:
    """Distributing to many workspaces needs the redirect URL; its path is mlorg's default one."""
    urls = manifest()["oauth_config"]["redirect_urls"]
    assert urls == ["https://YOUR-HOST/slack/oauth_redirect"]
    assert "https://YOUR-HOST/slack/events" in MANIFEST.read_text(encoding="utf-8"), (
        "the redirect URL's placeholder host is the one the request URLs use"
    )


def test_token_rotation_is_a_stated_choice() -> None:
    assert manifest()["settings"]["token_rotation_enabled"] is False
    text = MANIFEST.read_text(encoding="utf-8")
    assert "12 hours" in text.split("token_rotation_enabled")[0], "the choice is explained beside it"
