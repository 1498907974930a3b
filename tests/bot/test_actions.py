"""The action router: one Bolt listener, a dictionary lookup per click."""

from __future__ import annotations

from typing import Any

import pytest

from bot.actions import ActionRouter


class Recorder:
    def __init__(self) -> None:
        self.acks = 0

    async def ack(self, **_: Any) -> None:
        self.acks += 1


def click(action_id: str) -> dict[str, Any]:
    return {"actions": [{"action_id": action_id, "value": "v"}]}


async def test_an_exact_id_and_a_prefix_each_reach_their_handler_with_what_they_ask_for() -> None:
    router = ActionRouter()
    seen: list[tuple[str, Any]] = []

    @router.on("mlorg_x")
    async def exact(ack: Any, body: dict[str, Any]) -> None:
        seen.append(("exact", body["actions"][0]["action_id"]))

    @router.on("mlorg_answer:", prefix=True)
    async def prefixed(client: Any) -> None:
        seen.append(("prefix", client))

    recorder = Recorder()
    await router.dispatch(ack=recorder.ack, body=click("mlorg_x"), respond=None, client="C")
    await router.dispatch(ack=recorder.ack, body=click("mlorg_answer:b"), respond=None, client="C")
    assert seen == [("exact", "mlorg_x"), ("prefix", "C")]
    assert router.handles("mlorg_answer:anything") and not router.handles("mlorg_other")


async def test_an_unknown_action_is_acknowledged_and_ignored() -> None:
    recorder = Recorder()
    await ActionRouter().dispatch(ack=recorder.ack, body=click("mlorg_gone"), respond=None, client=None)
    await ActionRouter().dispatch(ack=recorder.ack, body={}, respond=None, client=None)
    assert recorder.acks == 2


def test_registering_an_id_twice_or_asking_for_unknown_arguments_fails_at_start_up() -> None:
    router = ActionRouter()

    @router.on("mlorg_x")
    async def first(ack: Any) -> None: ...

    with pytest.raises(ValueError, match="twice"):

        @router.on("mlorg_x")
        async def second(ack: Any) -> None: ...

    with pytest.raises(TypeError, match="say"):

        @router.on("mlorg_y")
        async def third(say: Any) -> None: ...


async def test_a_click_during_a_database_outage_is_acked_once_and_does_not_raise() -> None:
    from bot.store import StoreUnavailable

    router = ActionRouter()

    @router.on("mlorg_vote")
    async def vote(ack: Any) -> None:
        raise StoreUnavailable("could not count a vote: cannot connect: ConnectionRefusedError")

    ack = FakeAck()
    # No response_url and no client: nothing to tell the person through, and still no exception.
    await router.dispatch(ack=ack, body=click("mlorg_vote"), respond=None, client=None)
    assert ack.calls == [{}]


class FakeAck:
    """Like Bolt's AsyncAck: callable, and ``response`` is set once it has been called."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.response: object | None = None

    async def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)
        self.response = object()


async def test_a_click_without_a_response_url_drops_the_answer_instead_of_raising() -> None:
    """Bolt's respond raises ValueError when the payload has no response_url (a modal, or a
    forged click); the fuzzer found handlers that answer by respond failing that way."""
    router = ActionRouter()
    answered: list[str] = []

    async def bolt_respond(**_: Any) -> None:
        raise ValueError("respond is unsupported here as there is no response_url")

    @router.on("mlorg_x")
    async def handler(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="hello")
        answered.append("done")

    recorder = Recorder()
    await router.dispatch(ack=recorder.ack, body=click("mlorg_x"), respond=bolt_respond, client="C")

    assert answered == ["done"] and recorder.acks == 1


@pytest.mark.parametrize(
    "actions", [None, [], [None], ["x"], 5, {"action_id": "mlorg_x"}, [{"action_id": 7}]]
)
async def test_actions_of_the_wrong_shape_are_acknowledged_and_ignored(actions: Any) -> None:
    router = ActionRouter()

    @router.on("mlorg_x")
    async def handler(ack: Any) -> None:
        raise AssertionError("not this one")

    recorder = Recorder()
    await router.dispatch(ack=recorder.ack, body={"actions": actions}, respond=None, client="C")

    assert recorder.acks == 1
