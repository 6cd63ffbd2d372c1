"""Scenarios of the bad-input suite (issue 7, docs/decisions.md "Bad input").

Every raw row carries the outcome the project promises for it: accepted, set aside as a repeated delivery, or
rejected with a given reason. The expected rejected rows, the accounting identity and the rejection rates per
table and load are derived from those outcomes; the marts expected from the accepted rows are worked out by
hand below, next to the rows.

- MESSY: one dataset holding every case that must not stop the build (unparseable timestamps, numbers and
  dates; an extra column; negative and zero quantities and prices; refunds larger than the order; returns of
  more units than sold; returns before the order; orders and returns in the future; events years away from
  their loaded_at; very long strings; unicode and emoji in names and URLs; URLs without scheme or with odd
  ports; campaign tags holding quotes and SQL; duplicate order ids; order lines of unknown orders; purchase
  events naming unknown orders).
- EMPTY: every raw table empty. ONE_ROW: every raw table one row.
- BROKEN_COLUMNS: raw_orders with `ordered_at` renamed `order_date`, raw_products without `list_price`,
  raw_events with a `loaded_at` that is no timestamp: the build must stop, naming each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import SHOP, event, item, order
from .orders import a_return

ACCEPTED = "accepted"
DUPLICATE = "duplicate"  # a repeated delivery of an event, set aside in stg_shop__events_duplicates

Row = dict[str, str | None]


@dataclass(frozen=True)
class RawRow:
    """One raw row (column -> text cell, None = NULL) and what must become of it."""

    values: Row
    outcome: str  # ACCEPTED, DUPLICATE or the rejection reason


@dataclass(frozen=True)
class RawTable:
    """A raw table as delivered. `columns` None means the SPEC 1 columns; otherwise exactly these, in order
    (an extra, missing or renamed column)."""

    rows: Sequence[RawRow]
    columns: Sequence[str] | None = None


@dataclass(frozen=True)
class BadInputScenario:
    name: str
    tables: Mapping[str, RawTable]
    dbt_vars: Mapping[str, Any] = field(default_factory=dict)


# The model holding each raw table's rejected rows, and the columns that identify a rejected row there.
REJECTED_MODELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "raw_events": ("stg_shop__events_rejected", ("event_id",)),
    "raw_orders": ("stg_shop__orders_rejected", ("order_id",)),
    "raw_order_items": ("stg_shop__order_items_rejected", ("order_id", "product_id")),
    "raw_returns": ("stg_shop__returns_rejected", ("return_id",)),
    "raw_products": ("stg_shop__products_rejected", ("product_id",)),
    "raw_customers": ("stg_shop__customers_rejected", ("customer_id",)),
}
ACCEPTED_MODELS = {
    "raw_events": "stg_shop__events",
    "raw_orders": "stg_shop__orders",
    "raw_order_items": "stg_shop__order_items",
    "raw_returns": "stg_shop__returns",
    "raw_products": "stg_shop__products",
    "raw_customers": "stg_shop__customers",
}


def accepted(values: Row) -> RawRow:
    return RawRow(values, ACCEPTED)


def rejected(reason: str, values: Row) -> RawRow:
    return RawRow(values, reason)


def clean(cell: str | None) -> str | None:
    """A text cell as staging keeps it: trimmed of white space, empty or a NULL marker (`\\N`, `NULL` in any case)
    = NULL (SPEC 1, macros/text.sql)."""
    if cell is None:
        return None
    value = cell.strip()
    return None if value == "" or value == "\\N" or value.lower() == "null" else value


def product(product_id: str, name: str, category: str, list_price: str | None) -> Row:
    return {"product_id": product_id, "product_name": name, "category": category, "list_price": list_price}


def customer(customer_id: str, full_name: str, email: str, created_at: str | None) -> Row:
    return {
        "customer_id": customer_id,
        "email": email,
        "full_name": full_name,
        "country_code": "es",
        "created_at": created_at,
    }


# ---------------------------------------------------------------------------------------------------------
# MESSY
# ---------------------------------------------------------------------------------------------------------

# Campaign tags and a referrer holding quotes and SQL: data, never SQL.
QUOTED_SOURCE = "news'letter"
SQL_CAMPAIGN = "x'); drop table marts.fct_orders; --"
TAGGED_URL = f"{SHOP}/?utm_source=news%27letter&utm_medium=email&utm_campaign=x%27)%3B+drop+table"
UNICODE_PATH = "/productos/zapatilla-niño-🏃"
LONG_PATH = "/" + "a" * 10_000  # a 10,001-character page path
UNICODE_REFERRER_HOST = "münchen.example.de"
UNICODE_PAGE = "/sobre-nosotros/ünïcödé"
PRODUCT_NAME_EMOJI = "Zapatilla Niño 🏃‍♀️ 跑鞋"
LONG_PRODUCT_NAME = "Long " + "x" * 5_000
EXTRA_EVENT_COLUMN = "ip_address"
MEDIUM_WITH_TABS = "\tEmail\u00a0"
OFFSET_LOADED_AT = "2024-03-01 11:00:00+02:00"
UNPARSEABLE_EVENT_TS = "2024-03-01 10:00:00+25:00"
UNPARSEABLE_TOTAL = "12,50"
ALMOST_WHOLE_QUANTITY = "2.9999999999"
EXTRA_ORDER_COLUMN = "coupon_note"

EVENT_COLUMNS = (
    "event_id", "event_ts", "loaded_at", "anonymous_id", "customer_id", "event_name", "page_url",
    "page_referrer", "utm_source", "utm_medium", "utm_campaign", "product_id", "order_id", "device_category",
    "user_agent",
)
ORDER_COLUMNS = ("order_id", "customer_id", "ordered_at", "status", "order_total", "discount_code")


def _event(outcome: str, *args: Any, ip_address: str | None = "203.0.113.7", **kwargs: Any) -> RawRow:
    return RawRow({**event(*args, **kwargs), EXTRA_EVENT_COLUMN: ip_address}, outcome)


MESSY_EVENTS = [
    # --- v1, desktop, session S1 (2024-03-01 10:00-10:03): email channel from its tags, source "news'letter"
    # (the medium wrapped in a tab and a no-break space, trimmed like blanks: not channel `other`).
    # Loaded at 10:10 UTC...
    _event(DUPLICATE, "e01", "2024-03-01 10:00:00", "v1", "page_view", TAGGED_URL, utm_source=QUOTED_SOURCE,
           utm_medium=MEDIUM_WITH_TABS, utm_campaign=SQL_CAMPAIGN),
    # ...and again ten minutes later: a duplicate, not a rejection
    _event(DUPLICATE, "e01", "2024-03-01 10:00:00", "v1", "page_view", TAGGED_URL, loaded_at="2024-03-01 10:20:00",
           utm_source=QUOTED_SOURCE, utm_medium=MEDIUM_WITH_TABS, utm_campaign=SQL_CAMPAIGN),
    # ...and at 11:00+02:00, 09:00 UTC: the earliest delivery, kept (dropping the offset would keep the 10:10 one)
    _event(ACCEPTED, "e01", "2024-03-01 10:00:00", "v1", "page_view", TAGGED_URL, loaded_at=OFFSET_LOADED_AT,
           utm_source=QUOTED_SOURCE, utm_medium=MEDIUM_WITH_TABS, utm_campaign=SQL_CAMPAIGN),
    # 11:01+01:00 is 10:01 UTC, in S1; read as 11:01 it would start a session of its own
    _event(ACCEPTED, "e02", "2024-03-01 11:01:00+01:00", "v1", "product_view", f"{SHOP}{UNICODE_PATH}?ref=home",
           product_id="p1", loaded_at="2024-03-01 10:11:00"),
    _event(ACCEPTED, "e03", "2024-03-01 10:02:00", "v1", "purchase", f"{SHOP}/checkout/thanks", order_id="o1",
           customer_id="c1"),
    # a purchase naming an order that raw_orders does not know: accepted (SPEC 3), reported by a warning
    _event(ACCEPTED, "e04", "2024-03-01 10:03:00", "v1", "purchase", f"{SHOP}/checkout/thanks",
           order_id="o-ghost", customer_id="c1"),
    # --- v2, mobile, session S2 (11:00-11:02): URL without scheme and with a port, protocol-relative Google
    # referrer (organic search, source google.es), a 10,001-character path, a purchase of a rejected order.
    # customer `\N`, the export marker of NULL: no customer; the device 'mobile<tab>' is mobile
    _event(ACCEPTED, "e05", "2024-03-01 11:00:00", "v2", "page_view", "shop.example.com:8443/checkout?step=1",
           device_category="mobile\t", page_referrer="//www.google.es/search?q=zapatillas", customer_id="\\N"),
    _event(ACCEPTED, "e06", "2024-03-01 11:01:00", "v2", "page_view", f"{SHOP}{LONG_PATH}?q=1",
           device_category="mobile", ip_address=None),
    _event(ACCEPTED, "e07", "2024-03-01 11:02:00", "v2", "purchase", f"{SHOP}/checkout/thanks", order_id="o2",
           device_category="mobile"),
    # --- v3, desktop, session S3 (2024-03-02 09:00): protocol-relative URL with a unicode path, a referrer with
    # a unicode host and an impossible port (referral, source münchen.example.de).
    _event(ACCEPTED, "e08", "2024-03-02 09:00:00", "v3", "page_view", f"//shop.example.com{UNICODE_PAGE}",
           page_referrer=f"https://{UNICODE_REFERRER_HOST}:99999/blog"),
    # --- rejected: timestamps that cannot be read, and client clocks years off their loaded_at
    _event("unparseable_event_ts", "x01", "not a time", "v9", "page_view", f"{SHOP}/", loaded_at="2024-03-02 12:00:00"),
    _event("unparseable_event_ts", "x02", "2024-02-30 10:00:00", "v9", "page_view", f"{SHOP}/",
           loaded_at="2024-03-02 12:00:00"),
    # an offset is converted, but one out of range is no offset
    _event("unparseable_event_ts", "x03", UNPARSEABLE_EVENT_TS, "v9", "page_view", f"{SHOP}/",
           loaded_at="2024-03-02 12:00:00"),
    _event("implausible_event_ts", "x04", "1970-01-01 00:00:00", "v9", "page_view", f"{SHOP}/",
           loaded_at="2024-03-01 12:00:00"),
    _event("implausible_event_ts", "x05", "2031-03-01 12:00:00", "v9", "page_view", f"{SHOP}/",
           loaded_at="2024-03-01 12:00:00"),
    # a row from 2099, stamped 2099 by its loader too: judged against the build's clock, so it cannot move
    # as_of_date (and with it every KPI window and maturity flag) to 2099
    _event("future_loaded_at", "x06", "2099-01-01 00:00:00", "v9", "purchase", f"{SHOP}/checkout/thanks",
           order_id="o1", loaded_at="2099-01-01 00:10:00"),
    # a later copy of e08 that says something else (a purchase): the earliest delivery is kept, the copy is a
    # duplicate flagged as conflicting, and a warning counts it
    _event(DUPLICATE, "e08", "2024-03-02 09:00:00", "v3", "purchase", f"//shop.example.com{UNICODE_PAGE}",
           order_id="o8", loaded_at="2024-03-02 11:00:00"),
]
MESSY_CONFLICTING_COPIES = {("e08", 2)}


def _order(outcome: str, *args: Any, coupon_note: str | None = None) -> RawRow:
    return RawRow({**order(*args), EXTRA_ORDER_COLUMN: coupon_note}, outcome)


MESSY_ORDERS = [
    _order(ACCEPTED, "o1", "c1", "2024-03-01 10:02:00", "delivered", "100.00", coupon_note="VIP; don't ship"),
    # two versions of o2: which total is right? Both rejected.
    _order("conflicting_order_id", "o2", "c2", "2024-03-01 11:02:00", "placed", "50.00"),
    _order("conflicting_order_id", "o2", "c2", "2024-03-01 11:02:00", "placed", "55.00"),
    # o3 exported twice, identical once trimmed and its offset converted (12:30+01:00 is 11:30 UTC): one order
    _order(ACCEPTED, "o3", "c2", "2024-03-01 12:30:00+01:00", "placed", "30.00"),
    _order("duplicate_order_id", " o3", "c2", "2024-03-01 11:30:00", "Placed ", "30.0"),
    _order("unparseable_ordered_at", "o4", "c2", "2024/03/01 12:00", "placed", "10.00"),
    # in the future: rejected, so it cannot move as_of_date to 2999
    _order("future_ordered_at", "o5", "c2", "2999-01-01 00:00:00", "placed", "10.00"),
    _order("unparseable_order_total", "o6", "c2", "2024-03-01 12:00:00", "placed", UNPARSEABLE_TOTAL),
    _order("negative_order_total", "o7", "c2", "2024-03-01 12:00:00", "placed", "-10.00"),
    # a free order (total zero) is an order
    _order(ACCEPTED, "o8", "c3", "2024-03-02 09:30:00", "delivered", "0.00"),
    _order("unparseable_ordered_at", "o9", "c3", "2024-03-02", "placed", "10.00"),
    # a NULL exported as epoch zero: not a 1970 order opening a cohort of its own
    _order("implausible_ordered_at", "o10", "c3", "1970-01-01 00:00:00", "placed", "10.00"),
]

MESSY_ORDER_ITEMS = [
    accepted(item("o1", "p1", 2, "40.00")),
    accepted(item("o1", "p2", 1, "20.00")),
    accepted(item("o3", "p2", 1, "30.00")),  # once, although o3 was exported twice
    accepted(item("o8", "p3", 1, "0.00")),  # a free item
    rejected("non_positive_quantity", item("o1", "p3", 0, "5.00")),
    rejected("non_positive_quantity", item("o1", "p3", -2, "5.00")),
    rejected("negative_unit_price", item("o1", "p3", 1, "-5.00")),
    rejected("unparseable_quantity", {"order_id": "o1", "product_id": "p3", "quantity": "1.5", "unit_price": "5.00"}),
    rejected("unparseable_quantity", {"order_id": "o1", "product_id": "p3", "quantity": "three", "unit_price": "5"}),
    # almost whole is not whole: a cast would round it to 3
    rejected("unparseable_quantity",
             {"order_id": "o1", "product_id": "p3", "quantity": ALMOST_WHOLE_QUANTITY, "unit_price": "5.00"}),
    rejected("unknown_order_id", item("o-unknown", "p1", 1, "40.00")),
    rejected("rejected_order_id", item("o2", "p1", 1, "50.00")),
]


def _return(outcome: str, *args: Any) -> RawRow:
    return RawRow(a_return(*args), outcome)


MESSY_RETURNS = [
    # o1 (total 100.00) sold 2 units of p1 and 1 of p2
    _return(ACCEPTED, "r1", "o1", "p1", 1, "40.00", "2024-03-05 10:00:00", "too small"),
    _return("duplicate_return_id", "r1", "o1", "p1", 1, "40.00", "2024-03-05 10:00:00", "too small "),
    # 1 + 2 units of p1 returned > 2 sold
    _return("returned_more_than_sold", "r2", "o1", "p1", 2, "80.00", "2024-03-06 10:00:00", "changed mind"),
    # refunds of o1: r1 40.00 + r3 70.00 > 100.00
    _return("refund_exceeds_order_total", "r3", "o1", "p2", 1, "70.00", "2024-03-07 10:00:00", "damaged"),
    # o3 was placed at 11:30 UTC; 12:00+02:00 is 10:00 UTC (read as 12:00 it would be after the order)
    _return("returned_before_order", "r4", "o3", "p2", 1, "10.00", "2024-03-01 12:00:00+02:00", "early"),
    _return("non_positive_quantity", "r5", "o1", "p1", 0, "0.00", "2024-03-05 11:00:00", "nothing"),
    _return("negative_refund_amount", "r6", "o8", "p3", 1, "-1.00", "2024-03-03 10:00:00", "free item"),
    _return("unknown_order_id", "r7", "o404", "p1", 1, "9.99", "2024-03-03 10:00:00", "who knows"),
    _return("unparseable_returned_at", "r8", "o3", "p2", 1, "30.00", "2024-03-04 25:00:00", "late"),
    _return(ACCEPTED, "r9", "o3", "p2", 1, "5.00", "2024-03-03 10:00:00", "partial refund 😐"),
    _return("future_returned_at", "r10", "o1", "p2", 1, "10.00", "2999-01-01 00:00:00", "from the future"),
]

MESSY_PRODUCTS = [
    accepted(product("p1", f" {PRODUCT_NAME_EMOJI} ", "shoes", "80.00")),
    accepted(product("p2", "Rain Jacket ☔", "outerwear", "120.00")),
    accepted(product("p3", LONG_PRODUCT_NAME, "accessories", "15.00")),
    rejected("unparseable_list_price", product("p4", "Cheap", "accessories", "cheap")),
    rejected("negative_list_price", product("p5", "Negative", "accessories", "-3.00")),
    accepted(product("p6", "Twice", "accessories", "5.00")),
    rejected("duplicate_product_id", product("p6", "Twice", "accessories", "5.00")),
    rejected("conflicting_product_id", product("p7", "Two prices", "accessories", "5.00")),
    rejected("conflicting_product_id", product("p7", "Two prices", "accessories", "6.00")),
]

MESSY_CUSTOMERS = [
    accepted(customer("c1", "Zoë Ñúñez 😀", "zoe@example.com", "2023-11-01 09:00:00")),
    accepted(customer("c2", "O'Brien; drop table raw.raw_customers", "ob@example.com", "2023-11-02 09:00:00")),
    accepted(customer("c3", "Customer three", "c3@example.com", "2023-11-03 09:00:00")),
    rejected("unparseable_created_at", customer("c4", "Four", "c4@example.com", "next tuesday")),
    # c5 twice, the email differing only in case: one customer
    accepted(customer("c5", "Five", "c5@example.com", "2023-11-05 09:00:00")),
    rejected("duplicate_customer_id", customer("c5", "Five", " C5@Example.com", "2023-11-05 09:00:00")),
    # c6 twice under two names: which is right? Both rejected.
    rejected("conflicting_customer_id", customer("c6", "Six", "c6@example.com", "2023-11-06 09:00:00")),
    rejected("conflicting_customer_id", customer("c6", "Sechs", "c6@example.com", "2023-11-06 09:00:00")),
]

MESSY = BadInputScenario(
    name="messy",
    tables={
        "raw_events": RawTable(MESSY_EVENTS, columns=(*EVENT_COLUMNS, EXTRA_EVENT_COLUMN)),
        "raw_orders": RawTable(MESSY_ORDERS, columns=(*ORDER_COLUMNS, EXTRA_ORDER_COLUMN)),
        "raw_order_items": RawTable(MESSY_ORDER_ITEMS),
        "raw_returns": RawTable(MESSY_RETURNS),
        "raw_products": RawTable(MESSY_PRODUCTS),
        "raw_customers": RawTable(MESSY_CUSTOMERS),
    },
)

# Hand-computed from the accepted rows above.
# as_of_date: the latest of the accepted events (03-02), valid orders (o8, 03-02) and accepted returns (r1,
# 03-05); not the future order o5 or return r10 (2999), nor the implausible event x05 (2031).
MESSY_AS_OF_DATE = "2024-03-05"

# Valid orders and their channel: o1's first purchase event e03 is in S1 (email); o3 and o8 have none.
MESSY_ORDER_CHANNELS = {"o1": "email", "o3": "unattributed", "o8": "unattributed"}

# kpi_return_rate (order_date, orders, returned, items_sold, items_returned, revenue, refunded, return_rate,
# refund_rate, is_mature): o1 (100.00; 3 items; r1: 1 item, 40.00) and o3 (30.00; 1 item; r9: 1 item, 5.00) on
# 03-01; o8 (0.00, 1 free item) on 03-02, whose refund rate divides by a revenue of 0: NULL, not an error.
# Mature when order_date + 30 days <= 2024-03-05: neither.
MESSY_RETURN_RATE = [
    ("2024-03-01", 2, 2, 4, 2, 130.00, 45.00, 1.0, 45 / 130, False),
    ("2024-03-02", 1, 0, 1, 0, 0.00, 0.00, 0.0, None, False),
]

# kpi_referral_sources (date_day, channel, source, sessions, users, converted, orders, revenue, session_share):
# S1 converted with o1; S2's purchases name o2 (rejected): converted, but no order and no revenue.
MESSY_REFERRAL_SOURCES = [
    ("2024-03-01", "email", QUOTED_SOURCE, 1, 1, 1, 1, 100.00, 0.5),
    ("2024-03-01", "organic_search", "google.es", 1, 1, 1, 0, 0.00, 0.5),
    ("2024-03-02", "referral", UNICODE_REFERRER_HOST, 1, 1, 0, 0, 0.00, 1.0),
]

# kpi_exit_pages (date_day, page_path, pageviews, exits, exit_rate): S1's pages are / then the product page
# (its exit; the purchases are no pages); S2's /checkout then the long path (its exit); S3's one page.
MESSY_EXIT_PAGES = [
    ("2024-03-01", "/", 1, 0, 0.0),
    ("2024-03-01", UNICODE_PATH, 1, 1, 1.0),
    ("2024-03-01", "/checkout", 1, 0, 0.0),
    ("2024-03-01", LONG_PATH, 1, 1, 1.0),
    ("2024-03-02", UNICODE_PAGE, 1, 1, 1.0),
]

# The purchase events naming an order that is not accepted: e04 (o-ghost, unknown) and e07 (o2, rejected).
MESSY_PURCHASES_OF_UNKNOWN_ORDERS = 2

# ---------------------------------------------------------------------------------------------------------
# EMPTY and ONE_ROW
# ---------------------------------------------------------------------------------------------------------

EMPTY = BadInputScenario(
    name="empty",
    tables={table: RawTable(()) for table in ACCEPTED_MODELS},
)

# One row in every raw table, all consistent: visitor w1 buys o1 (one unit of p1, 25.00) in a one-event
# session on 2024-04-10, and returns it a week later, refunded in full.
ONE_ROW = BadInputScenario(
    name="one_row",
    tables={
        "raw_events": RawTable([accepted(event("e1", "2024-04-10 12:00:00", "w1", "purchase",
                                               f"{SHOP}/checkout/thanks", order_id="o1", customer_id="c1"))]),
        "raw_orders": RawTable([accepted(order("o1", "c1", "2024-04-10 12:00:00", "delivered", "25.00"))]),
        "raw_order_items": RawTable([accepted(item("o1", "p1", 1, "25.00"))]),
        "raw_returns": RawTable([accepted(a_return("r1", "o1", "p1", 1, "25.00", "2024-04-17 12:00:00", "size"))]),
        "raw_products": RawTable([accepted(product("p1", "Solo", "shoes", "25.00"))]),
        "raw_customers": RawTable([accepted(customer("c1", "Only One", "one@example.com", "2024-01-01 00:00:00"))]),
    },
)

# The one session is direct (no tags, no referrer), desktop, one event, no page: 0 pageviews, no bounce.
# as_of_date = 2024-04-17 (the return).
ONE_ROW_AS_OF_DATE = "2024-04-17"
ONE_ROW_MARTS: dict[str, list[tuple[Any, ...]]] = {
    "kpi_traffic": [("2024-04-10", "direct", 1, 1, 0)],
    # sessions, pageviews, total_duration, bounced, pages/session, avg duration, bounce rate: the one session is a
    # purchase without any page, so it is not a bounce
    "kpi_engagement": [("2024-04-10", "desktop", 1, 0, 0, 0, 0.0, 0.0, 0.0)],
    "kpi_exit_pages": [],
    "kpi_product_page_views": [],
    "kpi_cart_abandonment": [("2024-04-10", "desktop", 1, 0, 0, None, 0, 0, None)],
    "kpi_conversion_rate": [("2024-04-10", "direct", "desktop", 1, 1, 1.0, 1, 25.00)],
    "kpi_referral_sources": [("2024-04-10", "direct", "(direct)", 1, 1, 1, 1, 25.00, 1.0)],
    # 04-10 + 30 days > 04-17: not mature
    "kpi_return_rate": [("2024-04-10", 1, 1, 1, 1, 25.00, 25.00, 1.0, 1.0, False)],
    # cohort April: 1 customer, no repeat; 04-30 + 90 days > 04-17: not mature
    "kpi_organic_repurchase_rate": [("2024-04-01", 1, 0, 0, 0.0, 0.0, False)],
}

# ---------------------------------------------------------------------------------------------------------
# BROKEN_COLUMNS
# ---------------------------------------------------------------------------------------------------------

RENAMED_TO = "order_date"
BAD_LOADED_AT = "yesterday"
BROKEN_COLUMNS = BadInputScenario(
    name="broken_columns",
    tables={
        **ONE_ROW.tables,
        # the loader's own stamp unreadable: the seed refuses it (DuckDB names file, line and column); in Parquet
        # the column can then only be text, which the contract refuses
        "raw_events": RawTable([
            *ONE_ROW.tables["raw_events"].rows,
            accepted(event("e2", "2024-04-10 12:05:00", "w1", "page_view", f"{SHOP}/", loaded_at=BAD_LOADED_AT)),
        ]),
        "raw_orders": RawTable(
            [RawRow({**order("o1", "c1", "2024-04-10 12:00:00", "delivered", "25.00"),
                     RENAMED_TO: "2024-04-10 12:00:00"}, ACCEPTED)],
            columns=tuple(RENAMED_TO if name == "ordered_at" else name for name in ORDER_COLUMNS),
        ),
        "raw_products": RawTable(
            [accepted(product("p1", "Solo", "shoes", None))],
            columns=("product_id", "product_name", "category"),
        ),
    },
)
