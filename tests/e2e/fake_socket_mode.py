"""A fake Slack Socket Mode endpoint: a websocket server on 127.0.0.1.

It plays the part of ``wss://wss-primary.slack.com/link/``: the app gets its URL from
``apps.connections.open`` on the fake Web API (set ``FakeSlack.socket_url`` to :attr:`url`),
connects, receives ``hello``, and is then handed envelopes exactly as Slack frames them.
Every message the app sends back (its acks) is recorded, so a test can wait for the ack
of one envelope and read the payload the app answered with.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web

__all__ = ["FakeSocketMode"]

_ids = itertools.count(1)


class FakeSocketMode:
    """Start with ``await FakeSocketMode().start()``; give the app :attr:`url`."""

    def __init__(self, app_id: str = "A0001") -> None:
        self.app_id = app_id
        #: Every message the app sent (parsed JSON), across connections, in order.
        self.received: list[dict[str, Any]] = []
        #: Request headers of each websocket connection the app opened.
        self.connections: list[dict[str, str]] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> FakeSocketMode:
        app = web.Application()
        app.router.add_get("/link/", self._handle_socket)
        # A short shutdown: open websockets are closed by stop() first, nothing else lingers.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"ws://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """What ``apps.connections.open`` hands out: a one-time link with a ticket, as Slack's is."""
        return f"{self.base_url}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"

    # -- what Slack sends ----------------------------------------------------------------------------
    async def send(self, message: dict[str, Any]) -> None:
        """Send one JSON message on the most recent connection."""
        if not self._sockets:
            raise AssertionError("the app is not connected to the fake Socket Mode endpoint")
        await self._sockets[-1].send_str(json.dumps(message))

    async def send_envelope(
        self, envelope_type: str, payload: dict[str, Any], *, accepts_response_payload: bool = True
    ) -> str:
        """Hand the app an envelope (``slash_commands``, ``interactive``, ``events_api``); return its id."""
        envelope_id = f"{uuid.uuid4()}-{next(_ids)}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = 0
            envelope["retry_reason"] = ""
        await self.send(envelope)
        return envelope_id

    # -- reading what the app did ----------------------------------------------------------------------
    async def wait_connected(self, count: int = 1, timeout: float = 20.0) -> dict[str, str]:
        """Wait until the app has opened ``count`` connections; return the last one's headers."""
        await self._wait(
            lambda: len(self._sockets) >= count and not self._sockets[-1].closed,
            timeout,
            f"the app did not connect to the fake Socket Mode endpoint within {timeout}s",
        )
        return self.connections[-1]

    async def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the app's acknowledgement of ``envelope_id`` and return the whole ack message."""

        def ack() -> dict[str, Any] | None:
            return next((m for m in self.received if m.get("envelope_id") == envelope_id), None)

        await self._wait(
            lambda: ack() is not None,
            timeout,
            f"no ack for envelope {envelope_id} within {timeout}s; received {self.received}",
        )
        found = ack()
        assert found is not None
        return found

    def acks_of(self, envelope_id: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("envelope_id") == envelope_id]

    async def wait_disconnected(self, timeout: float = 10.0) -> None:
        """Wait until every connection the app opened is closed."""
        await self._wait(
            lambda: all(s.closed for s in self._sockets),
            timeout,
            f"the app did not close its Socket Mode connection within {timeout}s",
        )

    async def _wait(self, condition: Any, timeout: float, message: str) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(condition), timeout)
            except TimeoutError:
                raise AssertionError(message) from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- the websocket ---------------------------------------------------------------------------------
    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        # autoping: the SDK pings ("sdk-ping-pong:<time>") to detect stale links; aiohttp answers.
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self.connections.append(dict(request.headers))
        self._sockets.append(socket)
        # Slack greets every new connection before it sends anything else.
        await socket.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len([s for s in self._sockets if not s.closed]),
                    "debug_info": {
                        "host": "applink-fake",
                        "build_number": 1,
                        "approximate_connection_time": 3600,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
            )
        )
        await self._notify()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    try:
                        parsed = json.loads(message.data)
                    except ValueError:
                        parsed = {"unparsed": message.data}
                    async with self._changed:
                        self.received.append(parsed if isinstance(parsed, dict) else {"unparsed": parsed})
                        self._changed.notify_all()
        finally:
            await self._notify()
        return socket
