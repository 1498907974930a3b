"""The stand-in's workspace: people, channels, messages and what changed.

It is the single source of truth for everything the page shows and everything the
Web API answers, so the two can never disagree. It is plain data, kept in memory and
saved to a JSON file in the sandbox's data directory, so a restart of ``mlorg try``
finds the channels as they were (the app's own SQLite file sits next to it: a quiz
in progress and its thread survive together).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BOT",
    "PEOPLE",
    "TEAM_ID",
    "WORKSPACES",
    "Channel",
    "Message",
    "Person",
    "Traffic",
    "Warning",
    "Workspace",
]

log = logging.getLogger("mlorg.sandbox")

TEAM_ID = "T0SANDBOX"
TEAM_NAME = "Acme ML (sandbox)"
#: The workspaces ``mlorg try --workspaces N`` runs, first to last: (team id, name, domain). The first
#: is the single workspace of ``mlorg try``; the others are the companies that add mlorg through OAuth.
WORKSPACES: tuple[tuple[str, str, str], ...] = (
    (TEAM_ID, TEAM_NAME, "sandbox"),
    ("T0GLOBEX", "Globex Research (sandbox)", "globex"),
    ("T0INITECH", "Initech Data (sandbox)", "initech"),
)
APP_ID = "A0MLORG"
BOT_ID = "B0MLORG"
#: Keep the page responsive and the file small: the traffic panel shows the latest exchanges.
TRAFFIC_KEPT = 400
WARNINGS_KEPT = 200


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    real_name: str
    title: str
    is_admin: bool = False
    is_bot: bool = False
    color: str = "#4a154b"

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.real_name.split()[:2]).upper()


#: Four people cover every role the app distinguishes: an admin, a lead who starts things, members.
PEOPLE: tuple[Person, ...] = (
    Person("U0ADMIN", "ada", "Ada Admin", "Workspace admin", is_admin=True, color="#1264a3"),
    Person("U0LEAD", "lee", "Lee Lead", "Team lead, ML platform", color="#2bac76"),
    Person("U0MIA", "mia", "Mia Member", "ML engineer", color="#e8912d"),
    Person("U0MAX", "max", "Max Member", "Data scientist", color="#cd2553"),
)
BOT = Person("U0MLORG", "mlorg", "mlorg", "App", is_bot=True, color="#2c3e50")


@dataclass
class Channel:
    id: str
    name: str
    members: set[str]
    is_private: bool = False
    is_im: bool = False
    #: For a DM: the person mlorg talks to.
    user: str | None = None
    topic: str = ""

    @property
    def label(self) -> str:
        return self.name if self.is_im else f"#{self.name}"


def _default_channels() -> list[Channel]:
    everyone = {p.id for p in PEOPLE} | {BOT.id}
    channels = [
        Channel("C0GENERAL", "general", set(everyone), topic="Company-wide announcements and chat"),
        Channel("C0MLPLATFORM", "ml-platform", set(everyone), topic="The ML platform team"),
        Channel(
            "C0LEADERSHIP",
            "leadership",
            {"U0ADMIN", "U0LEAD", BOT.id},
            is_private=True,
            topic="Where leadership summaries land",
        ),
    ]
    channels += [
        Channel(f"D0{p.id[2:]}", "mlorg", {p.id, BOT.id}, is_private=True, is_im=True, user=p.id)
        for p in PEOPLE
    ]
    return channels


@dataclass
class Message:
    """One message as a channel holds it; ``visible_to`` makes it ephemeral."""

    ts: str
    channel: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    visible_to: str | None = None
    metadata: dict[str, Any] | None = None
    edited: bool = False
    #: Slackbot's own notices (a failed command), drawn like Slack draws them.
    from_slackbot: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def as_api(self) -> dict[str, Any]:
        """The message as the Web API returns it (conversations.history, chat.postMessage)."""
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        if self.user == BOT.id:
            out.update(bot_id=BOT_ID, app_id=APP_ID, user=BOT.id)
        else:
            out["user"] = self.user
        if self.blocks:
            out["blocks"] = self.blocks
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.metadata:
            out["metadata"] = self.metadata
        return out


@dataclass(frozen=True)
class Warning:
    """Something real Slack would reject or show differently: the page shows it, the log says it."""

    at: float
    where: str
    text: str


@dataclass
class Traffic:
    """One exchange between the stand-in and the app, for the traffic panel."""

    id: int
    at: float
    direction: str  # "to app" or "from app"
    kind: str
    request: Any
    status: int | str = ""
    response: Any = None
    ms: float = 0.0


class Workspace:
    """All of the stand-in's state, and a change counter the page listens to."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        team_id: str = TEAM_ID,
        team_name: str = TEAM_NAME,
        domain: str = "sandbox",
    ) -> None:
        self.path = path
        #: Which Slack workspace this is: every payload the app receives and every answer it reads says so.
        self.team_id, self.team_name, self.domain = team_id, team_name, domain
        self.people = {p.id: p for p in (*PEOPLE, BOT)}
        self.channels = {c.id: c for c in _default_channels()}
        self.messages: dict[str, list[Message]] = {c: [] for c in self.channels}
        #: Each person's published Home tab (the view dict as the app sent it, plus id and hash).
        self.homes: dict[str, dict[str, Any]] = {}
        self.warnings: deque[Warning] = deque(maxlen=WARNINGS_KEPT)
        self.traffic: deque[Traffic] = deque(maxlen=TRAFFIC_KEPT)
        self.seq = 0
        self._ids = itertools.count(1)
        self._last_ts = 0.0
        self._listeners: set[asyncio.Queue[int]] = set()
        self._save_pending = False
        if path is not None and path.exists():
            self._load(path)

    # -- ids ------------------------------------------------------------------------------------
    def next_ts(self) -> str:
        """A message timestamp, strictly increasing like Slack's (seconds.microseconds)."""
        now = max(time.time(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}{int(time.time() * 1000) % 100000:05d}"

    # -- lookups ----------------------------------------------------------------------------------
    def person(self, user_id: str) -> Person | None:
        return self.people.get(user_id)

    def channel(self, ref: str) -> Channel | None:
        """A channel by id, by ``#name``/name, or a person's id (their DM with mlorg), as Slack accepts."""
        if ref in self.channels:
            return self.channels[ref]
        if ref in self.people and not self.people[ref].is_bot:
            return self.dm_of(ref)
        name = ref.removeprefix("#")
        return next((c for c in self.channels.values() if not c.is_im and c.name == name), None)

    def dm_of(self, user_id: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.is_im and c.user == user_id), None)

    def channel_by_name(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if not c.is_im and c.name == name), None)

    def person_by_name(self, name: str) -> Person | None:
        return next((p for p in self.people.values() if p.name == name.lower()), None)

    def find(self, channel_id: str, ts: str) -> Message | None:
        return next((m for m in self.messages.get(channel_id, []) if m.ts == ts), None)

    def visible(self, channel_id: str, viewer: str) -> Iterator[Message]:
        """Top-level messages of a channel as ``viewer`` sees them (others' ephemerals hidden)."""
        for m in self.messages.get(channel_id, []):
            if not m.is_reply and (m.visible_to is None or m.visible_to == viewer):
                yield m

    def replies(self, channel_id: str, thread_ts: str, viewer: str | None = None) -> list[Message]:
        return [
            m
            for m in self.messages.get(channel_id, [])
            if m.is_reply
            and m.thread_ts == thread_ts
            and (viewer is None or m.visible_to is None or m.visible_to == viewer)
        ]

    # -- changes ----------------------------------------------------------------------------------
    def add(self, message: Message) -> Message:
        self.messages.setdefault(message.channel, []).append(message)
        self.changed()
        return message

    def remove(self, message: Message) -> None:
        with contextlib.suppress(ValueError):
            self.messages[message.channel].remove(message)
        self.changed()

    def warn(self, where: str, text: str) -> Warning:
        warning = Warning(time.time(), where, text)
        self.warnings.append(warning)
        log.warning("Slack would reject this (%s): %s", where, text)
        self.changed()
        return warning

    def record(self, direction: str, kind: str, request: Any) -> Traffic:
        entry = Traffic(next(self._ids), time.time(), direction, kind, request)
        self.traffic.append(entry)
        return entry

    def changed(self) -> None:
        """Tell every open page to redraw, and save soon (several changes, one write)."""
        self.seq += 1
        for queue in list(self._listeners):
            queue.put_nowait(self.seq)
        if self.path is not None and not self._save_pending:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.save()
                return
            self._save_pending = True
            loop.call_later(0.3, self._save_soon)

    def listen(self) -> asyncio.Queue[int]:
        queue: asyncio.Queue[int] = asyncio.Queue()
        self._listeners.add(queue)
        return queue

    def unlisten(self, queue: asyncio.Queue[int]) -> None:
        self._listeners.discard(queue)

    def reset(self) -> None:
        """Empty every channel and Home tab (the control API's reset; the app's data is separate)."""
        self.messages = {c: [] for c in self.channels}
        self.homes.clear()
        self.warnings.clear()
        self.traffic.clear()
        self.changed()

    # -- persistence ------------------------------------------------------------------------------
    def _save_soon(self) -> None:
        self._save_pending = False
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        data = {
            "version": 1,
            "messages": {c: [asdict(m) for m in ms] for c, ms in self.messages.items()},
            "homes": self.homes,
            "last_ts": self._last_ts,
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("the sandbox workspace file %s is unreadable; starting with empty channels", path)
            return
        for channel_id, items in (data.get("messages") or {}).items():
            if channel_id in self.channels:
                self.messages[channel_id] = [Message(**item) for item in items]
        self.homes = dict(data.get("homes") or {})
        self._last_ts = float(data.get("last_ts") or 0.0)
