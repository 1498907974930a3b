"""When a workspace leaves: ``app_uninstalled`` and ``tokens_revoked`` (bot tokens).

What Slack says has gone goes at once: the installation and its bot token (through the
installation store, in OAuth mode; single-token mode has none, and its one token is the
operator's to remove). The workspace's data stays for ``MLORG_RETENTION_DAYS_AFTER_UNINSTALL``
days, so that a reinstall meanwhile (:meth:`bot.store.Installs.record_install`, called from
the OAuth success callback) finds it again; then the retention job purges it
(:mod:`bot.jobs.departures`). A grace period of 0 purges in the listener itself.

The departure is recorded before anything is deleted: the event id was claimed on arrival,
so Slack's retry would be dropped, and a recorded departure is what guarantees the purge
(which deletes slack-sdk's token rows too, should deleting them here have failed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs.departures import log_purge
from bot.store import Store
from bot.store.events import Clock, utc_now

__all__ = ["Departures", "Workspace", "register", "workspace_of"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Workspace:
    """Which installation an event is about, in the installation store's terms and mlorg's."""

    team_id: str | None
    enterprise_id: str | None
    org_wide: bool

    @property
    def install_key(self) -> tuple[str, str]:
        """The ``workspace_installs`` key: an org-wide install is ``("", enterprise_id)``."""
        return ("" if self.org_wide else self.team_id or ""), self.enterprise_id or ""

    @property
    def label(self) -> str:
        team, enterprise = self.install_key
        return team or enterprise


def workspace_of(context: AsyncBoltContext) -> Workspace:
    """The installation Bolt resolved from the event's ``authorizations`` (org-wide: no team)."""
    org_wide = bool(context.is_enterprise_install)
    return Workspace(
        team_id=None if org_wide else context.team_id,
        enterprise_id=context.enterprise_id,
        org_wide=org_wide,
    )


class Departures:
    """Records departures, deletes tokens, and purges at once when there is no grace period."""

    def __init__(
        self,
        store: Store,
        *,
        grace_days: int,
        installation_store: AsyncInstallationStore | None = None,
        clock: Clock = utc_now,
    ) -> None:
        if grace_days < 0:
            raise ValueError("grace_days must be 0 or more")
        self.store = store
        self.grace = timedelta(days=grace_days)
        self.installation_store = installation_store
        self._clock = clock

    async def depart(self, workspace: Workspace, why: str) -> None:
        team, enterprise = workspace.install_key
        if not team and not enterprise:
            log.warning("a %s event named no workspace; ignored", why)
            return
        now = self._clock()
        departure = await self.store.installs.record_departure(team, enterprise, now + self.grace)
        log.info(
            "workspace %s left (%s); its data is purged after %s",
            workspace.label,
            why,
            departure.purge_after.isoformat() if departure.purge_after else "now",
        )
        if self.installation_store is not None:
            await self.installation_store.async_delete_bot(
                enterprise_id=workspace.enterprise_id, team_id=workspace.team_id
            )
            await self.installation_store.async_delete_installation(
                enterprise_id=workspace.enterprise_id, team_id=workspace.team_id
            )
        if departure.purge_after is not None and departure.purge_after <= now:
            purged = await self.store.purge_departure(team, enterprise, now)
            if purged is not None:
                log_purge(workspace.label, purged, why=f"{why}, no grace period")

    async def arrived(self, installation: Installation) -> None:
        """OAuth mode: an install succeeded (the install page's hook). A workspace that comes back
        inside its grace period finds its data: the pending purge is cancelled."""
        org_wide = bool(installation.is_enterprise_install)
        name = (installation.enterprise_name if org_wide else installation.team_name) or ""
        # (The OAuth flow logs the install itself.)
        await self.store.installs.record_install(
            "" if org_wide else installation.team_id or "", installation.enterprise_id, name, org_wide
        )

    async def confirm_installed(self, client: AsyncWebClient) -> None:
        """Single-token mode: if the configured bot token works, mlorg is installed there.

        Called once per start, before the first purge pass. Uninstalling revokes the token, so
        a reinstall means a new token and a restart; this is how single-token mode notices it
        (OAuth mode calls ``store.installs.record_install`` from its success callback instead)
        and cancels a pending purge. A refused token changes nothing; the purge goes ahead.

        Only a pending departure makes the question worth a Web API call and a write: an
        ordinary start (nothing departed) leaves Slack and the database alone.
        """
        if not await self.store.installs.departed():
            return
        try:
            checked_at = self._clock()
            auth = await client.auth_test()
        except SlackApiError as error:
            log.warning(
                "the bot token was refused (%s): not recorded as installed", error.response.get("error")
            )
            return
        except Exception as error:  # Slack unreachable: try again at the next start
            log.warning("could not check the bot token (%s): not recorded as installed", type(error).__name__)
            return
        org_wide = bool(auth.get("is_enterprise_install"))
        team = "" if org_wide else str(auth.get("team_id") or "")
        enterprise = str(auth.get("enterprise_id") or "")
        if not team and not enterprise:
            return
        result = await self.store.installs.confirm_install(
            team, enterprise, str(auth.get("team") or ""), org_wide, checked_at=checked_at
        )
        if result is not None and result[1]:
            log.info("workspace %s is installed again: its pending purge is cancelled", team or enterprise)

    async def revoke_user_tokens(self, workspace: Workspace, user_ids: list[str]) -> None:
        """User tokens only (mlorg asks for none today): delete them, the workspace stays."""
        if self.installation_store is None:
            return
        for user_id in user_ids:
            await self.installation_store.async_delete_installation(
                enterprise_id=workspace.enterprise_id, team_id=workspace.team_id, user_id=user_id
            )


def register(
    bolt: AsyncApp,
    store: Store,
    *,
    grace_days: int,
    installation_store: AsyncInstallationStore | None = None,
    clock: Clock = utc_now,
) -> Departures:
    """Listen for ``app_uninstalled`` and ``tokens_revoked`` (Bolt acks events by itself).

    Pass the OAuth installation store when there is one; do not also call Bolt's
    ``enable_token_revocation_listeners``, which would delete the tokens a second time.
    """
    departures = Departures(store, grace_days=grace_days, installation_store=installation_store, clock=clock)

    @bolt.event("app_uninstalled")
    async def handle_app_uninstalled(context: AsyncBoltContext) -> None:
        await departures.depart(workspace_of(context), "app_uninstalled")

    @bolt.event("tokens_revoked")
    async def handle_tokens_revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
        workspace = workspace_of(context)
        users = [str(u) for u in (tokens or {}).get("oauth") or [] if u]
        if users:
            await departures.revoke_user_tokens(workspace, users)
        if (tokens or {}).get("bot"):
            # Without its bot token mlorg can do nothing there: the workspace has left.
            await departures.depart(workspace, "tokens_revoked")

    return departures
