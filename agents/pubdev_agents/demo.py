"""Demo agent: enriches a queue of three publishers and reports every step to PubDev.

What a dashboard watching `org:<org>` sees: three runs queued, then one after the other
processing with the current task, progress and ETA; the second hits a transient upstream error,
goes back to the head of the queue as attempt 2 and resumes; all three complete. Meanwhile it
reports campaign performance: every few steps a data point for each active campaign it can see,
so the dashboard's charts and KPI tiles move. The agent signs in with its own account and writes
only its `agent_runs` rows and `campaign_metrics` points (the database broadcasts both).

    python -m pubdev_agents.demo --cycles 1      # against SUPABASE_URL (default: the local stack)
"""
from __future__ import annotations

import argparse
import logging
import os
import time
from dataclasses import dataclass

from supabase import Client, create_client

from .campaign_metrics import CampaignMetricsError, record_campaign_metrics
from .reporter import AgentReporter

LOCAL_URL = "http://127.0.0.1:54321"
LOCAL_ANON_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9"
    ".CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
)
ACME_ORG = "11111111-1111-4111-8111-111111111111"
AGENT_ID = "demo-agent"
PUBLISHERS = ["Sunrise Books", "Pacific Press", "Harbor House"]
STAGES = ["Fetching the profile of {}", "Enriching contacts of {}", "Scoring {}", "Writing results for {}"]
FLAKY_PUBLISHER = 1  # the second publisher's first attempt fails part-way
FAIL_AT_PERCENT = 60
METRICS_EVERY_STEPS = 4  # a data point per active campaign every fourth progress step
log = logging.getLogger("pubdev_agents.demo")


@dataclass(frozen=True)
class DemoTiming:
    step_seconds: float = 0.5  # one progress step
    steps: int = 20  # progress steps per publisher


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


def run_cycle(client: Client, organization_id: str, timing: DemoTiming) -> list[str]:
    """One queue of three publishers, start to finish; returns the run ids."""
    reporters = [AgentReporter(client, organization_id, AGENT_ID) for _ in PUBLISHERS]
    campaigns = CampaignFeed(client, organization_id)
    try:
        for position, (reporter, publisher) in enumerate(zip(reporters, PUBLISHERS)):
            reporter.queued(position)
            _say(reporter, publisher, f"queued at position {position}")
        for index, (reporter, publisher) in enumerate(zip(reporters, PUBLISHERS)):
            for waiting, later in enumerate(reporters[index + 1 :]):
                later.queued(waiting)
            reporter.start(STAGES[0].format(publisher))
            _say(reporter, publisher, "started")
            fail_at = timing.steps * FAIL_AT_PERCENT // 100 if index == FLAKY_PUBLISHER else None
            stopped = _work(reporter, publisher, timing, 0, fail_at, campaigns)
            if stopped < timing.steps:
                reporter.fail("Enrichment API timed out (HTTP 504); retrying", retry=True)
                _say(reporter, publisher, "transient error: back in the queue as attempt 2")
                time.sleep(timing.step_seconds * 2)
                reporter.start(f"Retrying: {STAGES[1].format(publisher)}")
                _say(reporter, publisher, "attempt 2 started")
                _work(reporter, publisher, timing, stopped, None, campaigns)
            reporter.complete({"publisher": publisher, "contactsFound": 3 + index * 2, "attempts": 2 if stopped < timing.steps else 1})
            _say(reporter, publisher, "completed")
        return [reporter.run_id for reporter in reporters]
    finally:
        for reporter in reporters:
            reporter.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SUPABASE_URL", LOCAL_URL))
    parser.add_argument("--key", default=os.environ.get("SUPABASE_ANON_KEY", LOCAL_ANON_KEY))
    parser.add_argument("--email", default=os.environ.get("PUBDEV_AGENT_EMAIL", "agent@acme.test"))
    parser.add_argument("--password", default=os.environ.get("PUBDEV_AGENT_PASSWORD", "pubdev-local-password"))
    parser.add_argument("--org", default=os.environ.get("PUBDEV_ORG_ID", ACME_ORG))
    parser.add_argument("--step-seconds", type=float, default=DemoTiming.step_seconds)
    parser.add_argument("--steps", type=int, default=DemoTiming.steps, help="progress steps per publisher")
    parser.add_argument("--cycles", type=int, default=0, help="queues to process; 0 = until interrupted")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the story
    client = create_client(args.url, args.key)
    client.auth.sign_in_with_password({"email": args.email, "password": args.password})
    timing = DemoTiming(step_seconds=args.step_seconds, steps=args.steps)
    cycle = 0
    try:
        while args.cycles <= 0 or cycle < args.cycles:
            cycle += 1
            run_cycle(client, args.org, timing)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
