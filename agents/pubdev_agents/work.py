"""The work queue from an agent's side: put work in a queue, and claim the next item.

A work item is a queued run of an agent (agent_runs with status `queued`); its queue is the
organisation's runs of that `agent_id`, ordered by priority (higher first), then creation order.
`claim_next_work` (a database function, called as the signed-in agent account so RLS decides)
takes the next item atomically: two workers never get the same one.
"""
from __future__ import annotations

from typing import Any, Mapping

from supabase import AsyncClient, Client


def _work_row(organization_id: str, agent_id: str, task: str, publisher_id: str | None, priority: int, input: Mapping[str, Any] | None) -> dict[str, Any]:
    if not isinstance(task, str) or not 1 <= len(task) <= 500:
        raise ValueError("task must be a string of 1 to 500 characters")
    return {
        "organization_id": organization_id,
        "agent_id": agent_id,
        "status": "queued",
        "current_task": task,
        "publisher_id": publisher_id,
        "priority": priority,
        "input": dict(input or {}),
    }


def enqueue(
    client: Client, organization_id: str, agent_id: str, task: str, *,
    publisher_id: str | None = None, priority: int = 0, input: Mapping[str, Any] | None = None,
) -> str:
    """Queues work for `agent_id`; returns the run's id. The caller is its requester."""
    row = _work_row(organization_id, agent_id, task, publisher_id, priority, input)
    return _inserted_id(client.table("agent_runs").insert(row).execute().data)


async def aenqueue(
    client: AsyncClient, organization_id: str, agent_id: str, task: str, *,
    publisher_id: str | None = None, priority: int = 0, input: Mapping[str, Any] | None = None,
) -> str:
    row = _work_row(organization_id, agent_id, task, publisher_id, priority, input)
    return _inserted_id((await client.table("agent_runs").insert(row).execute()).data)


def _inserted_id(data: object) -> str:
    row = claimed_row(data)
    if row is None:
        raise RuntimeError("the insert returned no row")
    return str(row["id"])


def claim_args(organization_id: str, agent_id: str, lease_seconds: int) -> dict[str, Any]:
    return {"organization_id": organization_id, "agent_id": agent_id, "lease_seconds": lease_seconds}


def claimed_row(data: object) -> Mapping[str, Any] | None:
    """The run claim_next_work returned, or None when the queue was empty."""
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        return data[0]
    if isinstance(data, Mapping) and data.get("id"):
        return data
    return None
