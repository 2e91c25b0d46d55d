"""The stack stops in the middle of the demo's run and starts again on the same data: the agent
keeps working, retries through the refused connections, and every run still reaches the
dashboard from queued to completed with its final state exactly once.

The agent reaches the stack through a proxy on a fixed address. Stopping the proxy together with
the stack gives the agent real "connection refused"; starting the proxy only after a new
subscriber has joined the restarted stack makes the observation complete without any sleep.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import AGENTS_DIR, ACME_ORG, ANON_KEY, FIXTURE_PASSWORD, USERS, _backends, create_database, drop_database, stack_env, start_stack
from fault_proxy import FaultProxy
from observer import RunObserver, assert_run_stream, drain, signed_in

DEMO_TIMEOUT_S = 240


def seen_seq(observer: RunObserver, run_id: str) -> int:
    return max((m["seq"] for m in observer.of_run(run_id)), default=0)


@pytest.mark.parametrize("backend", _backends())
async def test_the_agent_recovers_from_a_stack_restart_and_each_final_state_arrives_once(backend: str, tmp_path: Path) -> None:
    database_url = create_database() if backend == "postgres" else None
    env = stack_env(database_url=database_url, data_dir=None if database_url else str(tmp_path / "pgdata"))
    stacks = [start_stack(env)]
    proxy = FaultProxy(stacks[0].url).start()
    observers: list[RunObserver] = []
    demo: asyncio.subprocess.Process | None = None
    try:
        observers.append(await RunObserver.subscribe(stacks[0].url, ANON_KEY))
        before = observers[0]
        demo = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pubdev_agents.demo", "--url", proxy.url, "--email", USERS["acme_agent"][1],
            "--password", FIXTURE_PASSWORD, "--org", ACME_ORG, "--cycles", "1", "--step-seconds", "0.1", "--steps", "20",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=AGENTS_DIR,
        )
        output = asyncio.ensure_future(demo.communicate())

        def mid_run() -> bool:
            return any(
                m["data"]["agentId"] == "demo-agent" and m["data"]["status"] == "processing"
                and (m["data"]["progress"] or {}).get("progress", 0) >= 30
                for m in before.messages
            )

        await before.wait_for(mid_run)
        proxy.stop()  # from here on the agent's requests are refused
        # Whatever the database accepted before the stop has reached the first subscriber.
        owner = await signed_in(stacks[0].url, ANON_KEY, "acme_owner")
        rows = (await owner.table("agent_runs").select("id,seq").eq("agent_id", "demo-agent").execute()).data
        assert len(rows) == 3
        await before.wait_for(lambda: all(seen_seq(before, row["id"]) >= row["seq"] for row in rows))
        await before.close()
        stacks[0].stop()

        stacks.append(start_stack(env))
        observers.append(await RunObserver.subscribe(stacks[1].url, ANON_KEY))
        after = observers[1]
        proxy.upstream = stacks[1].url
        proxy.start()  # same address: the agent's retries now get through

        stdout, _ = await asyncio.wait_for(output, DEMO_TIMEOUT_S)
        log = stdout.decode()
        assert demo.returncode == 0, log
        assert "write failed (ConnectError" in log, "the agent saw the refused connections and retried"
        await drain(after, await signed_in(stacks[1].url, ANON_KEY, "acme_agent"))

        for row in rows:
            stream = before.of_run(row["id"]) + after.of_run(row["id"])
            assert_run_stream(stream, attempts=2 if any(m["data"]["error"] for m in stream) else 1)
        finals = [m for o in observers for m in o.messages if m["data"]["agentId"] == "demo-agent" and m["data"]["status"] == "completed"]
        assert sorted(m["data"]["runId"] for m in finals) == sorted(row["id"] for row in rows)
        assert any(seen_seq(after, row["id"]) > 0 for row in rows), "something was reported after the restart"
    finally:
        if demo is not None and demo.returncode is None:
            demo.kill()
            await demo.wait()
        for observer in observers:
            await observer.close()
        proxy.close()
        for running in stacks:
            running.stop()
        if database_url:
            drop_database(database_url)
