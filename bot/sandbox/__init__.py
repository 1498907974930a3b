"""``mlorg try``: the whole app in a browser, on a local stand-in for Slack.

The stand-in plays Slack's part for one workspace: it keeps channels, people,
messages and views (:mod:`~bot.sandbox.workspace`), answers the Web API methods the
app calls with Slack's rules and errors (:mod:`~bot.sandbox.web_api`), delivers
commands, clicks and events to the app signed exactly as Slack signs them
(:mod:`~bot.sandbox.delivery`), and draws it all in a web page
(:mod:`~bot.sandbox.render`, :mod:`~bot.sandbox.page`). The app itself is the real
one, built by the same composition root as ``mlorg serve --http``
(:mod:`~bot.sandbox.runner`).
"""

from __future__ import annotations

__all__: list[str] = []
