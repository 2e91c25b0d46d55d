"""The work queue from an agent's side, against the local stack: claiming, a cancellation from
the dashboard stopping a running reporter at its next report, and leases renewed while it works."""
from __future__ import annotations

import time
from typing import Any

from supabase import Client, create_client

from conftest import ACME_ORG, FIXTURE_PASSWORD, USERS
from pubdev_agents import AgentReporter, AsyncAgentReporter, enqueue
from test_async_reporter_local import async_agent

SUNRISE = "c0000000-0000-4000-8000-000000000001"


def client_of(stack: Any, user: str) -> Client:
    client = create_client(stack.url, stack.anon_key)
    client.auth.sign_in_with_password({"email": USERS[user][1], "password": FIXTURE_PASSWORD})
    return client


def run_row(client: Client, run_id: str) -> dict[str, Any]:
    return client.table("agent_run_states").select("*").eq("id", run_id).single().execute().data


def test_claims_take_the_queue_in_order_and_an_empty_queue_gives_none(stack: Any) -> None:
    owner, agent = client_of(stack, "acme_owner"), client_of(stack, "acme_agent")
    first = enqueue(owner, ACME_ORG, "py-queue-agent", "First", publisher_id=SUNRISE)
    second = enqueue(owner, ACME_ORG, "py-queue-agent", "Second")
    assert run_row(owner, second)["queue_position"] == 2
    with AgentReporter.claim(agent, ACME_ORG, "py-queue-agent") as reporter:  # type: ignore[union-attr]
        assert reporter.run_id == first and reporter.status == "processing"
        assert reporter.claimed is not None and reporter.claimed["requested_by"] == USERS["acme_owner"][0]
        with reporter.run():
            reporter.progress(50, "Half way")
        assert run_row(owner, second)["queue_position"] == 1
    assert run_row(owner, first)["status"] == "completed"
    with AgentReporter.claim(agent, ACME_ORG, "py-queue-agent") as again:  # type: ignore[union-attr]
        with again.run():
            pass
    assert AgentReporter.claim(agent, ACME_ORG, "py-queue-agent") is None


def test_a_cancel_from_the_dashboard_stops_the_reporter_at_its_next_report(stack: Any) -> None:
    owner, agent = client_of(stack, "acme_owner"), client_of(stack, "acme_agent")
    run_id = enqueue(owner, ACME_ORG, "py-cancel-agent", "Long job")
    reporter = AgentReporter.claim(agent, ACME_ORG, "py-cancel-agent", min_interval=0.05)
    assert reporter is not None
    steps_done = 0
    with reporter:
        with reporter.run("Working through 200 steps"):
            for step in range(1, 201):
                reporter.progress(step / 2, f"Step {step}")
                steps_done = step
                if step == 10:
                    owner.rpc("cancel_agent_run", {"id": run_id}).execute()  # what the dashboard's Cancel calls
                time.sleep(0.02)
    assert reporter.cancelled and reporter.status == "cancelled"
    assert 10 <= steps_done < 200, "the block ended soon after the cancellation, not at its end"
    row = run_row(owner, run_id)
    assert row["status"] == "cancelled" and row["progress"] < 100


async def test_the_async_reporter_stops_on_cancellation_too(stack: Any) -> None:
    owner = client_of(stack, "acme_owner")
    run_id = enqueue(owner, ACME_ORG, "py-async-cancel-agent", "Async job")
    agent = await async_agent(stack.url, stack.anon_key)
    reporter = await AsyncAgentReporter.claim(agent, ACME_ORG, "py-async-cancel-agent", min_interval=0.05)
    assert reporter is not None
    owner.rpc("cancel_agent_run", {"id": run_id}).execute()
    reached = 0
    async with reporter:
        async with reporter.run("Async work"):
            for step in range(1, 101):
                await reporter.progress(step, f"Step {step}")
                reached = step
                await reporter.flush()
    assert reporter.cancelled and reached < 100
    assert run_row(owner, run_id)["status"] == "cancelled"


def test_the_reporter_renews_its_lease_while_the_agent_works_without_reporting(stack: Any) -> None:
    owner, agent = client_of(stack, "acme_owner"), client_of(stack, "acme_agent")
    run_id = enqueue(owner, ACME_ORG, "py-lease-agent", "Slow job")
    reporter = AgentReporter.claim(agent, ACME_ORG, "py-lease-agent", lease_seconds=2)
    assert reporter is not None
    with reporter:
        with reporter.run():
            time.sleep(3.5)  # no report for longer than the lease: only the renewals keep it alive
            row = run_row(owner, run_id)
            assert row["status"] == "processing" and row["stalled"] is False
    assert run_row(owner, run_id)["status"] == "completed"
