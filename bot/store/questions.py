"""Questions in plain words: what a conversation is about, what was asked, and what people thought.

Three small jobs behind one repository. A conversation (a thread, a DM, a person's
``/mlorg ask``) remembers its subject so that "and its downsides?" is about the topic just
discussed, on any replica and after a restart. Each answer is logged *without who asked*,
so admins can see what mlorg could not answer. A vote is keyed by (answer, person): the
second click is a repeat, never a second vote.

"Without who asked" must hold for the database as a whole, not only for the log's own
columns: a subject row keyed by channel and user, written in the same transaction as the
log row, would name the asker by its time. So a conversation's key is stored only as a
keyed hash (HMAC-SHA256 under a key that is not in the database: the app's signing secret),
and the log keeps the day a question was asked, not the moment. Someone holding the
database alone can match neither a subject to a person nor a question to a subject's time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.events import Clock, utc_now
from bot.store.group_commit import GroupCommit
from bot.store.scoping import across_workspaces
from bot.store.tables import AnswerVoteRow, AskedQuestionRow, ConversationRow
from bot.store.transaction import Transaction, new_id

__all__ = ["STORED_QUESTION", "AskedQuestion", "Questions", "VoteOutcome", "asked_on", "unhelpful_questions"]

#: What a question is cut to before it is stored: enough to read, never a whole pasted document.
STORED_QUESTION = 500

VoteOutcome = Literal["counted", "repeat", "unknown"]


@dataclass(frozen=True)
class AskedQuestion:
    answer_id: str
    question: str
    kind: str
    answered: bool
    up: int
    down: int
    asked_at: datetime

    @property
    def unhelpful(self) -> bool:
        """Answered with nothing, or voted down more than up: what admins should look at."""
        return not self.answered or self.down > self.up


def asked_on(moment: datetime) -> datetime:
    """The day (00:00 UTC) a question was asked: all the log keeps of when."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


class Questions:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dialect: str,
        *,
        clock: Clock = utc_now,
        group: GroupCommit | None = None,
    ):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock
        # Until the app hands over its key, one per process: follow-ups then last as long as it.
        self._key = secrets.token_bytes(32)
        # Every mention and DM reads a subject and logs an answer: in a burst they share
        # transactions (``group``: with the other work of answering, see Store).
        self._reads = self._logs = group or GroupCommit(sessions, "log a question")

    @across_workspaces("sets the process's hashing key for every workspace; reads and writes no row")
    def use_key(self, key: str | bytes) -> None:
        """Key the conversations' hashes (the app passes its signing secret: every replica has it,
        the database does not). Changing it only forgets what conversations were about."""
        self._key = key.encode() if isinstance(key, str) else key

    def _hash(self, *parts: str) -> str:
        return hmac.new(self._key, "\0".join(parts).encode(), hashlib.sha256).hexdigest()[:32]

    def _conversation(self, team_id: str, conversation_key: str) -> str:
        """The stored key of a conversation: a keyed hash, never a channel or a user id.

        A person's own ``/mlorg ask`` conversations (``ask:<channel>:<user>``) start with a
        hash of the person alone, so forgetting them can find every one without the channel.
        """
        kind, _, rest = conversation_key.partition(":")
        if kind == "ask" and ":" in rest:
            channel, _, user = rest.rpartition(":")
            return f"ask:{self._person(team_id, user)}:{self._hash(team_id, 'channel', channel)}"
        return self._hash(team_id, "conversation", conversation_key)

    def _person(self, team_id: str, user_id: str) -> str:
        return self._hash(team_id, "person", user_id)

    def _insert(self) -> Any:
        return postgresql.insert if self._dialect == "postgresql" else sqlite.insert

    # -- conversations -------------------------------------------------------------------------

    async def subject(self, team_id: str, conversation_key: str) -> str | None:
        stored = self._conversation(team_id, conversation_key)

        async def work(session: AsyncSession) -> str | None:
            row = await session.get(ConversationRow, (team_id, stored))
            return row.subject if row is not None else None

        return await self._reads.run(work, key=(team_id, stored))

    async def remember(self, team_id: str, conversation_key: str, subject: str) -> None:
        """Set (never add) the conversation's subject: the latest topic wins."""
        async with Transaction(self._sessions, "remember a conversation's subject") as session:
            await session.execute(self._remember(team_id, conversation_key, subject))

    def _remember(self, team_id: str, conversation_key: str, subject: str) -> Any:
        values = {"subject": subject, "updated_at": self._clock()}
        key = self._conversation(team_id, conversation_key)
        return (
            self._insert()(ConversationRow)
            .values(team_id=team_id, conversation_key=key, **values)
            .on_conflict_do_update(index_elements=["team_id", "conversation_key"], set_=values)
        )

    # -- asked questions and votes -------------------------------------------------------------

    async def record(
        self,
        team_id: str,
        question: str,
        *,
        kind: str,
        answered: bool,
        conversation_key: str | None = None,
        subject: str | None = None,
        answer_id: str | None = None,
    ) -> str:
        """Log an answer (not who asked) and, with a subject, what the conversation is now about.

        One transaction for both, shared with other answers logged at the same moment: a
        mention costs as few round trips as possible. Returns the answer's id, which the vote
        buttons carry. With ``answer_id`` given (a question acked before it was answered, see
        :mod:`bot.store.pending_answers`), logging the same answer again after a crash
        changes nothing: the first log of an answer id counts.
        """
        answer_id = answer_id or new_id()
        values = {
            "team_id": team_id,
            "answer_id": answer_id,
            "question": " ".join(question.split())[:STORED_QUESTION],
            "kind": kind,
            "answered": answered,
            "up": 0,
            "down": 0,
            "asked_at": asked_on(self._clock()),
        }
        log = (
            self._insert()(AskedQuestionRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["team_id", "answer_id"])
        )

        async def work(session: AsyncSession) -> None:
            # The log and the subject in one transaction: this runs on every mention and DM.
            await session.execute(log)
            if conversation_key is not None and subject is not None:
                await session.execute(self._remember(team_id, conversation_key, subject))

        await self._logs.run(work, key=(team_id, answer_id))
        return answer_id

    async def vote(self, team_id: str, answer_id: str, user_id: str, *, helpful: bool) -> VoteOutcome:
        """Count one person's 👍 or 👎 once; a second click (either way) is a repeat."""
        statement = (
            self._insert()(AnswerVoteRow)
            .values(
                team_id=team_id, answer_id=answer_id, user_id=user_id, helpful=helpful, voted_at=self._clock()
            )
            .on_conflict_do_nothing(index_elements=["team_id", "answer_id", "user_id"])
            .returning(AnswerVoteRow.user_id)
        )
        column = AskedQuestionRow.up if helpful else AskedQuestionRow.down
        async with Transaction(self._sessions, "count a vote") as session:
            if await session.get(AskedQuestionRow, (team_id, answer_id)) is None:
                return "unknown"
            if (await session.execute(statement)).first() is None:
                return "repeat"
            await session.execute(
                update(AskedQuestionRow)
                .where(AskedQuestionRow.team_id == team_id, AskedQuestionRow.answer_id == answer_id)
                .values({column: column + 1})
            )
        return "counted"

    async def asked_since(self, team_id: str, since: datetime) -> list[AskedQuestion]:
        query = (
            select(AskedQuestionRow)
            .where(AskedQuestionRow.team_id == team_id, AskedQuestionRow.asked_at >= since)
            .order_by(AskedQuestionRow.asked_at)
        )
        async with Transaction(self._sessions, "read asked questions") as session:
            return [_asked(row) for row in (await session.execute(query)).scalars()]

    @across_workspaces("exports list the workspaces to export; the result is the team ids themselves")
    async def teams(self) -> list[str]:
        query = select(AskedQuestionRow.team_id).distinct()
        async with Transaction(self._sessions, "list workspaces with questions") as session:
            return sorted(str(team) for team in (await session.execute(query)).scalars())

    async def forget_user(self, team_id: str, user_id: str) -> int:
        """Delete a person's votes (returned; the counts they added name nobody) and their own
        ``/mlorg ask`` conversations, found by the hash of the person their keys start with."""
        async with Transaction(self._sessions, "forget a person's votes") as session:
            result = await session.execute(
                delete(AnswerVoteRow).where(
                    AnswerVoteRow.team_id == team_id, AnswerVoteRow.user_id == user_id
                )
            )
            await session.execute(
                delete(ConversationRow).where(
                    ConversationRow.team_id == team_id,
                    ConversationRow.conversation_key.like(f"ask:{self._person(team_id, user_id)}:%"),
                )
            )
            return cast(CursorResult[Any], result).rowcount

    @across_workspaces("retention: drops every workspace's old questions; returns only a count")
    async def prune(self, before: datetime) -> int:
        """Delete questions, their votes and conversation subjects older than ``before``."""
        async with Transaction(self._sessions, "prune old questions") as session:
            # A vote belongs to its own workspace's answer: match on both halves of the key.
            old = (
                select(AskedQuestionRow.answer_id)
                .where(
                    AskedQuestionRow.team_id == AnswerVoteRow.team_id,
                    AskedQuestionRow.answer_id == AnswerVoteRow.answer_id,
                    AskedQuestionRow.asked_at < before,
                )
                .exists()
            )
            await session.execute(delete(AnswerVoteRow).where(old))
            result = await session.execute(delete(AskedQuestionRow).where(AskedQuestionRow.asked_at < before))
            await session.execute(delete(ConversationRow).where(ConversationRow.updated_at < before))
            return cast(CursorResult[Any], result).rowcount


def _asked(row: AskedQuestionRow) -> AskedQuestion:
    return AskedQuestion(row.answer_id, row.question, row.kind, row.answered, row.up, row.down, row.asked_at)


def unhelpful_questions(asked: Sequence[AskedQuestion]) -> list[tuple[str, int, str]]:
    """(question, times asked, why) for what mlorg answered with nothing or people voted down.

    The same question asked several times is one line; most asked first. Nobody is named:
    the log never knew who asked.
    """
    grouped: dict[str, list[AskedQuestion]] = defaultdict(list)
    for question in asked:
        if question.unhelpful:
            grouped[" ".join(question.question.lower().split())].append(question)
    rows = []
    for same in grouped.values():
        unanswered = sum(not q.answered for q in same)
        down = sum(q.down for q in same)
        why = "no answer" if unanswered else f"{down} thumbs down"
        rows.append((same[-1].question, len(same), why))
    return sorted(rows, key=lambda row: (-row[1], row[0]))
