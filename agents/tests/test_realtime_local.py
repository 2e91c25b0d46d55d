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

from conftest import ACME_ORG, FIXTURE_PASSWORD, GLOBEX_ORG, USERS

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


async def _signed_in(stack: Any, user: str) -> AsyncClient:
    """An async client signed in as a fixture user, its token handed to realtime before any join."""
    user_id, email = USERS[user]
    client = await _client(stack)
    session = await client.auth.sign_in_with_password({"email": email, "password": FIXTURE_PASSWORD})
    assert session.user is not None and session.user.id == user_id and session.session is not None
    await client.realtime.set_auth(session.session.access_token)
    return client


async def _until(condition: Any, event: asyncio.Event) -> None:
    """Waits until `condition()` holds, re-checking each time `event` fires (no sleeping)."""
    async def loop() -> None:
        while not condition():
            await event.wait()
            event.clear()

    await asyncio.wait_for(loop(), WAIT_S)


async def test_presence_of_an_agent_on_the_private_org_topic(stack: Any) -> None:
    """An agent's presence on `org:<org>` shows up for the owner, and goes away when it leaves."""
    topic = f"org:{ACME_ORG}"
    agent_id, _ = USERS["acme_agent"]
    owner, agent = await _signed_in(stack, "acme_owner"), await _signed_in(stack, "acme_agent")
    try:
        synced = asyncio.Event()
        watching = owner.channel(topic, {"config": {"private": True, "presence": {"key": USERS["acme_owner"][0]}}})
        watching.on_presence_sync(synced.set)
        assert await _subscribe(watching) == ("SUBSCRIBED", None)

        reporting = agent.channel(topic, {"config": {"private": True, "presence": {"key": agent_id}}})
        assert await _subscribe(reporting) == ("SUBSCRIBED", None)
        await reporting.track({"kind": "agent", "status": "processing"})

        await _until(lambda: agent_id in watching.presence_state(), synced)
        metas = watching.presence_state()[agent_id]
        assert [{k: v for k, v in meta.items() if k != "presence_ref"} for meta in metas] == [{"kind": "agent", "status": "processing"}]

        await reporting.untrack()
        await _until(lambda: agent_id not in watching.presence_state(), synced)
    finally:
        await _close(owner, agent)


async def test_presence_track_refused_on_a_read_only_topic(stack: Any) -> None:
    """`org:<org>:territory:<t>` is read-only for clients: the track is answered with the reason."""
    topic = f"org:{ACME_ORG}:territory:US_West"
    west = await _signed_in(stack, "acme_west")
    try:
        channel = west.channel(topic, {"config": {"private": True}})
        assert await _subscribe(channel) == ("SUBSCRIBED", None)
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Any] = loop.create_future()
        push = await channel.push("presence", {"type": "presence", "event": "track", "payload": {"status": "online"}})
        push.receive("error", lambda payload: reply.done() or reply.set_result(payload))
        push.receive("ok", lambda payload: reply.done() or reply.set_result({"unexpected": "ok"}))
        assert await asyncio.wait_for(reply, WAIT_S) == {
            "reason": f"Unauthorized: You do not have permissions to track presence on this Channel topic: {topic}"
        }
    finally:
        await _close(west)


async def test_postgres_changes_with_a_filter_and_rls(stack: Any) -> None:
    """An Acme owner subscribed to agent_runs gets Acme's new run (matching the filter) and never
    Globex's, though both are inserted by the service role and both match the filter."""
    agent_id = f"py-agent-{uuid.uuid4().hex[:8]}"
    owner = await _signed_in(stack, "acme_owner")
    service = await _client(stack, stack.service_role_key)
    try:
        inserts: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        channel = owner.channel(f"runs-{uuid.uuid4()}")
        channel.on_postgres_changes(
            "INSERT", lambda change: inserts.put_nowait(change), table="agent_runs", schema="public", filter=f"agent_id=eq.{agent_id}"
        )
        system: asyncio.Queue[Any] = asyncio.Queue()
        channel.on_system(system.put_nowait)
        assert await _subscribe(channel) == ("SUBSCRIBED", None)
        # Changes are captured only once the server says so (protocol reference §5.2).
        ready = await asyncio.wait_for(system.get(), WAIT_S)
        assert (ready.extension, ready.status, ready.message) == ("postgres_changes", "ok", "Subscribed to PostgreSQL")

        for org, status in ((GLOBEX_ORG, "queued"), (ACME_ORG, "processing")):
            await service.table("agent_runs").insert({"organization_id": org, "agent_id": agent_id, "status": status}).execute()
        await service.table("agent_runs").insert({"organization_id": ACME_ORG, "agent_id": "someone-else", "status": "idle"}).execute()
        # The marker row is Acme's and matches the filter: once it is here, everything before it is too.
        await service.table("agent_runs").insert({"organization_id": ACME_ORG, "agent_id": agent_id, "status": "completed"}).execute()

        received = [await asyncio.wait_for(inserts.get(), WAIT_S) for _ in range(2)]
        records = [change["data"]["record"] for change in received]
        assert [(r["organization_id"], r["agent_id"], r["status"]) for r in records] == [
            (ACME_ORG, agent_id, "processing"),
            (ACME_ORG, agent_id, "completed"),
        ]
        assert all(change["data"]["type"] == "INSERT" and change["data"]["table"] == "agent_runs" for change in received)
        assert inserts.empty()
    finally:
        await _close(owner, service)


@pytest.fixture(autouse=True)
def _quiet_realtime_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="realtime")
