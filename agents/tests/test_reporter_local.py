"""AgentReporter against the local stack through a real proxy: coalescing counted at the HTTP
layer, transient failures retried without duplicating or reordering states, refusals surfaced."""
from __future__ import annotations

import asyncio
import math
import time
from typing import Any, Iterator

import jwt
import pytest
from postgrest.exceptions import APIError
from supabase import Client, ClientOptions, create_client

from conftest import ACME_ORG, FIXTURE_PASSWORD, GLOBEX_ORG, USERS
from fault_proxy import FaultProxy
from observer import RunObserver, assert_run_stream, drain, signed_in
from pubdev_agents import AgentReporter, Backoff, ContractError, RunStateError

FAST_RETRY = Backoff(base=0.02, cap=0.2)


def agent_client(url: str, anon_key: str, timeout: float = 10) -> Client:
    client = create_client(url, anon_key, ClientOptions(postgrest_client_timeout=timeout))
    client.auth.sign_in_with_password({"email": USERS["acme_agent"][1], "password": FIXTURE_PASSWORD})
    return client


@pytest.fixture
def proxy(stack: Any) -> Iterator[FaultProxy]:
    running = FaultProxy(stack.url).start()
    yield running
    running.close()


def test_a_thousand_progress_calls_in_a_second_are_a_handful_of_writes_ending_at_the_last_value(stack: Any, proxy: FaultProxy) -> None:
    client = agent_client(proxy.url, stack.anon_key)
    with AgentReporter(client, ACME_ORG, "bulk-agent", min_interval=0.25) as reporter:
        reporter.start("Scoring 1,000 publishers")
        began = time.monotonic()
        for i in range(1, 1001):
            reporter.progress(i / 10, f"Scored {i} of 1000", eta_seconds=(1000 - i) / 1000)
            time.sleep(max(0.0, began + i / 1000 - time.monotonic()))  # spread over one second
        elapsed = time.monotonic() - began
        reporter.flush()
        row = reporter.last_row
        assert row is not None and row["progress"] == 100.0 and row["current_task"] == "Scored 1000 of 1000"
    # Waiting for the network on each call would take several seconds; a busy machine may add some.
    assert elapsed < 2.5, f"progress() must not wait for the network ({elapsed:.2f} s)"
    # start + one write per 0.25 s while the calls last + the trailing value: about six.
    assert proxy.log.attempts == len(proxy.log.applied) <= 2 + math.ceil(elapsed / 0.25), (proxy.log.attempts, elapsed)
    assert row["seq"] == proxy.log.attempts


async def test_the_last_value_reaches_the_dashboard_after_the_interval_without_a_flush(stack: Any, proxy: FaultProxy) -> None:
    observer = await RunObserver.subscribe(stack.url, stack.anon_key)
    client = agent_client(proxy.url, stack.anon_key)
    reporter = AgentReporter(client, ACME_ORG, "trailing-agent", min_interval=0.2)
    try:
        reporter.start("Counting")
        for percent in (10, 20, 30):
            reporter.progress(percent, "Counting")
        # No flush, no further call: the reporter's own timer must send the trailing 30 %.
        await observer.wait_for(lambda: any((m["data"]["progress"] or {}).get("progress") == 30 for m in observer.of_run(reporter.run_id)))
        assert [m["data"]["progress"]["progress"] for m in observer.of_run(reporter.run_id)] == [0, 30]
        # start, then 30 (10 and 20 were coalesced away; the database held 30 back, being less than a
        # second after the start's broadcast), then the row again, which lets the database send it.
        assert proxy.log.attempts == 3
    finally:
        await asyncio.to_thread(reporter.close)
        await observer.close()


async def test_transient_failures_are_retried_and_every_state_arrives_once_in_order(stack: Any, proxy: FaultProxy) -> None:
    observer = await RunObserver.subscribe(stack.url, stack.anon_key)
    marker_agent = await signed_in(stack.url, stack.anon_key, "acme_agent")
    proxy.hang_seconds = 3
    client = agent_client(proxy.url, stack.anon_key, timeout=1)
    try:
        reporter = AgentReporter(client, ACME_ORG, "flaky-network-agent", backoff=FAST_RETRY, min_interval=0.05)
        # queued: 503 twice; start: applied but the response is lost; progress: times out.
        proxy.fail_next_writes("503", "503", "drop_response", "hang")

        def work() -> None:
            reporter.queued(0)
            reporter.flush()
            reporter.start("Enriching")
            reporter.flush()
            reporter.progress(50, "Enriching", eta_seconds=3)
            reporter.flush()
            reporter.complete({"ok": True})
            reporter.close()

        await asyncio.to_thread(work)
        await drain(observer, marker_agent)
        messages = observer.of_run(reporter.run_id)
        # The second "queued" is the database giving the run its queue position (1st). The progress
        # report between start and completion may be held back by the database (at most one progress
        # broadcast a second per run); the completion carries it. Every change of state arrives.
        statuses = [m["data"]["status"] for m in messages]
        assert statuses in (
            ["queued", "queued", "processing", "processing", "completed"],
            ["queued", "queued", "processing", "completed"],
        ), statuses
        assert messages[1]["data"]["queuePosition"] == 1
        assert_run_stream(messages)
        assert proxy.faults_left() == 0
        # 4 states; the dropped response caused one harmless re-send (it changed nothing, so
        # the trigger broadcast nothing: seq stayed, as the stream above shows).
        assert proxy.log.attempts == 4 + 2 + 1 + 1
        assert len(proxy.log.applied) == 5
    finally:
        await observer.close()


def test_a_refusal_is_not_retried_and_surfaces_to_the_agent(stack: Any, proxy: FaultProxy) -> None:
    client = agent_client(proxy.url, stack.anon_key)
    reporter = AgentReporter(client, GLOBEX_ORG, "lost-agent", backoff=FAST_RETRY)
    reporter.start("Trying another organisation")
    with pytest.raises(APIError) as refused:
        reporter.flush()
    assert refused.value.code == "42501"  # row-level security: not an agent of that organisation
    assert proxy.log.attempts == 1
    with pytest.raises(APIError):
        reporter.progress(10, "still trying")
    reporter.close()


def test_invalid_reports_fail_in_the_agent_before_anything_is_sent(stack: Any, proxy: FaultProxy) -> None:
    client = agent_client(proxy.url, stack.anon_key)
    with AgentReporter(client, ACME_ORG, "careless-agent") as reporter:
        with pytest.raises(RunStateError):
            reporter.progress(10, "not started yet")
        with pytest.raises(ValueError):
            reporter.queued(5000)  # priorities run from -1000 to 1000
        reporter.start("Working")
        with pytest.raises(ContractError) as too_far:
            reporter.progress(150, "Working")
        assert too_far.value.path == "$.data.progress.progress"
        reporter.progress(40, "Working")
        reporter.progress(30, "A late report")  # never backwards
        reporter.flush()
        assert reporter.last_row is not None and reporter.last_row["progress"] == 40
        assert reporter.last_row["current_task"] == "A late report"


def test_the_run_block_completes_or_fails_the_run(stack: Any, proxy: FaultProxy) -> None:
    client = agent_client(proxy.url, stack.anon_key)
    with AgentReporter(client, ACME_ORG, "block-agent") as done:
        with done.run("Short job"):
            done.progress(50, "Half way")
    assert done.last_row is not None and done.last_row["status"] == "completed"

    with AgentReporter(client, ACME_ORG, "block-agent") as broken:
        with pytest.raises(ZeroDivisionError):
            with broken.run("Doomed job"):
                1 / 0
    assert broken.last_row is not None and broken.last_row["status"] == "error"
    assert broken.last_row["error"] == "ZeroDivisionError: division by zero"


def expired_token(stack: Any, user: str) -> str:
    now = int(time.time())
    user_id, email = USERS[user]
    claims = {"sub": user_id, "email": email, "role": "authenticated", "aud": "authenticated", "iat": now - 7200, "exp": now - 3600}
    return jwt.encode(claims, stack.jwt_secret, algorithm="HS256")


def test_an_expired_access_token_is_refreshed_and_the_write_retried(stack: Any, proxy: FaultProxy) -> None:
    client = agent_client(proxy.url, stack.anon_key)
    # What the client holds when its refresh timer could not reach the server before the token
    # expired: a stale access token next to a refresh token that still works.
    client.options.headers["Authorization"] = f"Bearer {expired_token(stack, 'acme_agent')}"
    with AgentReporter(client, ACME_ORG, "long-running-agent", backoff=FAST_RETRY) as reporter:
        reporter.start("Working through the night")
        reporter.flush()
        assert reporter.last_row is not None and reporter.last_row["status"] == "processing"
    assert proxy.log.attempts == 2 and len(proxy.log.applied) == 1  # refused once, then written


def test_without_a_session_an_expired_token_stays_refused(stack: Any, proxy: FaultProxy) -> None:
    client = create_client(proxy.url, stack.anon_key, ClientOptions(headers={"Authorization": f"Bearer {expired_token(stack, 'acme_agent')}"}))
    reporter = AgentReporter(client, ACME_ORG, "stale-agent", backoff=FAST_RETRY)
    reporter.start("Working")
    with pytest.raises(APIError) as refused:
        reporter.flush()
    assert refused.value.code == "PGRST303" and proxy.log.attempts == 1
    reporter.close()
