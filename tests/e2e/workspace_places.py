"""Two workspaces installed through "Add to Slack": who is who, and what Slack received from whom.

Each :class:`Place` has its own users and channels, prefixed (``UA…``/``CA…`` for the first,
``UB…``/``CB…`` for the second) so that one workspace's id showing up in the other's messages is
recognisable, and its own ``response_url`` (``response_url:<team>``) so private answers are told
apart too. :func:`calls_by_workspace` files every call the fake received under the workspace whose
token it carried; :func:`leaks` finds another workspace's ids in a call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from tests.e2e.fake_oauth import FakeOAuth
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.harness import SIGNING_SECRET, RunningApp, make_oauth_settings, sqlite_url
from tests.e2e.oauth_browser import Browser, install
from tests.e2e.slack_client import SlackPlatform

__all__ = [
    "GridPlatform",
    "Place",
    "calls_by_workspace",
    "close_platforms",
    "install_both",
    "leaks",
    "open_platforms",
    "start_app",
]

REDIRECT_PATH = "/slack/oauth_redirect"
#: mlorg admins (MLORG_ADMINS): each workspace's own, for its summaries.
ADMINS = "UA0ADMIN,UB0ADMIN"


@dataclass
class Place:
    """One workspace as the tests use it: its ids, its people, and what they will answer."""

    team: str
    name: str
    #: "A" or "B": every user id starts with U<letter>, every channel id with C<letter>.
    letter: str
    #: The archetype card its member explains and shares.
    topic: str
    #: The personal diagnosis's answers (labels of the buttons clicked).
    answers: Sequence[str]
    #: The team diagnosis: one answer list per member.
    team_answers: Sequence[Sequence[str]]
    #: Who plays the quiz, and whether they answer right.
    quiz_plan: Mapping[str, bool]
    #: What the workspace's figures must say, worked out by hand from the answers above.
    #: The summary's headline figures: people, the leading archetype, quiz answers.
    headline: str = ""
    #: Best fit per archetype id over everyone diagnosed (summary, digest, export).
    best_fits: Mapping[str, int] = field(default_factory=dict)
    #: The quiz channel's leaderboard rows.
    standings: Sequence[str] = ()
    slack: SlackPlatform | None = None
    #: What the features left to check: the result modal, the team summary, the quiz, posts.
    seen: dict[str, Any] = field(default_factory=dict)

    def user(self, name: str) -> str:
        return f"U{self.letter}0{name}"

    def channel(self, name: str) -> str:
        return f"C{self.letter}0{name}"

    @property
    def me(self) -> str:
        return self.user("ME")

    @property
    def admin(self) -> str:
        return self.user("ADMIN")

    @property
    def lead(self) -> str:
        return self.user("LEAD")

    @property
    def host(self) -> str:
        return self.user("HOST")

    @property
    def members(self) -> list[str]:
        return [self.user(f"M{n}") for n in range(len(self.team_answers))]

    @property
    def people(self) -> int:
        """Everyone the summary shows: the team thread's members.

        The person diagnosed on their own is held back: beside the thread's figures, the
        week's one more person would single them out (knowledge.anonymity's ledger).
        """
        return len(self.team_answers)

    @property
    def reply(self) -> str:
        """The method under which the fake records this workspace's response_url posts."""
        return f"response_url:{self.team}"

    def ids(self) -> set[str]:
        """Every id and name that belongs to this workspace only."""
        users = {self.me, self.admin, self.lead, self.host, *self.members, *self.quiz_plan}
        channels = {self.channel(n) for n in ("CARD", "TEAM", "QUIZ", "LEAD", "BOARD", "DM")}
        return {self.team, self.name, *users, *channels}

    @property
    def platform(self) -> SlackPlatform:
        assert self.slack is not None, "open the place's SlackPlatform first"
        return self.slack


# -- reading what Slack received ---------------------------------------------------------------------


def calls_by_workspace(fake: FakeSlack, oauth: FakeOAuth, places: Sequence[Place]) -> dict[str, list[Call]]:
    """Every call the app made, by the workspace it was made as: its token, or its response_url.

    A Web API call with no token, or with a token the fake never issued, is filed under "?"
    so the caller can assert there is none.
    """
    owners = {token: ws.key for token, ws in oauth.tokens.items()}
    grouped: dict[str, list[Call]] = {p.team: [] for p in places}
    for call in fake.calls:
        if call.method in {"oauth.v2.access", "upload_url"}:
            continue  # the code exchange carries client credentials; the bytes' POST no token
        if call.method.startswith("response_url:"):
            owner = call.method.removeprefix("response_url:")
            grouped.setdefault(owner if owner in grouped else "?", []).append(call)
            continue
        grouped.setdefault(owners.get(call.token or "", "?"), []).append(call)
    return grouped


def leaks(call: Call, other: Place) -> list[str]:
    """The ids of ``other`` that appear anywhere in ``call``: arguments, blocks, views, metadata."""
    everything = json.dumps(call.args, sort_keys=True)
    return sorted(i for i in other.ids() if i in everything)


# -- starting and installing ---------------------------------------------------------------------


async def start_app(fake: FakeSlack, oauth: FakeOAuth, database: Path, **overrides: Any) -> RunningApp:
    """The app in OAuth mode, its outbox quick to post, and the fake's "Allow" page sending back to it."""
    settings = make_oauth_settings(fake, sqlite_url(database), mlorg_admins=ADMINS, **overrides)
    running = await RunningApp(settings).start()
    assert running.mlorg is not None
    running.mlorg.outbox_worker.interval = 0.05
    oauth.redirect_url = f"{running.base_url}{REDIRECT_PATH}"
    return running


async def install_both(app: RunningApp, oauth: FakeOAuth, places: tuple[Place, ...]) -> None:
    """Each place installs mlorg the way a person does: install page, "Allow" on Slack, back."""
    browser = Browser()
    try:
        for place in places:
            page = await install(browser, app.base_url, oauth, place.team, place.name)
            assert page.status == 200 and f"installed in {place.name}" in page.title, page.text
    finally:
        await browser.close()


async def open_platforms(app: RunningApp, fake: FakeSlack, places: tuple[Place, ...]) -> None:
    """Each place plays Slack for its own workspace, with its own response_url."""
    for place in places:
        place.slack = SlackPlatform(
            app.url, SIGNING_SECRET, fake.response_url(place.team), team_id=place.team
        )
        await place.slack.__aenter__()


async def close_platforms(places: tuple[Place, ...]) -> None:
    for place in places:
        if place.slack is not None:
            await place.slack.__aexit__()


class GridPlatform(SlackPlatform):
    """Slack for a workspace of an Enterprise Grid org where mlorg is installed org-wide.

    Every request names the org and says the install is org-wide, as Slack's do; the workspace
    is still the request's ``team_id``.
    """

    def __init__(self, *args: Any, enterprise_id: str, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.enterprise_id = enterprise_id

    def command_body(self, text: str, **kw: Any) -> str:
        fields = dict(parse_qsl(super().command_body(text, **kw)))
        fields.update(enterprise_id=self.enterprise_id, enterprise_name="Org", is_enterprise_install="true")
        return urlencode(fields)

    def action_payload(self, element: dict[str, Any], **kw: Any) -> dict[str, Any]:
        payload = super().action_payload(element, **kw)
        payload["enterprise"] = {"id": self.enterprise_id, "name": "Org"}
        payload["is_enterprise_install"] = True
        payload["user"]["enterprise_id"] = self.enterprise_id
        return payload

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        body = super().event_body(event, event_id=event_id)
        body["enterprise_id"] = self.enterprise_id
        body["is_ext_shared_channel"] = False
        body["authorizations"] = [
            {
                "enterprise_id": self.enterprise_id,
                "team_id": None,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ]
        return body
