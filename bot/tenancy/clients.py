"""A Web API client for a workspace, for work that has no request to take one from.

Listeners get their client from Bolt, authorized for the workspace the request came from.
Quiz timers and the outbox run on their own and know only the ``team_id`` they stored, so they
ask a :class:`WorkspaceClients` for it::

    client = await clients.for_team(item.team_id)
    if client is None:
        ...  # not installed (any more): leave the work for later; for_team has logged it

:class:`SingleTokenClients` is the single-workspace mode (``SLACK_BOT_TOKEN``): one client for
every team. :class:`InstalledClients` is the OAuth mode: the token of the workspace's own bot or
its org's org-wide bot, refreshed when it is about to expire (:class:`~bot.tenancy.bots.InstalledBots`).
Its clients share mlorg's connection pool and retry handlers and are kept per token, so a
workspace costs one client object until its token changes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.http import SharedSession
from bot.tenancy.bots import InstalledBots

__all__ = ["InstalledClients", "SingleTokenClients", "WorkspaceClients", "clients_for"]

log = logging.getLogger(__name__)

#: Clients kept at once (one per token); the least recently used goes first.
MAX_CLIENTS = 1024


class WorkspaceClients(Protocol):
    """Who to call Slack as, for a workspace, outside a request."""

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        """A client with ``team_id``'s bot token; None when mlorg is not installed there."""
        ...


class SingleTokenClients:
    """One bot token for one workspace (``SLACK_BOT_TOKEN``): the same client for every team.

    With ``http``, the client is put on mlorg's shared session when it is handed out (the
    session exists only once the event loop runs).
    """

    def __init__(self, client: AsyncWebClient, http: SharedSession | None = None) -> None:
        self.client = client
        self.http = http

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        if self.http is not None:
            self.client.session = self.http.get()
        return self.client


def clients_for(client: AsyncWebClient | WorkspaceClients) -> WorkspaceClients:
    """Accept a bare client where workspace clients are expected (single-token mode, tests)."""
    return SingleTokenClients(client) if isinstance(client, AsyncWebClient) else client


class InstalledClients:
    """Clients for installed workspaces (OAuth mode), found in slack-sdk's installation store.

    ``http`` is mlorg's shared session (its timeout bounds every call); ``retry_handlers`` are
    the ones the composition root builds (``observed_retries(...)``): the quiz timers' retry
    in-process, the outbox's do not (it retries durably). :meth:`with_retry_handlers` makes
    such a sibling that shares the lookups and the one-refresh-at-a-time locks.
    """

    def __init__(
        self,
        bots: InstalledBots,
        http: SharedSession,
        *,
        base_url: str,
        timeout: int,
        retry_handlers: Sequence[AsyncRetryHandler] = (),
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.bots = bots
        self.http = http
        self.base_url = base_url
        self.timeout = timeout
        self.retry_handlers = list(retry_handlers)
        self.max_clients = max_clients
        self._clients: OrderedDict[str, AsyncWebClient] = OrderedDict()
        #: Workspaces already logged as not installed, so a timer ticking every second logs once.
        self._missing: set[str] = set()

    def with_retry_handlers(self, retry_handlers: Sequence[AsyncRetryHandler]) -> InstalledClients:
        """The same workspaces' clients with other retry handlers (and a cache of their own)."""
        return InstalledClients(
            self.bots,
            self.http,
            base_url=self.base_url,
            timeout=self.timeout,
            retry_handlers=retry_handlers,
            max_clients=self.max_clients,
        )

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        bot = await self.bots.find(team_id)
        if bot is None or not bot.bot_token:
            if team_id not in self._missing:
                self._missing.add(team_id)
                log.warning(
                    "mlorg is not installed in workspace %s: its background work waits until it is",
                    team_id,
                )
            return None
        self._missing.discard(team_id)
        return self._client(bot.bot_token)

    def _client(self, token: str) -> AsyncWebClient:
        session = self.http.get()
        client = self._clients.get(token)
        if client is None:
            client = AsyncWebClient(
                token=token,
                base_url=self.base_url,
                timeout=self.timeout,
                session=session,
                retry_handlers=list(self.retry_handlers),
            )
            self._clients[token] = client
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
        else:
            self._clients.move_to_end(token)
            # After a restart of the app object the pool is a new one; never hand out a closed one.
            client.session = session
        return client
