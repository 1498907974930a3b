"""Help answers in the ack: it is cheap, private, and needs no Web API call."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.commands import CommandContext
from bot.deps import Deps
from bot.features.help.blocks import build_help

__all__ = ["register"]


def register(app: AsyncApp, deps: Deps) -> None:
    router = deps.commands
    # Built on first use, once every feature has registered its subcommands, then reused.
    rendered: list[list[dict[str, Any]]] = []

    async def handle_help_command(ctx: CommandContext) -> None:
        if not rendered:
            rendered.append(build_help(router.subcommands))
        await ctx.ack(response_type="ephemeral", blocks=rendered[0], text="mlorg help")

    router.add(
        "help",
        handle_help_command,
        summary="This card: everything mlorg can do.",
        example="/mlorg help",
        aliases=("?", "-h", "--help", "commands"),
    )
