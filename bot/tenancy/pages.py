"""The web pages a person sees while installing mlorg: "Add to Slack", success, failure.

Pure functions from what happened to HTML, so they are tested without a server. Everything
that comes from outside (a workspace's name, an error code Slack put in the URL) is
HTML-escaped; no page ever shows an exception or a stack trace.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Final

__all__ = ["FAILURES", "Failure", "failure_for", "render_failure", "render_install", "render_success"]

_STYLE: Final = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1d1c1d; line-height: 1.5; }
h1 { font-size: 1.5rem; }
code { background: #f4f4f4; padding: 0 .25rem; border-radius: 3px; }
a.button { display: inline-block; background: #4a154b; color: #fff; padding: .6rem 1.2rem;
           border-radius: 4px; text-decoration: none; font-weight: bold; }
.small { color: #616061; font-size: .9rem; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def render_install(authorize_url: str) -> str:
    """The "Add to Slack" page: what mlorg is, and the one button that starts the install."""
    return _page(
        "Add mlorg to Slack",
        "<h1>Add mlorg to your Slack workspace</h1>\n"
        "<p>mlorg helps your organization understand how it structures its machine-learning "
        "teams: it explains the five archetypes, diagnoses which one a team resembles, runs "
        "quizzes and posts summaries for leadership.</p>\n"
        f'<p><a class="button" id="add-to-slack" href="{html.escape(authorize_url, quote=True)}">'
        "Add to Slack</a></p>\n"
        '<p class="small">Slack will ask you to pick a workspace and approve what mlorg may do '
        "there, then bring you back here. This link works once, for ten minutes.</p>",
    )


def render_success(*, team_name: str | None, team_id: str | None, enterprise_id: str | None) -> str:
    """Which workspace mlorg is now in, and the first things to try there."""
    where = team_name or team_id or "your organization"
    open_url = f"slack://open?team={team_id}" if team_id else "slack://open"
    org_note = (
        "<p>It was installed for your whole Enterprise Grid organization, so it answers in "
        "every workspace of the organization.</p>\n"
        if enterprise_id and not team_id
        else ""
    )
    return _page(
        "mlorg is installed",
        f"<h1>mlorg is installed in {html.escape(where)}</h1>\n"
        f"{org_note}"
        "<p>What to try next:</p>\n<ul>\n"
        "<li>Type <code>/mlorg help</code> in any channel to see everything mlorg does.</li>\n"
        "<li>Open mlorg's <strong>Home</strong> tab (find mlorg under <em>Apps</em> in the "
        "sidebar) for your diagnoses and settings.</li>\n"
        "<li>Try <code>/mlorg diagnose</code> to see which archetype your team resembles.</li>\n"
        "</ul>\n"
        f'<p><a class="button" id="open-slack" href="{html.escape(open_url, quote=True)}">Open Slack</a></p>',
    )


@dataclass(frozen=True)
class Failure:
    """What went wrong, in words for the person who was installing, with the HTTP status."""

    title: str
    explanation: str
    status: int


#: Bolt's failure reasons (and ours), each with what it means for the person installing.
FAILURES: Final[dict[str, Failure]] = {
    "access_denied": Failure(
        "Installation cancelled",
        "You cancelled on Slack's page, so mlorg was not installed and nothing was stored.",
        200,  # a person's choice, not a broken request
    ),
    "invalid_browser": Failure(
        "This browser did not start the installation",
        "The installation has to finish in the browser that opened the install page, with "
        "cookies allowed. Nothing was installed.",
        400,
    ),
    "invalid_state": Failure(
        "This installation link has expired or was already used",
        "Each link from the install page works once, for ten minutes. Nothing was installed.",
        400,
    ),
    "missing_code": Failure(
        "Slack did not say whether you approved",
        "The address Slack sent you back with is incomplete. Nothing was installed.",
        400,
    ),
    "invalid_code": Failure(
        "Slack did not confirm the installation",
        "Slack refused to complete it (the approval may have expired or been used already). "
        "Nothing was installed.",
        400,
    ),
    "slack_unreachable": Failure(
        "Slack could not be reached",
        "mlorg could not reach Slack to complete the installation. Nothing was installed.",
        502,
    ),
    "storage_error": Failure(
        "The installation could not be saved",
        "Slack approved it, but mlorg could not save it. Nothing was installed.",
        503,
    ),
    "setup_incomplete": Failure(
        "The installation is not finished",
        "mlorg saved the installation but could not finish setting up your workspace.",
        500,
    ),
}


def failure_for(reason: str) -> Failure:
    """The page for ``reason``; an error code Slack sent that we do not know is shown as-is (escaped)."""
    known = FAILURES.get(reason)
    if known is not None:
        return known
    return Failure(
        "Slack stopped the installation",
        f"Slack reported “{reason}”. Nothing was installed.",
        400,
    )


def render_failure(reason: str, install_path: str) -> str:
    failure = failure_for(reason)
    return _page(
        failure.title,
        f"<h1>{html.escape(failure.title)}</h1>\n"
        f"<p>{html.escape(failure.explanation)}</p>\n"
        f'<p><a class="button" id="start-again" href="{html.escape(install_path, quote=True)}">'
        "Start again</a></p>\n"
        '<p class="small">If it keeps failing, tell whoever runs mlorg for you what this page says.</p>',
    )
