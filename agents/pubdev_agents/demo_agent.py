"""A demo agent: signs in with its own account and reports progress on one run.

It writes only its `agent_runs` row; the database trigger broadcasts `agent_status` on
`org:<org>` to every member watching. Agents publish over HTTP (table writes), not a
long-lived socket (see shared/LESSONS.md §10).

    python -m pubdev_agents.demo_agent            # against SUPABASE_URL (default: the local stack)
"""
from __future__ import annotations

import argparse
import os
import time
import uuid

from supabase import create_client

LOCAL_URL = "http://127.0.0.1:54321"
LOCAL_ANON_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9"
    ".CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
)
ACME_ORG = "11111111-1111-4111-8111-111111111111"
TASKS = ["Fetching publisher list", "Enriching contact data", "Scoring publishers", "Writing results"]


def run(url: str, key: str, email: str, password: str, org: str, step_seconds: float, cycles: int) -> None:
    client = create_client(url, key)
    client.auth.sign_in_with_password({"email": email, "password": password})
    cycle = 0
    while cycles <= 0 or cycle < cycles:
        cycle += 1
        run_id = str(uuid.uuid4())
        for progress in range(0, 101, 10):
            task = TASKS[min(progress * len(TASKS) // 100, len(TASKS) - 1)]
            client.table("agent_runs").upsert(
                {
                    "id": run_id,
                    "organization_id": org,
                    "agent_id": "demo-agent",
                    "status": "completed" if progress == 100 else "processing",
                    "progress": progress,
                    "current_task": task,
                    "estimated_time": int((100 - progress) / 10 * step_seconds),
                },
                on_conflict="id",
            ).execute()
            print(f"demo-agent run {run_id[:8]} {progress:3d}% {task}", flush=True)
            time.sleep(step_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SUPABASE_URL", LOCAL_URL))
    parser.add_argument("--key", default=os.environ.get("SUPABASE_ANON_KEY", LOCAL_ANON_KEY))
    parser.add_argument("--email", default=os.environ.get("PUBDEV_AGENT_EMAIL", "agent@acme.test"))
    parser.add_argument("--password", default=os.environ.get("PUBDEV_AGENT_PASSWORD", "pubdev-local-password"))
    parser.add_argument("--org", default=os.environ.get("PUBDEV_ORG_ID", ACME_ORG))
    parser.add_argument("--step-seconds", type=float, default=2.0)
    parser.add_argument("--cycles", type=int, default=0, help="0 = until interrupted")
    args = parser.parse_args()
    try:
        run(args.url, args.key, args.email, args.password, args.org, args.step_seconds, args.cycles)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
