"""Hand-made scenarios for the whole-pipeline tests, and the shape of their expected answers.

Each scenario module defines `SCENARIO`: the six raw tables (SPEC 1) as text rows and, computed by hand
from SPEC.md (the computation is written next to each expected row), the full contents of every KPI mart
(SPEC 5), the staging verdicts (SPEC 2), the attribution of each valid order (SPEC 4) and `as_of_date`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# SPEC 5: per KPI mart, its grain columns then its other columns. Expected rows list values in this order.
KPI_GRAINS: dict[str, tuple[str, ...]] = {
    "kpi_traffic": ("date_day", "channel"),
    "kpi_product_page_views": ("date_day", "product_id"),
    "kpi_engagement": ("date_day", "device_category"),
    "kpi_exit_pages": ("date_day", "page_path"),
    "kpi_cart_abandonment": ("date_day", "device_category"),
    "kpi_return_rate": ("order_date",),
    "kpi_conversion_rate": ("date_day", "channel", "device_category"),
    "kpi_referral_sources": ("date_day", "channel", "source"),
    "kpi_organic_repurchase_rate": ("cohort_month",),
}

KPI_MEASURES: dict[str, tuple[str, ...]] = {
    "kpi_traffic": ("sessions", "users", "pageviews"),
    "kpi_product_page_views": (
        "product_name",
        "category",
        "product_views",
        "product_view_sessions",
        "add_to_carts",
    ),
    "kpi_engagement": (
        "sessions",
        "pageviews",
        "total_duration_seconds",
        "bounced_sessions",
        "pages_per_session",
        "avg_session_duration_seconds",
        "bounce_rate",
    ),
    "kpi_exit_pages": ("pageviews", "exits", "exit_rate"),
    "kpi_cart_abandonment": (
        "sessions",
        "carted_sessions",
        "abandoned_cart_sessions",
        "cart_abandonment_rate",
        "checkout_sessions",
        "abandoned_checkout_sessions",
        "checkout_abandonment_rate",
    ),
    "kpi_return_rate": (
        "orders",
        "returned_orders",
        "items_sold",
        "items_returned",
        "revenue",
        "refunded_amount",
        "return_rate",
        "refund_rate",
        "is_mature",
    ),
    "kpi_conversion_rate": ("sessions", "converted_sessions", "conversion_rate", "orders", "revenue"),
    "kpi_referral_sources": (
        "sessions",
        "users",
        "converted_sessions",
        "orders",
        "revenue",
        "session_share",
    ),
    "kpi_organic_repurchase_rate": (
        "customers",
        "repeat_customers",
        "organic_repeat_customers",
        "repurchase_rate",
        "organic_repurchase_rate",
        "is_mature",
    ),
}

KPI_COLUMNS: dict[str, tuple[str, ...]] = {mart: KPI_GRAINS[mart] + KPI_MEASURES[mart] for mart in KPI_GRAINS}

# A mart row as the tests compare it: dates as ISO text, money and rates as float, counts as int.
ExpectedRow = tuple[Any, ...]

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0 Safari/537.36"
SHOP = "https://shop.example.com"


@dataclass(frozen=True)
class Scenario:
    """Raw tables and every answer the pipeline must give on them."""

    name: str
    tables: Mapping[str, Sequence[Mapping[str, str | None]]]
    kpis: Mapping[str, Sequence[ExpectedRow]]
    as_of_date: str
    raw_event_rows: int
    accepted_events: int
    bot_events: int
    duplicate_rows: Sequence[tuple[str, str]]  # (event_id, loaded_at) of every duplicate delivery removed
    rejected_events: Mapping[str, int]  # rejection reason -> rows
    rejected_returns: Mapping[str, int]
    accepted_returns: int
    order_channels: Mapping[str, str]  # valid order -> channel (cancelled orders absent)
    dbt_vars: Mapping[str, Any] = field(default_factory=dict)


def plus_minutes(timestamp: str, minutes: int) -> str:
    """`YYYY-MM-DD HH:MM:SS` moved by some minutes."""
    moved = dt.datetime.fromisoformat(timestamp) + dt.timedelta(minutes=minutes)
    return moved.strftime("%Y-%m-%d %H:%M:%S")


def event(
    event_id: str | None,
    event_ts: str | None,
    anonymous_id: str | None,
    event_name: str | None,
    page_url: str | None = None,
    *,
    loaded_at: str | None = None,
    device_category: str | None = "desktop",
    user_agent: str | None = BROWSER,
    **columns: str | None,
) -> dict[str, str | None]:
    """A raw_events row; `loaded_at` defaults to 10 minutes after `event_ts`."""
    if loaded_at is None and event_ts is not None:
        loaded_at = plus_minutes(event_ts, 10)
    return {
        "event_id": event_id,
        "event_ts": event_ts,
        "loaded_at": loaded_at,
        "anonymous_id": anonymous_id,
        "event_name": event_name,
        "page_url": page_url,
        "device_category": device_category,
        "user_agent": user_agent,
        **columns,
    }


def products() -> list[dict[str, str | None]]:
    """The catalogue shared by the scenarios (a stray blank in one name)."""
    return [
        {"product_id": "p1", "product_name": " Trail Shoe ", "category": "shoes", "list_price": "80.00"},
        {"product_id": "p2", "product_name": "Rain Jacket", "category": "outerwear", "list_price": "120.00"},
        {"product_id": "p3", "product_name": "Wool Socks", "category": "accessories", "list_price": "15.00"},
    ]


def customers(*customer_ids: str) -> list[dict[str, str | None]]:
    """Catalogue rows for the given customers (personal data is made up)."""
    return [
        {
            "customer_id": customer_id,
            "email": f" {customer_id.upper()}@Example.com ",
            "full_name": f"Customer {customer_id}",
            "country_code": "es",
            "created_at": "2023-11-01 09:00:00",
        }
        for customer_id in customer_ids
    ]


def order(
    order_id: str,
    customer_id: str | None,
    ordered_at: str,
    status: str | None,
    order_total: str,
    discount_code: str | None = None,
) -> dict[str, str | None]:
    """A raw_orders row."""
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "ordered_at": ordered_at,
        "status": status,
        "order_total": order_total,
        "discount_code": discount_code,
    }


def item(order_id: str, product_id: str, quantity: int, unit_price: str) -> dict[str, str | None]:
    """A raw_order_items row."""
    return {"order_id": order_id, "product_id": product_id, "quantity": str(quantity), "unit_price": unit_price}
