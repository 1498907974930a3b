"""Finding a workspace's bot without a request, and keeping its token fresh.

A request tells Bolt the org, the workspace and whether the install is org-wide, and Bolt's
own authorize finds (and, with token rotation, refreshes) the token. Background work knows
only the ``team_id`` it stored, so :class:`InstalledBots` looks the rest up:

1. the workspace's org, from ``workspace_orgs`` (:class:`~bot.store.orgs.WorkspaceOrgs`);
2. the workspace's own bot (``enterprise_id`` = its org or none, ``team_id`` = it);
3. failing that, on Enterprise Grid, the org-wide install's bot.

With token rotation on, a bot token lives 12 hours. A token that expires within
``refresh_minutes`` (Bolt's default, so both paths agree) is refreshed with slack-sdk's
:class:`AsyncTokenRotator` and saved back before it is used, as Bolt does for requests: the
installation row and the bot row, so that Bolt's next request sees the new refresh token.
One refresh per workspace runs at a time in this process; the others wait for it and read
its result.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.store.orgs import WorkspaceOrgs

__all__ = ["REFRESH_MINUTES", "InstalledBots", "token_rotator"]

log = logging.getLogger(__name__)

#: Refresh a token this long before it expires (Bolt's ``token_rotation_expiration_minutes`` default).
REFRESH_MINUTES = 120


class InstalledBots:
    """The bot (token and identity) installed for a workspace, found from its ``team_id`` alone.

    ``rotator`` is None when the app cannot refresh tokens (no client id and secret); an
    expiring token is then used as it is, and Slack's answer decides.
    """

    def __init__(
        self,
        installations: AsyncInstallationStore,
        orgs: WorkspaceOrgs,
        *,
        rotator: AsyncTokenRotator | None = None,
        refresh_minutes: int = REFRESH_MINUTES,
    ) -> None:
        self.installations = installations
        self.orgs = orgs
        self.rotator = rotator
        self.refresh_minutes = refresh_minutes
        self._refreshing: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def find(self, team_id: str) -> Bot | None:
        """The bot to act in ``team_id`` with, refreshed if it was about to expire; None if not installed."""
        bot = await self._lookup(team_id)
        if bot is None or not self._expiring(bot) or self.rotator is None:
            return bot
        # An org-wide bot serves many workspaces: they share one lock, and one refresh.
        key = f"{bot.enterprise_id or ''}:{'' if bot.is_enterprise_install else bot.team_id or ''}"
        async with self._refreshing[key]:
            bot = await self._lookup(team_id)  # a refresh that held the lock may have saved a new one
            if bot is None or not self._expiring(bot):
                return bot
            return await self._refresh(bot)

    async def _lookup(self, team_id: str) -> Bot | None:
        enterprise_id = await self.orgs.enterprise_of(team_id)
        bot = await self.installations.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=False
        )
        if bot is None and enterprise_id is not None:
            bot = await self.installations.async_find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        return bot

    def _expiring(self, bot: Bot) -> bool:
        expires_at = bot.bot_token_expires_at
        return (
            expires_at is not None
            and bool(bot.bot_refresh_token)
            and expires_at <= time.time() + self.refresh_minutes * 60
        )

    async def _refresh(self, bot: Bot) -> Bot:
        """Refresh ``bot``'s token and save it where Bolt will find it; the old bot if Slack refuses."""
        assert self.rotator is not None
        try:
            refreshed = await self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self.refresh_minutes
            )
        except Exception as error:  # SlackTokenRotationError, or Slack unreachable
            # The old token may still work for a while; the next use tries again.
            log.warning(
                "could not refresh the bot token of %s (%s); using the current one",
                _where(bot),
                type(error).__name__,
            )
            return bot
        if refreshed is None:
            return bot
        await self._save(bot, refreshed)
        log.info("refreshed the bot token of %s", _where(bot))
        return refreshed

    async def _save(self, bot: Bot, refreshed: Bot) -> None:
        """Save the new token in the bot row, and in the installation row it came with, if any.

        Bolt's authorize reads the installation row for requests; leaving the old token and
        refresh token there would have it refresh again with a refresh token already used.
        """
        org_wide = bool(bot.is_enterprise_install)
        installation = await self.installations.async_find_installation(
            enterprise_id=bot.enterprise_id,
            team_id=None if org_wide else bot.team_id,
            is_enterprise_install=org_wide,
        )
        if installation is None or installation.installed_at != bot.installed_at:
            await self.installations.async_save_bot(refreshed)
            return
        installation.bot_token = refreshed.bot_token
        installation.bot_refresh_token = refreshed.bot_refresh_token
        installation.bot_token_expires_at = refreshed.bot_token_expires_at
        await self.installations.async_save(installation)  # the bot row too


def _where(bot: Bot) -> str:
    """Names the install in logs (ids only, never a token)."""
    if bot.is_enterprise_install:
        return f"org {bot.enterprise_id} (org-wide install)"
    return f"workspace {bot.team_id}" + (f" of org {bot.enterprise_id}" if bot.enterprise_id else "")


def token_rotator(client_id: str, client_secret: str, *, base_url: str, timeout: int) -> AsyncTokenRotator:
    """slack-sdk's rotator, calling ``oauth.v2.access`` at ``SLACK_API_URL`` like every other call."""
    return AsyncTokenRotator(
        client_id=client_id,
        client_secret=client_secret,
        client=AsyncWebClient(base_url=base_url, timeout=timeout),
    )
