"""The page as a person sees it: switch person, open a channel, type, click, read.

Locators are the page's stable hooks (``data-testid``, ARIA roles) and visible text,
never layout. ``settle`` waits for the app to finish what follows an ack, through
the control API, so assertions do not race the app.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

__all__ = ["PEOPLE", "SlackPage"]

PEOPLE = {"ada": "U0ADMIN", "lee": "U0LEAD", "mia": "U0MIA", "max": "U0MAX"}


class SlackPage:
    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url

    def open(self, person: str = "ada", channel: str = "C0GENERAL") -> None:
        self.page.goto(f"{self.url}/?user={PEOPLE[person]}&conv={channel}")
        expect(self.page.get_by_test_id("channel-general")).to_be_visible()

    def settle(self) -> None:
        self.page.request.get(f"{self.url}/control/settle?quiet=0.25", timeout=35_000)

    # -- who and where --------------------------------------------------------------------------
    def be(self, person: str) -> None:
        self.page.get_by_test_id("person-switcher").select_option(PEOPLE[person])
        expect(self.page.locator("body")).to_have_attribute("data-user", PEOPLE[person])

    def go(self, channel: str) -> None:
        self.page.get_by_test_id(f"channel-{channel}").click()

    # -- typing ------------------------------------------------------------------------------------
    def type(self, text: str) -> None:
        box = self.page.get_by_test_id("composer-input")
        box.fill(text)
        box.press("Enter")
        self.settle()

    def reply(self, text: str) -> None:
        box = self.page.get_by_test_id("thread-input")
        box.fill(text)
        box.press("Enter")
        self.settle()

    # -- reading -------------------------------------------------------------------------------------
    @property
    def messages(self) -> Locator:
        return self.page.get_by_test_id("messages").locator(".msg")

    def message(self, text: str) -> Locator:
        return self.messages.filter(has_text=text).last

    @property
    def thread(self) -> Locator:
        return self.page.get_by_test_id("thread")

    def thread_message(self, text: str) -> Locator:
        return self.thread.locator(".msg").filter(has_text=text).last

    @property
    def modal(self) -> Locator:
        return self.page.get_by_role("dialog")

    # -- clicking --------------------------------------------------------------------------------------
    def click(self, where: Locator, label: str, **kw: Any) -> None:
        where.get_by_role("button", name=label).first.click(**kw)
        self.settle()

    def open_thread(self, message: Locator) -> None:
        message.get_by_test_id("thread-link").click()
        expect(self.thread).to_be_visible()

    def answer_diagnosis(self, option: int = 0) -> None:
        """Click an answer in the diagnosis modal until the result shows."""
        while True:
            expect(self.modal).to_be_visible()
            if self.modal.get_by_text("Your result").count():
                return
            progress = self.modal.locator(".bk-context").first.inner_text()
            self.modal.locator("[data-testid^='block-answers:'] button").nth(option).click()
            self.settle()
            expect(self.modal.locator(".bk-context").first).not_to_have_text(progress)

    def screenshot(self, name: str) -> None:
        from tests.browser.conftest import SCREENSHOTS

        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
