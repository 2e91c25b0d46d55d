"""record_campaign_metrics() through the real `supabase` client: an agent's point lands in its
campaign's totals, people who may not record points are refused with the database's reason, and
bad figures never leave the agent."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from supabase import Client, create_client

from conftest import FIXTURE_PASSWORD, USERS
from pubdev_agents.campaign_metrics import CampaignMetricsError, record_campaign_metrics

SPRING = "ca000000-0000-4000-8000-000000000001"  # Sunrise Books (US_West)


def _signed_in(stack, user: str) -> Client:
    client = create_client(stack.url, stack.anon_key)
    client.auth.sign_in_with_password({"email": USERS[user][1], "password": FIXTURE_PASSWORD})
    return client


def _totals(stack) -> dict:
    service = create_client(stack.url, stack.service_role_key)
    return service.table("campaigns").select("impressions,clicks,conversions,spend,points").eq("id", SPRING).single().execute().data


def test_an_agent_records_a_point_that_moves_the_campaign_totals(stack):
    agent = _signed_in(stack, "acme_agent")
    before = _totals(stack)
    when = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    point_id = record_campaign_metrics(agent, SPRING, impressions=900, clicks=45, conversions=3, spend=12.5, recorded_at=when)
    assert point_id > 0
    after = _totals(stack)
    assert after["impressions"] == before["impressions"] + 900
    assert after["clicks"] == before["clicks"] + 45
    assert after["conversions"] == before["conversions"] + 3
    assert float(after["spend"]) == pytest.approx(float(before["spend"]) + 12.5)
    assert after["points"] == before["points"] + 1
    row = agent.table("campaign_metrics").select("recorded_at,recorded_by").eq("id", point_id).single().execute().data
    assert datetime.fromisoformat(row["recorded_at"]) == when
    assert row["recorded_by"] == USERS["acme_agent"][0]


@pytest.mark.parametrize("user", ["acme_west", "globex_member"])
def test_people_who_may_not_record_points_get_the_database_refusal(stack, user):
    before = _totals(stack)
    with pytest.raises(CampaignMetricsError) as refused:
        record_campaign_metrics(_signed_in(stack, user), SPRING, impressions=1)
    assert refused.value.code == "42501"
    assert "row-level security" in str(refused.value)
    assert _totals(stack) == before


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"impressions": -1}, "impressions must be a whole number"),
        ({"clicks": 1.5}, "clicks must be a whole number"),
        ({"conversions": True}, "conversions must be a whole number"),
        ({"spend": -0.01}, "spend must be a number"),
        ({"recorded_at": datetime(2026, 12, 1)}, "recorded_at must carry a time zone"),
    ],
)
def test_bad_figures_are_refused_before_anything_is_sent(figures, message):
    class Unreachable:
        def table(self, _name):  # pragma: no cover - the point is that it is never called
            raise AssertionError("nothing may be sent")

    with pytest.raises(CampaignMetricsError, match=message):
        record_campaign_metrics(Unreachable(), SPRING, **figures)  # type: ignore[arg-type]
