"""A fake Slack Web API on 127.0.0.1 that records every call.

The app under test talks to it exactly as it talks to Slack (``SLACK_API_URL``
points here), so a test reads what the fake received the way a person reads the
channel. Responses can be scripted per method, e.g. a 429 with ``Retry-After``
followed by a 500, to prove the app's retry handling, and calls to a channel can be
held unanswered, as a Slack that hangs mid-request, to catch the app in the middle of one.
Files are uploaded the way ``files_upload_v2`` does it (see :mod:`tests.e2e.fake_files`); the
bytes' POST is recorded as ``upload_url`` and can be scripted under that name, and a message
or view whose image block shows a file that is unknown or still processing is refused with
``invalid_blocks``, as Slack does.
A scripted call can also hang until the test releases it or the app gives up waiting;
``timeline`` records when such hangs begin and end, so a test can show what happened
before a hang ended by order, not by the clock.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.e2e.fake_calls import Call
from tests.e2e.fake_files import FakeFile, FakeFiles

__all__ = ["HANG", "UPLOAD", "Call", "FakeFile", "FakeSlack", "Scripted"]

#: How the POST of a file's bytes to its upload URL is recorded (and scripted).
UPLOAD = "upload_url"


@dataclass
class Scripted:
    status: int = 200
    body: dict[str, Any] = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    #: Hold the request open, answering nothing, until ``release_hangs()`` or the caller gives up.
    hang: bool = False
    #: ``chat.postMessage``: Slack takes the message into the channel before hanging or failing,
    #: the ambiguous case where the app cannot know whether its post went through.
    accept: bool = False


#: A scripted call that hangs until the app gives up; ``body`` is never sent.
HANG = Scripted(hang=True)


class FakeSlack:
    """Start with ``await fake.start()``; ``fake.api_url`` is the base URL for the app."""

    def __init__(self, team_id: str = "T0001", bot_user_id: str = "UBOT") -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        self.admins: set[str] = set()
        self.socket_url: str | None = None
        #: Messages Slack "accepted" (answered ok), for conversations.history.
        self.accepted: list[dict[str, Any]] = []
        #: Files the app uploaded (or began to), by id: bytes, title, filename.
        self.files = FakeFiles()
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._holds: dict[tuple[str, str], int] = defaultdict(int)
        self._released = asyncio.Event()
        self._stopping = asyncio.Event()
        #: What happened, in order: ``hang:<method>`` when a hung call arrives, ``gave up:<method>``
        #: when the app stopped waiting for it, ``released:<method>`` when the test let it answer.
        #: Tests add their own marks (``mark()``) to compare orders.
        self.timeline: list[str] = []
        self._release = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()
        self._ts = itertools.count(1)
        #: The current ``hash`` of every view the app opened or updated, by view id.
        self.view_hashes: dict[str, str] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        #: Answer a call before the defaults do, or return None (see tests.e2e.fake_oauth).
        self.extensions: list[Callable[[Call], dict[str, Any] | None]] = []
        #: More pages, added before start() (the OAuth "Allow" page: see tests.e2e.fake_oauth).
        self.pages: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = {}

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle_api)
        # slack_sdk sends a few read methods (users.info, conversations.history) as GET.
        app.router.add_get("/api/{method}", self._handle_api)
        app.router.add_post("/response/{name}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        for path, page in self.pages.items():
            app.router.add_get(path, page)
        # handler_cancellation: a request the app abandons (its client timed out) cancels our
        # handler, which is how a hung call learns that the app gave up on it.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._stopping.set()  # let held calls end, so that shutting the server down does not wait
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def processing_delay(self) -> float:
        """Seconds after an upload completes during which blocks showing the file are refused."""
        return self.files.processing_delay

    @processing_delay.setter
    def processing_delay(self, seconds: float) -> None:
        self.files.processing_delay = seconds

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base_url}/response/{name}"

    # -- scripting -----------------------------------------------------------------------------
    def script(self, method: str, *responses: Scripted) -> None:
        """The next calls of ``method`` get these responses, in order, then the default."""
        self._scripts[method].extend(responses)

    def hold(self, method: str, channel: str, count: int = 1) -> None:
        """The next ``count`` calls of ``method`` to ``channel`` hang: Slack is slow or stuck.

        Each is recorded in :attr:`calls` when it arrives (so a test can wait for it) but is
        answered only on :meth:`release` (then as usual: a post is accepted) or, with a 503
        and nothing accepted, when the fake stops.
        """
        self._holds[(method, channel)] += count

    def release(self) -> None:
        """Answer every held call (and any held later) as if Slack had only been slow."""
        self._released.set()

    def release_hangs(self) -> None:
        """Let every hung scripted call (now and later) answer as scripted."""
        self._release.set()

    def mark(self, what: str) -> None:
        """Add the test's own entry to :attr:`timeline`."""
        self.timeline.append(what)

    async def wait_mark(self, what: str, timeout: float = 10.0) -> None:
        """Wait until ``what`` is in the timeline; fail the test otherwise."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: what in self.timeline), timeout)
            except TimeoutError:
                raise AssertionError(
                    f"{what!r} not in the timeline within {timeout}s: {self.timeline}"
                ) from None

    # -- reading what the app did ----------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self, channel: str | None = None) -> list[Call]:
        """Messages the app posted (chat.postMessage), optionally to one channel."""
        return [
            c
            for c in self.calls_to("chat.postMessage")
            if channel is None or c.args.get("channel") == channel
        ]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``method`` was called at least ``count`` times; fail the test otherwise."""

        def enough() -> bool:
            return len(self.calls_to(method)) >= count

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(enough), timeout)
            except TimeoutError:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s; saw {seen}"
                ) from None
        return self.calls_to(method)

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until the app has made no call for ``quiet`` seconds (proves something did NOT happen)."""
        while True:
            before = len(self.calls)
            await asyncio.sleep(quiet)
            if len(self.calls) == before:
                return

    # -- handlers ----------------------------------------------------------------------------------
    async def _record(self, method: str, request: web.Request) -> Call:
        raw = await request.text()
        if request.method == "GET":
            args: dict[str, Any] = dict(request.query)
        elif request.content_type == "application/json":
            args = json.loads(raw or "{}")
        else:
            args = dict(parse_qsl(raw, keep_blank_values=True))
        if request.method != "GET" and request.query:
            # slack_sdk sends some methods' arguments (files.*) in the query string of a POST.
            args = {**dict(request.query), **args}
        call = Call(method, args, dict(request.headers))
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return call

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = await self._record(method, request)
        held = (method, str(call.args.get("channel") or ""))
        if self._holds[held] > 0:
            self._holds[held] -= 1
            released = asyncio.ensure_future(self._released.wait())
            stopping = asyncio.ensure_future(self._stopping.wait())
            try:
                await asyncio.wait({released, stopping}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                released.cancel()
                stopping.cancel()
            if not self._released.is_set():
                return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        if self._scripts[method]:
            scripted = self._scripts[method].popleft()
            if scripted.accept:
                self._default(method, call.args)  # into the channel, whatever the app hears next
            if scripted.hang:
                await self._hang(method)
            return web.json_response(scripted.body, status=scripted.status, headers=scripted.headers)
        for extension in self.extensions:
            answer = extension(call)
            if answer is not None:
                return web.json_response(answer)
        return web.json_response(self._default(method, call.args))

    async def _hang(self, method: str) -> None:
        await self._note(f"hang:{method}")
        try:
            await self._release.wait()
        except asyncio.CancelledError:
            self.timeline.append(f"gave up:{method}")  # no await: we are being cancelled
            self._notify_soon()
            raise
        await self._note(f"released:{method}")

    async def _note(self, what: str) -> None:
        async with self._changed:
            self.timeline.append(what)
            self._changed.notify_all()

    def _notify_soon(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        task = asyncio.get_running_loop().create_task(notify())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL: takes the raw bytes and answers in text, as files.slack.com does."""
        file_id = request.match_info["file_id"]
        content = await request.read()
        call = Call(UPLOAD, {"file_id": file_id, "length": len(content)}, dict(request.headers))
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if self._scripts[UPLOAD]:
            scripted = self._scripts[UPLOAD].popleft()
            if scripted.hang:
                await self._hang(UPLOAD)
            return web.json_response(scripted.body, status=scripted.status, headers=scripted.headers)
        if not self.files.receive(file_id, content):
            return web.Response(status=404, text="Not Found")
        return web.Response(text=f"OK - {len(content)}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        call = await self._record(f"response_url:{request.match_info['name']}", request)
        # A response_url refuses what chat.postMessage would, but answers with a status, not ok=false.
        refused = self.files.refusal("chat.postMessage", call.args)
        if refused is not None:
            return web.json_response(refused, status=400)
        return web.Response(text="ok")

    def _view(self, method: str, args: dict[str, Any], ts: str) -> dict[str, Any]:
        """A view with its id and ``hash``; ``views.update`` with a stale hash is refused, as
        Slack does, so an update drawn from an older view cannot overwrite a newer one."""
        view_id = str(args.get("view_id") or "") or f"V{ts.replace('.', '')}"
        given = str(args.get("hash") or "")
        if method == "views.update" and given and given != self.view_hashes.get(view_id, given):
            return {"ok": False, "error": "hash_conflict"}
        self.view_hashes[view_id] = f"{view_id}.{ts}"
        return {
            "ok": True,
            "view": {**_as_dict(args.get("view")), "id": view_id, "hash": self.view_hashes[view_id]},
        }

    def _default(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        refused = self.files.refusal(method, args)
        if refused is not None:
            return refused  # nothing reaches the channel
        if method == "files.getUploadURLExternal":
            return self.files.get_upload_url(args, self.base_url)
        if method == "files.completeUploadExternal":
            return self.files.complete(args)
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake Team",
                "user": "mlorg",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "BBOT",
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            # Remember what Slack accepted into the channel, for conversations.history.
            self.accepted.append(
                {
                    "channel": args.get("channel"),
                    "ts": ts,
                    "thread_ts": args.get("thread_ts"),
                    "text": args.get("text"),
                    "metadata": _as_dict(args.get("metadata")),
                }
            )
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": ts,
                "message": {"ts": ts, "text": args.get("text")},
            }
        if method in {"chat.update", "chat.delete"}:
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts", ts)}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method.startswith("views."):
            return self._view(method, args, ts)
        if method == "users.info":
            user = str(args.get("user", ""))
            is_admin = user in self.admins
            return {
                "ok": True,
                "user": {"id": user, "team_id": self.team_id, "is_admin": is_admin, "is_owner": False},
            }
        if method == "conversations.history":
            # What the app posted to the channel (and Slack accepted), newest first, with metadata.
            channel = args.get("channel")
            messages = [
                {"ts": m["ts"], "text": m["text"], "metadata": m["metadata"]}
                for m in reversed(self.accepted)
                if m["channel"] == channel
            ]
            return {"ok": True, "messages": messages, "has_more": False}
        if method == "conversations.replies":
            # A thread: its parent, then the replies Slack accepted, oldest first, with metadata.
            channel, parent = args.get("channel"), args.get("ts")
            messages = [
                {"ts": m["ts"], "thread_ts": parent, "text": m["text"], "metadata": m["metadata"]}
                for m in self.accepted
                if m["channel"] == channel and parent in (m["ts"], m.get("thread_ts"))
            ]
            return {"ok": True, "messages": messages, "has_more": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url or "ws://127.0.0.1:1/"}
        return {"ok": True}


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return value if isinstance(value, dict) else {}
