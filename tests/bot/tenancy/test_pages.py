"""The install pages say what happened and what to do, escape what came from outside, show no internals."""

from __future__ import annotations

import pytest

from bot.tenancy.pages import FAILURES, failure_for, render_failure, render_install, render_success


def test_the_install_page_escapes_the_link() -> None:
    page = render_install('https://slack.com/oauth/v2/authorize?state=a"b&scope=x')

    assert 'href="https://slack.com/oauth/v2/authorize?state=a&quot;b&amp;scope=x"' in page


def test_success_names_the_workspace_escaped_and_links_to_it() -> None:
    page = render_success(team_name="<b>Acme</b> & Co", team_id="T1", enterprise_id=None)

    assert "mlorg is installed in &lt;b&gt;Acme&lt;/b&gt; &amp; Co" in page
    assert 'href="slack://open?team=T1"' in page
    assert "/mlorg help" in page and "Home" in page
    assert "organization" not in page


def test_an_org_wide_success_says_it_covers_every_workspace() -> None:
    page = render_success(team_name=None, team_id=None, enterprise_id="E1")

    assert "your organization" in page and "every workspace of the organization" in page
    assert 'href="slack://open"' in page


@pytest.mark.parametrize("reason", sorted(FAILURES))
def test_every_failure_says_nothing_was_done_or_what_is_left_and_how_to_start_again(reason: str) -> None:
    page = render_failure(reason, "/slack/install")

    assert 'id="start-again" href="/slack/install"' in page
    assert "Traceback" not in page
    assert 200 <= failure_for(reason).status < 600


def test_only_a_cancellation_is_not_an_http_error() -> None:
    assert [reason for reason, failure in FAILURES.items() if failure.status < 400] == ["access_denied"]
    assert failure_for("invalid_state").status == 400
    assert failure_for("slack_unreachable").status == 502


def test_an_unknown_error_from_slack_is_shown_escaped() -> None:
    page = render_failure('<img src=x onerror="alert(1)">', "/slack/install")

    assert "<img" not in page and "&lt;img src=x" in page
    assert failure_for("something_new").status == 400
