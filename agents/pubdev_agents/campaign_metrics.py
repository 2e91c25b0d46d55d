"""record_campaign_metrics(): one data point of a campaign, written as a `campaign_metrics` row.

The point counts what the campaign did during the period that ends at `recorded_at` (default:
now): impressions, clicks, conversions and spend. The row is inserted with the client's own token,
so RLS decides (agent accounts, owners and admins, for campaigns of publishers they can see); the
database adds it to the campaign's totals and broadcasts it as `campaign_metric` on the publisher's
territory topic in the same transaction, so dashboards move as points arrive.

    point_id = record_campaign_metrics(client, campaign_id, impressions=1200, clicks=48, spend=25.0)
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from postgrest.exceptions import APIError
from supabase import Client

MAX_COUNT = 1_000_000_000_000  # the table's check constraint
MAX_SPEND = 10_000_000_000


class CampaignMetricsError(RuntimeError):
    """The point was refused: invalid figures (nothing sent), or the database's refusal (its code and message)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code


def metric_row(
    campaign_id: str, impressions: int, clicks: int, conversions: int, spend: float, recorded_at: datetime | None
) -> dict[str, Any]:
    """The row to insert, after checking each figure as the table would."""
    for name, value in (("impressions", impressions), ("clicks", clicks), ("conversions", conversions)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
            raise CampaignMetricsError(f"{name} must be a whole number from 0 to {MAX_COUNT}, got {value!r}")
    if isinstance(spend, bool) or not isinstance(spend, (int, float)) or not 0 <= spend <= MAX_SPEND:
        raise CampaignMetricsError(f"spend must be a number from 0 to {MAX_SPEND}, got {spend!r}")
    if recorded_at is not None and recorded_at.tzinfo is None:
        raise CampaignMetricsError("recorded_at must carry a time zone")
    row: dict[str, Any] = {
        "campaign_id": campaign_id,
        "impressions": impressions,
        "clicks": clicks,
        "conversions": conversions,
        "spend": round(float(spend), 2),
    }
    if recorded_at is not None:
        row["recorded_at"] = recorded_at.isoformat()
    return row


def record_campaign_metrics(
    client: Client,
    campaign_id: str,
    *,
    impressions: int = 0,
    clicks: int = 0,
    conversions: int = 0,
    spend: float = 0.0,
    recorded_at: datetime | None = None,
) -> int:
    """Writes one data point and returns its id; raises CampaignMetricsError when it is refused."""
    row = metric_row(campaign_id, impressions, clicks, conversions, spend, recorded_at)
    try:
        result = client.table("campaign_metrics").insert(row).execute()
    except APIError as error:
        raise CampaignMetricsError(error.message or str(error), error.code) from error
    return int(result.data[0]["id"])
