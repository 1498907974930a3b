"""Files as Slack's upload flow makes them, so a chart the app uploads shows in the page.

``files_upload_v2`` is three steps: ``files.getUploadURLExternal`` names a file id
and an upload URL, the bytes are POSTed to that URL (raw, no token: the URL is the
permission), and ``files.completeUploadExternal`` makes the file usable. Only then
may a block point at it (``"slack_file": {"id": "F…"}``); Slack refuses blocks that
name an unknown or unfinished file, and so does this, with Slack's error text.

The stand-in keeps images only (PNG, JPEG, GIF, WebP: what it can show, and nothing
a browser would run, unlike SVG), each within a size bound, and at most a bounded
number of them: the oldest go first. Completed files are saved next to the
workspace file, so messages that survive a restart keep their pictures.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import string
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sandbox.arguments import json_arg
from bot.sandbox.surfaces import ApiError
from bot.sandbox.workspace import BOT, Workspace

__all__ = [
    "FILE_ID",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_PENDING",
    "SERVE_PATH",
    "Files",
    "StoredFile",
    "image_type",
    "slack_file_refs",
]

log = logging.getLogger("mlorg.sandbox")

#: Slack's file ids: ``F`` and ten upper-case letters or digits. Nothing else is ever a path.
FILE_ID = re.compile(r"F[A-Z0-9]{10}")
_ID_CHARS = string.ascii_uppercase + string.digits
#: A chart is tens of kilobytes; this leaves room and stays under the server's request limit.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Completed files kept; past this the oldest is forgotten (its image shows as alt text).
MAX_FILES = 300
#: Upload URLs handed out but not yet completed; an app that never completes cannot fill memory.
MAX_PENDING = 50
#: Slack: "alt_txt_too_large: Description for the image is longer than the limit of 1000 character".
MAX_ALT = 1000
UPLOAD_PATH = "/upload/v1/"
SERVE_PATH = "/files/"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_MIME = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def image_type(data: bytes) -> str | None:
    """``png``, ``jpg``, ``gif`` or ``webp`` by the file's first bytes (never its name); else None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass
class StoredFile:
    """One file as ``files.completeUploadExternal`` describes it; ``complete`` once it may be shown."""

    id: str
    name: str
    title: str
    alt: str
    length: int
    created: int
    filetype: str = ""
    size: int = 0
    uploaded: bool = False
    complete: bool = False

    @property
    def mimetype(self) -> str:
        return _MIME.get(self.filetype, "application/octet-stream")

    def as_api(self, base_url: str) -> dict[str, Any]:
        """The file object Slack returns (the fields an app reads)."""
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title,
            "mimetype": self.mimetype,
            "filetype": self.filetype,
            "pretty_type": self.filetype.upper(),
            "user": BOT.id,
            "size": self.size,
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": f"{base_url}{SERVE_PATH}{self.id}",
            "alt_txt": self.alt,
            "channels": [],
            "groups": [],
            "ims": [],
        }


def slack_file_refs(blocks: list[dict[str, Any]], pointer: str = "/blocks") -> Iterator[tuple[str, Any]]:
    """Every ``slack_file`` in image blocks and image elements, with its JSON pointer as Slack writes it."""
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        holders: list[tuple[str, Any]] = []
        if block.get("type") == "image":
            holders.append((f"{pointer}/{index}", block))
        if block.get("type") == "context":
            holders += [
                (f"{pointer}/{index}/elements/{n}", e) for n, e in enumerate(block.get("elements") or [])
            ]
        holders.append((f"{pointer}/{index}/accessory", block.get("accessory")))
        for where, holder in holders:
            if isinstance(holder, dict) and holder.get("type", "image") == "image" and "slack_file" in holder:
                yield f"{where}/slack_file", holder["slack_file"]


class Files:
    """The workspace's uploaded files: on disk under ``directory``, or in memory without one."""

    def __init__(
        self,
        directory: Path | None = None,
        ws: Workspace | None = None,
        *,
        max_bytes: int = MAX_FILE_BYTES,
        max_files: int = MAX_FILES,
    ) -> None:
        self.directory = directory
        self.ws = ws
        self.max_bytes = max_bytes
        self.max_files = max_files
        #: Where the app reaches the stand-in (the runner sets it once listening).
        self.base_url = ""
        self.files: dict[str, StoredFile] = {}
        #: Upload key -> id of each file not yet completed (uploaded or not), oldest first.
        self._pending: dict[str, str] = {}
        self._data: dict[str, bytes] = {}  # bytes not on disk (no directory, or not yet complete)
        if directory is not None:
            self._load(directory)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(UPLOAD_PATH + "{key}", self.receive)
        app.router.add_get(SERVE_PATH + "{file_id}", self.serve)

    # -- Web API --------------------------------------------------------------------------------
    async def get_upload_url(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """``files.getUploadURLExternal``: a file id and the URL its bytes go to."""
        filename = str(args.get("filename") or "")
        try:
            length = int(str(args.get("length") or ""))
        except ValueError:
            length = -1
        if not filename or length < 0:
            raise ApiError("invalid_arguments", "[ERROR] filename and length (a whole number) are required")
        if length == 0 or length > self.max_bytes:
            raise ApiError(
                "invalid_arguments",
                f"[ERROR] length {length}: the sandbox keeps files of 1 to {self.max_bytes} bytes",
            )
        alt = str(args.get("alt_txt") or "")
        if len(alt) > MAX_ALT:
            raise ApiError("alt_txt_too_large")
        stored = StoredFile(self._new_id(), filename, filename, alt, length, int(time.time()))
        key = secrets.token_urlsafe(24)
        self.files[stored.id] = stored
        self._pending[key] = stored.id
        while len(self._pending) > MAX_PENDING:
            self._forget(self._pending.pop(next(iter(self._pending))))
        return {"ok": True, "upload_url": f"{self.base_url}{UPLOAD_PATH}{key}", "file_id": stored.id}

    async def complete_upload(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """``files.completeUploadExternal``: uploaded files become usable in blocks."""
        if args.get("channel_id") or args.get("channels"):
            raise ApiError(
                "invalid_arguments",
                "[ERROR] the sandbox does not share files into channels; show them in an image block",
            )
        items = json_arg(args.get("files"))
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(i, dict) and i.get("id") for i in items)
        ):
            raise ApiError("invalid_arguments", '[ERROR] files must be a JSON array of {"id": …}')
        found = []
        for item in items:
            stored = self.files.get(str(item["id"]))
            if stored is None or not stored.uploaded:
                raise ApiError("file_not_found", f"[ERROR] {item['id']} was not uploaded")
            found.append((stored, item))
        done = {stored.id for stored, _ in found}
        self._pending = {key: file_id for key, file_id in self._pending.items() if file_id not in done}
        for stored, item in found:
            stored.title = str(item.get("title") or stored.title)
            if not stored.complete:
                stored.complete = True
                self._save(stored)
        self._trim()
        return {"ok": True, "files": [s.as_api(self.base_url) for s, _ in found]}

    def problems(self, blocks: list[dict[str, Any]], pointer: str = "/blocks") -> list[str]:
        """Slack's words for each ``slack_file`` that names no completed file."""
        return [
            f"invalid slack file [json-pointer:{where}]"
            for where, ref in slack_file_refs(blocks, pointer)
            if self.usable(ref) is None
        ]

    def usable(self, ref: Any) -> StoredFile | None:
        """The completed file a ``slack_file`` object names (by ``id``, or by its ``url_private``)."""
        if not isinstance(ref, dict):
            return None
        file_id = str(ref.get("id") or "")
        if not file_id and isinstance(ref.get("url"), str):
            found = re.search(rf"{SERVE_PATH}({FILE_ID.pattern})$", ref["url"])
            file_id = found.group(1) if found else ""
        stored = self.files.get(file_id)
        return stored if stored is not None and stored.complete else None

    # -- HTTP -------------------------------------------------------------------------------------
    async def receive(self, request: web.Request) -> web.Response:
        """The upload URL: raw bytes in the body, as slack_sdk sends them; ``OK - <length>`` back."""
        file_id = self._pending.get(request.match_info["key"])
        stored = self.files.get(file_id or "")
        if stored is None:
            return web.Response(status=404, text="unknown or used upload URL")
        data = await request.read()
        status, reply = 200, f"OK - {len(data)}"
        if len(data) > self.max_bytes:
            status, reply = 413, f"the sandbox keeps files up to {self.max_bytes} bytes"
        elif image_type(data) is None:
            status, reply = 415, "the sandbox keeps images only (PNG, JPEG, GIF, WebP)"
        if self.ws is not None:
            entry = self.ws.record("from app", "file upload", {"file_id": stored.id, "bytes": len(data)})
            entry.status, entry.response = status, reply
        if status != 200:
            log.warning("refused an upload of %s (%s): %s", stored.name, stored.id, reply)
            return web.Response(status=status, text=reply)
        stored.filetype, stored.size, stored.uploaded = image_type(data) or "", len(data), True
        self._data[stored.id] = data
        return web.Response(text=reply)

    async def serve(self, request: web.Request) -> web.Response:
        """``/files/<id>``: a completed file's bytes; anything else is 404."""
        file_id = request.match_info["file_id"]
        stored = self.files.get(file_id) if FILE_ID.fullmatch(file_id) else None
        data = self.read(stored) if stored is not None and stored.complete else None
        if stored is None or data is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=data,
            content_type=stored.mimetype,
            headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )

    def read(self, stored: StoredFile) -> bytes | None:
        if stored.id in self._data:
            return self._data[stored.id]
        if self.directory is None:
            return None
        try:
            return (self.directory / f"{stored.id}.{stored.filetype}").read_bytes()
        except OSError:
            return None

    # -- keeping ----------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every file (the control API's reset)."""
        for file_id in list(self.files):
            self._forget(file_id)
        self._pending.clear()

    def _new_id(self) -> str:
        while True:
            file_id = "F" + "".join(secrets.choice(_ID_CHARS) for _ in range(10))
            if file_id not in self.files:
                return file_id

    def _trim(self) -> None:
        complete = sorted((f for f in self.files.values() if f.complete), key=lambda f: f.created)
        for stored in complete[: max(0, len(complete) - self.max_files)]:
            self._forget(stored.id)

    def _forget(self, file_id: str) -> None:
        stored = self.files.pop(file_id, None)
        self._data.pop(file_id, None)
        if stored is not None and self.directory is not None:
            for suffix in (stored.filetype, "json"):
                (self.directory / f"{file_id}.{suffix}").unlink(missing_ok=True)

    def _save(self, stored: StoredFile) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / f"{stored.id}.{stored.filetype}").write_bytes(self._data.pop(stored.id))
        meta = self.directory / f"{stored.id}.json"
        tmp = meta.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(stored)), encoding="utf-8")
        tmp.replace(meta)

    def _load(self, directory: Path) -> None:
        if not directory.is_dir():
            return
        for meta in directory.glob("F*.json"):
            try:
                stored = StoredFile(**json.loads(meta.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                log.warning("the sandbox file record %s is unreadable; skipping it", meta)
                continue
            if FILE_ID.fullmatch(stored.id) and stored.complete and stored.filetype in _MIME:
                self.files[stored.id] = stored
