"""The rules behind the reporters, with a fake clock: ordering, coalescing, retries, state."""
from __future__ import annotations

import random

import httpx
import pytest
from postgrest.exceptions import APIError

from pubdev_agents import ContractError, RetriesExhausted, RunStateError
from pubdev_agents.notify import notification_request
from pubdev_agents.outbox import SETTLE_AFTER, Outbox
from pubdev_agents.retry import Backoff, is_transient
from pubdev_agents.run_state import RunState

ORG = "11111111-1111-4111-8111-111111111111"


def outbox(min_interval: float = 0.25, retry_for: float = 10.0) -> Outbox:
    return Outbox(min_interval, retry_for, Backoff(base=0.1, cap=1.0, rng=random.Random(7)))


def test_progress_is_coalesced_and_waits_for_the_interval_and_the_newest_goes_out() -> None:
    run, box = RunState(ORG, "a"), outbox()
    box.put(run.start("t"))
    first, _ = box.next_due(0.0)
    assert first is not None and first.row["status"] == "processing"
    box.succeeded(0.0)
    for percent in (10, 20, 30):
        box.put(run.advance(percent, None, None))
    assert len(box.pending) == 1
    assert box.next_due(0.1) == (None, pytest.approx(0.15))
    due, _ = box.next_due(0.25)
    assert due is not None and due.row["progress"] == 30


def test_after_plain_progress_the_row_is_written_again_once_so_a_held_value_goes_out() -> None:
    # The database broadcasts progress at most once a second per run and sends what it held back
    # with the run's next write: the reporter writes the row again SETTLE_AFTER after progress.
    run, box = RunState(ORG, "a", lease_seconds=60), outbox()
    assert box.quiet_write_at(60) is None
    box.put(run.start("t"))
    box.next_due(0.0)
    box.succeeded(0.0)
    assert box.quiet_write_at(60) == pytest.approx(20.0)  # after a state change: the lease renewal
    box.put(run.advance(30, None, None))
    box.next_due(0.5)
    box.succeeded(0.5)
    assert box.quiet_write_at(60) == pytest.approx(0.5 + SETTLE_AFTER)
    box.put(run.renewal())
    settle, _ = box.next_due(0.5 + SETTLE_AFTER)
    assert settle is not None and settle.row["progress"] == 30 and settle.renewal
    box.succeeded(0.5 + SETTLE_AFTER)
    assert box.quiet_write_at(60) == pytest.approx(0.5 + SETTLE_AFTER + 20.0)  # once, then the lease's rhythm


def test_state_changes_go_out_at_once_in_order_and_replace_pending_progress() -> None:
    run, box = RunState(ORG, "a"), outbox()
    box.put(run.queued(2))
    box.put(run.queued(1))
    box.put(run.start("t"))
    box.put(run.advance(40, "u", 5))
    box.put(run.complete({"n": 1}))
    statuses = []
    while (item := box.next_due(0.0)[0]) is not None:
        statuses.append((item.row["status"], item.row["priority"], item.row["progress"]))
        box.succeeded(0.0)
    assert statuses == [("queued", 2, None), ("queued", 1, None), ("processing", 1, 0.0), ("completed", 1, 100.0)]


def test_flush_sends_pending_progress_without_waiting() -> None:
    run, box = RunState(ORG, "a"), outbox()
    box.put(run.start("t"))
    box.next_due(0.0)
    box.succeeded(0.0)
    box.put(run.advance(50, None, None))
    assert box.next_due(0.01)[0] is None
    box.flush()
    due, _ = box.next_due(0.01)
    assert due is not None and due.row["progress"] == 50


def test_a_failed_state_change_is_retried_first_a_failed_progress_yields_to_newer() -> None:
    run, box = RunState(ORG, "a"), outbox()
    box.put(run.start("t"))
    started, _ = box.next_due(0.0)
    box.put(run.advance(10, None, None))
    delay = box.failed_transiently(0.0, httpx.ConnectError("refused"))
    assert 0.05 <= delay <= 0.1
    assert box.next_due(0.01)[0] is None  # backing off
    retried, _ = box.next_due(delay)
    assert retried is started
    box.succeeded(delay)
    box.put(run.advance(20, None, None))
    p20, _ = box.next_due(1.0)
    box.put(run.advance(30, None, None))
    box.failed_transiently(1.0, httpx.ReadTimeout("slow"))
    assert [s.row["progress"] for s in box.pending] == [30]  # 20 is superseded, never re-sent


def test_backoff_doubles_is_capped_and_jittered() -> None:
    backoff = Backoff(base=0.1, cap=1.0, rng=random.Random(1))
    delays = [backoff.delay(n) for n in range(8)]
    for n, delay in enumerate(delays):
        ceiling = min(1.0, 0.1 * 2**n)
        assert ceiling / 2 <= delay <= ceiling
    assert len(set(delays[4:])) == 4, "jitter spreads capped delays apart"


def test_retries_stop_after_the_retry_window() -> None:
    run, box = RunState(ORG, "a"), outbox(retry_for=5)
    box.put(run.start("t"))
    box.next_due(0.0)
    box.failed_transiently(0.0, httpx.ConnectError("refused"))
    box.next_due(3.0)
    box.failed_transiently(3.0, httpx.ConnectError("refused"))
    box.next_due(6.0)
    with pytest.raises(RetriesExhausted):
        box.failed_transiently(6.0, httpx.ConnectError("refused"))
    assert len(box.pending) == 1  # nothing reported is dropped


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (httpx.ConnectError("refused"), True),
        (httpx.ReadTimeout("slow"), True),
        (httpx.RemoteProtocolError("closed"), True),
        (APIError({"message": "gateway", "code": 503, "hint": None, "details": None}), True),
        (APIError({"message": "rate", "code": "429", "hint": None, "details": None}), True),
        (APIError({"message": "db down", "code": "PGRST001", "hint": None, "details": None}), True),
        (APIError({"message": "shutdown", "code": "57P01", "hint": None, "details": None}), True),
        (APIError({"message": "rls", "code": "42501", "hint": None, "details": None}), False),
        (APIError({"message": "jwt", "code": "PGRST301", "hint": None, "details": None}), False),
        (APIError({"message": "bad", "code": 400, "hint": None, "details": None}), False),
        (ValueError("bug"), False),
    ],
)
def test_what_counts_as_transient(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient


def test_the_run_state_machine_and_its_contract_checks() -> None:
    run = RunState(ORG, "a")
    with pytest.raises(RunStateError):
        run.advance(10, None, None)
    with pytest.raises(ValueError):
        run.queued(5000)
    assert run.status == "idle"  # unchanged
    run.start("t")
    with pytest.raises(ValueError):
        run.advance(float("nan"), None, None)
    run.advance(10, None, None)
    with pytest.raises(ContractError) as too_far:  # checked against the progress part alone
        run.advance(150, None, None)
    assert too_far.value.path == "$.data.progress.progress" and run.progress == 10
    with pytest.raises(ContractError) as eta:
        run.advance(20, None, -5)
    assert eta.value.path == "$.data.progress.estimatedTime"
    assert run.advance(60, None, 1.2).row["estimated_time"] == 2  # whole seconds, rounded up
    assert run.advance(40, "late", None).row["progress"] == 60
    retry = run.fail("upstream 504", retry=True)
    assert (retry.row["status"], retry.row["attempt"], retry.row["error"]) == ("queued", 2, "upstream 504")
    assert run.start("again").row["error"] is None
    with pytest.raises(TypeError):
        run.complete(object())
    with pytest.raises(ContractError) as nested:  # a result is a flat summary
        run.complete({"rows": [1, 2]})
    assert nested.value.path == "$.data.result.rows"
    assert run.complete({"ok": True}).terminal
    with pytest.raises(RunStateError):
        run.fail("too late", retry=False)


def test_notifications_are_checked_against_the_contract_before_sending() -> None:
    body = notification_request(ORG, "Done", "success", "a0000000-0000-4000-8000-000000000002", "/runs/1", None)
    assert body == {
        "organizationId": ORG,
        "target": {"userId": "a0000000-0000-4000-8000-000000000002"},
        "message": {"type": "notification", "data": {"message": "Done", "level": "success",
                    "userId": "a0000000-0000-4000-8000-000000000002", "actionUrl": "/runs/1"}},
    }
    with pytest.raises(ContractError) as level:
        notification_request(ORG, "Done", "loud", None, None, None)  # type: ignore[arg-type]
    assert level.value.path == "$.data.level"
    with pytest.raises(ContractError):
        notification_request(ORG, "Done", "info", "not-a-uuid", None, None)


def test_a_claimed_run_starts_processing_and_a_renewal_is_the_same_row() -> None:
    row = {"id": "d0000000-0000-4000-8000-0000000000c1", "organization_id": ORG, "agent_id": "a", "status": "processing",
           "attempt": 2, "progress": 60.0, "current_task": "Scoring", "estimated_time": None, "priority": 0,
           "error": None, "publisher_id": None, "lease_seconds": 60}
    run = RunState.claimed(row)
    assert (run.status, run.attempt, run.progress) == ("processing", 2, 60.0)
    assert run.renewal().row == run.row() and not run.renewal().milestone
    with pytest.raises(RunStateError):
        run.start("again")  # already started by the claim
    assert run.fail("boom", retry=True).row["attempt"] == 3
