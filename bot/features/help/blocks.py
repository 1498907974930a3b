"""The help card, built from the subcommands features actually registered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block

from bot.blocks import actions, button, context, header, section, to_dicts
from bot.commands import Subcommand
from bot.features.diagnose import ids as diagnose_ids
from bot.features.explain import ids as explain_ids

__all__ = ["build_help"]


def build_help(subcommands: Sequence[Subcommand]) -> list[dict[str, Any]]:
    blocks: list[Block] = [
        header(":wave: mlorg: structure your ML teams"),
        section(
            "I know the five ways organizations place their machine-learning people and the three "
            "dimensions that shape an ML team. Ask me about any of them, here in the channel."
        ),
    ]
    listing = "\n".join(f"• `{sub.example}`: {sub.summary}" for sub in subcommands if sub.name != "help")
    blocks.append(section("*What you can ask*\n" + listing))
    blocks.append(
        actions(
            button("Browse the framework", explain_ids.OVERVIEW, "overview", style="primary"),
            button("Diagnose my organization", diagnose_ids.START, "start"),
            button("Explain R&D", f"{explain_ids.EXPLAIN_TOPIC}:rnd", "rnd"),
            button("Explain data ownership", f"{explain_ids.EXPLAIN_TOPIC}:data_ownership", "data_ownership"),
            block_id="help",
        )
    )
    blocks.append(
        context(
            "You can also mention me: `@mlorg what's the downside of an R&D org?` · Only you can see this."
        )
    )
    return to_dicts(blocks)
