"""AgentReporter: an agent's run, reported through its own `agent_runs` row with supabase-py.

The agent calls queued/start/progress/complete/fail from its own code; one background thread
writes the row (upsert as the signed-in agent account, so RLS decides) and the database trigger
broadcasts `agent_status` on `org:<org>`. Progress calls never block on the network; complete(),
fail() without retry, flush() and close() wait until what was reported is written.

    with AgentReporter(client, org_id, "enrichment-agent") as reporter:
        with reporter.run("Fetching publishers"):
            reporter.progress(40, "Scoring publishers", eta_seconds=12)

Work from the queue: `AgentReporter.claim(client, org_id, "enrichment-agent")` takes the next item
(or returns None). While a run is processing the reporter renews its lease (a write every third of
it when nothing else was written). A run cancelled from the dashboard is refused at the next write;
the report after that raises RunCancelled, which `with reporter.run(...)` ends quietly.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping

from supabase import Client

from .outbox import Outbox
from .retry import Backoff, RetriesExhausted, SessionRefreshed, is_expired_token, is_transient, stop_reason
from .run_state import DEFAULT_LEASE_SECONDS, RunCancelled, RunState, RunStatus, Snapshot, returned_row
from .work import claim_args, claimed_row

log = logging.getLogger("pubdev_agents")

# Long enough to ride out a database restart or a deploy; a run that cannot report for five
# minutes has a problem someone should see.
DEFAULT_RETRY_FOR = 300.0
EXIT_FLUSH_TIMEOUT = 10.0


def describe_error(error: BaseException | str) -> str:
    return error if isinstance(error, str) else (f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)


class AgentReporter:
    def __init__(
        self,
        client: Client,
        organization_id: str,
        agent_id: str,
        *,
        run_id: str | None = None,
        publisher_id: str | None = None,
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
        min_interval: float = 0.25,
        retry_for: float = DEFAULT_RETRY_FOR,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._state = RunState(organization_id, agent_id, run_id, publisher_id=publisher_id, lease_seconds=lease_seconds)
        self._outbox = Outbox(min_interval, retry_for, backoff or Backoff())
        self._clock = clock
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._stopped: RunCancelled | None = None
        self._closing = False
        self._last_row: Mapping[str, Any] | None = None
        self.claimed: Mapping[str, Any] | None = None

    @classmethod
    def claim(
        cls, client: Client, organization_id: str, agent_id: str, *, lease_seconds: int = DEFAULT_LEASE_SECONDS, **options: Any
    ) -> AgentReporter | None:
        """Claims the next item of `agent_id`'s queue; a reporter for it (already processing), or None."""
        row = claimed_row(client.rpc("claim_next_work", claim_args(organization_id, agent_id, lease_seconds)).execute().data)
        if row is None:
            return None
        reporter = cls(client, organization_id, agent_id, run_id=row["id"], lease_seconds=lease_seconds, **options)
        reporter._state = RunState.claimed(row, lease_seconds=lease_seconds)
        reporter.claimed = row
        with reporter._cond:
            reporter._ensure_writer()  # renews the lease even before the first report
        return reporter

    # ── what the run looks like ──
    @property
    def run_id(self) -> str:
        return self._state.run_id

    @property
    def status(self) -> RunStatus:
        return self._state.status

    @property
    def cancelled(self) -> bool:
        """The server refused a report because the run was cancelled or is no longer this worker's."""
        return self._stopped is not None

    @property
    def writes(self) -> int:
        """Writes acknowledged by the server so far."""
        return self._outbox.writes

    @property
    def last_row(self) -> Mapping[str, Any] | None:
        """The row as the server returned it after the last acknowledged write (with its seq)."""
        return self._last_row

    # ── reporting ──
    def queued(self, priority: int = 0) -> None:
        self._put(lambda: self._state.queued(priority))

    def start(self, task: str) -> None:
        self._put(lambda: self._state.start(task))

    def progress(self, percent: float, task: str | None = None, eta_seconds: float | None = None) -> None:
        self._put(lambda: self._state.advance(percent, task, eta_seconds))

    def complete(self, result: Any = None, *, timeout: float | None = None) -> None:
        self._put(lambda: self._state.complete(result))
        self.flush(timeout)

    def fail(self, error: BaseException | str, retry: bool = False, *, timeout: float | None = None) -> None:
        self._put(lambda: self._state.fail(describe_error(error), retry))
        if not retry:
            self.flush(timeout)

    @contextmanager
    def run(self, task: str | None = None) -> Iterator[AgentReporter]:
        """Starts the run (a claimed one is already started); completes it when the block ends,
        fails it when the block raises, and ends quietly when the run was cancelled."""
        if self._state.status != "processing":
            self.start(task or "")
        elif task is not None:
            self.progress(self._state.progress or 0.0, task)
        try:
            yield self
        except RunCancelled:
            return
        except BaseException as exc:
            if not self._state.finished:
                try:
                    self.fail(exc)
                except Exception:
                    log.exception("could not report the failure of run %s", self.run_id)
            raise
        # Still processing: the block's work is done. (A retry put the run back in the queue.)
        if self._state.status == "processing":
            try:
                self.complete()
            except RunCancelled:
                return

    def flush(self, timeout: float | None = None) -> None:
        """Waits until everything reported so far is written; raises what stopped the writer."""
        with self._cond:
            self._raise_if_broken()
            self._outbox.flush()
            self._cond.notify_all()
            done = self._cond.wait_for(
                lambda: self._error is not None or self._stopped is not None or self._outbox.idle, timeout
            )
            self._raise_if_broken()
            if not done:
                raise TimeoutError(f"run {self.run_id}: not everything was written within {timeout} s")

    def close(self, timeout: float | None = None) -> None:
        """Flushes and stops the writer thread. Idempotent."""
        try:
            if self._thread is not None and self._error is None and self._stopped is None:
                self.flush(timeout)
        finally:
            with self._cond:
                self._closing = True
                self._cond.notify_all()
            if self._thread is not None:
                self._thread.join(timeout)
            atexit.unregister(self._flush_at_exit)

    def __enter__(self) -> AgentReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ── the writer ──
    def _put(self, make: Callable[[], Snapshot]) -> None:
        with self._cond:
            self._raise_if_broken()
            if self._closing:
                raise RuntimeError(f"run {self.run_id}: the reporter is closed")
            self._outbox.put(make())
            self._ensure_writer()
            self._cond.notify_all()

    def _ensure_writer(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._write_loop, name=f"pubdev-run-{self.run_id[:8]}", daemon=True)
            self._thread.start()
            atexit.register(self._flush_at_exit)

    def _raise_if_broken(self) -> None:
        if self._stopped is not None:
            raise self._stopped
        if self._error is not None:
            raise self._error

    def _renewal_wait(self, now: float) -> float | None:
        """Seconds until a processing run's row is written again as it is: its lease renewal (a third
        of it after the last write), or the write after progress that releases a held value (Outbox)."""
        if self._state.status != "processing" or self._closing or not self._outbox.idle:
            return None
        at = self._outbox.quiet_write_at(self._state.lease_seconds)
        return 0.0 if at is None else at - now

    def _next(self) -> Snapshot | None:
        with self._cond:
            while True:
                if self._error is not None or self._stopped is not None:
                    return None
                now = self._clock()
                snapshot, wait = self._outbox.next_due(now)
                if snapshot is not None:
                    return snapshot
                if self._closing and self._outbox.idle:
                    return None
                renew = self._renewal_wait(now)
                if renew is not None and renew <= 0:
                    self._outbox.put(self._state.renewal())
                    continue
                if renew is not None:
                    wait = renew if wait is None else min(wait, renew)
                self._cond.wait(wait)

    def _write_loop(self) -> None:
        while (snapshot := self._next()) is not None:
            try:
                response = self._client.table("agent_runs").upsert(dict(snapshot.row), on_conflict="id").execute()
            except BaseException as error:  # noqa: BLE001 - every failure is either retried or surfaced
                self._record_failure(self._refreshed(error) if is_expired_token(error) else error)
                continue
            with self._cond:
                self._outbox.succeeded(self._clock())
                self._last_row = returned_row(response.data)
                self._cond.notify_all()

    def _refreshed(self, expired: BaseException) -> BaseException:
        """An expired access token is refreshed once per failure and the write retried.

        RATIONALE: supabase-py refreshes the session on a timer; when the server was unreachable
        at that moment (a restart outlasting the token), the writes after the outage would be
        refused for good. A client without a session (a service key) keeps the refusal.
        """
        try:
            self._client.auth.refresh_session()
        except BaseException as refresh_error:  # noqa: BLE001
            return refresh_error if is_transient(refresh_error) else expired
        return SessionRefreshed(str(expired))

    def _record_failure(self, error: BaseException) -> None:
        with self._cond:
            reason = stop_reason(error)
            if reason is not None:
                self._outbox.failed_permanently()
                self._state.cancelled()
                self._stopped = RunCancelled(self.run_id, reason)
                log.info("run %s: %s; stopping", self.run_id, reason)
            elif is_transient(error):
                try:
                    delay = self._outbox.failed_transiently(self._clock(), error)
                    log.warning("run %s: write failed (%s); retry %d in %.2f s", self.run_id, describe_error(error), self._outbox.failures, delay)
                except RetriesExhausted as gave_up:
                    self._error = gave_up
            else:
                self._outbox.failed_permanently()
                self._error = error
            self._cond.notify_all()

    def _flush_at_exit(self) -> None:
        # RATIONALE: the writer is a daemon thread so a forgotten close() never hangs the agent's
        # exit; this hook still gets the last value (often the final state) out first.
        try:
            self.close(EXIT_FLUSH_TIMEOUT)
        except Exception:
            log.exception("run %s: could not write its last state before exit", self.run_id)
