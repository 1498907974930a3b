from __future__ import annotations

from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackPlatform, find_button


async def test_explain_rnd_answers_with_the_card(slack: SlackPlatform, fake_slack: FakeSlack) -> None:
    response = await slack.command("explain R&D")
    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert "Research and development" in response.text
    share = find_button(response.blocks, "Share in channel")
    click = await slack.click(share)
    assert click.status == 200
    [post] = await fake_slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0001"
    assert "Shared by <@U0001>" in post.text
