"""The agent's view of /rest/v1 through the real `supabase` client: upsert its run, read it back,
and be refused where RLS says no. Tokens are signed with the stack's JWT secret (PyJWT), as an
agent with its own account holds an access token for it."""
from __future__ import annotations

import time
import uuid

import jwt
import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, Client, create_client

from conftest import ACME_ORG, FIXTURE_PASSWORD, GLOBEX_ORG, USERS

ACME_ENRICHMENT_RUN = "d0000000-0000-4000-8000-000000000001"


def _token(stack, user: str, ttl_seconds: int = 3600) -> str:
    user_id, email = USERS[user]
    now = int(time.time())
    claims = {
        "sub": user_id,
        "email": email,
        "role": "authenticated",
        "aud": "authenticated",
        "iat": now,
        "exp": now + ttl_seconds,
        "session_id": str(uuid.uuid4()),
    }
    return jwt.encode(claims, stack.jwt_secret, algorithm="HS256")


def _client(stack, user: str, ttl_seconds: int = 3600) -> Client:
    token = _token(stack, user, ttl_seconds)
    return create_client(stack.url, stack.anon_key, ClientOptions(headers={"Authorization": f"Bearer {token}"}))


def test_agent_upserts_its_run_and_reads_it_back(stack):
    agent = _client(stack, "acme_agent")
    task = f"Enriching batch {uuid.uuid4().hex[:8]}"
    upserted = (
        agent.table("agent_runs")
        .upsert(
            {
                "id": ACME_ENRICHMENT_RUN,
                "organization_id": ACME_ORG,
                "agent_id": "enrichment-agent",
                "status": "processing",
                "progress": 60,
                "current_task": task,
            },
            on_conflict="id",
        )
        .execute()
    )
    assert len(upserted.data) == 1
    assert upserted.data[0]["current_task"] == task
    seq = upserted.data[0]["seq"]
    assert seq >= 2  # the seed's run was at seq 1; the trigger bumps it on every change

    read = agent.table("agent_runs").select("id, status, progress, current_task, seq").eq("id", ACME_ENRICHMENT_RUN).single().execute()
    assert read.data == {"id": ACME_ENRICHMENT_RUN, "status": "processing", "progress": 60, "current_task": task, "seq": seq}

    # The owner of the organisation sees the same run; another organisation's member does not.
    owner_view = _client(stack, "acme_owner").table("agent_runs").select("current_task").eq("id", ACME_ENRICHMENT_RUN).execute()
    assert owner_view.data == [{"current_task": task}]
    globex_view = _client(stack, "globex_member").table("agent_runs").select("id").eq("id", ACME_ENRICHMENT_RUN).execute()
    assert globex_view.data == []


def test_agent_starts_a_new_run_and_counts_runs(stack):
    agent = _client(stack, "acme_agent")
    created = agent.table("agent_runs").insert({"organization_id": ACME_ORG, "agent_id": "py-agent", "status": "queued", "queue_position": 2}).execute()
    run_id = created.data[0]["id"]
    counted = agent.table("agent_runs").select("id", count="exact").eq("organization_id", ACME_ORG).eq("agent_id", "py-agent").execute()
    assert counted.count == len(counted.data) >= 1
    assert run_id in {row["id"] for row in counted.data}


def test_insert_into_another_organisation_is_refused(stack):
    agent = _client(stack, "acme_agent")
    with pytest.raises(APIError) as refused:
        agent.table("agent_runs").insert({"organization_id": GLOBEX_ORG, "agent_id": "intruder", "status": "idle"}).execute()
    assert refused.value.code == "42501"
    assert refused.value.message == 'new row violates row-level security policy for table "agent_runs"'


def test_agent_cannot_edit_publishers(stack):
    agent = _client(stack, "acme_agent")
    updated = agent.table("publishers").update({"name": "Renamed by agent"}).eq("organization_id", ACME_ORG).execute()
    assert updated.data == []


def test_expired_token_is_refused(stack):
    expired = _client(stack, "acme_agent", ttl_seconds=-30)
    with pytest.raises(APIError) as refused:
        expired.table("agent_runs").select("id").execute()
    assert refused.value.code == "PGRST303"
    assert refused.value.message == "JWT expired"


def test_signed_in_agent_upserts_through_its_session(stack):
    client = create_client(stack.url, stack.anon_key)
    session = client.auth.sign_in_with_password({"email": USERS["acme_agent"][1], "password": FIXTURE_PASSWORD})
    assert session.user is not None and session.user.id == USERS["acme_agent"][0]
    run = (
        client.table("agent_runs")
        .upsert({"organization_id": ACME_ORG, "agent_id": "signed-in-agent", "status": "processing", "progress": 10})
        .execute()
    )
    run_id = run.data[0]["id"]
    read_back = client.table("agent_runs").select("agent_id, progress").eq("id", run_id).single().execute()
    assert read_back.data == {"agent_id": "signed-in-agent", "progress": 10}
    with pytest.raises(APIError) as refused:
        client.table("agent_runs").insert({"organization_id": GLOBEX_ORG, "agent_id": "intruder", "status": "idle"}).execute()
    assert refused.value.code == "42501"
