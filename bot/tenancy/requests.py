"""What a many-workspace app does with each request before its listeners see it.

:func:`record_orgs` remembers which Enterprise Grid org a workspace belongs to, so that work
without a request (quiz timers, the outbox) can find an org-wide install's token
(:mod:`bot.tenancy.bots`).

:func:`quiet_unknown_workspaces` shapes the answer to a workspace where mlorg is not installed
(uninstalled, or a request that outlived its installation). Bolt's authorize error path
answers it: a command or a click gets "please reinstall" at its ``response_url`` and a 200,
an event a 200 with that text. Bolt also logs an ERROR for every such request, and posts to
the ``response_url`` before acking, so a slow or failing ``response_url`` would delay the ack
or turn it into a 500. Here the post goes out after the ack, Bolt's line is dropped, and mlorg
logs one WARNING per workspace per process instead.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.authorization.async_multi_teams_authorization import (
    AsyncMultiTeamsAuthorization,
)
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.store import StoreError
from bot.store.orgs import WorkspaceOrgs

__all__ = ["quiet_unknown_workspaces", "record_orgs"]

log = logging.getLogger(__name__)

#: The start of the line Bolt (1.2x-1.30) logs when authorize finds no installation.
BOLT_NOT_INSTALLED = "Although the app should be installed into this workspace"


def record_orgs(bolt: AsyncApp, orgs: WorkspaceOrgs) -> None:
    """Record ``workspace_orgs`` for every authorized request from a workspace on Enterprise Grid.

    Any workspace with an org is recorded, not only those under an org-wide install: on Grid, a
    workspace's own install is stored under its org too, and background work needs the org to
    find either. :meth:`WorkspaceOrgs.record` writes once per workspace per process.
    """

    @bolt.middleware
    async def record_workspace_org(context: AsyncBoltContext, next: Any) -> BoltResponse | None:
        team_id, enterprise_id = context.team_id, context.enterprise_id
        if team_id and enterprise_id:
            try:
                await orgs.record(team_id, enterprise_id)
            except StoreError as error:
                # The request itself does not need it; a later request records it.
                log.warning("could not record the org of workspace %s (%s)", team_id, error)
        await next()
        return None


def quiet_unknown_workspaces(bolt: AsyncApp) -> None:
    """Answer requests from workspaces without an installation calmly (see the module docstring).

    Call once on an app built with an installation store or an ``authorize`` (OAuth mode);
    a single-token app has nothing to change and is left as it is.
    """
    for middleware in bolt._async_middleware_list:
        if isinstance(middleware, AsyncMultiTeamsAuthorization) and not isinstance(
            middleware.authorize, _LoggedOnce
        ):
            middleware.authorize = _LoggedOnce(middleware.authorize)
            if _DROP_BOLT_LINE not in middleware.logger.filters:
                middleware.logger.addFilter(_DROP_BOLT_LINE)


class _DropBoltLine(logging.Filter):
    """Drops Bolt's per-request ERROR about a missing installation (mlorg logs it once per team)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(BOLT_NOT_INSTALLED)


_DROP_BOLT_LINE = _DropBoltLine()


class _LoggedOnce(AsyncAuthorize):
    """Bolt's authorize, which logs a workspace it finds no installation for once, and answers
    its ``response_url`` after the ack instead of before it."""

    def __init__(self, inner: AsyncAuthorize) -> None:
        self.inner = inner  # (AsyncAuthorize.__init__ does nothing)
        self._logged: set[tuple[str, str]] = set()
        self._posts: set[asyncio.Task[None]] = set()

    def __getattr__(self, name: str) -> Any:
        # Bolt sets and reads options on its authorize (token_rotation_expiration_minutes, bot_only).
        return getattr(self.inner, name)

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        result = await self.inner(
            context=context,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            actor_enterprise_id=actor_enterprise_id,
            actor_team_id=actor_team_id,
            actor_user_id=actor_user_id,
        )
        if result is None:
            key = (enterprise_id or "", team_id or "")
            if key not in self._logged:
                self._logged.add(key)
                log.warning(
                    "a request from workspace %s%s, where mlorg is not installed, was asked to reinstall"
                    " (logged once per workspace)",
                    team_id or "(none)",
                    f" of org {enterprise_id}" if enterprise_id else "",
                )
            if context.response_url:
                context["respond"] = _RespondLater(context.response_url, self._posts)
        else:
            self._logged.discard((enterprise_id or "", team_id or ""))
        return result


class _RespondLater:
    """Stands in for Bolt's ``respond`` on the reinstall answer: posts in the background."""

    def __init__(self, response_url: str, posts: set[asyncio.Task[None]]) -> None:
        self.response_url = response_url
        self._posts = posts

    async def __call__(self, text: str = "", **_: Any) -> None:
        task = asyncio.create_task(self._post(text))
        self._posts.add(task)  # keep a reference until it is done
        task.add_done_callback(self._posts.discard)

    async def _post(self, text: str) -> None:
        try:
            await AsyncWebhookClient(self.response_url, timeout=5).send(
                text=text, response_type="ephemeral", replace_original=False
            )
        except Exception as error:  # best effort: the ack already went out
            log.info("could not post the reinstall notice (%s)", type(error).__name__)
