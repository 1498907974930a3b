"""The "Add to Slack" flow: Bolt's OAuth flow with mlorg's stores, pages and hooks.

Bolt does the protocol (state issue and one-time consumption, the browser cookie check, the
``oauth.v2.access`` exchange, saving the installation); mlorg supplies

- the stores (:mod:`bot.tenancy.stores`, tokens encrypted, on mlorg's database);
- the pages (:mod:`bot.tenancy.pages`), through ``AsyncCallbackOptions``;
- one Web API client for the exchange, token refreshes and every listener, so
  ``SLACK_API_URL`` and mlorg's retry handlers apply to all of them;
- :attr:`OAuthWiring.on_installed`: coroutines run after an install is saved, before the
  success page, for what mlorg keeps about a workspace beyond its tokens.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import ClientError
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth import OAuthStateUtils
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from bot.tenancy.crypto import TokenCipher
from bot.tenancy.pages import failure_for, render_failure, render_install, render_success
from bot.tenancy.stores import EncryptedInstallationStore, OAuthStateStore

__all__ = [
    "STATE_EXPIRATION_SECONDS",
    "TOKEN_ROTATION_EXPIRATION_MINUTES",
    "InstalledHook",
    "MlorgOAuthFlow",
    "OAuthWiring",
    "build_oauth",
]

log = logging.getLogger("mlorg.tenancy")

#: An install link works this long after the install page was shown (Bolt's default too).
STATE_EXPIRATION_SECONDS: Final = 600
#: With token rotation on, Slack's bot tokens live 12 hours; one is refreshed when it has less
#: than this left, so a token never expires between being read and being used by a long job.
TOKEN_ROTATION_EXPIRATION_MINUTES: Final = 120

#: Runs after an installation is saved, with the installation (plaintext tokens: do not log it).
InstalledHook = Callable[[Installation], Awaitable[None]]

_HTML: Final = "text/html; charset=utf-8"


@dataclass
class OAuthWiring:
    """What the composition root hands Bolt in OAuth mode, and the install hook list."""

    flow: MlorgOAuthFlow
    installation_store: EncryptedInstallationStore
    state_store: OAuthStateStore
    authorize: AsyncInstallationStoreAuthorize
    #: Appended to by the composition root; each runs, in order, after an install is saved.
    on_installed: list[InstalledHook] = field(default_factory=list)

    def bolt_arguments(self) -> dict[str, Any]:
        """``AsyncApp``'s OAuth arguments. The settings go in beside the flow so that Bolt never
        builds default ones from the environment (with file-based stores in the home directory)."""
        return {
            "oauth_flow": self.flow,
            "oauth_settings": self.flow.settings,
            "installation_store": self.installation_store,
            "authorize": self.authorize,
        }


class MlorgOAuthFlow(AsyncOAuthFlow):
    """Bolt's flow with mlorg's install page, and no stack trace whatever fails underneath."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        return render_install(url)

    async def handle_installation(self, request: AsyncBoltRequest) -> BoltResponse:
        try:
            return await super().handle_installation(request)
        except Exception as error:  # the state could not be stored: the database is away
            return await self._failed(request, "storage_error", error)

    async def handle_callback(self, request: AsyncBoltRequest) -> BoltResponse:
        """Bolt answers Slack's refusals itself; what it lets through (Slack unreachable, the
        database away, a bug) becomes a page too, logged with a reference."""
        try:
            return await super().handle_callback(request)
        except (ClientError, TimeoutError) as error:
            return await self._failed(request, "slack_unreachable", error)
        except SQLAlchemyError as error:
            return await self._failed(request, "storage_error", error)
        except Exception as error:
            return await self._failed(request, "setup_incomplete", error)

    async def _failed(self, request: AsyncBoltRequest, reason: str, error: Exception) -> BoltResponse:
        reference = secrets.token_hex(4)
        # The type only: a driver's message may quote a URL, and a request may carry the code.
        log.error("installation failed (ref %s): %s: %s", reference, reason, type(error).__name__)
        return await self.failure_handler(
            AsyncFailureArgs(
                request=request,
                reason=reason,
                error=error,
                suggested_status_code=failure_for(reason).status,
                settings=self.settings,
                default=self.default_callback_options,
            )
        )


class _Pages:
    """Bolt's success and failure callbacks, answering with mlorg's pages."""

    def __init__(self, install_path: str, state_utils: OAuthStateUtils, hooks: list[InstalledHook]) -> None:
        self._install_path = install_path
        self._state_utils = state_utils
        self._hooks = hooks

    def _response(self, status: int, body: str) -> BoltResponse:
        return BoltResponse(
            status=status,
            body=body,
            headers={
                "Content-Type": _HTML,
                "Cache-Control": "no-store",
                # The state cookie has done its job, whichever way it ended.
                "Set-Cookie": [self._state_utils.build_set_cookie_for_deletion()],
            },
        )

    async def success(self, args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        for hook in self._hooks:
            try:
                await hook(installation)
            except Exception as error:
                reference = secrets.token_hex(4)
                log.error(
                    "workspace %s installed, but setting it up failed (ref %s): %s",
                    installation.team_id or installation.enterprise_id,
                    reference,
                    type(error).__name__,
                )
                return await self.failure(
                    AsyncFailureArgs(
                        request=args.request,
                        reason="setup_incomplete",
                        error=error,
                        suggested_status_code=500,
                        settings=args.settings,
                        default=args.default,
                    )
                )
        log.info(
            "mlorg installed in workspace %s (enterprise %s, org-wide: %s)",
            installation.team_id,
            installation.enterprise_id,
            installation.is_enterprise_install,
        )
        return self._response(
            200,
            render_success(
                team_name=installation.team_name,
                team_id=installation.team_id,
                enterprise_id=installation.enterprise_id,
            ),
        )

    async def failure(self, args: AsyncFailureArgs) -> BoltResponse:
        if args.reason in {"invalid_state", "invalid_browser", "access_denied"}:
            log.info("installation not completed: %s", args.reason)
        return self._response(
            failure_for(args.reason).status, render_failure(args.reason, self._install_path)
        )


def build_oauth(settings: Settings, *, engine: AsyncEngine, client: AsyncWebClient) -> OAuthWiring:
    """Everything Bolt needs for OAuth mode, on mlorg's database (the :class:`Store`'s engine).

    ``client`` is the app's Web API client: Bolt's flow uses it for ``oauth.v2.access`` and
    ``auth.test``, and the authorize step for token refreshes, so all of them go to
    ``SLACK_API_URL`` with mlorg's retry handlers.
    """
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    client_id = settings.slack_client_id
    client_secret = settings.slack_client_secret.get_secret_value()
    installation_store = EncryptedInstallationStore(
        client_id=client_id,
        engine=engine,
        cipher=TokenCipher(settings.encryption_keys),
    )
    state_store = OAuthStateStore(engine=engine, expiration_seconds=STATE_EXPIRATION_SECONDS)
    hooks: list[InstalledHook] = []
    state_utils = OAuthStateUtils(expiration_seconds=STATE_EXPIRATION_SECONDS)
    pages = _Pages(settings.slack_install_path, state_utils, hooks)
    oauth_settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=settings.scopes,
        user_scopes=[],  # mlorg acts as its bot only
        redirect_uri=settings.slack_redirect_uri,
        authorization_url=settings.slack_authorize_url,
        install_path=settings.slack_install_path,
        redirect_uri_path=settings.slack_redirect_uri_path,
        callback_options=AsyncCallbackOptions(success=pages.success, failure=pages.failure),
        installation_store=installation_store,
        token_rotation_expiration_minutes=TOKEN_ROTATION_EXPIRATION_MINUTES,
        state_store=state_store,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        logger=log,
    )
    authorize = AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=installation_store,
        client_id=client_id,
        client_secret=client_secret,
        token_rotation_expiration_minutes=TOKEN_ROTATION_EXPIRATION_MINUTES,
        client=client,  # Bolt's own default would refresh tokens at slack.com, not SLACK_API_URL
    )
    flow = MlorgOAuthFlow(client=client, logger=log, settings=oauth_settings)
    return OAuthWiring(
        flow=flow,
        installation_store=installation_store,
        state_store=state_store,
        authorize=authorize,
        on_installed=hooks,
    )
