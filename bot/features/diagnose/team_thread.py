"""A team diagnosis in its channel: the public invitation and the anonymous summary in its thread.

The summary is a view people watch, so it moves only by whole groups (see
:mod:`knowledge.anonymity`); the invitation carries the running count instead, which
says who is taking part in number only.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import CommandContext
from bot.deps import Deps
from bot.features.diagnose.blocks import build_invitation, build_team_summary, invitation_text
from bot.features.diagnose.charts import team_images
from bot.slack_text import api_error
from bot.store import TeamSession
from knowledge.diagnosis import aggregate, score

__all__ = ["TeamThread"]

log = logging.getLogger(__name__)

#: Saving what the summary shows is a compare-and-set; people finishing at once retry this often.
_ATTEMPTS = 5


class TeamThread:
    def __init__(self, deps: Deps) -> None:
        self.kb = deps.kb
        self.diagnoses = deps.store.diagnoses
        self.views = deps.store.views
        self.workspaces = deps.store.workspaces
        self.charts = deps.charts

    async def min_group(self, team_id: str) -> int:
        return (await self.workspaces.get(team_id)).min_group

    async def post(self, ctx: CommandContext) -> None:
        """Post the invitation and, in its thread, the summary's placeholder."""
        group = await self.min_group(ctx.team_id)
        session = await self.diagnoses.open_session(ctx.team_id, ctx.channel_id, ctx.user_id)
        try:
            posted = await ctx.client.chat_postMessage(
                channel=ctx.channel_id,
                blocks=build_invitation(
                    session_id=session.session_id, started_by=ctx.user_id, answered=0, min_group=group
                ),
                text=invitation_text(ctx.user_id),
            )
            message_ts = str(posted["ts"])
            summary = await ctx.client.chat_postMessage(
                channel=ctx.channel_id,
                thread_ts=message_ts,
                blocks=build_team_summary(aggregate(self.kb, [], group)),
                text="The team summary appears here once enough people have answered.",
            )
        except SlackApiError as error:
            await self.diagnoses.close_session(ctx.team_id, session.session_id)
            log.info("team diagnosis could not be posted: %s", api_error(error))
            await ctx.respond(
                response_type="ephemeral",
                text="I can't post in this channel. Add me with `/invite @mlorg` and try again.",
            )
            return
        await self.diagnoses.set_session_messages(
            ctx.team_id, session.session_id, message_ts, str(summary["ts"])
        )

    async def refresh(
        self, client: AsyncWebClient, session: TeamSession, *, closed_by: str | None = None
    ) -> None:
        """Redraw the thread's anonymous summary, if it may change, and the invitation's count.

        The summary is a view people watch, so it is redrawn only once at least the minimum
        group of people changed since it was last drawn (see :mod:`knowledge.anonymity`);
        what it showed is saved with a compare-and-set, so two replicas (or two people
        finishing at once) cannot both move it on from the same figures. It is also checked
        against, and added to, the workspace's ledger, so it never differs by fewer than the
        group from the leadership summary of the same people either.
        """
        group = await self.min_group(session.team_id)
        key = f"team:{session.session_id}"
        for _ in range(_ATTEMPTS):
            view = await self.views.get(session.team_id, key)
            ledger = await self.views.ledger(session.team_id)
            responses = await self.diagnoses.responses(session.team_id, session.session_id)
            team = aggregate(
                self.kb,
                [(score(self.kb, r.answers), r.role) for r in responses],
                group,
                members=[r.token for r in responses],
                shown=view.shown,
                ledger=ledger.sets,
            )
            if not team.updated:
                break
            if not await self.views.save_many(
                session.team_id, [(key, team.shown or {}, view.version)], ledger
            ):
                continue  # someone else drew it meanwhile: decide again from what they showed
            if session.summary_ts is not None:
                # Its charts too, once the group is large enough (none below it, like the text).
                await self.charts.poster.update_message(
                    client,
                    channel=session.channel_id,
                    ts=session.summary_ts,
                    blocks=build_team_summary(team),
                    text=f"Team diagnosis summary ({team.placed} people)",
                    images=await team_images(self.charts, client, team),
                )
            break
        else:
            return
        if session.message_ts is None:
            return
        # Two people finishing at once can cross their redraws: the last count drawn is re-checked.
        drawn = -1
        for _ in range(3):
            current = await self.diagnoses.get_session(session.team_id, session.session_id) or session
            answered = len(await self.diagnoses.responses(session.team_id, session.session_id))
            if answered == drawn or (current.status != "open" and closed_by is None):
                return
            drawn = answered
            await client.chat_update(
                channel=session.channel_id,
                ts=session.message_ts,
                blocks=build_invitation(
                    session_id=session.session_id,
                    started_by=current.started_by,
                    answered=answered,
                    min_group=group,
                    closed_by=closed_by,
                    unshown=team.unshown,
                ),
                text=invitation_text(current.started_by),
            )
