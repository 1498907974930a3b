"""Nothing stored links a question to who asked it, on either backend, old rows included."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from bot.store import Store
from bot.store.store import _alembic_config
from bot.store.tables import AskedQuestionRow, ConversationRow
from tests.bot.store.conftest import OpenStore

TEAM = "T0ASK"
ASKER = "U0ASKER"
CHANNEL = "C0CHAN"


async def rows(store: Store, table: type[AskedQuestionRow] | type[ConversationRow]) -> list[object]:
    async with store.sessions() as session:
        return list((await session.execute(select(table))).scalars())


async def test_a_persons_ask_conversation_is_stored_without_their_id_or_channel(store: Store) -> None:
    store.questions.use_key("the signing secret")
    await store.questions.record(
        TEAM, "why do researchers never ship?", kind="aspect", answered=True,
        conversation_key=f"ask:{CHANNEL}:{ASKER}", subject="rnd",
    )  # fmt: skip

    (conversation,) = await rows(store, ConversationRow)
    assert isinstance(conversation, ConversationRow)
    assert ASKER not in conversation.conversation_key and CHANNEL not in conversation.conversation_key
    # The follow-up still finds what the conversation was about.
    assert await store.questions.subject(TEAM, f"ask:{CHANNEL}:{ASKER}") == "rnd"


async def test_the_question_log_keeps_the_day_not_the_moment(store: Store) -> None:
    await store.questions.record(TEAM, "what is ml-first?", kind="aspect", answered=True)

    (asked,) = await store.questions.asked_since(TEAM, datetime(2000, 1, 1, tzinfo=UTC))
    assert (
        asked.asked_at.hour,
        asked.asked_at.minute,
        asked.asked_at.second,
        asked.asked_at.microsecond,
    ) == (
        0,
        0,
        0,
        0,
    )


async def test_without_the_key_the_hash_names_nobody(store: Store, open_store: OpenStore) -> None:
    store.questions.use_key("the signing secret")
    await store.questions.remember(TEAM, f"ask:{CHANNEL}:{ASKER}", "rnd")
    other = await open_store()
    other.questions.use_key("a guess at the key")

    # Someone with the database and the workspace's user ids, but not the key, finds nothing.
    assert await other.questions.subject(TEAM, f"ask:{CHANNEL}:{ASKER}") is None


async def test_forgetting_a_person_deletes_their_ask_conversations_in_every_channel(store: Store) -> None:
    store.questions.use_key("k")
    for channel in ("C1", "C2"):
        await store.questions.remember(TEAM, f"ask:{channel}:{ASKER}", "rnd")
    await store.questions.remember(TEAM, "ask:C1:U0SOMEONE", "nascent")

    await store.questions.forget_user(TEAM, ASKER)

    assert await store.questions.subject(TEAM, "ask:C1:U0SOMEONE") == "nascent"
    assert await store.questions.subject(TEAM, f"ask:C1:{ASKER}") is None
    assert len(await rows(store, ConversationRow)) == 1


async def test_the_upgrade_unlinks_rows_stored_before_it(open_store: OpenStore) -> None:
    store = await open_store()
    async with store.engine.begin() as connection:
        await connection.run_sync(lambda sync: _upgrade(sync, "0008"))
        moment = "2026-12-01 14:03:07.123456"
        await connection.execute(
            text(
                "INSERT INTO conversations (team_id, conversation_key, subject, updated_at) "
                f"VALUES ('{TEAM}', 'ask:{CHANNEL}:{ASKER}', 'rnd', '{moment}')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO asked_questions (team_id, answer_id, question, kind, answered, up, down, asked_at) "
                f"VALUES ('{TEAM}', 'A1', 'why?', 'aspect', true, 0, 0, '{moment}')"
            )
        )

    await store.migrate()

    assert await rows(store, ConversationRow) == []
    (asked,) = await store.questions.asked_since(TEAM, datetime(2000, 1, 1, tzinfo=UTC))
    assert asked.asked_at == datetime(2026, 12, 1, tzinfo=UTC)


def _upgrade(connection: object, revision: str) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), revision)  # type: ignore[arg-type]
