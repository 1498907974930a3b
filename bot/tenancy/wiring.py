"""The install and redirect pages on mlorg's own aiohttp server.

mlorg serves Slack's POSTs through its own handler (``Mlorg._handle_slack`` calls
``bolt.async_dispatch``) rather than Bolt's server, so the two GET routes Bolt's aiohttp
server would add for the OAuth flow are added here the same way: the request becomes a
Bolt request, the flow answers, the answer becomes an aiohttp response.
"""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow

__all__ = ["add_oauth_routes"]


def add_oauth_routes(app: web.Application, flow: AsyncOAuthFlow) -> None:
    """``GET`` the install path ("Add to Slack") and the redirect path Slack sends people back to."""

    async def handle_install_page(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

    async def handle_oauth_redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    # No HEAD: a link checker's HEAD would otherwise issue (and store) an install state.
    app.router.add_get(flow.install_path, handle_install_page, allow_head=False)
    app.router.add_get(flow.redirect_uri_path, handle_oauth_redirect, allow_head=False)
