"""Table definitions: the declarative :class:`Base` every mlorg table derives from.

The schema itself is created and changed only by the Alembic migrations in
``bot/store/migrations``; these classes are what the code queries, and what
``alembic revision --autogenerate`` compares the database against.

Every table carries the Slack ``team_id`` as the first column of its primary key (or of a
unique key): one workspace must never see another's rows, and scoping every key by team
makes a query that forgets the team stand out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "DiagnosisFlowRow",
    "OutboxRow",
    "ProcessedEvent",
    "QuizAnswerRow",
    "QuizRow",
    "ReleasedViewRow",
    "TeamResponseRow",
    "TeamSessionRow",
    "UTCDateTime",
    "WorkspaceInstallRow",
    "WorkspaceOrgRow",
    "WorkspaceSettingsRow",
]

#: Deterministic constraint names, so migrations can refer to (and drop) constraints by name
#: on both backends; SQLite otherwise leaves them unnamed and Alembic's batch mode needs names.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC, that comes back aware on every backend.

    PostgreSQL has ``timestamptz``; SQLite stores text and silently drops the offset, so a
    non-UTC value would compare wrongly and values read back would be naive. This type
    converts to UTC on the way in (rejecting naive datetimes, whose meaning is a guess) and
    attaches UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: mlorg stores timezone-aware datetimes only")
        utc = value.astimezone(UTC)
        # SQLite compares the stored text, so store it in one fixed (offset-free UTC) form.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers return datetimes
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base; its metadata carries :data:`NAMING_CONVENTION`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every `Mapped[datetime]` column is aware UTC unless it says otherwise.
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012 - read by SQLAlchemy, never mutated


class ProcessedEvent(Base):
    """One Slack event that has been claimed for processing.

    Slack retries an event it believes failed, and two replicas may both receive it; the
    primary key makes "process each ``event_id`` once" a single atomic insert. Rows are only
    needed for as long as Slack might still retry, so they are pruned by ``received_at``.
    """

    __tablename__ = "processed_events"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    event_id: Mapped[str] = mapped_column(String, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "received_at"),)


class DiagnosisFlowRow(Base):
    """One person's pass through the diagnosis questionnaire.

    Keyed by ``(team_id, flow_id)``; a flow belongs to one user and, in team mode, to one
    team session. ``step`` is the index of the question being asked: a click says which
    step it answers, and only a click for the current step moves the flow on, so a double
    click or a replayed button changes nothing.
    """

    __tablename__ = "diagnosis_flows"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    flow_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String)
    channel_id: Mapped[str] = mapped_column(String)
    session_id: Mapped[str | None] = mapped_column(String, nullable=True)
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    step: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_diagnosis_flows_user_status", "team_id", "user_id", "status"),
        Index("ix_diagnosis_flows_updated", "team_id", "updated_at"),
    )


class TeamSessionRow(Base):
    """A team diagnosis: the public invitation in a channel and the anonymous summary in its thread."""

    __tablename__ = "team_sessions"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    session_id: Mapped[str] = mapped_column(String, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String)
    started_by: Mapped[str] = mapped_column(String)
    message_ts: Mapped[str | None] = mapped_column(String, nullable=True)
    summary_ts: Mapped[str | None] = mapped_column(String, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TeamResponseRow(Base):
    """A member's finished answers in a team session; one row per person ("set", not "add")."""

    __tablename__ = "team_responses"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    session_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Random, and new each time the answers are set: a watched summary sees a retake as a
    #: change without being told who changed (see knowledge.anonymity).
    token: Mapped[str] = mapped_column(String)


class QuizRow(Base):
    """A quiz played in a channel's thread.

    ``items`` is a snapshot of the questions (prompt, options, answer, explanation,
    topic) taken when the quiz starts, so a restart or a content change mid-quiz never
    changes what players are answering. ``current`` is the index of the open question;
    a question closes by moving ``current`` on, conditionally, so two replicas (or a
    timer and a host) cannot both advance it.
    """

    __tablename__ = "quizzes"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String)
    host_id: Mapped[str] = mapped_column(String)
    topic_id: Mapped[str | None] = mapped_column(String, nullable=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    current: Mapped[int] = mapped_column(Integer)
    parent_ts: Mapped[str | None] = mapped_column(String, nullable=True)
    question_ts: Mapped[str | None] = mapped_column(String, nullable=True)
    time_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        Index("ix_quizzes_channel_status", "team_id", "channel_id", "status"),
        Index("ix_quizzes_deadline", "status", "deadline"),
    )


class QuizAnswerRow(Base):
    """One player's answer to one question: the key makes "the first answer counts" atomic."""

    __tablename__ = "quiz_answers"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    question_id: Mapped[str] = mapped_column(String)
    topic_id: Mapped[str] = mapped_column(String)
    option_id: Mapped[str] = mapped_column(String)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_quiz_answers_team_time", "team_id", "answered_at"),)


class WorkspaceSettingsRow(Base):
    """Per-workspace configuration set with ``/mlorg config``."""

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    leadership_channels: Mapped[list[str]] = mapped_column(JSON)
    digest_weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    digest_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    digest_timezone: Mapped[str] = mapped_column(String(64))
    min_group: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReleasedViewRow(Base):
    """What a watched aggregate (a team summary, a week's leadership summary) last showed.

    ``shown`` maps each section of the view to the opaque member tokens its figures
    reflected; the next drawing may only change a section once enough of them changed.
    ``version`` makes saving a compare-and-set, so two replicas cannot both move it on.
    """

    __tablename__ = "released_views"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    view_key: Mapped[str] = mapped_column(String, primary_key=True)
    shown: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConversationRow(Base):
    """The subject of a conversation with mlorg (a thread, a DM): what a follow-up is about.

    Keyed by the conversation, never by who spoke, so "and its downsides?" in the same thread
    is about the topic the thread was last about, on any replica and after a restart.
    """

    __tablename__ = "conversations"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    conversation_key: Mapped[str] = mapped_column(String, primary_key=True)
    subject: Mapped[str] = mapped_column(String)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "updated_at"),)


class AskedQuestionRow(Base):
    """A question mlorg answered (or could not), without who asked: what admins review.

    ``up``/``down`` are counts kept in step with ``answer_votes`` (one vote per person).
    """

    __tablename__ = "asked_questions"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    answer_id: Mapped[str] = mapped_column(String, primary_key=True)
    question: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    answered: Mapped[bool] = mapped_column(Boolean)
    up: Mapped[int] = mapped_column(Integer, default=0)
    down: Mapped[int] = mapped_column(Integer, default=0)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_asked_questions_team_time", "team_id", "asked_at"),)


class AnswerVoteRow(Base):
    """One person's 👍 or 👎 on one answer: the key makes a second click a repeat, not a vote."""

    __tablename__ = "answer_votes"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    answer_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxRow(Base):
    """A message that must reach Slack exactly once: written first, delivered by a worker.

    ``dedupe_key`` is unique per workspace, so enqueuing the same summary twice (a double
    click on Post, two replicas' schedulers) stores one item. A worker claims an item by
    setting ``status='delivering'``, a short lease (``claimed_until``, renewed while it
    delivers) and a fresh claim token (``claimed_by``); a lease that runs out means the
    worker died or stalled mid-delivery, and the next one checks the channel before posting.
    Outcomes and renewals name the token, so a worker that lost its item changes nothing.
    """

    __tablename__ = "outbox"

    item_id: Mapped[str] = mapped_column(String, primary_key=True)
    team_id: Mapped[str] = mapped_column(String)
    dedupe_key: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_by: Mapped[str | None] = mapped_column(String, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The latest claim's token (``host:pid:random``); it owns the item only while ``delivering``.
    claimed_by: Mapped[str | None] = mapped_column(String, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String, nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        UniqueConstraint("team_id", "dedupe_key", name="uq_outbox_team_dedupe"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )


class WorkspaceInstallRow(Base):
    """mlorg's own record of an installation, and of its departure: what ``mlorg workspaces`` lists.

    slack-sdk's ``slack_installations``/``slack_bots`` hold the tokens and are deleted the moment
    the app is uninstalled or its tokens revoked; this row stays (``status='uninstalled'``) until
    the workspace's data is purged at ``purge_after``, so a restart cannot forget a pending purge
    and a reinstall inside the grace period finds (and cancels) it. A workspace install has its
    ``team_id`` (and ``enterprise_id`` on Enterprise Grid); an org-wide install has
    ``team_id=""`` and the org's ``enterprise_id``. Single-token mode records departures too.
    """

    __tablename__ = "workspace_installs"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String, primary_key=True)
    team_name: Mapped[str] = mapped_column(String)
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean)
    #: ``active`` or ``uninstalled``.
    status: Mapped[str] = mapped_column(String(16))
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: When the departed workspace's data is deleted; None while installed.
    purge_after: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index(None, "purge_after"),)


class WorkspaceOrgRow(Base):
    """Which Enterprise Grid org a workspace belongs to, learnt from its requests.

    An org-wide install names no workspace; the workspaces that use it show up one by one. Jobs
    that post without a request (digests, quiz timers, the outbox) need the org to find the
    token, and purging an org's install must reach every workspace's data.
    """

    __tablename__ = "workspace_orgs"

    team_id: Mapped[str] = mapped_column(String, primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "enterprise_id"),)
