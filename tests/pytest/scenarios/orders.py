"""Scenario `orders`: five months of orders (2024, a leap year), returns and repeat customers.

Covers the return rate (a return with an unknown order is rejected, a return of a cancelled order is
accepted yet counts nowhere, an order_id with a stray blank still matches), maturity against the computed
`as_of_date` (exactly on the boundary), and the organic repurchase rate (TOR): a repeat order that is
organic without discount, with a discount, through a paid channel, exactly 90 days after the first order,
one second more than 90 days after it, a cancelled repeat, a cancelled first order, a blank discount code,
a purchase fired only by a bot (so the order is unattributed).

Sessions (one page_view then one purchase each; every session converts and carts nothing):

| session | visitor | day   | device  | channel        | source               | seconds | page         | order |
|---------|---------|-------|---------|----------------|----------------------|---------|--------------|-------|
| T3      | b3      | 02-10 | desktop | paid_search    | google               | 300     | /products/p1 | o32   |
| T1      | b1      | 02-15 | desktop | direct         | (direct)             | 120     | /            | o12   |
| T2      | b2      | 03-01 | mobile  | organic_search | bing.com             | 240     | /            | o22   |
| T6      | b6      | 03-05 | desktop | email          | crm                  | 120     | /            | o82   |
| T7      | b6      | 03-10 | desktop | direct         | (direct)             | 60      | /            | o83   |
| T5      | b5      | 04-01 | mobile  | organic_social | t.co                 | 600     | /            | o72   |
| T4      | b4      | 04-04 | mobile  | referral       | news.ycombinator.com | 1       | /            | o42   |

Every other valid order is unattributed (no non-bot purchase event).
as_of_date = 2024-05-29: the latest of accepted events (04-04), valid orders (04-30) and accepted returns
(r3, 05-29); not the rejected return r4 (07-01), the cancelled o99 (06-15) nor the rejected event (08-01).
"""

from __future__ import annotations

from dataclasses import replace

from . import SHOP, ExpectedRow, Scenario, customers, event, item, order, products

EVENTS = [
    event("f01", "2024-02-15 09:58:00", "b1", "page_view", f"{SHOP}/"),
    event("f02", "2024-02-15 10:00:00", "b1", "purchase", f"{SHOP}/checkout/thanks", customer_id="c1",
          order_id="o12"),
    event("f03", "2024-03-01 08:55:00", "b2", "page_view", f"{SHOP}/", device_category="mobile",
          page_referrer="https://www.bing.com/search?q=rain+jacket"),
    event("f04", "2024-03-01 08:59:00", "b2", "purchase", f"{SHOP}/checkout/thanks", device_category="mobile",
          customer_id="c2", order_id="o22"),
    event("f05", "2024-02-10 07:55:00", "b3", "page_view", f"{SHOP}/products/p1?utm_source=google&utm_medium=cpc",
          utm_source="google", utm_medium="cpc"),
    event("f06", "2024-02-10 08:00:00", "b3", "purchase", f"{SHOP}/checkout/thanks", customer_id="c3",
          order_id="o32"),
    event("f07", "2024-04-04 12:00:00", "b4", "page_view", f"{SHOP}/", device_category="mobile",
          page_referrer="https://news.ycombinator.com/item?id=1"),
    event("f08", "2024-04-04 12:00:01", "b4", "purchase", f"{SHOP}/checkout/thanks", device_category="mobile",
          customer_id="c4", order_id="o42"),
    event("f09", "2024-04-01 09:50:00", "b5", "page_view", f"{SHOP}/", device_category="mobile",
          page_referrer="https://t.co/abc"),
    event("f10", "2024-04-01 10:00:00", "b5", "purchase", f"{SHOP}/checkout/thanks", device_category="mobile",
          customer_id="c7", order_id="o72"),
    event("f11", "2024-03-05 11:58:00", "b6", "page_view", f"{SHOP}/?utm_source=crm&utm_medium=newsletter",
          utm_source="CRM", utm_medium="Newsletter"),
    event("f12", "2024-03-05 12:00:00", "b6", "purchase", f"{SHOP}/checkout/thanks", customer_id="c8",
          order_id="o82"),
    event("f13", "2024-03-10 11:59:00", "b6", "page_view", f"{SHOP}/"),
    event("f14", "2024-03-10 12:00:00", "b6", "purchase", f"{SHOP}/checkout/thanks", customer_id="c8",
          order_id="o83"),
    # Only a bot fired the purchase of o91: it is in no session, so o91 is unattributed.
    event("f15", "2024-03-15 18:00:00", "b7", "purchase", f"{SHOP}/checkout/thanks",
          user_agent="python-requests/2.31.0", order_id="o91"),
    # Rejected (unknown_event_name), dated after everything: it must not move as_of_date.
    event("f99", "2024-08-01 10:00:00", "b1", "Scroll", f"{SHOP}/"),
]

ORDERS = [
    # c1: first order by phone (unattributed); repeat within 90 days through a direct session, no discount.
    order("o11", "c1", "2024-01-10 10:00:00", "delivered", "50.00"),
    order("o12", "c1", "2024-02-15 10:00:00", "delivered", "40.00"),
    # c2: repeat within 90 days, organic search, but with a discount code.
    order("o21", "c2", "2024-01-20 09:00:00", "delivered", "60.00"),
    order("o22", "c2", "2024-03-01 09:00:00", "shipped", "30.00", "SPRING10"),
    # c3: repeat within 90 days through paid search.
    order("o31", "c3", "2024-01-31 23:00:00", "delivered", "25.00"),
    order("o32", "c3", "2024-02-10 08:00:00", "delivered", "35.00"),
    # c4: organic repeat 90 days and 1 second after the first order: outside the window.
    order("o41", "c4", "2024-01-05 12:00:00", "delivered", "70.00"),
    order("o42", "c4", "2024-04-04 12:00:01", "placed", "20.00"),
    # c5: the only repeat is cancelled (and it has an accepted return).
    order("o51", "c5", "2024-01-15 08:00:00", "delivered", "15.00"),
    order("o52", "c5", "2024-01-20 10:00:00", "cancelled", "99.00"),
    # c6: first order cancelled in December; the first VALID order makes c6 a January customer.
    order("o60", "c6", "2023-12-20 10:00:00", "Cancelled", "45.00"),
    order("o61", "c6", "2024-01-10 15:00:00", "delivered", "45.00"),
    # c7: organic repeat exactly 90 days after the first order; a blank discount code is no code.
    order("o71", "c7", "2024-01-02 10:00:00", "delivered", "80.00"),
    order("o72", "c7", "2024-04-01 10:00:00", "placed", "10.00", "  "),
    # c8: February cohort (leap day); repeats by email, then organic without discount.
    order("o81", "c8", "2024-02-29 12:00:00", "delivered", "55.00"),
    order("o82", "c8", "2024-03-05 12:00:00", "delivered", "22.00"),
    order("o83", "c8", "2024-03-10 12:00:00", "delivered", "33.00"),
    # c9: one valid order (bot purchase event only), and a late cancelled one.
    order("o91", "c9", "2024-03-15 18:00:00", "placed", "12.00"),
    order("o99", "c9", "2024-06-15 10:00:00", "cancelled", "5.00"),
    # c10, c11: April cohort; o101 is 30 days before as_of_date (mature), o111 29 days (not mature).
    order("o101", "c10", "2024-04-29 10:00:00", "placed", "18.00"),
    order("o111", "c11", "2024-04-30 08:00:00", "placed", "14.00"),
]

ORDER_ITEMS = [
    item("o11", "p1", 1, "30.00"),
    item("o11", "p2", 1, "20.00"),
    item("o12", "p3", 1, "40.00"),
    item("o21", "p3", 3, "20.00"),
    item("o22", "p2", 2, "15.00"),
    item("o31", "p1", 1, "25.00"),
    item("o32", "p1", 1, "35.00"),
    item("o41", "p1", 1, "70.00"),
    item("o42", "p3", 1, "20.00"),
    item("o51", "p3", 1, "15.00"),
    item("o52", "p1", 4, "24.75"),
    item("o60", "p1", 1, "45.00"),
    item("o61", "p3", 2, "22.50"),
    item("o71", "p1", 1, "80.00"),
    item("o72", "p3", 1, "10.00"),
    item("o81", "p2", 1, "55.00"),
    item("o82", "p3", 1, "22.00"),
    item("o83", "p3", 1, "33.00"),
    item("o91", "p3", 1, "12.00"),
    item("o99", "p3", 1, "5.00"),
    item("o101", "p3", 1, "18.00"),
    item("o111", "p3", 1, "14.00"),
]


def a_return(
    return_id: str, order_id: str, product_id: str, quantity: int, refund: str, returned_at: str, reason: str
) -> dict[str, str | None]:
    """A raw_returns row."""
    return {
        "return_id": return_id,
        "order_id": order_id,
        "product_id": product_id,
        "quantity": str(quantity),
        "refund_amount": refund,
        "returned_at": returned_at,
        "reason": reason,
    }


RETURNS = [
    a_return("r1", "o11", "p1", 1, "30.00", "2024-01-20 10:00:00", "too small"),
    a_return("r2", "o11 ", "p2", 1, "20.00", "2024-01-22 10:00:00", " "),  # stray blank in the order id
    a_return("r3", "o22", "p2", 1, "15.00", "2024-05-29 09:00:00", "damaged"),  # sets as_of_date
    a_return("r4", "o404", "p1", 1, "9.99", "2024-07-01 10:00:00", "unknown order"),  # rejected
    a_return("r5", "o52", "p1", 2, "50.00", "2024-01-25 10:00:00", "changed mind"),  # cancelled order
]

SESSION_KPIS: dict[str, list[ExpectedRow]] = {
    # (date_day, channel, sessions, users, pageviews): one session, one page each
    "kpi_traffic": [
        ("2024-02-10", "paid_search", 1, 1, 1),
        ("2024-02-15", "direct", 1, 1, 1),
        ("2024-03-01", "organic_search", 1, 1, 1),
        ("2024-03-05", "email", 1, 1, 1),
        ("2024-03-10", "direct", 1, 1, 1),
        ("2024-04-01", "organic_social", 1, 1, 1),
        ("2024-04-04", "referral", 1, 1, 1),
    ],
    "kpi_product_page_views": [],  # no product_view event
    # (date_day, device, sessions, pageviews, total_duration, bounced, pages/session, avg duration, bounce rate)
    "kpi_engagement": [
        ("2024-02-10", "desktop", 1, 1, 300, 0, 1.0, 300.0, 0.0),  # T3 07:55 -> 08:00
        ("2024-02-15", "desktop", 1, 1, 120, 0, 1.0, 120.0, 0.0),  # T1 09:58 -> 10:00
        ("2024-03-01", "mobile", 1, 1, 240, 0, 1.0, 240.0, 0.0),  # T2 08:55 -> 08:59
        ("2024-03-05", "desktop", 1, 1, 120, 0, 1.0, 120.0, 0.0),  # T6 11:58 -> 12:00
        ("2024-03-10", "desktop", 1, 1, 60, 0, 1.0, 60.0, 0.0),  # T7 11:59 -> 12:00
        ("2024-04-01", "mobile", 1, 1, 600, 0, 1.0, 600.0, 0.0),  # T5 09:50 -> 10:00
        ("2024-04-04", "mobile", 1, 1, 1, 0, 1.0, 1.0, 0.0),  # T4 12:00:00 -> 12:00:01
    ],
    # (date_day, page_path, pageviews, exits, exit_rate): each session's only page is its exit
    "kpi_exit_pages": [
        ("2024-02-10", "/products/p1", 1, 1, 1.0),
        ("2024-02-15", "/", 1, 1, 1.0),
        ("2024-03-01", "/", 1, 1, 1.0),
        ("2024-03-05", "/", 1, 1, 1.0),
        ("2024-03-10", "/", 1, 1, 1.0),
        ("2024-04-01", "/", 1, 1, 1.0),
        ("2024-04-04", "/", 1, 1, 1.0),
    ],
    # no cart, no checkout: both rates NULL (denominator 0)
    "kpi_cart_abandonment": [
        (day, device, 1, 0, 0, None, 0, 0, None)
        for day, device in [
            ("2024-02-10", "desktop"),
            ("2024-02-15", "desktop"),
            ("2024-03-01", "mobile"),
            ("2024-03-05", "desktop"),
            ("2024-03-10", "desktop"),
            ("2024-04-01", "mobile"),
            ("2024-04-04", "mobile"),
        ]
    ],
    # (date_day, channel, device, sessions, converted, conversion_rate, orders, revenue)
    "kpi_conversion_rate": [
        ("2024-02-10", "paid_search", "desktop", 1, 1, 1.0, 1, 35.00),  # o32
        ("2024-02-15", "direct", "desktop", 1, 1, 1.0, 1, 40.00),  # o12
        ("2024-03-01", "organic_search", "mobile", 1, 1, 1.0, 1, 30.00),  # o22
        ("2024-03-05", "email", "desktop", 1, 1, 1.0, 1, 22.00),  # o82
        ("2024-03-10", "direct", "desktop", 1, 1, 1.0, 1, 33.00),  # o83
        ("2024-04-01", "organic_social", "mobile", 1, 1, 1.0, 1, 10.00),  # o72
        ("2024-04-04", "referral", "mobile", 1, 1, 1.0, 1, 20.00),  # o42
    ],
    # (date_day, channel, source, sessions, users, converted, orders, revenue, session_share)
    "kpi_referral_sources": [
        ("2024-02-10", "paid_search", "google", 1, 1, 1, 1, 35.00, 1.0),
        ("2024-02-15", "direct", "(direct)", 1, 1, 1, 1, 40.00, 1.0),
        ("2024-03-01", "organic_search", "bing.com", 1, 1, 1, 1, 30.00, 1.0),
        ("2024-03-05", "email", "crm", 1, 1, 1, 1, 22.00, 1.0),
        ("2024-03-10", "direct", "(direct)", 1, 1, 1, 1, 33.00, 1.0),
        ("2024-04-01", "organic_social", "t.co", 1, 1, 1, 1, 10.00, 1.0),
        ("2024-04-04", "referral", "news.ycombinator.com", 1, 1, 1, 1, 20.00, 1.0),
    ],
}

# (order_date, orders, returned, items_sold, items_returned, revenue, refunded, return_rate, refund_rate,
#  is_mature = order_date + 30 days <= as_of_date 2024-05-29). Cancelled orders (o52, o60, o99) are in no row.
RETURN_RATE: list[ExpectedRow] = [
    ("2024-01-02", 1, 0, 1, 0, 80.00, 0.00, 0.0, 0.0, True),  # o71
    ("2024-01-05", 1, 0, 1, 0, 70.00, 0.00, 0.0, 0.0, True),  # o41
    # o11 (2 items, 50.00; returns r1 + r2: 2 items, 30.00 + 20.00) and o61 (2 items, 45.00)
    ("2024-01-10", 2, 1, 4, 2, 95.00, 50.00, 1 / 2, 50 / 95, True),
    ("2024-01-15", 1, 0, 1, 0, 15.00, 0.00, 0.0, 0.0, True),  # o51
    ("2024-01-20", 1, 0, 3, 0, 60.00, 0.00, 0.0, 0.0, True),  # o21 (the cancelled o52 and its return r5: no)
    ("2024-01-31", 1, 0, 1, 0, 25.00, 0.00, 0.0, 0.0, True),  # o31
    ("2024-02-10", 1, 0, 1, 0, 35.00, 0.00, 0.0, 0.0, True),  # o32
    ("2024-02-15", 1, 0, 1, 0, 40.00, 0.00, 0.0, 0.0, True),  # o12
    ("2024-02-29", 1, 0, 1, 0, 55.00, 0.00, 0.0, 0.0, True),  # o81
    ("2024-03-01", 1, 1, 2, 1, 30.00, 15.00, 1.0, 0.5, True),  # o22, return r3
    ("2024-03-05", 1, 0, 1, 0, 22.00, 0.00, 0.0, 0.0, True),  # o82
    ("2024-03-10", 1, 0, 1, 0, 33.00, 0.00, 0.0, 0.0, True),  # o83
    ("2024-03-15", 1, 0, 1, 0, 12.00, 0.00, 0.0, 0.0, True),  # o91
    ("2024-04-01", 1, 0, 1, 0, 10.00, 0.00, 0.0, 0.0, True),  # o72
    ("2024-04-04", 1, 0, 1, 0, 20.00, 0.00, 0.0, 0.0, True),  # o42: 05-04 <= 05-29
    ("2024-04-29", 1, 0, 1, 0, 18.00, 0.00, 0.0, 0.0, True),  # o101: 04-29 + 30 = 05-29 <= 05-29
    ("2024-04-30", 1, 0, 1, 0, 14.00, 0.00, 0.0, 0.0, False),  # o111: 05-30 > 05-29
]

# (cohort_month, customers, repeat, organic repeat, repurchase_rate, organic_repurchase_rate, is_mature =
#  last day of the month + 90 days <= as_of_date 2024-05-29)
REPURCHASE: list[ExpectedRow] = [
    # January: c1, c2, c3, c4, c5, c6, c7. Repeat within 90 days: c1 (o12), c2 (o22), c3 (o32), c7 (o72,
    # exactly 90 days); not c4 (90 days + 1 s), c5 (cancelled repeat), c6. Organic and without discount:
    # c1 (direct), c7 (organic_social, blank code); not c2 (discount), c3 (paid_search).
    # 01-31 + 90 days = 04-30 <= 05-29.
    ("2024-01-01", 7, 4, 2, 4 / 7, 2 / 7, True),
    # February: c8 (o81 on the leap day); o82 by email, o83 direct without code. 02-29 + 90 = 05-29.
    ("2024-02-01", 1, 1, 1, 1.0, 1.0, True),
    # March: c9 (o91); o99 is cancelled. 03-31 + 90 = 06-29 > 05-29.
    ("2024-03-01", 1, 0, 0, 0.0, 0.0, False),
    # April: c10, c11. 04-30 + 90 = 07-29.
    ("2024-04-01", 2, 0, 0, 0.0, 0.0, False),
]

SCENARIO = Scenario(
    name="orders",
    tables={
        "raw_events": EVENTS,
        "raw_orders": ORDERS,
        "raw_order_items": ORDER_ITEMS,
        "raw_returns": RETURNS,
        "raw_products": products(),
        "raw_customers": customers(*(f"c{number}" for number in range(1, 12))),
    },
    kpis={**SESSION_KPIS, "kpi_return_rate": RETURN_RATE, "kpi_organic_repurchase_rate": REPURCHASE},
    as_of_date="2024-05-29",
    raw_event_rows=16,  # 15 accepted (one a bot) + 0 duplicates + 1 rejected
    accepted_events=15,
    bot_events=1,
    duplicate_rows=[],
    rejected_events={"unknown_event_name": 1},
    rejected_returns={"unknown_order_id": 1},  # r4
    accepted_returns=4,  # r1, r2, r3, r5
    order_channels={
        "o11": "unattributed",
        "o12": "direct",
        "o21": "unattributed",
        "o22": "organic_search",
        "o31": "unattributed",
        "o32": "paid_search",
        "o41": "unattributed",
        "o42": "referral",
        "o51": "unattributed",
        "o61": "unattributed",
        "o71": "unattributed",
        "o72": "organic_social",
        "o81": "unattributed",
        "o82": "email",
        "o83": "direct",
        "o91": "unattributed",
        "o101": "unattributed",
        "o111": "unattributed",
    },
)


def _with_maturity(rows: list[ExpectedRow], mature: dict[str, bool]) -> list[ExpectedRow]:
    """`rows` with the last column (is_mature) replaced for the keys in `mature`."""
    return [(*row[:-1], mature.get(row[0], row[-1])) for row in rows]


# The same data with the var as_of_date = 2024-05-28, one day earlier than the data's own date: only the
# maturity flags on the boundary change.
SCENARIO_AS_OF = replace(
    SCENARIO,
    name="orders_as_of",
    dbt_vars={"as_of_date": "2024-05-28"},
    as_of_date="2024-05-28",
    kpis={
        **SCENARIO.kpis,
        # o101: 04-29 + 30 = 05-29 > 05-28 -> not mature; o42: 05-04 <= 05-28 still mature.
        "kpi_return_rate": _with_maturity(RETURN_RATE, {"2024-04-29": False}),
        # February: 02-29 + 90 = 05-29 > 05-28 -> not mature; January: 04-30 <= 05-28 still mature.
        "kpi_organic_repurchase_rate": _with_maturity(REPURCHASE, {"2024-02-01": False}),
    },
)
