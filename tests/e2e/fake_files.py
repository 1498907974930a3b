"""The fake Slack's files: uploads the way ``files_upload_v2`` makes them, and the check that
an image block may show a file.

Slack's upload is three steps: ``files.getUploadURLExternal`` hands out a file id and an
upload URL, the bytes are POSTed there, and ``files.completeUploadExternal`` finishes it.
Only then may a block reference the file (``"slack_file": {"id": ...}``), and not even at
once: Slack processes the file asynchronously, and until it is done a message showing it
is refused with ``invalid_blocks``. ``processing_delay`` models that moment.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SHOWS_FILES", "FakeFile", "FakeFiles"]

#: The methods whose blocks may show uploaded files, and so are checked.
SHOWS_FILES = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.open",
        "views.update",
        "views.push",
        "views.publish",
    }
)


@dataclass
class FakeFile:
    """One file as the fake holds it."""

    id: str
    filename: str
    length: int
    title: str = ""
    content: bytes | None = None
    #: When ``files.completeUploadExternal`` finished it (``time.monotonic()``), else None.
    completed_at: float | None = None

    @property
    def complete(self) -> bool:
        return self.completed_at is not None


class FakeFiles(Mapping[str, FakeFile]):
    """Uploaded (and half-uploaded) files by id; ``processing_delay`` seconds after completion a
    file is still "being processed" and blocks showing it are refused."""

    def __init__(self) -> None:
        self._files: dict[str, FakeFile] = {}
        self._ids = itertools.count(1)
        self.processing_delay = 0.0

    def __getitem__(self, file_id: str) -> FakeFile:
        return self._files[file_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def uploaded(self) -> list[FakeFile]:
        """Files whose upload was completed, in order."""
        return [f for f in self._files.values() if f.complete]

    # -- the three steps -------------------------------------------------------------------------
    def get_upload_url(self, args: Mapping[str, Any], base_url: str) -> dict[str, Any]:
        filename = str(args.get("filename") or "")
        try:
            length = int(args.get("length") or 0)
        except ValueError:
            length = 0
        if not filename or length <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"FFAKE{next(self._ids):06d}"
        self._files[file_id] = FakeFile(file_id, filename, length)
        return {"ok": True, "file_id": file_id, "upload_url": f"{base_url}/upload/{file_id}"}

    def receive(self, file_id: str, content: bytes) -> bool:
        """The POST to the upload URL; False for an id nobody asked for."""
        file = self._files.get(file_id)
        if file is None or file.complete:
            return False
        file.content = content
        return True

    def complete(self, args: Mapping[str, Any]) -> dict[str, Any]:
        try:
            entries = json.loads(str(args.get("files") or "[]"))
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        done: list[dict[str, Any]] = []
        for entry in entries if isinstance(entries, list) else []:
            file = self._files.get(str(entry.get("id") or ""))
            if file is None or file.content is None:
                return {"ok": False, "error": "file_not_found"}
            file.title = str(entry.get("title") or file.filename)
            file.completed_at = time.monotonic()
            done.append({"id": file.id, "name": file.filename, "title": file.title, "mimetype": "image/png"})
        if not done:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "files": done}

    # -- showing them ----------------------------------------------------------------------------
    def refusal(self, method: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
        """Slack's answer when ``method``'s blocks show a file that is unknown or not ready, else None."""
        if method not in SHOWS_FILES:
            return None
        prefix, blocks = "/blocks", _loaded(args.get("blocks"))
        if method.startswith("views."):
            view = _loaded(args.get("view"))
            prefix, blocks = "/view/blocks", _loaded(view.get("blocks")) if isinstance(view, dict) else []
        errors = [
            f"invalid slack file [json-pointer:{prefix}/{n}/slack_file]"
            for n, block in enumerate(blocks if isinstance(blocks, list) else [])
            if isinstance(block, dict) and block.get("type") == "image" and not self._ready(block)
        ]
        return {"ok": False, "error": "invalid_blocks", "errors": errors} if errors else None

    def _ready(self, block: dict[str, Any]) -> bool:
        reference = block.get("slack_file")
        if reference is None:
            return True  # an image_url block: not a file
        file = self._files.get(str((reference or {}).get("id") or ""))
        if file is None or file.completed_at is None:
            return False
        return time.monotonic() >= file.completed_at + self.processing_delay


def _loaded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return {}
    return value if value is not None else {}
