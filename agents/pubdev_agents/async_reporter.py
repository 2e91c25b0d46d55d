"""AsyncAgentReporter: AgentReporter's surface for asyncio agents, on supabase-py's AsyncClient.

The same RunState and Outbox decide what is written and when; a task on the running loop writes
instead of a thread. Every method is a coroutine; progress() returns without waiting for the
network, complete(), fail() without retry, flush() and close() wait for the write.

    async with AsyncAgentReporter(client, org_id, "enrichment-agent") as reporter:
        async with reporter.run("Fetching publishers"):
            await reporter.progress(40, "Scoring publishers", eta_seconds=12)
"""
from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, Mapping

from supabase import AsyncClient

from .outbox import Outbox
from .reporter import DEFAULT_RETRY_FOR, describe_error
from .retry import Backoff, RetriesExhausted, SessionRefreshed, is_expired_token, is_transient, stop_reason
from .run_state import DEFAULT_LEASE_SECONDS, RunCancelled, RunState, RunStatus, Snapshot, returned_row
from .work import claim_args, claimed_row

log = logging.getLogger("pubdev_agents")


class AsyncAgentReporter:
    def __init__(
        self,
        client: AsyncClient,
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
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._stopped: RunCancelled | None = None
        self._closing = False
        self._last_row: Mapping[str, Any] | None = None
        self.claimed: Mapping[str, Any] | None = None

    @classmethod
    async def claim(
        cls, client: AsyncClient, organization_id: str, agent_id: str, *, lease_seconds: int = DEFAULT_LEASE_SECONDS, **options: Any
    ) -> AsyncAgentReporter | None:
        """See AgentReporter.claim."""
        response = await client.rpc("claim_next_work", claim_args(organization_id, agent_id, lease_seconds)).execute()
        row = claimed_row(response.data)
        if row is None:
            return None
        reporter = cls(client, organization_id, agent_id, run_id=row["id"], lease_seconds=lease_seconds, **options)
        reporter._state = RunState.claimed(row, lease_seconds=lease_seconds)
        reporter.claimed = row
        reporter._ensure_writer()
        return reporter

    @property
    def cancelled(self) -> bool:
        return self._stopped is not None

    @property
    def run_id(self) -> str:
        return self._state.run_id

    @property
    def status(self) -> RunStatus:
        return self._state.status

    @property
    def writes(self) -> int:
        return self._outbox.writes

    @property
    def last_row(self) -> Mapping[str, Any] | None:
        return self._last_row

    async def queued(self, priority: int = 0) -> None:
        self._put(self._state.queued, priority)

    async def start(self, task: str) -> None:
        self._put(self._state.start, task)

    async def progress(self, percent: float, task: str | None = None, eta_seconds: float | None = None) -> None:
        self._put(self._state.advance, percent, task, eta_seconds)

    async def complete(self, result: Any = None, *, timeout: float | None = None) -> None:
        self._put(self._state.complete, result)
        await self.flush(timeout)

    async def fail(self, error: BaseException | str, retry: bool = False, *, timeout: float | None = None) -> None:
        self._put(self._state.fail, describe_error(error), retry)
        if not retry:
            await self.flush(timeout)

    @asynccontextmanager
    async def run(self, task: str | None = None) -> AsyncIterator[AsyncAgentReporter]:
        """See AgentReporter.run."""
        if self._state.status != "processing":
            await self.start(task or "")
        elif task is not None:
            await self.progress(self._state.progress or 0.0, task)
        try:
            yield self
        except RunCancelled:
            return
        except BaseException as exc:
            if not self._state.finished:
                try:
                    await self.fail(exc)
                except Exception:
                    log.exception("could not report the failure of run %s", self.run_id)
            raise
        # Still processing: the block's work is done. (A retry put the run back in the queue.)
        if self._state.status == "processing":
            try:
                await self.complete()
            except RunCancelled:
                return

    async def flush(self, timeout: float | None = None) -> None:
        self._raise_if_broken()
        self._outbox.flush()
        self._wake.set()

        async def drained() -> None:
            while self._error is None and self._stopped is None and not self._outbox.idle:
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(drained(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"run {self.run_id}: not everything was written within {timeout} s") from None
        self._raise_if_broken()

    async def close(self, timeout: float | None = None) -> None:
        try:
            if self._task is not None and self._error is None and self._stopped is None:
                await self.flush(timeout)
        finally:
            self._closing = True
            self._wake.set()
            if self._task is not None:
                await asyncio.wait([self._task], timeout=timeout)

    async def __aenter__(self) -> AsyncAgentReporter:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _put(self, make: Callable[..., Snapshot], *args: Any) -> None:
        self._raise_if_broken()
        if self._closing:
            raise RuntimeError(f"run {self.run_id}: the reporter is closed")
        self._outbox.put(make(*args))
        self._ensure_writer()
        self._wake.set()

    def _ensure_writer(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._write_loop(), name=f"pubdev-run-{self.run_id[:8]}")

    def _raise_if_broken(self) -> None:
        if self._stopped is not None:
            raise self._stopped
        if self._error is not None:
            raise self._error

    def _renewal_wait(self, now: float) -> float | None:
        """See AgentReporter._renewal_wait."""
        if self._state.status != "processing" or self._closing or not self._outbox.idle:
            return None
        at = self._outbox.quiet_write_at(self._state.lease_seconds)
        return 0.0 if at is None else at - now

    async def _next(self) -> Snapshot | None:
        while self._error is None and self._stopped is None:
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
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except asyncio.TimeoutError:
                pass
        return None

    async def _write_loop(self) -> None:
        while (snapshot := await self._next()) is not None:
            try:
                response = await self._client.table("agent_runs").upsert(dict(snapshot.row), on_conflict="id").execute()
            except asyncio.CancelledError:
                raise
            except BaseException as error:  # noqa: BLE001 - every failure is either retried or surfaced
                self._record_failure(await self._refreshed(error) if is_expired_token(error) else error)
            else:
                self._outbox.succeeded(self._clock())
                self._last_row = returned_row(response.data)
            self._changed.set()

    async def _refreshed(self, expired: BaseException) -> BaseException:
        """See AgentReporter._refreshed."""
        try:
            await self._client.auth.refresh_session()
        except BaseException as refresh_error:  # noqa: BLE001
            return refresh_error if is_transient(refresh_error) else expired
        return SessionRefreshed(str(expired))

    def _record_failure(self, error: BaseException) -> None:
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
