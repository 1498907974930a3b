"""The ``/mlorg`` command and its subcommands.

Slack delivers one command, ``/mlorg``, with free text. Each feature registers the
subcommands it answers (``explain``, ``compare``, …) with :class:`CommandRouter`,
which also produces the help listing from those registrations, so help can never
advertise a subcommand that does not exist.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.outage import log_unavailable, notify_unavailable, unavailable_ack
from bot.slack_text import quote_user_text, unescape
from bot.store import StoreUnavailable

__all__ = ["CommandContext", "CommandRouter", "Subcommand"]

log = logging.getLogger(__name__)


async def _nowhere_to_respond(*_args: Any, **_kwargs: Any) -> None:
    log.info("a command without a response_url: its later answer is dropped")


@dataclass(frozen=True)
class CommandContext:
    """What a subcommand handler needs: who asked, where, the text after the subcommand."""

    team_id: str
    user_id: str
    channel_id: str
    text: str
    trigger_id: str
    ack: AsyncAck
    respond: AsyncRespond
    client: AsyncWebClient
    body: dict[str, Any]


Handler = Callable[[CommandContext], Awaitable[None]]
#: A handler for text that is not a subcommand; returns False to decline it.
Fallback = Callable[[CommandContext], Awaitable[bool]]


@dataclass(frozen=True)
class Subcommand:
    name: str
    handler: Handler
    summary: str
    example: str
    aliases: tuple[str, ...] = ()


@dataclass
class CommandRouter:
    """Maps the first word of ``/mlorg`` text to a feature's handler."""

    subcommands: list[Subcommand] = field(default_factory=list)
    fallback: Fallback | None = None
    _by_name: dict[str, Subcommand] = field(default_factory=dict)

    def add(
        self,
        name: str,
        handler: Handler,
        *,
        summary: str,
        example: str,
        aliases: tuple[str, ...] = (),
    ) -> None:
        sub = Subcommand(name, handler, summary, example, aliases)
        for key in (name, *aliases):
            if key in self._by_name:
                raise ValueError(f"subcommand {key!r} is registered twice")
            self._by_name[key] = sub
        self.subcommands.append(sub)

    def resolve(self, text: str) -> tuple[Subcommand | None, str]:
        """The subcommand named by the first word, and the rest of the text."""
        words = text.strip().split(maxsplit=1)
        if not words:
            return self._by_name.get("help"), ""
        sub = self._by_name.get(words[0].lower())
        if sub is None:
            return None, text.strip()
        return sub, words[1] if len(words) > 1 else ""

    def suggest(self, word: str) -> list[str]:
        return difflib.get_close_matches(word.lower(), list(self._by_name), n=2, cutoff=0.6)

    async def dispatch(
        self, *, body: dict[str, Any], ack: AsyncAck, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Route one ``/mlorg`` request; every path acks exactly once."""
        text = unescape(str(body.get("text") or ""))
        sub, rest = self.resolve(text)
        if not str(body.get("response_url") or ""):
            # Bolt's respond raises ValueError without one; there is nowhere to answer later.
            respond = cast(AsyncRespond, _nowhere_to_respond)  # called the same way
        context = CommandContext(
            team_id=str(body.get("team_id", "")),
            user_id=str(body.get("user_id", "")),
            channel_id=str(body.get("channel_id", "")),
            text=rest,
            trigger_id=str(body.get("trigger_id", "")),
            ack=ack,
            respond=respond,
            client=client,
            body=body,
        )
        try:
            if sub is not None:
                await sub.handler(context)
                return
            if self.fallback is not None and await self.fallback(context):
                return
        except StoreUnavailable as error:
            # Every subcommand gets the same friendly answer, in the ack if it is still due.
            log_unavailable(body, error)
            if ack.response is None:
                await ack(**unavailable_ack(body))
            else:
                await notify_unavailable(body, client)
            return
        await ack(response_type="ephemeral", text=self.unknown_text(text))

    def unknown_text(self, text: str) -> str:
        first = text.strip().split(maxsplit=1)[0] if text.strip() else ""
        guesses = self.suggest(first)
        hint = f" Did you mean `/mlorg {guesses[0]}`?" if guesses else ""
        return (
            f"I don't know `/mlorg {quote_user_text(first, 40)}`.{hint} "
            "Type `/mlorg help` to see everything I can do."
        )
