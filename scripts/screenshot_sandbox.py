"""Regenerate docs/sandbox.png: ``mlorg try``'s page with a card shared and a question answered.

Runs the real ``mlorg try`` on a free port with a throw-away data directory, sets the
scene through the page itself (typing and clicking as people do, in Debian's
Chromium), and saves a 1280x800 screenshot. Emoji need a colour emoji font
(``apt-get install fonts-noto-color-emoji``) to look like Slack's.

    python scripts/screenshot_sandbox.py [--out docs/sandbox.png]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("MLORG_CHROMIUM", "/usr/bin/chromium")


def settle(url: str) -> None:
    urllib.request.urlopen(f"{url}/control/settle?quiet=0.3", timeout=40).read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "sandbox.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "try", "--no-browser", "--port", "0", "--data-dir", data],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert process.stdout is not None
            url = process.stdout.readline().rsplit(" ", 1)[1].strip()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"{url}/?user=U0MIA&conv=C0MLPLATFORM")
                box = page.get_by_test_id("composer-input")
                box.fill("/mlorg explain embedded")
                box.press("Enter")
                settle(url)
                page.locator(".msg").last.get_by_role("button", name="Share in channel").click()
                settle(url)
                page.get_by_test_id("person-switcher").select_option("U0LEAD")
                box.fill("@mlorg what is the downside of an embedded org?")
                box.press("Enter")
                settle(url)
                question = page.locator(".msg").filter(has_text="what is the downside").last
                question.get_by_test_id("thread-link").click()
                expect(page.get_by_test_id("thread")).to_contain_text("challenges")
                page.get_by_test_id("messages").evaluate("node => { node.scrollTop = 0; }")
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
