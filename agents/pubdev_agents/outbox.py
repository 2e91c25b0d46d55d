"""What to write next and when: the ordering, coalescing and retry rules of a reporter, free of
threads, asyncio and HTTP so that they can be tested with a fake clock.

- State changes (milestones) go out in the order they were made, each one, at once.
- Plain progress is coalesced: a newer snapshot replaces one not yet sent, and progress waits
  `min_interval` after the previous write. Because every snapshot is the full state, the newest
  one always carries the last value; nothing needs to be merged.
- A milestone makes pending progress redundant (it carries that progress), so it replaces it.
- A failed write goes back to the front (its place in the order) unless something newer that
  supersedes it is already waiting; the next attempt waits for the backoff.
- While nothing else is due the row is written again as it is: a third of the lease after the last
  write (the lease renewal), and once SETTLE_AFTER after plain progress. The database broadcasts a
  run's progress at most once a second and sends a value it held back with the run's next write
  (docs/capacity.md), so that write makes the last progress reach dashboards within about a second.
"""
from __future__ import annotations

from collections import deque

from .retry import Backoff, RetriesExhausted
from .run_state import Snapshot

# Longer than the database's pacing interval (1 s) between two progress broadcasts of a run: the
# last plain progress write was held back at most until then.
SETTLE_AFTER = 1.2


class Outbox:
    def __init__(self, min_interval: float, retry_for: float, backoff: Backoff) -> None:
        if min_interval < 0:
            raise ValueError("min_interval must be >= 0")
        self.min_interval = min_interval
        self.retry_for = retry_for
        self.backoff = backoff
        self.pending: deque[Snapshot] = deque()
        self.inflight: Snapshot | None = None
        self.flushing = False
        self.last_write_at: float | None = None
        self.retry_at: float | None = None
        self.failing_since: float | None = None
        self.failures = 0  # consecutive transient failures of the current streak
        self.writes = 0  # acknowledged writes
        self.unsettled = False  # the last acknowledged write was plain progress

    @property
    def idle(self) -> bool:
        return not self.pending and self.inflight is None

    def put(self, snapshot: Snapshot) -> None:
        while self.pending and not self.pending[-1].milestone:
            self.pending.pop()
        self.pending.append(snapshot)

    def flush(self) -> None:
        """From now until the queue is empty, progress does not wait for min_interval."""
        if self.pending:
            self.flushing = True

    def next_due(self, now: float) -> tuple[Snapshot | None, float | None]:
        """The snapshot to write now, or how long to wait (None: until something is put)."""
        if self.inflight is not None or not self.pending:
            return None, None
        if self.retry_at is not None and now < self.retry_at:
            return None, self.retry_at - now
        head = self.pending[0]
        if head.milestone or self.flushing or self.last_write_at is None:
            return self._take(), 0.0
        due = self.last_write_at + self.min_interval
        if now >= due:
            return self._take(), 0.0
        return None, due - now

    def _take(self) -> Snapshot:
        self.inflight = self.pending.popleft()
        return self.inflight

    def succeeded(self, now: float) -> None:
        written = self.inflight
        self.unsettled = written is not None and not written.milestone and not written.renewal
        self.inflight = None
        self.last_write_at = now
        self.retry_at = self.failing_since = None
        self.failures = 0
        self.writes += 1
        if not self.pending:
            self.flushing = False

    def quiet_write_at(self, lease_seconds: float) -> float | None:
        """When to write the row again if nothing else is: SETTLE_AFTER after plain progress, else a
        third of the lease after the last write; None before the first write."""
        if self.last_write_at is None:
            return None
        renewal = self.last_write_at + lease_seconds / 3
        return min(renewal, self.last_write_at + SETTLE_AFTER) if self.unsettled else renewal

    def failed_transiently(self, now: float, error: BaseException) -> float:
        """Schedules the retry and returns its delay; raises RetriesExhausted past retry_for."""
        snapshot, self.inflight = self.inflight, None
        assert snapshot is not None
        if self.failing_since is None:
            self.failing_since = now
        if now - self.failing_since > self.retry_for:
            self.pending.appendleft(snapshot)
            raise RetriesExhausted(now - self.failing_since, error)
        superseded = not snapshot.milestone and bool(self.pending)
        if not superseded:
            self.pending.appendleft(snapshot)
        delay = self.backoff.delay(self.failures)
        self.failures += 1
        self.retry_at = now + delay
        return delay

    def failed_permanently(self) -> None:
        snapshot, self.inflight = self.inflight, None
        if snapshot is not None:
            self.pending.appendleft(snapshot)
