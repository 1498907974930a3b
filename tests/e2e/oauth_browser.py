"""A person's browser for the "Add to Slack" flow: pages, links, redirects and the state cookie.

aiohttp's cookie jar ignores cookies from IP hosts such as 127.0.0.1 (and Bolt marks the
state cookie ``Secure``, which a browser honours on localhost), so this keeps the cookies
itself, the way a browser would for this flow, and follows redirects by hand so a test can
see every hop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urljoin, urlparse

import aiohttp

from tests.e2e.fake_oauth import FakeOAuth

__all__ = ["Browser", "Page", "install"]


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    text: str

    def link(self, element_id: str) -> str:
        found = re.search(rf'id="{element_id}" href="([^"]*)"', self.text)
        assert found, f"no link #{element_id} on {self.url}: {self.text[:500]}"
        return found.group(1).replace("&amp;", "&")

    @property
    def title(self) -> str:
        found = re.search(r"<h1>(.*?)</h1>", self.text, re.S)
        return found.group(1) if found else ""


class Browser:
    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        #: Every URL visited, redirects included, in order.
        self.history: list[str] = []
        self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())

    async def close(self) -> None:
        await self._session.close()

    async def get(self, url: str, *, follow: bool = True) -> Page:
        while True:
            self.history.append(url)
            headers = (
                {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
            )
            async with self._session.get(url, headers=headers, allow_redirects=False) as response:
                for header in response.headers.getall("Set-Cookie", []):
                    self._keep(header)
                text = await response.text()
                location = response.headers.get("Location")
                if follow and response.status in (301, 302, 303, 307) and location:
                    url = urljoin(url, location)
                    continue
                return Page(url, response.status, text)

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


async def install(
    browser: Browser,
    app_base_url: str,
    oauth: FakeOAuth,
    team_id: str | None,
    team_name: str | None,
    **kw: object,
) -> Page:
    """Open the install page, click "Add to Slack", approve on Slack as ``team_id``, come back."""
    oauth.approve_next(team_id, team_name, **kw)
    page = await browser.get(f"{app_base_url}/slack/install")
    assert page.status == 200, page.text
    return await browser.get(page.link("add-to-slack"))
