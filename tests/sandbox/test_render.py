"""The renderer draws every block and element type the app emits, with stable hooks, and nothing else as markup."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.blockkit import BLOCK_TYPES, ELEMENT_TYPES
from bot.sandbox.render import Ctx, render_blocks, render_message, render_view
from bot.sandbox.workspace import BOT, Message, Workspace

WS = Workspace()


def ctx(**kw: Any) -> Ctx:
    return Ctx(WS, "U0MIA", **kw)


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def option(value: str) -> dict[str, Any]:
    return {"text": plain(f"Option {value}"), "value": value}


def element(kind: str) -> dict[str, Any]:
    base: dict[str, Any] = {"type": kind, "action_id": f"act_{kind}"}
    if kind == "button":
        base["text"] = plain("Press")
    if kind in {"static_select", "multi_static_select", "overflow", "radio_buttons", "checkboxes"}:
        base["options"] = [option("1"), option("2")]
    if kind == "image":
        return {"type": "image", "image_url": "https://example.com/x.png", "alt_text": "x"}
    return base


def test_every_block_type_is_drawn_with_its_hook() -> None:
    blocks = [
        {"type": "header", "block_id": "h", "text": plain("Head")},
        {
            "type": "section",
            "block_id": "s",
            "text": {"type": "mrkdwn", "text": "*b*"},
            "fields": [plain("f")],
            "accessory": element("button"),
        },
        {
            "type": "context",
            "block_id": "c",
            "elements": [plain("ctx"), {"type": "image", "image_url": "x", "alt_text": "i"}],
        },
        {"type": "divider", "block_id": "d"},
        {
            "type": "actions",
            "block_id": "a",
            "elements": [element(k) for k in ("button", "static_select", "overflow")],
        },
        {"type": "image", "block_id": "i", "image_url": "https://example.com/x.png", "alt_text": "pic"},
        {"type": "input", "block_id": "in", "label": plain("L"), "element": element("plain_text_input")},
        {
            "type": "rich_text",
            "block_id": "r",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "text", "text": "hi", "style": {"bold": True}}],
                }
            ],
        },
    ]
    assert {b["type"] for b in blocks} == BLOCK_TYPES
    out = render_blocks(blocks, ctx())
    assert "render-warning" not in out
    for block_id in ("h", "s", "c", "d", "a", "i", "in", "r"):
        assert f'data-testid="block-{block_id}"' in out
    assert (
        'data-testid="action-act_button"' in out and "https://example.com" not in out
    )  # nothing fetched from outside


def test_every_element_type_is_drawn() -> None:
    for kind in sorted(ELEMENT_TYPES - {"image"}):
        block = {"type": "input", "block_id": f"b_{kind}", "label": plain(kind), "element": element(kind)}
        out = render_blocks([block], ctx())
        assert "render-warning" not in out and f'data-kind="{kind}"' in out, kind


def test_an_unknown_block_or_element_is_a_visible_warning() -> None:
    out = render_blocks(
        [
            {"type": "video", "block_id": "v"},
            {"type": "actions", "block_id": "x", "elements": [{"type": "rating", "action_id": "r"}]},
        ],
        ctx(),
    )
    assert out.count('data-testid="render-warning"') == 2


def test_inputs_keep_what_was_typed_and_show_errors() -> None:
    block = {
        "type": "input",
        "block_id": "tz",
        "label": plain("Zone"),
        "element": {"type": "plain_text_input", "action_id": "tz", "initial_value": "UTC"},
    }
    out = render_blocks(
        [block],
        ctx(
            state={"tz": {"tz": {"type": "plain_text_input", "value": "Mars"}}},
            errors={"tz": "Use an IANA name"},
        ),
    )
    assert 'value="Mars"' in out and 'data-testid="error-tz"' in out and "Use an IANA name" in out


def test_an_ephemeral_message_says_only_you_can_see_it() -> None:
    message = Message("1.000001", "C0GENERAL", BOT.id, "psst", visible_to="U0MIA")
    out = render_message(message, ctx())
    assert 'data-testid="message-1.000001"' in out and "Only visible to you" in out and "APP" in out


def test_a_modal_has_a_title_close_submit_and_back_when_stacked() -> None:
    view = {"id": "V1", "type": "modal", "title": plain("Settings"), "submit": plain("Save"), "blocks": []}
    out = render_view(view, ctx(), depth=2)
    assert (
        'role="dialog"' in out and "Settings" in out and "Save" in out and 'data-testid="modal-back"' in out
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag in {"script", "iframe", "object", "style"}
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


@given(st.text(), st.text(), st.text())
def test_hostile_text_anywhere_stays_text(text: str, label: str, value: str) -> None:
    blocks = [
        {"type": "header", "block_id": value, "text": plain(label)},
        {
            "type": "section",
            "block_id": "s",
            "text": {"type": "mrkdwn", "text": text},
            "accessory": {"type": "button", "action_id": value, "text": plain(label), "value": value},
        },
        {"type": "context", "block_id": "c", "elements": [{"type": "mrkdwn", "text": text}]},
        {
            "type": "actions",
            "block_id": "a",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "s",
                    "placeholder": plain(label),
                    "options": [{"text": plain(text), "value": value}],
                }
            ],
        },
    ]
    message = Message("1.000001", "C0GENERAL", "U0MIA", text, blocks)
    parser = _Tags()
    parser.feed(
        render_message(message, ctx()) + render_message(Message("2.0", "C0GENERAL", "U0MIA", text), ctx())
    )
    assert parser.scripts == 0 and parser.handlers == []


class _Images(HTMLParser):
    """The ``<img>`` attributes and the visible text of some markup, as a browser reads them."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict[str, str | None]] = []
        self.text = ""
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


def test_an_image_block_with_an_uploaded_file_points_at_the_page_server_and_keeps_its_words() -> None:
    block = {
        "type": "image",
        "block_id": "chart",
        "slack_file": {"id": "F0A1B2C3D4E"},
        "alt_text": "Embedded 60% & R&D 40%",
        "title": plain("Your team's mix"),
    }

    drawn = _Images(render_blocks([block], ctx()))

    assert drawn.images == [
        {"class": "bk-image", "src": "/files/F0A1B2C3D4E", "alt": "Embedded 60% & R&D 40%"}
    ]
    assert "Your team's mix" in drawn.text


def test_uploaded_files_show_in_context_and_accessory_images_too() -> None:
    picture = {"type": "image", "slack_file": {"id": "F0A1B2C3D4E"}, "alt_text": "square"}
    blocks = [
        {"type": "context", "elements": [picture, plain("legend")]},
        {"type": "section", "text": plain("x"), "accessory": picture},
    ]

    sources = [image["src"] for image in _Images(render_blocks(blocks, ctx())).images]

    assert sources == ["/files/F0A1B2C3D4E", "/files/F0A1B2C3D4E"]


def test_a_file_id_that_is_not_one_never_becomes_a_path() -> None:
    for ref in (
        {"id": "../workspace.json"},
        {"id": "F0A1B2C3D4E/../x"},
        {"url": "https://evil.test/a.png"},
        "F0",
    ):
        block = {"type": "image", "slack_file": ref, "alt_text": "a"}

        (image,) = _Images(render_blocks([block], ctx())).images

        assert str(image["src"]).startswith("data:image/"), ref
