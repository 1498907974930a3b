"""Slack's mrkdwn as safe HTML, for the page.

Safety is the point: text from the app, or typed by a person, must never become
markup. Slack text arrives with ``&``, ``<`` and ``>`` escaped as ``&amp;``,
``&lt;`` and ``&gt;``; a raw ``<`` can only open a control sequence (``<url|text>``,
``<@U…>``, ``<#C…|name>``, ``<!here>``). So the text is cut into control sequences
and plain runs; each plain run is decoded once and then HTML-escaped; formatting
marks (``*bold*``, ``_italic_``, ``~strike~``, code) only ever wrap escaped text in
fixed tags; control sequences are drawn from the workspace's names, also escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

__all__ = ["EMOJI", "Names", "decode", "mrkdwn_to_html", "plain_to_html"]

#: The shortcodes mlorg and its content use, and a few people type; others stay as ``:name:``.
EMOJI: dict[str, str] = {
    "white_check_mark": "✅",
    "warning": "⚠️",
    "busts_in_silhouette": "👥",
    "bar_chart": "📊",
    "x": "❌",
    "wave": "👋",
    "wastebasket": "🗑️",
    "trophy": "🏆",
    "first_place_medal": "🥇",
    "second_place_medal": "🥈",
    "third_place_medal": "🥉",
    "stopwatch": "⏱️",
    "seedling": "🌱",
    "rocket": "🚀",
    "package": "📦",
    "outbox_tray": "📤",
    "office": "🏢",
    "microscope": "🔬",
    "lock": "🔒",
    "left_right_arrow": "↔️",
    "jigsaw": "🧩",
    "information_source": "ℹ️",
    "hourglass_flowing_sand": "⏳",
    "hammer_and_wrench": "🛠️",
    "grey_question": "❔",
    "gear": "⚙️",
    "floppy_disk": "💾",
    "eyes": "👀",
    "checkered_flag": "🏁",
    "brain": "🧠",
    "books": "📚",
    "tada": "🎉",
    "thumbsup": "👍",
    "+1": "👍",
    "heart": "❤️",
    "smile": "😄",
    "thinking_face": "🤔",
    "question": "❓",
    "bulb": "💡",
    "memo": "📝",
    "chart_with_upwards_trend": "📈",
    "dart": "🎯",
    "robot_face": "🤖",
    "compass": "🧭",
    "handshake": "🤝",
    "building_construction": "🏗️",
    "test_tube": "🧪",
    "star": "⭐",
    # The chart palette's legend squares (knowledge/charts/palette.py), one per archetype colour.
    "large_yellow_square": "🟨",
    "large_purple_square": "🟪",
    "large_blue_square": "🟦",
    "large_green_square": "🟩",
    "large_orange_square": "🟧",
    "large_red_square": "🟥",
    "large_brown_square": "🟫",
    "white_large_square": "⬜",
}

#: Private-use characters that stand in for finished HTML while the text around it is formatted.
_OPEN, _CLOSE = "\ue000", "\ue001"
_CONTROL = re.compile(r"<([^<>\n]*)>")
_CODE_BLOCK = re.compile(r"```(.*?)```", re.DOTALL)
_CODE = re.compile(r"`([^`\n]+)`")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
#: A mark opens after a start, a space or punctuation, and closes before an end, a space or punctuation.
_EDGE_BEFORE = r"(?:^|(?<=[\s(\[{'\"“‘>.,;:!?-]))"
_EDGE_AFTER = r"(?=$|[\s)\]}'\"”’<.,;:!?-])"
_MARKS = [
    (re.compile(_EDGE_BEFORE + r"\*(?=\S)([^*\n]*?\S)\*" + _EDGE_AFTER, re.MULTILINE), "b"),
    (re.compile(_EDGE_BEFORE + r"_(?=\S)([^_\n]*?\S)_" + _EDGE_AFTER, re.MULTILINE), "i"),
    (re.compile(_EDGE_BEFORE + r"~(?=\S)([^~\n]*?\S)~" + _EDGE_AFTER, re.MULTILINE), "s"),
]
_SAFE_URL = re.compile(r"^(https?://|mailto:)[^\s\"'<>`]+$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(\s*)(•|◦|▪|-|\d{1,3}\.)\s")


class Names:
    """How the page names people and channels in ``<@U…>`` and ``<#C…>``."""

    def __init__(self, user: Callable[[str], str | None], channel: Callable[[str], str | None]) -> None:
        self.user = user
        self.channel = channel


_NO_NAMES = Names(lambda _id: None, lambda _id: None)


def decode(text: str) -> str:
    """Undo Slack's three escapes, once (``&amp;lt;`` stays ``&lt;`` as text)."""
    return re.sub(r"&(amp|lt|gt);", lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], text)


def plain_to_html(text: str, *, emoji: bool = True) -> str:
    """A ``plain_text`` object: decoded once, escaped, emoji shortcodes shown when asked."""
    out = html.escape(decode(_scrub(text)), quote=True)
    return _emoji(out) if emoji else out


def mrkdwn_to_html(text: str, names: Names | None = None) -> str:
    """Slack mrkdwn as HTML in which only the formatter's own tags are markup."""
    names = names or _NO_NAMES
    pieces: list[str] = []
    text = _scrub(text)

    def stash(fragment: str) -> str:
        pieces.append(fragment)
        return f"{_OPEN}{len(pieces) - 1}{_CLOSE}"

    # Code blocks first: nothing inside them is formatted, but control sequences still are links.
    text = _CODE_BLOCK.sub(
        lambda m: stash(f"<pre>{_inline_code(m.group(1).strip(chr(10)), names)}</pre>"), text
    )
    text = _CODE.sub(lambda m: stash(f"<code>{_inline_code(m.group(1), names)}</code>"), text)
    text = _CONTROL.sub(lambda m: stash(_control(m.group(1), names)), text)
    escaped = html.escape(decode(text), quote=True)
    for pattern, tag in _MARKS:
        escaped = pattern.sub(rf"<{tag}>\1</{tag}>", escaped)
    escaped = _emoji(escaped)
    escaped = _lines(escaped)
    # Placeholders may nest (a link inside a code block): expand until none is left.
    for _ in range(3):
        expanded = re.sub(f"{_OPEN}(\\d+){_CLOSE}", lambda m: pieces[int(m.group(1))], escaped)
        if expanded == escaped:
            break
        escaped = expanded
    return escaped


def _scrub(text: str) -> str:
    """Our placeholder characters cannot come from outside."""
    return text.replace(_OPEN, "\ufffd").replace(_CLOSE, "\ufffd")


def _inline_code(text: str, names: Names) -> str:
    pieces: list[str] = []

    def keep(m: re.Match[str]) -> str:
        pieces.append(_control(m.group(1), names))
        return f"{_OPEN}{len(pieces) - 1}{_CLOSE}"

    marked = _CONTROL.sub(keep, text)
    escaped = html.escape(decode(marked), quote=True)
    return re.sub(f"{_OPEN}(\\d+){_CLOSE}", lambda m: pieces[int(m.group(1))], escaped)


def _control(inner: str, names: Names) -> str:
    """``<…>``: a mention, a channel, a special mention, or a link; always escaped text."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        shown = names.user(user_id) or label or user_id
        return (
            f'<span class="mention" data-user="{html.escape(user_id)}">@{html.escape(decode(shown))}</span>'
        )
    if target.startswith("#"):
        channel_id = target[1:]
        shown = names.channel(channel_id) or label or channel_id
        return f'<span class="channel-link" data-channel="{html.escape(channel_id)}">#{html.escape(decode(shown))}</span>'
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        if special in {"here", "channel", "everyone"}:
            return f'<span class="mention special">@{special}</span>'
        return f'<span class="mention special">{html.escape(decode(label or special))}</span>'
    url = decode(target)
    shown = html.escape(decode(label or target))
    if _SAFE_URL.match(url):
        return (
            f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{shown}</a>'
        )
    return shown


def _emoji(escaped: str) -> str:
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), escaped)


def _lines(escaped: str) -> str:
    """Quotes (``&gt; `` at a line start, as escaped) and list lines; the rest keeps its breaks."""
    out: list[str] = []
    quote: list[str] = []

    def flush() -> None:
        if quote:
            out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            quote.clear()

    for line in escaped.split("\n"):
        if line.startswith("&gt; ") or line == "&gt;":
            quote.append(line[5:])
            continue
        flush()
        if _LIST_ITEM.match(line):
            out.append(f'<span class="li">{line}</span>')
        else:
            out.append(line + "<br>")
    flush()
    html_out = "".join(out)
    return html_out.removesuffix("<br>")
