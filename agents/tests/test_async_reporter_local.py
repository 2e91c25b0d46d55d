"""AsyncAgentReporter: the same guarantees for asyncio agents on supabase-py's AsyncClient."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Iterator

import pytest
from supabase import AsyncClient, acreate_client
from supabase.lib.client_options import AsyncClientOptions

from conftest import ACME_ORG, FIXTURE_PASSWORD, USERS
from fault_proxy import FaultProxy
from observer import RunObserver, assert_run_stream, drain, signed_in
from pubdev_agents import AsyncAgentReporter, Backoff, RunStateError


async def async_agent(url: str, anon_key: str, timeout: float = 10) -> AsyncClient:
    client = await acreate_client(
        url, anon_key, options=AsyncClientOptions(postgrest_client_timeout=timeout, auto_refresh_token=False, persist_session=False)
    )
    await client.auth.sign_in_with_password({"email": USERS["acme_agent"][1], "password": FIXTURE_PASSWORD})
    return client


@pytest.fixture
def proxy(stack: Any) -> Iterator[FaultProxy]:
    running = FaultProxy(stack.url).start()
    yield running
    running.close()


async def test_async_coalescing_retries_and_the_run_block(stack: Any, proxy: FaultProxy) -> None:
    observer = await RunObserver.subscribe(stack.url, stack.anon_key)
    try:
        client = await async_agent(proxy.url, stack.anon_key, timeout=1)
        proxy.hang_seconds = 3
        async with AsyncAgentReporter(client, ACME_ORG, "async-agent", backoff=Backoff(base=0.02, cap=0.2)) as reporter:
            await reporter.queued(1)
            await reporter.flush()
            proxy.fail_next_writes("503", "drop_response", "hang")
            async with reporter.run("Reading feeds"):
                began = time.monotonic()
                for i in range(1, 1001):
                    await reporter.progress(i / 10, f"Feed {i}", eta_seconds=(1000 - i) / 1000)
                    await asyncio.sleep(max(0.0, began + i / 1000 - time.monotonic()))
                with pytest.raises(RunStateError):
                    await reporter.queued(0)
        assert reporter.last_row is not None and reporter.last_row["status"] == "completed"
        await drain(observer, await signed_in(stack.url, stack.anon_key, "acme_agent"))

        messages = observer.of_run(reporter.run_id)
        assert_run_stream(messages)
        # The last value went out: a state change carries the latest progress, so the final
        # message shows the last task reported even if no separate progress write was due.
        assert messages[-1]["data"]["progress"]["currentTask"] == "Feed 1000"
        assert proxy.faults_left() == 0
        # queued, start, about four coalesced progress writes, the last value, completed — plus
        # the three injected failures and the re-send after the lost response.
        assert proxy.log.attempts <= 8 + 4, proxy.log.attempts
    finally:
        await observer.close()
