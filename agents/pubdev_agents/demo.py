"""Demo agent: queues three publishers for enrichment and works its queue, reporting every step.

What a dashboard sees: three work items queued (1st, 2nd, 3rd in queue), claimed one after the
other, each processing with its task, progress and ETA while the positions of the others move up;
the second hits a transient upstream error, goes back to the queue as attempt 2 and is claimed
again; each completes with a result summary, and the publisher's owner gets a notification. A run
cancelled from the dashboard stops at the agent's next report and the agent takes the next item.
Meanwhile it reports campaign performance: every few steps a data point for each active campaign
it can see, so the dashboard's charts and KPI tiles move. The agent signs in with its own account
and writes only its `agent_runs` rows and `campaign_metrics` points (the database broadcasts both).

    python -m pubdev_agents.demo --cycles 1      # against SUPABASE_URL (default: the local stack)
"""
from __future__ import annotations

import argparse
import logging
import os
import time
from dataclasses import dataclass

import httpx
from supabase import Client, create_client

from .campaign_metrics import CampaignMetricsError, record_campaign_metrics
from .reporter import AgentReporter
from .work import enqueue

LOCAL_URL = "http://127.0.0.1:54321"
LOCAL_ANON_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9"
    ".CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
)
ACME_ORG = "11111111-1111-4111-8111-111111111111"
AGENT_ID = "demo-agent"
# The seed's publishers (supabase/fixture.ts): two in US_West, one in US_East.
PUBLISHERS = [
    ("Sunrise Books", "c0000000-0000-4000-8000-000000000001"),
    ("Pacific Press", "c0000000-0000-4000-8000-000000000002"),
    ("Harbor House", "c0000000-0000-4000-8000-000000000003"),
]
STAGES = ["Fetching the profile of {}", "Enriching contacts of {}", "Scoring {}", "Writing results for {}"]
FLAKY_PUBLISHER = "Pacific Press"  # its first attempt fails part-way
FAIL_AT_PERCENT = 60
METRICS_EVERY_STEPS = 4  # a data point per active campaign every fourth progress step
log = logging.getLogger("pubdev_agents.demo")


@dataclass(frozen=True)
class DemoTiming:
    step_seconds: float = 0.5  # one progress step
    steps: int = 20  # progress steps per publisher
    lease_seconds: int = 30  # a demo agent killed mid-run shows "stalled" half a minute later


def _say(reporter: AgentReporter, publisher: str, text: str) -> None:
    print(f"{AGENT_ID} run {reporter.run_id[:8]} {publisher:<14} {text}", flush=True)


class CampaignFeed:
    """Data points for the campaigns the agent can see: made-up but plausible figures that rise and fall."""

    def __init__(self, client: Client, organization_id: str) -> None:
        self._client = client
        self._tick = 0
        try:
            rows = (
                client.table("campaigns").select("id").eq("organization_id", organization_id).eq("status", "active").execute()
            ).data
            self.campaign_ids = [str(row["id"]) for row in rows]
        except Exception as error:  # a demo without campaigns still demonstrates runs
            log.warning("no campaign metrics: %s", error)
            self.campaign_ids = []

    def report(self) -> None:
        self._tick += 1
        for index, campaign_id in enumerate(self.campaign_ids):
            wave = (self._tick * 7 + index * 13) % 20
            impressions = 800 + 60 * wave
            try:
                record_campaign_metrics(
                    self._client,
                    campaign_id,
                    impressions=impressions,
                    clicks=impressions * (3 + wave % 4) // 100,
                    conversions=wave % 5,
                    spend=round(impressions * 0.02, 2),
                )
            except CampaignMetricsError as error:
                log.warning("campaign %s: %s", campaign_id, error)
            except httpx.TransportError as error:
                # Made-up figures of a period: while the project is unreachable the demo skips them
                # rather than stop its runs, whose reports retry (the outbox) and must all land.
                log.warning("campaign %s: point skipped (%s)", campaign_id, error)


def _work(
    reporter: AgentReporter,
    publisher: str,
    timing: DemoTiming,
    first_step: int,
    fail_at: int | None,
    campaigns: CampaignFeed | None = None,
) -> int:
    """Walks the progress steps from `first_step`; returns the step it stopped at (fail_at or the end)."""
    for step in range(first_step, timing.steps + 1):
        if fail_at is not None and step == fail_at:
            return step
        if campaigns is not None and step % METRICS_EVERY_STEPS == 0:
            campaigns.report()
        percent = 100 * step / timing.steps
        task = STAGES[min(step * len(STAGES) // timing.steps, len(STAGES) - 1)].format(publisher)
        eta = (timing.steps - step) * timing.step_seconds
        reporter.progress(percent, task, eta_seconds=eta)
        _say(reporter, publisher, f"{percent:5.1f}% {task} (ETA {eta:.0f} s)")
        time.sleep(timing.step_seconds)
    return timing.steps


def work_queue(
    client: Client, organization_id: str, timing: DemoTiming, campaigns: CampaignFeed | None = None
) -> list[str]:
    """Claims and works items of the demo agent's queue until it is empty; returns the runs worked."""
    worked: list[str] = []
    while (reporter := AgentReporter.claim(client, organization_id, AGENT_ID, lease_seconds=timing.lease_seconds)) is not None:
        row = reporter.claimed or {}
        publisher = str((row.get("input") or {}).get("publisher") or row.get("current_task") or "work")
        attempt = int(row.get("attempt") or 1)
        worked.append(reporter.run_id)
        with reporter:
            with reporter.run(STAGES[0].format(publisher)):
                _say(reporter, publisher, f"claimed (attempt {attempt})")
                fail_at = timing.steps * FAIL_AT_PERCENT // 100 if publisher == FLAKY_PUBLISHER and attempt == 1 else None
                stopped = _work(reporter, publisher, timing, 0, fail_at, campaigns)
                if stopped < timing.steps:
                    reporter.fail("Enrichment API timed out (HTTP 504); retrying", retry=True)
                    _say(reporter, publisher, "transient error: back in the queue as attempt 2")
                    time.sleep(timing.step_seconds * 2)
                    continue
                reporter.complete({"publisher": publisher, "contactsFound": 3 + len(worked) * 2, "attempts": attempt})
                _say(reporter, publisher, "completed")
        if reporter.cancelled:
            _say(reporter, publisher, "cancelled from the dashboard: stopped")
    return worked


def run_cycle(client: Client, organization_id: str, timing: DemoTiming) -> list[str]:
    """Queues the three publishers and works the queue to its end; returns the queued run ids."""
    queued = [
        enqueue(client, organization_id, AGENT_ID, f"Enrich {name}", publisher_id=publisher_id, input={"publisher": name})
        for name, publisher_id in PUBLISHERS
    ]
    print(f"{AGENT_ID} queued {len(queued)} publishers", flush=True)
    time.sleep(timing.step_seconds * 4)  # a moment in which the dashboard shows the whole queue
    work_queue(client, organization_id, timing, CampaignFeed(client, organization_id))
    return queued


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SUPABASE_URL", LOCAL_URL))
    parser.add_argument("--key", default=os.environ.get("SUPABASE_ANON_KEY", LOCAL_ANON_KEY))
    parser.add_argument("--email", default=os.environ.get("PUBDEV_AGENT_EMAIL", "agent@acme.test"))
    parser.add_argument("--password", default=os.environ.get("PUBDEV_AGENT_PASSWORD", "pubdev-local-password"))
    parser.add_argument("--org", default=os.environ.get("PUBDEV_ORG_ID", ACME_ORG))
    parser.add_argument("--step-seconds", type=float, default=DemoTiming.step_seconds)
    parser.add_argument("--steps", type=int, default=DemoTiming.steps, help="progress steps per publisher")
    parser.add_argument("--lease-seconds", type=int, default=DemoTiming.lease_seconds)
    parser.add_argument("--cycles", type=int, default=0, help="queues to process; 0 = until interrupted")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the story
    client = create_client(args.url, args.key)
    client.auth.sign_in_with_password({"email": args.email, "password": args.password})
    timing = DemoTiming(step_seconds=args.step_seconds, steps=args.steps, lease_seconds=args.lease_seconds)
    cycle = 0
    try:
        while args.cycles <= 0 or cycle < args.cycles:
            cycle += 1
            run_cycle(client, args.org, timing)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
