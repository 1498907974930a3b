"""mrkdwn to HTML: Slack's formatting, and no text ever becoming markup."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.mrkdwn import EMOJI, Names, decode, mrkdwn_to_html, plain_to_html
from knowledge.charts.palette import swatch

NAMES = Names(lambda u: {"U1": "Ada Admin"}.get(u), lambda c: {"C1": "general"}.get(c))
ALLOWED = {"b", "i", "s", "code", "pre", "blockquote", "br", "span", "a"}
ALLOWED_ATTRS = {"class", "data-user", "data-channel", "href", "target", "rel"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def tags_of(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def test_bold_italic_strike_and_code() -> None:
    assert (
        mrkdwn_to_html("*bold* _it_ ~gone~ `x = 1`") == "<b>bold</b> <i>it</i> <s>gone</s> <code>x = 1</code>"
    )


def test_marks_inside_words_and_code_stay_text() -> None:
    assert mrkdwn_to_html("snake_case_name and 2*3*4") == "snake_case_name and 2*3*4"
    assert mrkdwn_to_html("`*not bold*`") == "<code>*not bold*</code>"


def test_code_blocks_quotes_and_lists() -> None:
    out = mrkdwn_to_html("&gt; a quote\n• one\n• two\n```\ncode *x*\n```")
    assert out.startswith("<blockquote>a quote</blockquote>")
    assert '<span class="li">• one</span><span class="li">• two</span>' in out
    assert "<pre>code *x*</pre>" in out


def test_links_mentions_channels_and_special_mentions() -> None:
    out = mrkdwn_to_html(
        "<https://example.com|the site> <@U1> <#C1> <#C9|leaders> <!here> <mailto:a@b.c>", NAMES
    )
    assert '<a href="https://example.com" target="_blank" rel="noopener noreferrer">the site</a>' in out
    assert "@Ada Admin" in out and "#general" in out and "#leaders" in out and "@here" in out
    assert 'href="mailto:a@b.c"' in out


def test_unsafe_link_targets_become_plain_text() -> None:
    out = mrkdwn_to_html('<javascript:alert(1)|click me> <https://x.test/" onmouseover="bad|x>')
    assert "href" not in out and "click me" in out


def test_entities_are_decoded_once_then_escaped() -> None:
    assert (
        mrkdwn_to_html("&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;")
        == "&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;"
    )
    assert decode("&amp;lt;") == "&lt;"
    assert plain_to_html("<b>&amp;</b> :tada:") == "&lt;b&gt;&amp;&lt;/b&gt; 🎉"


def test_emoji_shortcodes_from_a_small_table() -> None:
    assert mrkdwn_to_html(":white_check_mark: done :no_such_emoji:") == "✅ done :no_such_emoji:"


def test_a_bold_mention_is_both() -> None:
    assert mrkdwn_to_html("*<@U1>*", NAMES).startswith('<b><span class="mention"')


@given(st.text())
def test_no_text_ever_becomes_markup(text: str) -> None:
    """Whatever arrives, the only tags are the formatter's own, with its own attributes."""
    parsed = tags_of(mrkdwn_to_html(text, NAMES))
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED, (tag, text)
        assert set(attrs) <= ALLOWED_ATTRS, (attrs, text)
        if "href" in attrs:
            assert str(attrs["href"]).startswith(("http://", "https://", "mailto:")), text


@given(st.text(alphabet=st.characters(blacklist_characters="*_~`<>:&\n\ue000\ue001")))
def test_text_without_marks_is_just_escaped(text: str) -> None:
    import html

    assert mrkdwn_to_html(text) == html.escape(text, quote=True)


@given(st.text())
def test_plain_text_is_text(text: str) -> None:
    parsed = tags_of(plain_to_html(text, emoji=False))
    assert parsed.tags == []
    assert "".join(parsed.text) == decode(text).replace("\r", "\n") or "\r" in text


def test_every_chart_colour_square_is_drawn_as_its_emoji() -> None:
    """The Home tab's legend is made of these squares; a shortcode left as ``:name:`` is no legend."""
    squares = {swatch(number).emoji for number in range(1, 10)}

    drawn = mrkdwn_to_html(" ".join(sorted(squares)), NAMES)

    assert len(squares) == 8
    assert ":" not in drawn
    assert {EMOJI[s.strip(":")] for s in squares} == set(drawn.split())
