"""Which failures are worth retrying, and how long to wait before the next attempt.

Transient: the server was unreachable, too slow, overloaded or restarting — connection refused or
reset, timeouts, HTTP 5xx, 408, 429, and the PostgREST/PostgreSQL codes that mean "the database is
not available right now". Anything else (a 4xx, an RLS refusal, a contract violation) is the
caller's to fix and is raised at once: retrying it would only repeat the refusal.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx
from postgrest.exceptions import APIError

# PostgREST: could not connect / pool timeout / schema cache not ready (all 503/504 there).
_TRANSIENT_POSTGREST_CODES = {"PGRST000", "PGRST001", "PGRST002", "PGRST003"}
# PostgreSQL: connection exceptions, insufficient resources, shutdown, serialization/deadlock.
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "53", "57P01", "57P02", "57P03", "40001", "40P01")
_TRANSIENT_STATUSES = {408, 429}


def is_transient_status(status: int) -> bool:
    return status >= 500 or status in _TRANSIENT_STATUSES


class SessionRefreshed(Exception):
    """The access token had expired and the client's session was refreshed: retry the write."""


def is_expired_token(error: BaseException) -> bool:
    return isinstance(error, APIError) and error.code == "PGRST303"


def is_transient(error: BaseException) -> bool:
    if isinstance(error, SessionRefreshed):
        return True
    if isinstance(error, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)):
        return True
    if isinstance(error, httpx.HTTPStatusError):
        return is_transient_status(error.response.status_code)
    if isinstance(error, APIError):
        code = error.code
        # postgrest-py puts the HTTP status into `code` when the body was not PostgREST's JSON
        # (a gateway's 502/503 page, for example). SQLSTATEs are five characters, often digits
        # too ("42501" is an RLS refusal), so only three digits mean a status.
        if isinstance(code, int) or (isinstance(code, str) and len(code) == 3 and code.isdigit()):
            return is_transient_status(int(code))
        if isinstance(code, str):
            return code in _TRANSIENT_POSTGREST_CODES or code.startswith(_TRANSIENT_SQLSTATE_PREFIXES)
    return False


@dataclass
class Backoff:
    """Capped exponential backoff with jitter: attempt n waits between half and all of
    min(cap, base * 2**n).

    RATIONALE: "equal jitter" (not full jitter) keeps a floor under each wait, so a restarting
    server is not hammered, while the random half still spreads many agents apart.
    """

    base: float = 0.1
    cap: float = 5.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * (2.0 ** min(attempt, 32)))
        return ceiling / 2 + float(self.rng.uniform(0, ceiling / 2))


class RetriesExhausted(RuntimeError):
    """A transient failure lasted longer than the reporter's retry window."""

    def __init__(self, seconds: float, last: BaseException) -> None:
        super().__init__(f"gave up after {seconds:.1f} s of transient failures; last: {last!r}")
        self.last = last


def stop_reason(error: BaseException) -> str | None:
    """Why the server refused a report for good because the run is no longer this worker's, or None.

    The database refuses a write to a cancelled run, or for an attempt that is over (the run went
    back to the queue, maybe to another worker), with SQLSTATE PT409 (HTTP 409); its message
    names the run and the reason (docs/python-agents.md "Cancellation").
    """
    if isinstance(error, APIError) and error.code == "PT409":
        return str(error.message or "the run was cancelled")
    return None
