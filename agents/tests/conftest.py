"""Starts the local stack (scripts/local.ts) once per backend for the Python suites.

PGlite always; the machine's PostgreSQL too when PUBDEV_TEST_POSTGRES_URL is set (CI sets it).
Tests talk to it only through the real `supabase` client, exactly as agents talk to Supabase.
"""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AGENTS_DIR = ROOT / "agents"  # where `python -m pubdev_agents...` finds the package without installing it
NODE = ROOT / "node_modules" / ".bin" / "node"
TSX = ["--import", "tsx"]

ANON_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9"
    ".CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
)
SERVICE_ROLE_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0"
    ".EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
)
JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
FIXTURE_PASSWORD = "pubdev-local-password"

ACME_ORG = "11111111-1111-4111-8111-111111111111"
GLOBEX_ORG = "22222222-2222-4222-8222-222222222222"
USERS = {
    "acme_owner": ("a0000000-0000-4000-8000-000000000001", "owner@acme.test"),
    "acme_west": ("a0000000-0000-4000-8000-000000000002", "west@acme.test"),
    "acme_agent": ("a0000000-0000-4000-8000-000000000003", "agent@acme.test"),
    "globex_member": ("b0000000-0000-4000-8000-000000000001", "member@globex.test"),
}

STARTUP_TIMEOUT_S = 90  # PGlite boot + migrations on a busy two-core CI machine


@dataclass(frozen=True)
class Stack:
    url: str
    backend: str
    anon_key: str = ANON_KEY
    service_role_key: str = SERVICE_ROLE_KEY
    jwt_secret: str = JWT_SECRET


def _node(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        [str(NODE), *TSX, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _backends() -> list[str]:
    if os.environ.get("PUBDEV_TEST_POSTGRES_URL"):
        return ["pglite", "postgres"]
    if os.environ.get("CI"):
        raise RuntimeError("CI runs the Python suites on PostgreSQL too: set PUBDEV_TEST_POSTGRES_URL")
    return ["pglite"]


@dataclass
class StackProcess:
    """A running scripts/local.ts; stop() ends it (SIGTERM, then SIGKILL) and waits."""

    proc: subprocess.Popen[str]
    url: str

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)


def stack_env(database_url: str | None = None, data_dir: str | None = None, port: int = 0) -> dict[str, str]:
    # Some cases use public rooms and a public postgres_changes channel: opt out of the stack's
    # private-only default (PUBDEV_REALTIME_PRIVATE_ONLY, docs/security.md).
    env = {
        **os.environ,
        "PUBDEV_PORT": str(port),
        "PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS": "0",
        "PUBDEV_REALTIME_PRIVATE_ONLY": "false",
        # One stack serves the whole session, whose many sign-ins would exceed Auth's burst of 30
        # token requests per client IP (the local stack's rate limit has its own tests).
        "PUBDEV_AUTH_RATE_LIMIT_TOKEN": "1000000",
    }
    env.pop("PUBDEV_DATA_DIR", None)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if data_dir:
        env["PUBDEV_DATA_DIR"] = data_dir
    return env


def start_stack(env: dict[str, str]) -> StackProcess:
    """Starts scripts/local.ts and returns once it prints its API URL."""
    proc = subprocess.Popen(
        [str(NODE), *TSX, "scripts/local.ts"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    try:
        while True:
            line = lines.get(timeout=STARTUP_TIMEOUT_S)
            seen.append(line)
            if line.startswith("API URL: "):
                return StackProcess(proc, line.removeprefix("API URL: ").strip())
    except queue.Empty:
        os.killpg(proc.pid, signal.SIGKILL)
        raise RuntimeError("local stack did not start:\n" + "".join(seen)) from None


def create_database() -> str:
    return _node("scripts/test-database.ts", "create")


def drop_database(url: str) -> None:
    _node("scripts/test-database.ts", "drop", url)


@pytest.fixture(scope="session", params=_backends())
def stack(request: pytest.FixtureRequest):
    database_url = create_database() if request.param == "postgres" else None
    running = start_stack(stack_env(database_url=database_url))
    try:
        yield Stack(url=running.url, backend=request.param)
    finally:
        running.stop()
        if database_url:
            drop_database(database_url)
