"""notify(): a notification to an organisation or one of its members, through the
`realtime-bridge` edge function (POST /functions/v1/realtime-bridge/broadcast).

The bridge writes the `notifications` row and the database broadcasts it on `user:<id>` or
`org:<org>`. It authenticates the caller from the client's current token, so who may notify is
the bridge's roles table: the service role and owners/admins always, members to members of their
organisation; agent accounts may only report `agent_status` (use AgentReporter), so an agent that
notifies people does so with a service-role client.

Each call carries one Idempotency-Key for all its attempts.
RATIONALE: a retry after a lost response (timeout, reset connection, 5xx from a gateway) must not
deliver the notification twice; the bridge answers a repeated key with its first answer.
"""
from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Literal, Mapping

import httpx
from supabase import AsyncClient, Client

from .contract import validate_message
from .retry import Backoff, is_transient, is_transient_status

Level = Literal["info", "warning", "error", "success"]
BRIDGE_PATH = "realtime-bridge/broadcast"
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRY_FOR = 30.0
SOURCE_PATTERN = re.compile(r"^[a-z_]{1,32}$")  # what the bridge stores as notifications.source


class NotifyError(RuntimeError):
    """The bridge refused the notification (its `{ error: { code, message, details? } }`), or it
    stayed unreachable for the whole retry window (status None)."""

    def __init__(self, status: int | None, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status or 'unreachable'} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


def notification_request(
    organization_id: str, message: str, level: Level, user_id: str | None, action_url: str | None, source: str | None
) -> dict[str, Any]:
    """The bridge's request body, after checking the notification against the contract."""
    data: dict[str, Any] = {"message": message, "level": level}
    if user_id is not None:
        data["userId"] = user_id
    if action_url is not None:
        data["actionUrl"] = action_url
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    # The row's id is the bridge's to assign; the placeholder only satisfies the envelope.
    validate_message("notification", {"id": "pending", "type": "notification", "data": data, "timestamp": now})
    body: dict[str, Any] = {"organizationId": organization_id, "message": {"type": "notification", "data": data}}
    if user_id is not None:
        body["target"] = {"userId": user_id}
    if source is not None:
        if not SOURCE_PATTERN.match(source):
            raise ValueError(f"source must be 1-32 lowercase letters or underscores, got {source!r}")
        body["source"] = source
    return body


def _headers(client: Client | AsyncClient, key: str) -> dict[str, str]:
    # options.headers follows the session: supabase-py rewrites Authorization on sign-in/refresh.
    return {**client.options.headers, "Content-Type": "application/json", "Idempotency-Key": key}


def _url(client: Client | AsyncClient) -> str:
    return f"{str(client.functions_url).rstrip('/')}/{BRIDGE_PATH}"


def _outcome(response: httpx.Response) -> dict[str, Any] | None:
    """The 202 answer; None when the status is worth retrying; NotifyError otherwise."""
    if response.status_code == 202 or response.is_success:
        answer: dict[str, Any] = response.json()
        return answer
    if is_transient_status(response.status_code):
        return None
    try:
        error: Mapping[str, Any] = response.json()["error"]
        raise NotifyError(response.status_code, str(error.get("code")), str(error.get("message")), error.get("details"))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise NotifyError(response.status_code, "http_error", response.text[:500]) from None


def _wait(response: httpx.Response | None, backoff: Backoff, attempt: int) -> float:
    retry_after = response.headers.get("Retry-After") if response is not None else None
    if retry_after is not None and retry_after.strip().isdigit():
        return max(float(retry_after), backoff.delay(attempt))
    return backoff.delay(attempt)


def notify(
    client: Client,
    organization_id: str,
    message: str,
    level: Level = "info",
    user_id: str | None = None,
    action_url: str | None = None,
    *,
    source: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retry_for: float = DEFAULT_RETRY_FOR,
    backoff: Backoff | None = None,
) -> dict[str, Any]:
    """Sends the notification; returns the bridge's `{ id, type, topic }`."""
    body = notification_request(organization_id, message, level, user_id, action_url, source)
    key, backoff, started = str(uuid.uuid4()), backoff or Backoff(), time.monotonic()
    with httpx.Client(timeout=timeout) as http:
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                response = http.post(_url(client), json=body, headers=_headers(client, key))
                answer = _outcome(response)
                if answer is not None:
                    return answer
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                if not is_transient(error):
                    raise
                last = repr(error)
            if time.monotonic() - started > retry_for:
                raise NotifyError(response.status_code if response else None, "unavailable", f"gave up after {retry_for} s: {last}")
            time.sleep(_wait(response, backoff, attempt))
            attempt += 1


async def anotify(
    client: AsyncClient,
    organization_id: str,
    message: str,
    level: Level = "info",
    user_id: str | None = None,
    action_url: str | None = None,
    *,
    source: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retry_for: float = DEFAULT_RETRY_FOR,
    backoff: Backoff | None = None,
) -> dict[str, Any]:
    """notify() for asyncio agents."""
    body = notification_request(organization_id, message, level, user_id, action_url, source)
    key, backoff, started = str(uuid.uuid4()), backoff or Backoff(), time.monotonic()
    async with httpx.AsyncClient(timeout=timeout) as http:
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                response = await http.post(_url(client), json=body, headers=_headers(client, key))
                answer = _outcome(response)
                if answer is not None:
                    return answer
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                if not is_transient(error):
                    raise
                last = repr(error)
            if time.monotonic() - started > retry_for:
                raise NotifyError(response.status_code if response else None, "unavailable", f"gave up after {retry_for} s: {last}")
            await asyncio.sleep(_wait(response, backoff, attempt))
            attempt += 1
