"""A dashboard's view of agent runs: a supabase-py realtime subscriber on the private `org:<org>`
topic and the territory topics, signed in as the organisation's owner, recording every `agent_status`."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Callable

from supabase import AsyncClient, acreate_client
from supabase.lib.client_options import AsyncClientOptions

from conftest import ACME_ORG, FIXTURE_PASSWORD, USERS

# Long enough for a busy two-core machine, short enough to fail a broken test quickly.
WAIT_S = 20


async def signed_in(url: str, anon_key: str, user: str) -> AsyncClient:
    client = await acreate_client(url, anon_key, options=AsyncClientOptions(auto_refresh_token=False, persist_session=False))
    session = await client.auth.sign_in_with_password({"email": USERS[user][1], "password": FIXTURE_PASSWORD})
    assert session.session is not None
    await client.realtime.set_auth(session.session.access_token)
    return client


class RunObserver:
    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.messages: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._closed = False

    @classmethod
    async def subscribe(cls, url: str, anon_key: str, org: str = ACME_ORG) -> RunObserver:
        observer = cls(await signed_in(url, anon_key, "acme_owner"))
        # Organisation-wide runs come on the org topic, runs about a publisher on its territory's.
        for topic in (f"org:{org}", f"org:{org}:territory:US_West", f"org:{org}:territory:US_East"):
            channel = observer.client.channel(topic, {"config": {"private": True}})
            channel.on_broadcast("agent_status", observer._receive)
            joined: asyncio.Future[str] = asyncio.get_running_loop().create_future()

            def on_status(status: Any, error: Exception | None, joined: asyncio.Future[str] = joined) -> None:
                if not joined.done():
                    joined.set_result(f"{getattr(status, 'value', status)} {error or ''}".strip())

            await channel.subscribe(on_status)
            assert await asyncio.wait_for(joined, WAIT_S) == "SUBSCRIBED"
        return observer

    def _receive(self, message: dict[str, Any]) -> None:
        self.messages.append(message["payload"])
        self._arrived.set()

    def of_run(self, run_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["data"].get("runId") == run_id]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = WAIT_S) -> None:
        """Returns once condition() holds, re-checking on every message (no polling sleeps)."""
        async def loop() -> None:
            while not condition():
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(loop(), timeout)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.client.realtime.remove_all_channels()
        await self.client.realtime.close()


async def drain(observer: RunObserver, agent: AsyncClient) -> None:
    """Waits until everything broadcast so far has reached the observer.

    RATIONALE: "exactly once" needs an end to the observation that is not a sleep. A marker run
    written after the agent finished is broadcast on the same topic after everything before it,
    so once the marker arrives, a duplicate of an earlier state would already be here.
    """
    marker = str(uuid.uuid4())
    await agent.table("agent_runs").insert(
        {"id": marker, "organization_id": ACME_ORG, "agent_id": "test-marker", "status": "idle"}
    ).execute()
    await observer.wait_for(lambda: bool(observer.of_run(marker)))


def assert_run_stream(messages: list[dict[str, Any]], *, attempts: int = 1) -> None:
    """What a dashboard must be able to rely on for one run."""
    statuses = [m["data"]["status"] for m in messages]
    assert statuses[0] == "queued", statuses
    assert statuses.count("completed") == 1 and statuses[-1] == "completed", statuses
    assert "error" not in statuses, statuses
    seqs = [m["seq"] for m in messages]
    assert seqs == sorted(set(seqs)), f"seq not strictly increasing (duplicate or reordered): {seqs}"
    assert len({m["id"] for m in messages}) == len(messages)
    progress = [m["data"]["progress"]["progress"] for m in messages if m["data"]["progress"]]
    assert progress == sorted(progress), f"progress went backwards: {progress}"
    assert progress[-1] == 100
    assert messages[-1]["data"]["attempt"] == attempts
