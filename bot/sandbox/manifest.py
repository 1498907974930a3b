"""What the stand-in learns from ``app_manifest.yml``: commands, usage hints, events, scopes.

The stand-in behaves as the manifest says Slack would: it delivers only the events
the app subscribes to, escapes command text when ``should_escape`` is on, lets
``chat:write.public`` post where mlorg is not a member, and offers the commands'
usage hints for completion. ``bot/sandbox/app_manifest.yml`` is a link to the
repository's manifest, so the installed package carries the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Command", "Manifest", "load_manifest"]


@dataclass(frozen=True)
class Command:
    command: str
    description: str
    usage_hint: str
    should_escape: bool

    @property
    def subcommands(self) -> list[str]:
        """``help | explain [topic] | …`` as ``["help", "explain [topic]", …]`` for completion."""
        return [part.strip() for part in self.usage_hint.split("|") if part.strip()]


@dataclass(frozen=True)
class Manifest:
    name: str
    commands: tuple[Command, ...]
    bot_events: frozenset[str]
    scopes: frozenset[str]
    home_tab: bool
    messages_tab: bool
    messages_read_only: bool

    def command(self, name: str) -> Command | None:
        return next((c for c in self.commands if c.command == name), None)

    def subscribes(self, event: str) -> bool:
        return event in self.bot_events

    def completion(self) -> list[dict[str, Any]]:
        """The page's completion data."""
        return [
            {"command": c.command, "description": c.description, "hints": c.subcommands}
            for c in self.commands
        ]


def load_manifest(path: Path | None = None) -> Manifest:
    if path is None:
        text = resources.files("bot.sandbox").joinpath("app_manifest.yml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    features = data.get("features") or {}
    home = features.get("app_home") or {}
    settings = data.get("settings") or {}
    commands = tuple(
        Command(
            command=str(c.get("command", "")),
            description=str(c.get("description", "")),
            usage_hint=str(c.get("usage_hint", "")),
            should_escape=bool(c.get("should_escape", False)),
        )
        for c in features.get("slash_commands") or []
    )
    return Manifest(
        name=str((features.get("bot_user") or {}).get("display_name") or "mlorg"),
        commands=commands,
        bot_events=frozenset((settings.get("event_subscriptions") or {}).get("bot_events") or []),
        scopes=frozenset(((data.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []),
        home_tab=bool(home.get("home_tab_enabled", False)),
        messages_tab=bool(home.get("messages_tab_enabled", False)),
        messages_read_only=bool(home.get("messages_tab_read_only_enabled", False)),
    )
