"""Scenario `madrid`: a shop that reports in Europe/Madrid (var reporting_timezone), around both 2026 clock changes.

Every mart date is the local date of a UTC timestamp; durations and the 30-minute rule stay absolute time. Madrid
is UTC+1 in winter and UTC+2 in summer; clocks go forward at 2026-03-29 01:00 UTC and back at 2026-10-25 01:00 UTC.
Each row below would land on another day (or cohort, or maturity) in UTC, so every expectation fails without the
rule. All sessions are direct, on desktop.

| session | visitor | UTC events                        | local (Madrid)               | date_day | pages | seconds |
|---------|---------|-----------------------------------|------------------------------|----------|-------|---------|
| S1      | v1      | 03-28 23:50                       | 03-29 00:50 (UTC+1)          | 03-29    | /     | 0       |
| S2      | v1      | 03-29 00:50, 01:10 (20 min apart) | 01:50 (UTC+1), 03:10 (UTC+2) | 03-29    | /a /b | 1200    |
| S3      | v2      | 03-31 22:20 view p1, cart, buy o1 | 04-01 00:20 (UTC+2)          | 04-01    | p1    | 300     |
| S4      | v3      | 10-25 00:50, 01:10 (20 min apart) | 02:50 (UTC+2), 02:10 (UTC+1) | 10-25    | / /c  | 1200    |
| S5      | v5      | 10-30 23:30                       | 10-31 00:30 (UTC+1)          | 10-31    | /     | 0       |

S1 and S2 are 60 minutes apart (two sessions). S2's events are 20 minutes apart although the local clock jumps
80 minutes; S4's local clock runs backwards and the session still lasts 1200 seconds.

Orders: o1 (c1, 03-31 22:30 UTC = 04-01 00:30 local, 80.00, p1; attributed to S3, direct), o2 (c1, 05-15 10:00 UTC,
15.00, p3, no purchase event: unattributed), o3 (c2, 10-01 10:00 UTC, 120.00, p2, unattributed), returned in full
on 10-10 (r1). as_of_date = 2026-10-31, the local date of S5's event (in UTC it would be 10-30): o3's order date
2026-10-01 + 30 days = 10-31 <= as_of_date, so it is mature (in UTC it would not be). c1's cohort is April (o1 is
on April 1st locally, March 31st in UTC) and c1 repeats with o2 within 90 days, unattributed so not organically.
"""

from __future__ import annotations

from . import SHOP, Scenario, customers, event, item, order, products
from .orders import a_return

EVENTS = [
    event("m01", "2026-03-28 23:50:00", "v1", "page_view", f"{SHOP}/"),
    event("m02", "2026-03-29 00:50:00", "v1", "page_view", f"{SHOP}/a"),
    event("m03", "2026-03-29 01:10:00", "v1", "page_view", f"{SHOP}/b"),
    event("m04", "2026-03-31 22:20:00", "v2", "product_view", f"{SHOP}/products/p1", product_id="p1"),
    event("m05", "2026-03-31 22:22:00", "v2", "add_to_cart", f"{SHOP}/products/p1", product_id="p1"),
    event("m06", "2026-03-31 22:25:00", "v2", "purchase", f"{SHOP}/checkout/thanks", customer_id="c1",
          order_id="o1"),
    event("m07", "2026-10-25 00:50:00", "v3", "page_view", f"{SHOP}/"),
    event("m08", "2026-10-25 01:10:00", "v3", "page_view", f"{SHOP}/c"),
    event("m09", "2026-10-30 23:30:00", "v5", "page_view", f"{SHOP}/"),
]

ORDERS = [
    order("o1", "c1", "2026-03-31 22:30:00", "placed", "80.00"),
    order("o2", "c1", "2026-05-15 10:00:00", "delivered", "15.00"),
    order("o3", "c2", "2026-10-01 10:00:00", "delivered", "120.00"),
]

ORDER_ITEMS = [item("o1", "p1", 1, "80.00"), item("o2", "p3", 1, "15.00"), item("o3", "p2", 1, "120.00")]

RETURNS = [a_return("r1", "o3", "p2", 1, "120.00", "2026-10-10 09:00:00", "changed mind")]


SCENARIO = Scenario(
    name="madrid",
    tables={
        "raw_events": EVENTS,
        "raw_orders": ORDERS,
        "raw_order_items": ORDER_ITEMS,
        "raw_returns": RETURNS,
        "raw_products": products(),
        "raw_customers": customers("c1", "c2"),
    },
    kpis={
        # (date_day, channel, sessions, users, pageviews)
        "kpi_traffic": [
            ("2026-03-29", "direct", 2, 1, 3),
            ("2026-04-01", "direct", 1, 1, 1),
            ("2026-10-25", "direct", 1, 1, 2),
            ("2026-10-31", "direct", 1, 1, 1),
        ],
        # (date_day, product_id, name, category, product_views, product_view_sessions, add_to_carts)
        "kpi_product_page_views": [("2026-04-01", "p1", "Trail Shoe", "shoes", 1, 1, 1)],
        # (date_day, device, sessions, pageviews, total seconds, bounced, pages/session, avg seconds, bounce rate)
        "kpi_engagement": [
            ("2026-03-29", "desktop", 2, 3, 1200, 1, 1.5, 600.0, 0.5),  # S1 bounces; S2 has two pages
            ("2026-04-01", "desktop", 1, 1, 300, 0, 1.0, 300.0, 0.0),  # one page, but a cart and a purchase
            ("2026-10-25", "desktop", 1, 2, 1200, 0, 2.0, 1200.0, 0.0),
            ("2026-10-31", "desktop", 1, 1, 0, 1, 1.0, 0.0, 1.0),
        ],
        # (date_day, page_path, pageviews, exits, exit_rate)
        "kpi_exit_pages": [
            ("2026-03-29", "/", 1, 1, 1.0),
            ("2026-03-29", "/a", 1, 0, 0.0),
            ("2026-03-29", "/b", 1, 1, 1.0),
            ("2026-04-01", "/products/p1", 1, 1, 1.0),
            ("2026-10-25", "/", 1, 0, 0.0),
            ("2026-10-25", "/c", 1, 1, 1.0),
            ("2026-10-31", "/", 1, 1, 1.0),
        ],
        # (date_day, device, sessions, carted, abandoned, rate, checkout sessions, abandoned checkouts, rate)
        "kpi_cart_abandonment": [
            ("2026-03-29", "desktop", 2, 0, 0, None, 0, 0, None),
            ("2026-04-01", "desktop", 1, 1, 0, 0.0, 0, 0, None),
            ("2026-10-25", "desktop", 1, 0, 0, None, 0, 0, None),
            ("2026-10-31", "desktop", 1, 0, 0, None, 0, 0, None),
        ],
        # (order_date, orders, returned, items sold, items returned, revenue, refunded, return rate, refund rate,
        # is_mature): every order date + 30 days <= 2026-10-31, o3's exactly on the edge
        "kpi_return_rate": [
            ("2026-04-01", 1, 0, 1, 0, 80.0, 0.0, 0.0, 0.0, True),
            ("2026-05-15", 1, 0, 1, 0, 15.0, 0.0, 0.0, 0.0, True),
            ("2026-10-01", 1, 1, 1, 1, 120.0, 120.0, 1.0, 1.0, True),
        ],
        # (date_day, channel, device, sessions, converted, conversion rate, orders, revenue)
        "kpi_conversion_rate": [
            ("2026-03-29", "direct", "desktop", 2, 0, 0.0, 0, 0.0),
            ("2026-04-01", "direct", "desktop", 1, 1, 1.0, 1, 80.0),
            ("2026-10-25", "direct", "desktop", 1, 0, 0.0, 0, 0.0),
            ("2026-10-31", "direct", "desktop", 1, 0, 0.0, 0, 0.0),
        ],
        # (date_day, channel, source, sessions, users, converted, orders, revenue, session_share)
        "kpi_referral_sources": [
            ("2026-03-29", "direct", "(direct)", 2, 1, 0, 0, 0.0, 1.0),
            ("2026-04-01", "direct", "(direct)", 1, 1, 1, 1, 80.0, 1.0),
            ("2026-10-25", "direct", "(direct)", 1, 1, 0, 0, 0.0, 1.0),
            ("2026-10-31", "direct", "(direct)", 1, 1, 0, 0, 0.0, 1.0),
        ],
        # (cohort_month, customers, repeat, organic repeat, rate, organic rate, is_mature):
        # April: 04-30 + 90 days = 07-29 <= 10-31, mature; October: 10-31 + 90 days > 10-31
        "kpi_organic_repurchase_rate": [
            ("2026-04-01", 1, 1, 0, 1.0, 0.0, True),
            ("2026-10-01", 1, 0, 0, 0.0, 0.0, False),
        ],
    },
    as_of_date="2026-10-31",
    raw_event_rows=9,
    accepted_events=9,
    bot_events=0,
    duplicate_rows=[],
    rejected_events={},
    rejected_returns={},
    accepted_returns=1,
    order_channels={"o1": "direct", "o2": "unattributed", "o3": "unattributed"},
    dbt_vars={"reporting_timezone": "Europe/Madrid"},
)
