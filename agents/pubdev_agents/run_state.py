"""One agent run as the state the dashboard shows, and the `agent_runs` row that carries it.

Every change produces a complete row (a snapshot), never a partial patch.
RATIONALE: a full-row upsert is idempotent. Re-sending a snapshot whose response was lost changes
nothing in the row, so the database trigger does not bump `seq` and broadcasts nothing: retries
cannot duplicate a state. Snapshots are validated as the `agent_status` message the trigger
will broadcast for them, before they are queued.
"""
from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, Mapping

from .contract import validate_message, validate_part

RunStatus = Literal["idle", "queued", "processing", "completed", "error", "cancelled"]
TERMINAL: frozenset[str] = frozenset({"completed", "error", "cancelled"})
DEFAULT_LEASE_SECONDS = 60


class RunStateError(RuntimeError):
    """A call that does not fit the run's current state (e.g. progress after complete)."""


class RunCancelled(Exception):
    """The run was cancelled (or went back to the queue and is no longer this worker's).

    Raised by the report after the write that learned it; `with reporter.run(...)` ends quietly
    on it, leaving the reporter in state `cancelled`.
    """

    def __init__(self, run_id: str, reason: str) -> None:
        super().__init__(f"run {run_id} stopped: {reason}")
        self.run_id = run_id
        self.reason = reason


@dataclass(frozen=True)
class Snapshot:
    row: Mapping[str, Any]
    # A state change (queued, started, retried, finished) is always written; plain progress may
    # be replaced by a newer snapshot before it goes out.
    milestone: bool
    # The row written again as it is (a lease renewal, or the write after progress that lets the
    # database send a progress value it held back).
    renewal: bool = False

    @property
    def terminal(self) -> bool:
        return self.row["status"] in TERMINAL


def _uuid(value: str, name: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise ValueError(f"{name} must be a UUID, got {value!r}") from None


def _finite(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


class RunState:
    def __init__(
        self,
        organization_id: str,
        agent_id: str,
        run_id: str | None = None,
        *,
        publisher_id: str | None = None,
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
    ) -> None:
        self.organization_id = _uuid(organization_id, "organization_id")
        self.run_id = _uuid(run_id, "run_id") if run_id is not None else str(uuid.uuid4())
        if not isinstance(agent_id, str) or not 1 <= len(agent_id) <= 200:
            raise ValueError("agent_id must be a string of 1 to 200 characters")
        self.agent_id = agent_id
        self.publisher_id = _uuid(publisher_id, "publisher_id") if publisher_id is not None else None
        if isinstance(lease_seconds, bool) or not isinstance(lease_seconds, int) or not 1 <= lease_seconds <= 3600:
            raise ValueError("lease_seconds must be an integer from 1 to 3600")
        self.lease_seconds = lease_seconds
        self.status: RunStatus = "idle"
        self.progress: float | None = None
        self.current_task: str | None = None
        self.estimated_time: int | None = None
        self.priority = 0
        self.attempt = 1
        self.error: str | None = None
        self.result: Any = None
        self._snapshots = 0
        self._checked_rest: dict[str, Any] | None = None  # message data (minus progress) last validated in full

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    @classmethod
    def claimed(cls, row: Mapping[str, Any], *, lease_seconds: int | None = None) -> RunState:
        """The state of a run this worker claimed (the row claim_next_work returned)."""
        state = cls(
            row["organization_id"], row["agent_id"], row["id"], publisher_id=row.get("publisher_id"),
            lease_seconds=lease_seconds or int(row.get("lease_seconds") or DEFAULT_LEASE_SECONDS),
        )
        state.status = row["status"]
        state.attempt = int(row["attempt"])
        state.progress = row.get("progress")
        state.current_task = row.get("current_task")
        state.estimated_time = row.get("estimated_time")
        state.priority = int(row.get("priority") or 0)
        state.error = row.get("error")
        return state

    def queued(self, priority: int = 0) -> Snapshot:
        """Puts the run in its agent's queue; the database gives it its position."""
        self._require({"idle", "queued"}, "queued()")
        if isinstance(priority, bool) or not isinstance(priority, int) or not -1000 <= priority <= 1000:
            raise ValueError(f"priority must be an integer from -1000 to 1000, got {priority!r}")
        return self._apply(True, status="queued", priority=priority)

    def start(self, task: str) -> Snapshot:
        self._require({"idle", "queued"}, "start()")
        return self._apply(
            True, status="processing", error=None, current_task=task,
            estimated_time=None, progress=self.progress if self.progress is not None else 0.0,
        )

    def renewal(self) -> Snapshot:
        """The current state again: writing it renews a processing run's lease and changes nothing else."""
        return Snapshot(row=self.row(), milestone=False, renewal=True)

    def cancelled(self) -> None:
        """The server says the run is no longer this worker's: nothing more is written."""
        self.status = "cancelled"

    def advance(self, percent: float, task: str | None, eta_seconds: float | None) -> Snapshot:
        self._require({"processing"}, "progress()")
        percent = _finite(percent, "percent")
        eta = None if eta_seconds is None else math.ceil(_finite(eta_seconds, "eta_seconds"))
        # Never backwards: a late or out-of-order report keeps the furthest point reached.
        return self._apply(
            False, progress=max(self.progress or 0.0, percent), estimated_time=eta,
            current_task=self.current_task if task is None else task,
        )

    def complete(self, result: Any) -> Snapshot:
        """`result` is a summary: a flat object of at most 20 entries (the contract's resultSummary)."""
        self._require({"idle", "processing"}, "complete()")
        json.dumps(result)  # a result the row cannot store fails here, not in a background write
        return self._apply(True, status="completed", progress=100.0, estimated_time=0, error=None, result=result)

    def fail(self, error: str, retry: bool) -> Snapshot:
        self._require({"idle", "processing"}, "fail()")
        if retry and self.status == "processing":
            # The failed attempt goes back to the queue as the next attempt (the database keeps the
            # failed one in the run's history); the dashboard shows the reason and the attempt
            # number, and nobody is notified of a failure (that is for status `error`).
            return self._apply(True, status="queued", attempt=self.attempt + 1, error=error, estimated_time=None)
        return self._apply(True, status="error", error=error, estimated_time=None)

    def _apply(self, milestone: bool, **changes: Any) -> Snapshot:
        """Applies the changes only if the resulting message satisfies the contract."""
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            return self._snapshot(milestone)
        except Exception:
            for name, value in before.items():
                setattr(self, name, value)
            raise

    def _require(self, allowed: set[str], call: str) -> None:
        if self.status not in allowed:
            raise RunStateError(f"{call} is not allowed when the run is {self.status}")

    def row(self) -> dict[str, Any]:
        return {
            "id": self.run_id,
            "organization_id": self.organization_id,
            "agent_id": self.agent_id,
            "status": self.status,
            "progress": self.progress,
            "current_task": self.current_task,
            "estimated_time": self.estimated_time,
            "attempt": self.attempt,
            "error": self.error,
            "result": self.result,
            "publisher_id": self.publisher_id,
            "priority": self.priority,
            "lease_seconds": self.lease_seconds,
        }

    def _snapshot(self, milestone: bool) -> Snapshot:
        row = self.row()
        message = agent_status_message(row, seq=self._snapshots + 1)
        data = message["data"]
        rest = {key: value for key, value in data.items() if key != "progress"}
        if rest == self._checked_rest and data["progress"] is not None:
            # Only the progress part changed since a message that passed in full; the envelope
            # is built the same way every time.
            validate_part("agent_status", ("data", "progress"), data["progress"])
        else:
            validate_message("agent_status", message)
            self._checked_rest = rest
        self._snapshots += 1
        return Snapshot(row=row, milestone=milestone)


def agent_status_message(row: Mapping[str, Any], seq: int) -> dict[str, Any]:
    """The message the database trigger broadcasts for this row (same mapping as the trigger)."""
    has_progress = row["progress"] is not None or row["current_task"] is not None
    return {
        "id": f"{row['id']}:{seq}",
        "type": "agent_status",
        "seq": seq,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "data": {
            "agentId": row["agent_id"],
            "status": row["status"],
            "runId": row["id"],
            "progress": {
                "progress": row["progress"] or 0,
                "currentTask": row["current_task"] or "",
                "estimatedTime": row["estimated_time"],
            }
            if has_progress
            else None,
            "queuePosition": None,  # the database's
            "attempt": row["attempt"],
            "error": row["error"],
            "result": row["result"],
            "publisherId": row["publisher_id"],
            "priority": row["priority"],
        },
    }


def returned_row(data: object) -> Mapping[str, Any] | None:
    """The row PostgREST returned for an upsert (`return=representation`), if any."""
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        return data[0]
    return None
