"""The local Realtime server through supabase-py's async realtime client (protocol vsn 1.0.0).

Agents publish and listen exactly like this against Supabase, so what passes here is what the
Python side of the project can rely on locally.
"""
from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from supabase import AsyncClient, acreate_client
from supabase.lib.client_options import AsyncClientOptions

from conftest import ACME_ORG, FIXTURE_PASSWORD, USERS

# Long enough for a busy two-core CI machine to answer a join, short enough to fail fast.
WAIT_S = 10


async def _client(stack: Any, key: str | None = None) -> AsyncClient:
    return await acreate_client(
        stack.url, key or stack.anon_key, options=AsyncClientOptions(auto_refresh_token=False, persist_session=False)
    )


async def _subscribe(channel: Any) -> tuple[str, Exception | None]:
    """Subscribes and returns the first status the client reports, with its error if any."""
    loop = asyncio.get_running_loop()
    first: asyncio.Future[tuple[str, Exception | None]] = loop.create_future()

    def on_status(status: Any, error: Exception | None) -> None:
        if not first.done():
            first.set_result((str(status.value if hasattr(status, "value") else status), error))

    await channel.subscribe(on_status)
    return await asyncio.wait_for(first, WAIT_S)


def _inbox(channel: Any, event: str) -> asyncio.Queue[dict[str, Any]]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    channel.on_broadcast(event, lambda message: queue.put_nowait(message))
    return queue


async def _close(*clients: AsyncClient) -> None:
    for client in clients:
        await client.realtime.remove_all_channels()
        await client.realtime.close()


async def test_public_broadcast_round_trip(stack: Any) -> None:
    topic = f"agents-{uuid.uuid4()}"
    listener, sender = await _client(stack), await _client(stack)
    try:
        receiving = listener.channel(topic)
        inbox = _inbox(receiving, "progress")
        assert await _subscribe(receiving) == ("SUBSCRIBED", None)

        sending = sender.channel(topic, {"config": {"broadcast": {"ack": True, "self": False}}})
        assert await _subscribe(sending) == ("SUBSCRIBED", None)
        await sending.send_broadcast("progress", {"run": "r1", "progress": 42})

        message = await asyncio.wait_for(inbox.get(), WAIT_S)
        assert message["event"] == "progress"
        assert message["payload"] == {"run": "r1", "progress": 42}
    finally:
        await _close(listener, sender)


async def test_private_join_refused_for_anon_with_the_exact_reason(stack: Any) -> None:
    topic = f"org:{ACME_ORG}"
    client = await _client(stack)
    try:
        status, error = await _subscribe(client.channel(topic, {"config": {"private": True}}))
        assert status == "CHANNEL_ERROR"
        assert f"Unauthorized: You do not have permissions to read from this Channel topic: {topic}" in str(error)
    finally:
        await _close(client)


async def test_private_subscribe_and_receive_as_a_signed_in_member(stack: Any) -> None:
    user_id, email = USERS["acme_west"]
    topic = f"user:{user_id}"
    client = await _client(stack)
    service = await _client(stack, stack.service_role_key)
    try:
        session = await client.auth.sign_in_with_password({"email": email, "password": FIXTURE_PASSWORD})
        assert session.user is not None and session.user.id == user_id
        # supabase-py hands the session token to realtime on SIGNED_IN; make sure it has arrived.
        await client.realtime.set_auth(session.session.access_token if session.session else None)

        channel = client.channel(topic, {"config": {"private": True}})
        inbox = _inbox(channel, "notification")
        assert await _subscribe(channel) == ("SUBSCRIBED", None)

        # The service role bypasses RLS, as the bridge and agents with the service key do.
        sender = service.channel(topic, {"config": {"private": True}})
        assert await _subscribe(sender) == ("SUBSCRIBED", None)
        await sender.send_broadcast("notification", {"message": "hello from an agent"})

        message = await asyncio.wait_for(inbox.get(), WAIT_S)
        assert message["event"] == "notification"
        assert message["payload"] == {"message": "hello from an agent"}
    finally:
        await _close(client, service)


@pytest.fixture(autouse=True)
def _quiet_realtime_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="realtime")
