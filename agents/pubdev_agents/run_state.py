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

RunStatus = Literal["idle", "queued", "processing", "completed", "error"]
TERMINAL: frozenset[str] = frozenset({"completed", "error"})


class RunStateError(RuntimeError):
    """A call that does not fit the run's current state (e.g. progress after complete)."""


@dataclass(frozen=True)
class Snapshot:
    row: Mapping[str, Any]
    # A state change (queued, started, retried, finished) is always written; plain progress may
    # be replaced by a newer snapshot before it goes out.
    milestone: bool

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
    def __init__(self, organization_id: str, agent_id: str, run_id: str | None = None) -> None:
        self.organization_id = _uuid(organization_id, "organization_id")
        self.run_id = _uuid(run_id, "run_id") if run_id is not None else str(uuid.uuid4())
        if not isinstance(agent_id, str) or not 1 <= len(agent_id) <= 200:
            raise ValueError("agent_id must be a string of 1 to 200 characters")
        self.agent_id = agent_id
        self.status: RunStatus = "idle"
        self.progress: float | None = None
        self.current_task: str | None = None
        self.estimated_time: int | None = None
        self.queue_position: int | None = None
        self.attempt = 1
        self.error: str | None = None
        self.result: Any = None
        self._snapshots = 0
        self._checked_rest: dict[str, Any] | None = None  # message data (minus progress) last validated in full

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def queued(self, position: int) -> Snapshot:
        self._require({"idle", "queued"}, "queued()")
        return self._apply(True, status="queued", queue_position=position)

    def start(self, task: str) -> Snapshot:
        self._require({"idle", "queued"}, "start()")
        return self._apply(
            True, status="processing", queue_position=None, error=None, current_task=task,
            estimated_time=None, progress=self.progress if self.progress is not None else 0.0,
        )

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
        self._require({"idle", "queued", "processing"}, "complete()")
        json.dumps(result)  # a result the row cannot store fails here, not in a background write
        return self._apply(
            True, status="completed", progress=100.0, estimated_time=0, queue_position=None, error=None, result=result
        )

    def fail(self, error: str, retry: bool) -> Snapshot:
        self._require({"idle", "queued", "processing"}, "fail()")
        if retry:
            # The failed attempt goes back to the queue as the next attempt; the dashboard shows
            # the reason and the attempt number, and no org-wide "failed" notification fires
            # (the trigger sends one only for status `error`).
            return self._apply(True, status="queued", attempt=self.attempt + 1, queue_position=0, error=error, estimated_time=None)
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
            "queue_position": self.queue_position,
            "attempt": self.attempt,
            "error": self.error,
            "result": self.result,
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
            "queuePosition": row["queue_position"],
            "attempt": row["attempt"],
            "error": row["error"],
        },
    }


def returned_row(data: object) -> Mapping[str, Any] | None:
    """The row PostgREST returned for an upsert (`return=representation`), if any."""
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        return data[0]
    return None
