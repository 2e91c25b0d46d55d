"""The demo agent that `npm start` runs: it signs in with its own account, walks one run from 0 to
100 %, and every step lands in its organisation's `agent_runs` (and so on `org:<org>`)."""
from __future__ import annotations

from supabase import create_client

from conftest import ACME_ORG, FIXTURE_PASSWORD, USERS
from pubdev_agents.demo_agent import run


def test_demo_agent_completes_a_run_visible_to_the_org_owner(stack):
    _, agent_email = USERS["acme_agent"]
    run(stack.url, stack.anon_key, agent_email, FIXTURE_PASSWORD, ACME_ORG, step_seconds=0, cycles=1)

    owner = create_client(stack.url, stack.anon_key)
    owner.auth.sign_in_with_password({"email": USERS["acme_owner"][1], "password": FIXTURE_PASSWORD})
    runs = owner.table("agent_runs").select("*").eq("agent_id", "demo-agent").execute().data
    assert len(runs) == 1
    assert runs[0]["status"] == "completed"
    assert runs[0]["progress"] == 100
    assert runs[0]["organization_id"] == ACME_ORG
    # One insert and ten progress updates, each a new agent_status sequence number.
    assert runs[0]["seq"] == 11
