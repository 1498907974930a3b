"""Files in the stand-in: uploaded as slack_sdk uploads them, shown only when Slack would show them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.files import FILE_ID, MAX_FILE_BYTES, MAX_PENDING, Files, image_type
from bot.sandbox.runner import Sandbox
from bot.sandbox.surfaces import ApiError, Triggers, Views
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import Workspace
from tests.sandbox.images import png

CHART = png(48, 24)


def client_of(sandbox: Sandbox) -> AsyncWebClient:
    """The app's own kind of client, pointed at the stand-in as ``SLACK_API_URL`` points it."""
    return AsyncWebClient(token=sandbox.token, base_url=f"{sandbox.internal_url}/api/")


def image_block(file_id: str, alt: str = "Embedded 60%, R&D 40%") -> dict[str, Any]:
    return {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": alt,
        "title": {"type": "plain_text", "text": "Your team's mix"},
    }


async def upload(sandbox: Sandbox, data: bytes = CHART) -> str:
    answer = await client_of(sandbox).files_upload_v2(content=data, filename="mlorg-mix.png", title="Mix")
    return str(answer["file"]["id"])


async def get(sandbox: Sandbox, path: str) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as session, session.get(f"{sandbox.url}{path}") as response:
        return response.status, response.content_type, await response.read()


async def test_an_uploaded_chart_is_shown_in_a_message_and_served_as_uploaded(sandbox: Sandbox) -> None:
    client = client_of(sandbox)

    uploaded = await client.files_upload_v2(content=CHART, filename="mlorg-mix.png", title="Team mix")
    file_id = uploaded["file"]["id"]
    posted = await client.chat_postMessage(
        channel="C0GENERAL", text="Team mix", blocks=[image_block(file_id)]
    )

    assert FILE_ID.fullmatch(file_id)
    assert uploaded["file"]["title"] == "Team mix" and uploaded["file"]["mimetype"] == "image/png"
    message = sandbox.ws.find("C0GENERAL", posted["ts"])
    assert message is not None and message.blocks[0]["slack_file"] == {"id": file_id}
    assert await get(sandbox, f"/files/{file_id}") == (200, "image/png", CHART)
    kinds = [t.kind for t in sandbox.ws.traffic]
    assert kinds[-4:] == [
        "files.getUploadURLExternal",
        "file upload",
        "files.completeUploadExternal",
        "chat.postMessage",
    ]


async def test_a_block_naming_an_unknown_file_is_refused_like_slack(sandbox: Sandbox) -> None:
    client = client_of(sandbox)
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "x"}},
        {
            "type": "context",
            "elements": [{"type": "image", "slack_file": {"id": "F0NOTAFILE0"}, "alt_text": "a"}],
        },
    ]

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(
            channel="C0GENERAL", text="x", blocks=[image_block("F0123456789"), *blocks]
        )

    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["errors"] == [
        "invalid slack file [json-pointer:/blocks/0/slack_file]",
        "invalid slack file [json-pointer:/blocks/2/elements/0/slack_file]",
    ]
    assert refused.value.response["response_metadata"]["messages"][0].startswith("[ERROR] invalid slack file")
    assert sandbox.ws.messages["C0GENERAL"] == []


async def test_a_file_uploaded_but_not_completed_cannot_be_shown_yet(sandbox: Sandbox) -> None:
    client = client_of(sandbox)
    step1 = await client.files_getUploadURLExternal(filename="mlorg-mix.png", length=len(CHART))
    async with aiohttp.ClientSession() as session, session.post(step1["upload_url"], data=CHART) as response:
        assert (response.status, await response.text()) == (200, f"OK - {len(CHART)}")

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C0GENERAL", text="x", blocks=[image_block(step1["file_id"])])

    assert refused.value.response["error"] == "invalid_blocks"
    assert (await get(sandbox, f"/files/{step1['file_id']}"))[0] == 404


async def test_modals_and_home_tabs_refuse_unknown_files_too(sandbox: Sandbox) -> None:
    client = client_of(sandbox)
    file_id = await upload(sandbox)
    home = {"type": "home", "blocks": [image_block(file_id)]}

    await client.views_publish(user_id="U0MIA", view=home)
    with pytest.raises(SlackApiError) as refused:
        await client.views_publish(
            user_id="U0MIA", view={"type": "home", "blocks": [image_block("F9999999999")]}
        )

    assert refused.value.response["response_metadata"]["messages"] == [
        "[ERROR] invalid slack file [json-pointer:/view/blocks/0/slack_file]"
    ]
    assert sandbox.ws.homes["U0MIA"]["blocks"][0]["slack_file"]["id"] == file_id


async def test_a_file_that_is_not_an_image_is_refused_at_upload_and_never_shown(sandbox: Sandbox) -> None:
    with pytest.raises(SlackRequestError, match="status: 415"):
        await client_of(sandbox).files_upload_v2(content="<svg onload=alert(1)>", filename="x.svg")

    assert not any(f.complete for f in sandbox.files.files.values())


async def test_a_file_over_the_size_bound_gets_no_upload_url(sandbox: Sandbox) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client_of(sandbox).files_getUploadURLExternal(filename="big.png", length=MAX_FILE_BYTES + 1)

    assert refused.value.response["error"] == "invalid_arguments"


@pytest.mark.parametrize(
    "path",
    [
        "/files/F0123456789",
        "/files/f0123456789",
        "/files/..%2Fworkspace.json",
        "/files/workspace.json",
        "/files/",
    ],
)
async def test_only_known_files_are_served(sandbox: Sandbox, path: str) -> None:
    await upload(sandbox)
    (sandbox.data_dir / "workspace.json").write_text("{}")

    status, _, body = await get(sandbox, path)

    assert status == 404 and body != b"{}"


async def test_uploaded_files_survive_a_restart_and_go_with_a_reset(tmp_path: Path) -> None:
    first = Sandbox(tmp_path / "try", port=0)
    await first.start()
    file_id = await upload(first)
    await first.stop()

    second = Sandbox(tmp_path / "try", port=0)
    await second.start()
    try:
        assert await get(second, f"/files/{file_id}") == (200, "image/png", CHART)
        await second.reset()
        assert (await get(second, f"/files/{file_id}"))[0] == 404
        assert not list((tmp_path / "try" / "files").iterdir())
    finally:
        await second.stop()


async def test_uploads_never_completed_are_bounded_too(sandbox: Sandbox) -> None:
    client = client_of(sandbox)
    first = await client.files_getUploadURLExternal(filename="c.png", length=len(CHART))
    async with aiohttp.ClientSession() as session, session.post(first["upload_url"], data=CHART):
        pass
    for _ in range(MAX_PENDING):
        await client.files_getUploadURLExternal(filename="c.png", length=len(CHART))

    assert first["file_id"] not in sandbox.files.files
    assert len(sandbox.files.files) == MAX_PENDING


async def test_past_the_bound_the_oldest_files_are_forgotten() -> None:
    files = Files(max_files=2)
    ids = []
    for _ in range(3):
        step1 = await files.get_upload_url({"filename": "c.png", "length": len(CHART)})
        files._pending.clear()  # as if uploaded: the HTTP step is covered above
        files.files[step1["file_id"]].uploaded = True
        files._data[step1["file_id"]] = CHART
        await files.complete_upload({"files": json.dumps([{"id": step1["file_id"]}])})
        ids.append(step1["file_id"])
        for stored in files.files.values():
            stored.created -= 1  # the earlier, the older

    assert [files.usable({"id": i}) is not None for i in ids] == [False, True, True]


async def test_without_files_write_the_app_gets_missing_scope() -> None:
    ws = Workspace()
    api = WebApi(ws, Views(ws), Triggers(), "xoxb-test", scopes=frozenset({"chat:write"}))

    body = await api.handle_args("files.getUploadURLExternal", {"filename": "c.png", "length": "10"})

    assert body["error"] == "missing_scope"


async def test_completing_a_file_that_was_never_uploaded_is_file_not_found() -> None:
    files = Files()
    step1 = await files.get_upload_url({"filename": "c.png", "length": "10"})

    with pytest.raises(ApiError) as refused:
        await files.complete_upload({"files": [{"id": step1["file_id"]}]})

    assert refused.value.code == "file_not_found"


def test_images_are_known_by_their_bytes_not_their_names() -> None:
    assert image_type(CHART) == "png"
    assert image_type(b"\xff\xd8\xff\xe0rest") == "jpg"
    assert image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert image_type(b"") is None
