"""The page: a Slack-like workspace in the browser, and a small control API for tests.

The server draws everything (``/ui/screen`` returns HTML fragments for one person's
view of one conversation); the page's script only swaps fragments that changed,
sends what the person did (``/ui/send``, ``/ui/action``, ``/ui/submit``, ``/ui/close``,
``/ui/open``), and listens on ``/ui/events`` (server-sent events) to redraw at once
when anything changes. ``/control/*`` lets a browser test set up and inspect a
scene without clicking: reset, post as a person, read the traffic and warnings.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aiohttp import web

from bot.sandbox.delivery import Delivery, Outcome
from bot.sandbox.manifest import Manifest
from bot.sandbox.render import Ctx, render_blocks, render_message, render_view
from bot.sandbox.surfaces import ApiError, Views
from bot.sandbox.workspace import PEOPLE, Workspace

__all__ = ["APP_CONVERSATION", "Page", "WorkspaceLink"]

APP_CONVERSATION = "app"
_STATIC = {"app.js": "text/javascript", "style.css": "text/css"}
TRAFFIC_SHOWN = 150
WARNINGS_SHOWN = 30


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _short(value: Any, limit: int = 4000) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters)"


@dataclass
class WorkspaceLink:
    """A workspace the page can switch to, and how mlorg came to be in it (``mlorg try --workspaces N``)."""

    team_id: str
    name: str
    #: The page's address: ``/`` for the first workspace, ``/w/<team id>/`` for the others.
    path: str
    #: "installed through OAuth …", or why the install failed; empty with a bot token.
    status: str = ""


class Page:
    def __init__(
        self,
        ws: Workspace,
        views: Views,
        delivery: Delivery,
        manifest: Manifest,
        *,
        reset: Callable[[], Awaitable[None]] | None = None,
        base: str = "",
        links: list[WorkspaceLink] | None = None,
    ) -> None:
        self.ws, self.views, self.delivery, self.manifest = ws, views, delivery, manifest
        self._reset = reset
        #: The path this workspace's page is served under ("" for the first workspace).
        self.base = base
        #: Every workspace of the run, shared with the runner (which fills in the install status).
        self.links = links if links is not None else []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self.index)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/favicon.ico", self.favicon)
        app.router.add_get("/ui/events", self.events)
        app.router.add_get("/ui/screen", self.screen)
        app.router.add_post("/ui/send", self.send)
        app.router.add_post("/ui/action", self.action)
        app.router.add_post("/ui/submit", self.submit)
        app.router.add_post("/ui/close", self.close)
        app.router.add_post("/ui/open", self.open_tab)
        app.router.add_post("/control/reset", self.control_reset)
        app.router.add_post("/control/post", self.send)
        app.router.add_get("/control/log", self.control_log)
        app.router.add_get("/control/messages", self.control_messages)
        app.router.add_get("/control/settle", self.control_settle)

    # -- static ----------------------------------------------------------------------------------
    async def index(self, _request: web.Request) -> web.Response:
        config = {
            "team": self.ws.team_name,
            "teamId": self.ws.team_id,
            "base": self.base,
            "people": [
                {"id": p.id, "name": p.name, "real_name": p.real_name, "title": p.title} for p in PEOPLE
            ],
            "commands": self.manifest.completion(),
            "app": self.manifest.name,
            "appConversation": APP_CONVERSATION,
        }
        data = json.dumps(config).replace("<", "\\u003c")
        options = "".join(
            f'<option value="{_e(p.id)}">{_e(p.real_name)} · {_e(p.title)}</option>' for p in PEOPLE
        )
        shell = resources.files("bot.sandbox").joinpath("static", "index.html").read_text(encoding="utf-8")
        page = (
            shell.replace("{config}", data)
            .replace("{people}", options)
            .replace("{workspaces}", self._switcher())
            .replace("{team}", _e(self.ws.team_name))
        )
        return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})

    def _switcher(self) -> str:
        """With several workspaces: a menu to switch to another, and how mlorg was installed in this one."""
        if len(self.links) < 2:
            return ""
        options = "".join(
            f'<option value="{_e(link.path)}"{" selected" if link.team_id == self.ws.team_id else ""}>'
            f"{_e(link.name)}</option>"
            for link in self.links
        )
        here = next((link for link in self.links if link.team_id == self.ws.team_id), None)
        status = (
            f'<span class="install-status" data-testid="install-status">{_e(here.status)}</span>'
            if here is not None and here.status
            else ""
        )
        return (
            '<label class="workspace-label">Workspace <select id="workspace" data-testid="workspace-switcher" '
            f'aria-label="Workspace">{options}</select></label>{status}'
        )

    async def favicon(self, _request: web.Request) -> web.Response:
        return web.Response(text=_FAVICON, content_type="image/svg+xml")

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _STATIC:
            raise web.HTTPNotFound()
        text = resources.files("bot.sandbox").joinpath("static", name).read_text(encoding="utf-8")
        return web.Response(text=text, content_type=_STATIC[name], headers={"Cache-Control": "no-store"})

    # -- live updates -------------------------------------------------------------------------------
    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
        )
        await response.prepare(request)
        queue = self.ws.listen()
        try:
            await response.write(f"data: {self.ws.seq}\n\n".encode())
            while True:
                try:
                    # Not asyncio.wait_for: its helper task would look like app work to Mlorg.drain.
                    async with asyncio.timeout(15):
                        seq = await queue.get()
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                while not queue.empty():  # a burst of changes is one redraw
                    seq = queue.get_nowait()
                await response.write(f"data: {seq}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.ws.unlisten(queue)
        return response

    # -- drawing ------------------------------------------------------------------------------------
    async def screen(self, request: web.Request) -> web.Response:
        viewer = request.query.get("user") or PEOPLE[0].id
        conversation = request.query.get("conv") or "C0GENERAL"
        tab = request.query.get("tab") or "home"
        thread = request.query.get("thread") or ""
        fragments = {
            "sidebar": self._sidebar(viewer, conversation),
            "header": self._header(conversation, tab),
            "messages": self._messages(viewer, conversation, tab),
            "thread": self._thread(viewer, conversation, thread) if thread else "",
            "modal": self._modal(viewer),
            "warnings": self._warnings(),
            "traffic": self._traffic() if request.query.get("traffic") == "1" else "",
        }
        keyed = {
            k: {"key": hashlib.sha1(v.encode()).hexdigest()[:16], "html": v} for k, v in fragments.items()
        }
        return web.json_response(
            {"seq": self.ws.seq, "fragments": keyed, "trafficCount": len(self.ws.traffic)}
        )

    def _sidebar(self, viewer: str, current: str) -> str:
        rows = ['<div class="side-title">Channels</div>']
        for channel in self.ws.channels.values():
            if channel.is_im or (channel.is_private and viewer not in channel.members):
                continue
            active = " active" if channel.id == current else ""
            lock = "🔒" if channel.is_private else "#"
            rows.append(
                f'<button type="button" class="side-item{active}" data-conv="{_e(channel.id)}" '
                f'data-testid="channel-{_e(channel.name)}" aria-current="{"page" if active else "false"}">'
                f'<span class="hash">{lock}</span>{_e(channel.name)}</button>'
            )
        active = " active" if current == APP_CONVERSATION else ""
        rows.append('<div class="side-title">Apps</div>')
        rows.append(
            f'<button type="button" class="side-item{active}" data-conv="{APP_CONVERSATION}" data-testid="channel-app">'
            f'<span class="app-dot">m</span>{_e(self.manifest.name)}</button>'
        )
        return "".join(rows)

    def _header(self, conversation: str, tab: str) -> str:
        if conversation == APP_CONVERSATION:
            tabs = []
            for name, label in (("home", "Home"), ("messages", "Messages")):
                selected = "true" if name == tab else "false"
                tabs.append(
                    f'<button type="button" role="tab" class="tab" aria-selected="{selected}" data-tab="{name}" '
                    f'data-testid="tab-{name}">{label}</button>'
                )
            return f'<h1 class="conv-title">{_e(self.manifest.name)}</h1><div role="tablist" class="tabs">{"".join(tabs)}</div>'
        channel = self.ws.channels.get(conversation)
        if channel is None:
            return ""
        return f'<h1 class="conv-title">{_e(channel.label)}</h1><div class="conv-topic">{_e(channel.topic)}</div>'

    def _messages(self, viewer: str, conversation: str, tab: str) -> str:
        ctx = Ctx(self.ws, viewer)
        if conversation == APP_CONVERSATION:
            if tab == "home":
                home = self.ws.homes.get(viewer)
                if home is None:
                    return '<div class="empty" data-testid="home-empty">mlorg has not published a Home tab for you yet.</div>'
                ctx = Ctx(self.ws, viewer, (home.get("state") or {}).get("values") or {})
                return f'<div class="home" data-testid="home" data-surface="view" data-view-id="{_e(home.get("id", ""))}">{render_blocks(list(home.get("blocks") or []), ctx)}</div>'
            dm = self.ws.dm_of(viewer)
            conversation = dm.id if dm else ""
        items = [
            render_message(m, ctx, reply_count=len(self.ws.replies(m.channel, m.ts)))
            for m in self.ws.visible(conversation, viewer)
        ]
        if not items:
            return '<div class="empty">No messages yet. Type <code>/mlorg help</code> below to start.</div>'
        return "".join(items)

    def _thread(self, viewer: str, conversation: str, thread_ts: str) -> str:
        if conversation == APP_CONVERSATION:
            dm = self.ws.dm_of(viewer)
            conversation = dm.id if dm else ""
        parent = self.ws.find(conversation, thread_ts)
        if parent is None:
            return '<div class="empty">This thread is gone.</div>'
        ctx = Ctx(self.ws, viewer)
        replies = "".join(
            render_message(m, ctx, in_thread=True) for m in self.ws.replies(conversation, thread_ts, viewer)
        )
        return (
            f'<div class="thread-parent">{render_message(parent, ctx, in_thread=True)}</div>'
            f'<div class="thread-divider">{_plural(len(self.ws.replies(conversation, thread_ts)), "reply", "replies")}</div>'
            f'<div class="thread-replies" role="log" aria-label="Thread replies">{replies}</div>'
        )

    def _modal(self, viewer: str) -> str:
        stack = self.views.stack(viewer)
        if not stack:
            return ""
        top = stack[-1]
        ctx = Ctx(self.ws, viewer, (top.get("state") or {}).get("values") or {}, top.get("errors") or {})
        banner = (
            f'<div class="modal-banner" role="alert">{_e(top["banner"])}</div>' if top.get("banner") else ""
        )
        return f'<div class="overlay">{banner}{render_view(top, ctx, depth=len(stack))}</div>'

    def _warnings(self) -> str:
        items = list(self.ws.warnings)[-WARNINGS_SHOWN:]
        return "".join(
            f'<div class="slack-warning" role="alert" data-testid="slack-warning"><b>Slack would reject this</b> '
            f"({_e(w.where)}): {_e(w.text)}</div>"
            for w in items
        )

    def _traffic(self) -> str:
        rows = []
        for entry in list(self.ws.traffic)[-TRAFFIC_SHOWN:][::-1]:
            arrow = "→ app" if entry.direction == "to app" else "← app"
            rows.append(
                f'<details class="traffic-row" data-testid="traffic-row"><summary><span class="dir">{arrow}</span> '
                f'<b>{_e(entry.kind)}</b> <span class="status">{_e(entry.status)}</span> '
                f'<span class="ms">{entry.ms:.0f} ms</span></summary>'
                f"<pre>{_e(_short(entry.request))}</pre><pre>{_e(_short(entry.response))}</pre></details>"
            )
        return "".join(rows) or '<div class="empty">No traffic yet.</div>'

    # -- what people do ---------------------------------------------------------------------------------
    async def _json(self, request: web.Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="expected JSON") from None
        if not isinstance(data, dict) or not self.ws.person(str(data.get("user", ""))):
            raise web.HTTPBadRequest(text="expected a JSON object with a known user")
        return data

    @staticmethod
    def _answer(outcome: Outcome) -> web.Response:
        return web.json_response({"ok": outcome.ok, "error": outcome.error, "status": outcome.status})

    def _conversation(self, data: dict[str, Any]) -> str:
        conversation = str(data.get("conv") or data.get("channel") or "")
        if conversation == APP_CONVERSATION:
            dm = self.ws.dm_of(str(data["user"]))
            return dm.id if dm else ""
        channel = self.ws.channel(conversation)
        return channel.id if channel else conversation

    async def send(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        user, text = str(data["user"]), str(data.get("text") or "")
        conversation = self._conversation(data)
        thread = str(data.get("thread_ts") or "") or None
        try:
            if text.startswith("/"):
                outcome = await self.delivery.command(user, conversation, text)
            elif text.strip():
                outcome = await self.delivery.say(user, conversation, text, thread)
            else:
                outcome = Outcome(False, "no_text")
        except ApiError as error:
            outcome = Outcome(False, error.code)
        return self._answer(outcome)

    async def action(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        user = str(data["user"])
        block_id, action_id = str(data.get("block_id") or ""), str(data.get("action_id") or "")
        value = data.get("value")
        try:
            if data.get("view_id"):
                state = data.get("state") if isinstance(data.get("state"), dict) else None
                outcome = await self.delivery.click_view(
                    user, str(data["view_id"]), block_id, action_id, value, state
                )
            else:
                conversation = self._conversation(data)
                outcome = await self.delivery.click_message(
                    user, conversation, str(data.get("ts") or ""), block_id, action_id, value
                )
        except ApiError as error:
            outcome = Outcome(False, error.code)
        return self._answer(outcome)

    async def submit(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        state = data.get("state")
        submitted: dict[str, Any] = state if isinstance(state, dict) else {}
        return self._answer(
            await self.delivery.submit(str(data["user"]), str(data.get("view_id") or ""), submitted)
        )

    async def close(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        outcome = await self.delivery.close(
            str(data["user"]), str(data.get("view_id") or ""), clear=bool(data.get("clear"))
        )
        return self._answer(outcome)

    async def open_tab(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        return self._answer(await self.delivery.open_app(str(data["user"]), str(data.get("tab") or "home")))

    # -- control API ------------------------------------------------------------------------------------
    async def control_reset(self, _request: web.Request) -> web.Response:
        """Empty the channels, Home tabs and modals, and (when the runner allows) the app's database."""
        if self._reset is not None:
            await self._reset()
        else:
            self.views.stacks.clear()
            self.ws.reset()
        return web.json_response({"ok": True})

    async def control_log(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "traffic": [
                    {
                        "direction": t.direction,
                        "kind": t.kind,
                        "status": t.status,
                        "ms": round(t.ms, 1),
                        "request": t.request,
                        "response": t.response,
                    }
                    for t in self.ws.traffic
                ],
                "warnings": [{"where": w.where, "text": w.text} for w in self.ws.warnings],
            }
        )

    async def control_settle(self, request: web.Request) -> web.Response:
        """Answer once nothing has changed for ``quiet`` seconds: the work after an ack is done."""
        quiet = min(max(float(request.query.get("quiet", "0.2")), 0.05), 5.0)
        for _ in range(int(30 / quiet)):
            before = self.ws.seq
            await asyncio.sleep(quiet)
            if self.ws.seq == before:
                return web.json_response({"ok": True, "seq": before})
        return web.json_response({"ok": False, "error": "still_busy"})

    async def control_messages(self, request: web.Request) -> web.Response:
        channel = self.ws.channel(request.query.get("channel", ""))
        if channel is None:
            return web.json_response({"ok": False, "error": "channel_not_found"}, status=404)
        messages = [
            {**m.as_api(), "visible_to": m.visible_to, "warnings": m.warnings}
            for m in self.ws.messages.get(channel.id, [])
        ]
        return web.json_response({"ok": True, "channel": channel.id, "messages": messages})


_FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
    'fill="#2c3e50"/><text x="8" y="12" font-size="11" text-anchor="middle" fill="#fff">m</text></svg>'
)
