"""notify() through the realtime-bridge edge function (real Deno behind the local stack): the
notification reaches the recipient's `user:<id>` channel once, even when the first attempts fail
or their answer is lost; refusals come back with the bridge's code and reason."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Iterator

import pytest
from supabase import Client, ClientOptions, create_client

from conftest import ACME_ORG, FIXTURE_PASSWORD, USERS
from fault_proxy import FaultProxy
from observer import WAIT_S, signed_in
from pubdev_agents import Backoff, NotifyError, anotify, notify

BRIDGE = "/functions/v1/realtime-bridge"
WEST = USERS["acme_west"][0]
# The first call of a function starts its Deno worker, which can take a while on a busy machine.
TIMEOUT_S = 30


@pytest.fixture
def bridge_proxy(stack: Any) -> Iterator[FaultProxy]:
    running = FaultProxy(stack.url, watch_path=BRIDGE).start()
    yield running
    running.close()


def client_as(url: str, key: str, user: str | None = None) -> Client:
    client = create_client(url, key, ClientOptions())
    if user is not None:
        client.auth.sign_in_with_password({"email": USERS[user][1], "password": FIXTURE_PASSWORD})
    return client


class Inbox:
    """West's personal channel, as her dashboard subscribes to it."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def open(self, stack: Any) -> Inbox:
        self.client = await signed_in(stack.url, stack.anon_key, "acme_west")
        channel = self.client.channel(f"user:{WEST}", {"config": {"private": True}})
        channel.on_broadcast("notification", self._receive)
        joined: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        await channel.subscribe(lambda status, error: joined.done() or joined.set_result(str(getattr(status, "value", status))))
        assert await asyncio.wait_for(joined, WAIT_S) == "SUBSCRIBED"
        return self

    def _receive(self, message: dict[str, Any]) -> None:
        self.messages.append(message["payload"])
        self.arrived.set()

    def saying(self, text: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["data"]["message"] == text]

    async def until(self, text: str) -> None:
        async def loop() -> None:
            while not self.saying(text):
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(loop(), WAIT_S)

    async def close(self) -> None:
        await self.client.realtime.remove_all_channels()
        await self.client.realtime.close()


async def test_a_notification_survives_failed_attempts_and_arrives_once(stack: Any, bridge_proxy: FaultProxy) -> None:
    inbox = await Inbox().open(stack)
    try:
        service = client_as(bridge_proxy.url, stack.service_role_key)
        text = f"Enrichment of Pacific Press finished {uuid.uuid4().hex[:6]}"
        bridge_proxy.fail_next_writes("503", "drop_response")
        answer = await asyncio.to_thread(
            notify, service, ACME_ORG, text, level="success", user_id=WEST, action_url="/publishers/c0000000",
            source="agent", timeout=TIMEOUT_S, backoff=Backoff(base=0.05, cap=0.5),
        )
        assert answer["type"] == "notification" and answer["topic"] == f"user:{WEST}"
        # Three attempts, one key: the bridge delivered on the second and replayed it on the third.
        assert bridge_proxy.log.attempts == 3 and len(set(bridge_proxy.log.idempotency_keys)) == 1
        await inbox.until(text)

        # A later notification is delivered after anything the first could still have produced.
        marker = f"marker {uuid.uuid4().hex[:6]}"
        await asyncio.to_thread(notify, service, ACME_ORG, marker, user_id=WEST, timeout=TIMEOUT_S)
        await inbox.until(marker)
        [delivered] = inbox.saying(text)
        assert delivered["id"] == answer["id"]
        assert delivered["data"]["level"] == "success" and delivered["data"]["actionUrl"] == "/publishers/c0000000"
    finally:
        await inbox.close()


def test_an_agent_account_may_not_notify_people(stack: Any) -> None:
    agent = client_as(stack.url, stack.anon_key, "acme_agent")
    with pytest.raises(NotifyError) as refused:
        notify(agent, ACME_ORG, "Hello from the agent account", user_id=WEST, timeout=TIMEOUT_S)
    assert (refused.value.status, refused.value.code) == (403, "type_not_allowed")
    assert "agent may not send notification" in refused.value.message


async def test_anotify_as_an_owner_reaches_the_recipient(stack: Any) -> None:
    inbox = await Inbox().open(stack)
    try:
        owner = await signed_in(stack.url, stack.anon_key, "acme_owner")
        text = f"Please review Harbor House {uuid.uuid4().hex[:6]}"
        answer = await anotify(owner, ACME_ORG, text, level="warning", user_id=WEST, timeout=TIMEOUT_S)
        await inbox.until(text)
        assert inbox.saying(text)[0]["id"] == answer["id"]
    finally:
        await inbox.close()
