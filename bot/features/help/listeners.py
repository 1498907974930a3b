"""Help answers in the ack: it is cheap, private, and needs no Web API call."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import CommandContext
from bot.deps import Deps
from bot.features.help.blocks import build_help

__all__ = ["register"]


def register(app: AsyncApp, deps: Deps) -> None:
    router = deps.commands

    async def handle_help_command(ctx: CommandContext) -> None:
        await ctx.ack(response_type="ephemeral", blocks=build_help(router.subcommands), text="mlorg help")

    router.add(
        "help",
        handle_help_command,
        summary="This card: everything mlorg can do.",
        example="/mlorg help",
        aliases=("?", "-h", "--help", "commands"),
    )
