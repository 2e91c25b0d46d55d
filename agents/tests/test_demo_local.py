"""`python -m pubdev_agents.demo` as a dashboard sees it: three runs on their territories' topics, each from
queued to completed exactly once, progress never backwards, one transient error retried."""
from __future__ import annotations

import asyncio
import sys
from typing import Any

from conftest import AGENTS_DIR, ACME_ORG, FIXTURE_PASSWORD, USERS
from observer import RunObserver, assert_run_stream, drain, signed_in

DEMO_TIMEOUT_S = 120


async def run_demo(url: str, *extra: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pubdev_agents.demo", "--url", url, "--email", USERS["acme_agent"][1],
        "--password", FIXTURE_PASSWORD, "--org", ACME_ORG, "--cycles", "1", *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=AGENTS_DIR,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), DEMO_TIMEOUT_S)
    return proc.returncode or 0, output.decode()


def demo_runs(observer: RunObserver) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {}
    for message in observer.messages:
        if message["data"]["agentId"] == "demo-agent":
            runs.setdefault(message["data"]["runId"], []).append(message)
    return runs


async def test_the_demo_run_reaches_a_subscriber_from_queued_to_completed(stack: Any) -> None:
    observer = await RunObserver.subscribe(stack.url, stack.anon_key)
    agent = await signed_in(stack.url, stack.anon_key, "acme_agent")
    points = agent.table("campaign_metrics").select("id", count="exact", head=True)
    try:
        points_before = (await points.execute()).count or 0
        # Runs of 2 s: the database broadcasts a run's progress at most once a second (every change
        # of state at once), so a subscriber sees progress, with its ETA, part-way through each run.
        code, output = await run_demo(stack.url, "--step-seconds", "0.1", "--steps", "20")
        assert code == 0, output
        # It reported campaign performance too: points for the campaigns it can see.
        assert ((await points.execute()).count or 0) > points_before, output
        await drain(observer, agent)

        runs = demo_runs(observer)
        assert len(runs) == 3, output
        flaky = [run for run in runs.values() if any(m["data"]["error"] for m in run)]
        assert len(flaky) == 1, "exactly one run hits the transient error"
        for messages in runs.values():
            assert_run_stream(messages, attempts=2 if messages in flaky else 1)
            processing = [m for m in messages if m["data"]["status"] == "processing" and m["data"]["progress"]]
            assert all(m["data"]["progress"]["currentTask"] for m in processing)
            assert any(m["data"]["progress"]["estimatedTime"] for m in processing), "the dashboard shows an ETA"

        retried = [m["data"] for m in flaky[0]]
        back_in_queue = next(d for d in retried if d["status"] == "queued" and d["error"])
        assert back_in_queue["attempt"] == 2 and "timed out" in back_in_queue["error"]
        # It failed part-way (at 60 %, after reporting 55 %) and attempt 2 resumes from there.
        assert back_in_queue["progress"]["progress"] == 55
        # The queue: the database numbered the three items 1, 2, 3, and the last one moved up to 1.
        first_positions = sorted(next(m["data"]["queuePosition"] for m in run if m["data"]["queuePosition"]) for run in runs.values())
        assert first_positions == [1, 2, 3]
        last = next(run for run in runs.values() if run[0]["data"]["queuePosition"] is None and any(m["data"]["queuePosition"] == 3 for m in run))
        assert [m["data"]["queuePosition"] for m in last if m["data"]["status"] == "queued"][-1] == 1
        # Each run is about its publisher: the US_East one came on US_East's topic only.
        assert {m["data"]["publisherId"] for run in runs.values() for m in run} == {
            "c0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000002", "c0000000-0000-4000-8000-000000000003"}
    finally:
        await observer.close()
