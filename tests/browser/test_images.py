"""Pictures in the page: a file uploaded as ``files_upload_v2`` uploads it, shown in an image block."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.slack_page import SlackPage
from tests.sandbox.images import png

ALT = "Best fit: Product-embedded 60%, R&D 25%, Nascent 15%"


def call(slack: SlackPage, method: str, **args: Any) -> dict[str, Any]:
    """A Web API call made as the app makes it (through the control API, which holds the token)."""
    answer: dict[str, Any] = slack.page.request.post(f"{slack.url}/control/api/{method}", data=args).json()
    assert answer["ok"], answer
    return answer


def test_an_uploaded_chart_is_shown_in_its_message_with_its_words(slack: SlackPage) -> None:
    chart = png(320, 160)
    step1 = call(slack, "files.getUploadURLExternal", filename="mlorg-mix.png", length=len(chart))
    uploaded = slack.page.request.post(
        step1["upload_url"], data=chart, headers={"Content-Type": "application/octet-stream"}
    )
    assert uploaded.ok, uploaded.text()
    call(slack, "files.completeUploadExternal", files=[{"id": step1["file_id"], "title": "Team mix"}])
    call(
        slack,
        "chat.postMessage",
        channel="C0GENERAL",
        text="Team diagnosis: 3 people",
        blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Team diagnosis:* 3 people"}},
            {
                "type": "image",
                "slack_file": {"id": step1["file_id"]},
                "alt_text": ALT,
                "title": {"type": "plain_text", "text": "How your team answered"},
            },
        ],
    )
    slack.settle()

    message = slack.message("Team diagnosis")
    image = message.get_by_role("img", name=ALT)
    expect(image).to_be_visible()
    expect(image).to_have_js_property("naturalWidth", 320)  # the bytes arrived and decoded
    expect(message).to_contain_text("How your team answered")
    slack.screenshot("uploaded-chart")
