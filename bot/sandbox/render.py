"""Block Kit to HTML, with a look close to Slack's and stable hooks for tests.

Every string that reaches the page goes through :mod:`bot.sandbox.mrkdwn` or
``html.escape``: nothing the app or a person wrote becomes markup. Hooks are
``data-testid`` attributes: ``message-<ts>`` on each message, ``block-<block_id>``
on each block, ``action-<action_id>`` on each interactive element; the page's
script reads ``data-*`` attributes to build the payloads Slack would send. A block
or element the page cannot draw becomes a visible ``render-warning``, never a blank.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.blockkit import BLOCK_TYPES, ELEMENT_TYPES
from bot.sandbox.files import FILE_ID, SERVE_PATH
from bot.sandbox.mrkdwn import Names, mrkdwn_to_html, plain_to_html
from bot.sandbox.workspace import BOT, Message, Workspace

__all__ = ["Ctx", "render_blocks", "render_message", "render_text_object", "render_view"]

_SELECTS = {"static_select", "multi_static_select", "overflow"}
_BLANK = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
_CONVERSATION_SELECTS = {"conversations_select", "multi_conversations_select", "channels_select"}


@dataclass
class Ctx:
    """What a drawing needs: names for mentions, the viewer, and a surface's current input state."""

    ws: Workspace
    viewer: str
    #: ``state.values`` of a view: what the person already typed or picked survives a redraw.
    state: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> Names:
        def user(user_id: str) -> str | None:
            person = self.ws.person(user_id)
            return person.real_name if person else None

        def channel(channel_id: str) -> str | None:
            found = self.ws.channels.get(channel_id)
            return found.name if found else None

        return Names(user, channel)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _warning(text: str) -> str:
    return f'<div class="render-warning" role="alert" data-testid="render-warning">⚠ {_e(text)}</div>'


def render_text_object(obj: Any, ctx: Ctx) -> str:
    if not isinstance(obj, dict):
        return _e(obj or "")
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_html(str(obj.get("text") or ""), ctx.names)
    return plain_to_html(str(obj.get("text") or ""), emoji=obj.get("emoji", True) is not False)


def render_blocks(blocks: list[dict[str, Any]], ctx: Ctx) -> str:
    return "".join(_block(block, ctx) for block in blocks)


def _block(block: dict[str, Any], ctx: Ctx) -> str:
    kind = str(block.get("type", ""))
    block_id = str(block.get("block_id") or "")
    if kind not in BLOCK_TYPES:
        return _warning(f"The page cannot draw a {kind!r} block")
    inner = _BLOCKS[kind](block, ctx)
    error = ctx.errors.get(block_id)
    if error:
        inner += f'<div class="field-error" role="alert" data-testid="error-{_e(block_id)}">{_e(error)}</div>'
    return (
        f'<div class="block block-{kind}" data-testid="block-{_e(block_id)}" data-block-id="{_e(block_id)}">'
        f"{inner}</div>"
    )


def _header(block: dict[str, Any], ctx: Ctx) -> str:
    return f'<h3 class="bk-header" role="heading" aria-level="3">{render_text_object(block.get("text"), ctx)}</h3>'


def _section(block: dict[str, Any], ctx: Ctx) -> str:
    parts = []
    if block.get("text"):
        parts.append(f'<div class="bk-text">{render_text_object(block["text"], ctx)}</div>')
    if block.get("fields"):
        cells = "".join(f'<div class="bk-field">{render_text_object(f, ctx)}</div>' for f in block["fields"])
        parts.append(f'<div class="bk-fields">{cells}</div>')
    body = f'<div class="bk-section-body">{"".join(parts)}</div>'
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        body += f'<div class="bk-accessory">{_element(accessory, block, ctx)}</div>'
    return body


def _context(block: dict[str, Any], ctx: Ctx) -> str:
    items = []
    for element in block.get("elements") or []:
        if isinstance(element, dict) and element.get("type") == "image":
            items.append(
                f'<img class="bk-context-img" src="{_e(_image_url(element))}" alt="{_e(element.get("alt_text", ""))}">'
            )
        else:
            items.append(f"<span>{render_text_object(element, ctx)}</span>")
    return f'<div class="bk-context">{"".join(items)}</div>'


def _divider(_block: dict[str, Any], _ctx: Ctx) -> str:
    return '<hr class="bk-divider">'


def _actions(block: dict[str, Any], ctx: Ctx) -> str:
    elements = "".join(_element(e, block, ctx) for e in block.get("elements") or [] if isinstance(e, dict))
    return f'<div class="bk-actions" role="group">{elements}</div>'


def _image(block: dict[str, Any], ctx: Ctx) -> str:
    title = (
        f'<div class="bk-image-title">{render_text_object(block["title"], ctx)}</div>'
        if block.get("title")
        else ""
    )
    return (
        f'{title}<img class="bk-image" src="{_e(_image_url(block))}" alt="{_e(block.get("alt_text", ""))}">'
    )


def _image_url(element: Mapping[str, Any]) -> str:
    """Nothing is fetched from outside: an uploaded file (``slack_file``) is served by the page
    server at ``/files/<id>``, a data URL is drawn as is, anything else becomes a blank pixel."""
    ref = element.get("slack_file")
    if isinstance(ref, Mapping):
        file_id = str(ref.get("id") or "")
        if not file_id and isinstance(ref.get("url"), str):
            file_id = ref["url"].rsplit("/", 1)[-1]
        if FILE_ID.fullmatch(file_id):
            return f"{SERVE_PATH}{file_id}"
    url = str(element.get("image_url") or "")
    return url if url.startswith("data:image/") else _BLANK


def _input(block: dict[str, Any], ctx: Ctx) -> str:
    label = render_text_object(block.get("label"), ctx)
    optional = '<span class="optional"> (optional)</span>' if block.get("optional") else ""
    element = block.get("element")
    control = _element(element if isinstance(element, dict) else {}, block, ctx, in_input=True)
    hint = f'<div class="bk-hint">{render_text_object(block["hint"], ctx)}</div>' if block.get("hint") else ""
    return f'<label class="bk-label">{label}{optional}</label>{control}{hint}'


def _rich_text(block: dict[str, Any], ctx: Ctx) -> str:
    """Rich text as people type it: plain runs, mentions, links; styles as simple tags."""
    out = []
    for section in block.get("elements") or []:
        runs = []
        for run in section.get("elements") or [] if isinstance(section, dict) else []:
            kind = run.get("type")
            if kind == "text":
                text = _e(run.get("text", ""))
                style = run.get("style") or {}
                for flag, tag in (("bold", "b"), ("italic", "i"), ("strike", "s"), ("code", "code")):
                    if style.get(flag):
                        text = f"<{tag}>{text}</{tag}>"
                runs.append(text.replace("\n", "<br>"))
            elif kind == "user":
                runs.append(mrkdwn_to_html(f"<@{run.get('user_id', '')}>", ctx.names))
            elif kind == "channel":
                runs.append(mrkdwn_to_html(f"<#{run.get('channel_id', '')}>", ctx.names))
            elif kind == "link":
                runs.append(
                    mrkdwn_to_html(
                        f"<{run.get('url', '')}|{run.get('text') or run.get('url', '')}>", ctx.names
                    )
                )
            elif kind == "emoji":
                runs.append(mrkdwn_to_html(f":{run.get('name', '')}:", ctx.names))
        tag = "pre" if section.get("type") == "rich_text_preformatted" else "div"
        out.append(f"<{tag}>{''.join(runs)}</{tag}>")
    return "".join(out)


_BLOCKS = {
    "header": _header,
    "section": _section,
    "context": _context,
    "divider": _divider,
    "actions": _actions,
    "image": _image,
    "input": _input,
    "rich_text": _rich_text,
}


def _attrs(element: Mapping[str, Any], block: Mapping[str, Any], kind: str) -> str:
    action_id = str(element.get("action_id") or "")
    return (
        f'data-testid="action-{_e(action_id)}" data-action-id="{_e(action_id)}" '
        f'data-block-id="{_e(block.get("block_id") or "")}" data-kind="{_e(kind)}"'
    )


def _option_label(option: Mapping[str, Any]) -> str:
    return str((option.get("text") or {}).get("text") or option.get("value") or "")


def _state(ctx: Ctx, block: Mapping[str, Any], element: Mapping[str, Any]) -> Mapping[str, Any]:
    return (ctx.state.get(str(block.get("block_id") or "")) or {}).get(
        str(element.get("action_id") or "")
    ) or {}


def _element(element: dict[str, Any], block: dict[str, Any], ctx: Ctx, *, in_input: bool = False) -> str:
    kind = str(element.get("type", ""))
    if kind not in ELEMENT_TYPES or kind == "image":
        if kind == "image":
            return f'<img class="bk-accessory-img" src="{_e(_image_url(element))}" alt="{_e(element.get("alt_text", ""))}">'
        return _warning(f"The page cannot draw a {kind!r} element")
    attrs = _attrs(element, block, kind)
    state = _state(ctx, block, element)
    placeholder = str((element.get("placeholder") or {}).get("text") or "")
    if kind == "button":
        style = element.get("style")
        css = f"btn btn-{style}" if style in {"primary", "danger"} else "btn"
        label = render_text_object(element.get("text"), ctx)
        return f'<button type="button" class="{css}" {attrs}>{label}</button>'
    if kind in _SELECTS:
        options = _options(element)
        chosen = {o.get("value") for o in state.get("selected_options") or []} | {
            (state.get("selected_option") or element.get("initial_option") or {}).get("value")
        }
        multiple = " multiple" if kind == "multi_static_select" else ""
        first = "⋯" if kind == "overflow" else placeholder or "Select an item"
        rows = (
            [f'<option value="" disabled{"" if chosen - {None} else " selected"}>{_e(first)}</option>']
            if not multiple
            else []
        )
        for option in options:
            selected = " selected" if option.get("value") in chosen else ""
            rows.append(
                f'<option value="{_e(option.get("value", ""))}"{selected}>{plain_to_html(_option_label(option))}</option>'
            )
        css = "bk-overflow" if kind == "overflow" else "bk-select"
        return f'<select class="{css}" aria-label="{_e(placeholder or first)}" {attrs}{multiple}>{"".join(rows)}</select>'
    if kind in {"radio_buttons", "checkboxes"}:
        box = "radio" if kind == "radio_buttons" else "checkbox"
        initial = state.get("selected_options") or element.get("initial_options") or []
        single = state.get("selected_option") or element.get("initial_option")
        picked = {o.get("value") for o in initial} | ({single.get("value")} if single else set())
        name = _e(f"{block.get('block_id', '')}:{element.get('action_id', '')}")
        rows = []
        for option in _options(element):
            checked = " checked" if option.get("value") in picked else ""
            rows.append(
                f'<label class="bk-choice"><input type="{box}" name="{name}" value="{_e(option.get("value", ""))}"{checked}> '
                f"{render_text_object(option.get('text'), ctx)}</label>"
            )
        return f'<div class="bk-choices" role="{"radiogroup" if box == "radio" else "group"}" {attrs}>{"".join(rows)}</div>'
    if kind in _CONVERSATION_SELECTS or kind == "users_select":
        return _picker(element, kind, attrs, state, ctx, placeholder)
    value = state.get("value", state.get("selected_time", state.get("selected_date")))
    if value is None:
        value = element.get("initial_value", element.get("initial_time", element.get("initial_date", "")))
    if kind == "plain_text_input" and element.get("multiline"):
        return (
            f'<textarea class="bk-input" placeholder="{_e(placeholder)}" {attrs}>{_e(value or "")}</textarea>'
        )
    input_type = {"number_input": "number", "timepicker": "time", "datepicker": "date"}.get(kind, "text")
    extra = ""
    if kind == "number_input":
        for key, attr in (("min_value", "min"), ("max_value", "max")):
            if element.get(key) is not None:
                extra += f' {attr}="{_e(element[key])}"'
        if not element.get("is_decimal_allowed"):
            extra += ' step="1"'
    if kind == "plain_text_input" and element.get("max_length"):
        extra += f' maxlength="{_e(element["max_length"])}"'
    return f'<input class="bk-input" type="{input_type}" value="{_e(value or "")}" placeholder="{_e(placeholder)}"{extra} {attrs}>'


def _picker(
    element: dict[str, Any], kind: str, attrs: str, state: Mapping[str, Any], ctx: Ctx, placeholder: str
) -> str:
    """Conversation and user pickers list what this workspace has (what the viewer can see)."""
    multiple = kind.startswith("multi_")
    if kind == "users_select":
        choices = [(p.id, p.real_name) for p in ctx.ws.people.values() if not p.is_bot]
        picked = {state.get("selected_user") or element.get("initial_user")}
    else:
        choices = [
            (c.id, f"#{c.name}")
            for c in ctx.ws.channels.values()
            if not c.is_im and (not c.is_private or ctx.viewer in c.members)
        ]
        picked = set(state.get("selected_conversations") or element.get("initial_conversations") or [])
        picked |= {state.get("selected_conversation") or element.get("initial_conversation")}
    rows = [] if multiple else [f'<option value="">{_e(placeholder or "Select")}</option>']
    rows += [
        f'<option value="{_e(cid)}"{" selected" if cid in picked else ""}>{_e(label)}</option>'
        for cid, label in choices
    ]
    return f'<select class="bk-select" aria-label="{_e(placeholder or "Select")}" {attrs}{" multiple" if multiple else ""}>{"".join(rows)}</select>'


def _options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += list(group.get("options") or [])
    return [o for o in options if isinstance(o, dict)]


def _clock(ts: str) -> str:
    try:
        return time.strftime("%H:%M", time.localtime(float(ts)))
    except ValueError:
        return ""


def render_message(message: Message, ctx: Ctx, *, reply_count: int = 0, in_thread: bool = False) -> str:
    """One message: who, when, its blocks (or text), and the marks Slack adds around it."""
    ws = ctx.ws
    person = ws.person(message.user)
    if message.from_slackbot:
        name, initials, color, badge = "Slackbot", "SB", "#4a154b", ""
    else:
        name = person.real_name if person else message.user
        initials = person.initials if person else "?"
        color = person.color if person else "#999"
        badge = '<span class="app-badge">APP</span>' if message.user == BOT.id else ""
    body = (
        render_blocks(message.blocks, ctx)
        if message.blocks
        else f'<div class="bk-text">{mrkdwn_to_html(message.text, ctx.names)}</div>'
    )
    extras = ""
    if message.edited:
        extras += '<span class="edited">(edited)</span>'
    if message.visible_to is not None:
        extras += '<div class="ephemeral-note" data-testid="ephemeral-note">👁 Only visible to you</div>'
    for warning in message.warnings:
        extras += _warning(warning)
    thread = ""
    if not in_thread and not message.is_reply and message.visible_to is None:
        if reply_count:
            label = "1 reply" if reply_count == 1 else f"{reply_count} replies"
            thread = f'<button type="button" class="thread-link" data-open-thread="{_e(message.ts)}" data-testid="thread-link">{label}</button>'
        thread += f'<button type="button" class="reply-button" data-open-thread="{_e(message.ts)}" aria-label="Reply in thread" title="Reply in thread">💬</button>'
    css = "msg ephemeral" if message.visible_to is not None else "msg"
    return (
        f'<div class="{css}" role="article" aria-label="Message from {_e(name)}" data-testid="message-{_e(message.ts)}" '
        f'data-ts="{_e(message.ts)}" data-channel="{_e(message.channel)}" data-ephemeral="{"true" if message.visible_to else "false"}">'
        f'<div class="avatar" style="background:{_e(color)}" aria-hidden="true">{_e(initials)}</div>'
        f'<div class="msg-main"><div class="msg-meta"><span class="author">{_e(name)}</span>{badge}'
        f'<span class="time">{_clock(message.ts)}</span></div>'
        f'<div class="msg-body">{body}</div>{extras}{thread}</div></div>'
    )


def render_view(view: Mapping[str, Any], ctx: Ctx, *, depth: int = 1) -> str:
    """A modal as Slack draws it: title bar, blocks, Close (or Back) and Submit."""
    view_id = str(view.get("id", ""))
    title = render_text_object(view.get("title"), ctx)
    close = render_text_object(view.get("close") or {"type": "plain_text", "text": "Cancel"}, ctx)
    submit = ""
    if view.get("submit"):
        submit = f'<button type="button" class="btn btn-primary" data-testid="modal-submit" data-modal-submit="{_e(view_id)}">{render_text_object(view["submit"], ctx)}</button>'
    back = ""
    if depth > 1:
        back = f'<button type="button" class="modal-back" data-modal-close="{_e(view_id)}" data-testid="modal-back" aria-label="Back">←</button>'
    blocks = render_blocks(list(view.get("blocks") or []), ctx)
    return (
        f'<div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title-{_e(view_id)}" '
        f'data-testid="modal" data-view-id="{_e(view_id)}" data-depth="{depth}">'
        f'<div class="modal-head">{back}<h2 id="modal-title-{_e(view_id)}" class="modal-title">{title}</h2>'
        f'<button type="button" class="modal-x" data-modal-clear="{_e(view_id)}" data-testid="modal-x" aria-label="Close">×</button></div>'
        f'<div class="modal-body" data-surface="view" data-view-id="{_e(view_id)}">{blocks}</div>'
        f'<div class="modal-foot"><button type="button" class="btn" data-testid="modal-close" data-modal-close="{_e(view_id)}">{close}</button>{submit}</div>'
        "</div>"
    )
