"""Scenario `loads`: three days of raw events (2024-05-01 D1 .. 2024-05-03 D3) delivered in three loads.

Events land in the load their `loaded_at` puts them in: load 1 is every row loaded up to T1, load 2 up to T2,
load 3 the rest. Orders, order items and returns are full tables (the shop exports them whole): each load
comes with the complete table as of then, so an order can appear, change status or get a return in a later
load. Products and customers never change.

What crosses the loads, and why it is there (a naive incremental model gets each of these wrong):

- v1, a session straddling loads 1 and 2 (and midnight): i101-i103 (D1 23:00-23:50) in load 1, i104-i105
  (D2 00:15-00:40) in load 2. Every gap is 25 minutes, so i101 lies more than the 30-minute timeout before
  the earliest new event: rebuilding from "earliest new event_ts - timeout" must still find the session's
  start (23:00), not restart it at i103. i103 is loaded exactly at T1 (the boundary belongs to load 1); i105
  (the purchase of io1) is delivered twice within load 2.
- v10, the same between loads 2 and 3: i1001-i1003 (D2 22:50-23:40) in load 2, i1004-i1005 (D3 00:05-00:30)
  in load 3. v10 has no late event, so nothing else in load 3 reaches back to its session's start.
- v2, a late event INSIDE a session: i203 (D1 10:10, loaded D3) falls between i201 and i202 of a load-1
  session (gaps 10 and 10 minutes): one more event and pageview, same session. A second late event, i206
  (D1 08:00, loaded D3), is two hours before anything else of v2: a new session that becomes v2's first.
- v3, a late event BRIDGING two sessions: i301-i302 (14:00-14:20) and i303-i304 (15:10-15:15) are two
  sessions after load 1 (a 50-minute gap); i305 (14:45, loaded D3) leaves gaps of 25 minutes on both sides
  and makes them one session (the second session's row must disappear). v3 also has a later session on D2
  (i306, load 2): it becomes v3's second session instead of its third. i302 is delivered again as the last
  row of load 2 (a duplicate, in load 2, of an event of load 1).
- v4, a late event moving a session to another day: the load-2 session i401-i402 started D2 00:10 from
  facebook.com; i403 (D1 23:50, from bing.com, loaded D3) comes 20 minutes before it, so the session now
  starts on D1, lands on `/` and is organic search: a new session_id, date_day, channel and landing page.
- io5, a late purchase changing an order's attribution: after load 2 its only purchase event is i502 (D2
  09:00) in v5's paid-social session; i602 (D2 08:59, loaded D3) is an earlier purchase event of io5 in v6's
  organic-search session, so io5 moves to v6 (its first purchase event). v5's session gets no new event in
  load 3 yet loses its order. i502 is delivered again in load 3 (a duplicate, in load 3, of an event of
  load 2). io5 is the repeat order of customer ic5 (io4 on D1 is a phone order): ic5 becomes an ORGANIC
  repeat customer only after load 3.
- Orders across loads: io4 and io6 exist from load 1; io1 and io5 appear in load 2; load 3 ships io1,
  CANCELS io6 (v9's load-1 session, which gets no new event, loses its order) and adds io7 (a phone order
  of ic1, unattributed). Returns: r2 (of io4) arrives in load 2, r1 (of io1) and the rejected r3 (unknown
  order) in load 3.
- The safety lookback (var `incremental_lookback_minutes`): i803 (v8, D2 20:10) is loaded at D2 23:58, one
  minute before load 2's last row (the duplicate of i302, D2 23:59), but lands only with load 3, as when a
  loader commits late: a model that reads only rows loaded after the latest loaded_at it holds misses it; one
  that re-reads the lookback finds it. (With x101 below, the only rows whose load is not given by their
  loaded_at.)
- Bots: v7 (Googlebot) has an event in load 1 and one in load 3 (D3 20:00, which sets as_of_date).
- Rejected rows: i801 without product_id in load 1, whose event_id is then delivered correctly in load 2
  (the rejected row is no first delivery); x201 (no anonymous_id) in load 2; x301 (unknown event name) in
  load 3. x101 arrives with load 1 stamped loaded_at 2099 (a broken loader clock): future_loaded_at, and it
  must not hold back the incremental runs: a model whose next run reads only rows loaded after the latest
  loaded_at it holds would never read loads 2 and 3.

as_of_date is 2024-05-01 after load 1, 2024-05-02 after load 2 and 2024-05-03 after load 3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import SHOP, customers, event, item, order, products
from .orders import a_return

# Loads: load 1 = loaded_at <= T1, load 2 = T1 < loaded_at <= T2, load 3 = loaded_at > T2.
T1 = "2024-05-02 00:00:00"
T2 = "2024-05-03 00:00:00"
LOADS = (1, 2, 3)

# The rows that land out of order: i803's loaded_at falls in load 2, but it arrives with load 3; x101 is
# stamped in the future, but arrives with load 1.
STRAGGLER_LOADED_AT = "2024-05-02 23:58:00"
FUTURE_LOADED_AT = "2099-01-01 00:00:00"
STRAGGLERS = {("i803", STRAGGLER_LOADED_AT): 3, ("x101", FUTURE_LOADED_AT): 1}

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

Row = dict[str, str | None]

EVENTS: list[Row] = [
    # --- v1 (desktop, organic search): one session, 25-minute gaps, straddling loads 1 and 2.
    event("i101", "2024-05-01 23:00:00", "v1", "page_view", f"{SHOP}/", page_referrer="https://www.google.com/"),
    event("i102", "2024-05-01 23:25:00", "v1", "product_view", f"{SHOP}/products/p1", product_id="p1"),
    event("i103", "2024-05-01 23:50:00", "v1", "add_to_cart", f"{SHOP}/products/p1", product_id="p1",
          loaded_at=T1),
    event("i104", "2024-05-02 00:15:00", "v1", "begin_checkout", f"{SHOP}/checkout"),  # load 2
    event("i105", "2024-05-02 00:40:00", "v1", "purchase", f"{SHOP}/checkout/thanks", customer_id="ic1",
          order_id="io1"),  # load 2
    event("i105", "2024-05-02 00:40:00", "v1", "purchase", f"{SHOP}/checkout/thanks", customer_id="ic1",
          order_id="io1", loaded_at="2024-05-02 01:30:00"),  # duplicate within load 2
    # --- v2 (mobile, paid search): a load-1 session, a late event inside it, a late session before it.
    event("i201", "2024-05-01 10:00:00", "v2", "product_view",
          f"{SHOP}/products/p2?utm_source=google&utm_medium=cpc", device_category="mobile",
          utm_source="google", utm_medium="cpc", product_id="p2"),
    event("i202", "2024-05-01 10:20:00", "v2", "page_view", f"{SHOP}/cart", device_category="mobile"),
    event("i204", "2024-05-01 10:45:00", "v2", "page_view", f"{SHOP}/sale", device_category="mobile"),
    event("i203", "2024-05-01 10:10:00", "v2", "product_view", f"{SHOP}/products/p3", device_category="mobile",
          product_id="p3", loaded_at="2024-05-03 09:00:00"),  # load 3, late, inside the session
    event("i206", "2024-05-01 08:00:00", "v2", "page_view", f"{SHOP}/about", device_category="mobile",
          loaded_at="2024-05-03 08:00:00"),  # load 3, late, a session of its own
    # --- v3 (tablet): two load-1 sessions bridged by a late event; a later session in load 2.
    event("i301", "2024-05-01 14:00:00", "v3", "page_view", f"{SHOP}/?utm_source=newsletter&utm_medium=email",
          device_category="tablet", utm_source="newsletter", utm_medium="email"),
    event("i302", "2024-05-01 14:20:00", "v3", "product_view", f"{SHOP}/products/p1", device_category="tablet",
          product_id="p1"),
    event("i303", "2024-05-01 15:10:00", "v3", "page_view", f"{SHOP}/", device_category="tablet"),
    event("i304", "2024-05-01 15:15:00", "v3", "add_to_cart", f"{SHOP}/products/p1", device_category="tablet",
          product_id="p1"),
    event("i302", "2024-05-01 14:20:00", "v3", "product_view", f"{SHOP}/products/p1", device_category="tablet",
          product_id="p1", loaded_at="2024-05-02 23:59:00"),  # load 2: duplicate of a load-1 event
    event("i306", "2024-05-02 18:00:00", "v3", "page_view", f"{SHOP}/", device_category="tablet",
          page_referrer="https://www.google.com/search?q=socks"),  # load 2
    event("i305", "2024-05-01 14:45:00", "v3", "product_view", f"{SHOP}/products/p2", device_category="tablet",
          product_id="p2", loaded_at="2024-05-03 10:00:00"),  # load 3, late, bridges the two sessions
    # --- v4 (mobile): a load-2 session that a late event moves back to D1.
    event("i401", "2024-05-02 00:10:00", "v4", "product_view", f"{SHOP}/products/p3", device_category="mobile",
          page_referrer="https://facebook.com/", product_id="p3"),  # load 2
    event("i402", "2024-05-02 00:30:00", "v4", "add_to_cart", f"{SHOP}/products/p3", device_category="mobile",
          product_id="p3"),  # load 2
    event("i403", "2024-05-01 23:50:00", "v4", "page_view", f"{SHOP}/", device_category="mobile",
          page_referrer="https://www.bing.com/", loaded_at="2024-05-03 11:00:00"),  # load 3, late
    # --- v5 (desktop, paid social) and v6 (mobile, organic search): io5's purchase events.
    event("i501", "2024-05-02 08:50:00", "v5", "page_view", f"{SHOP}/?utm_source=facebook&utm_medium=paid_social",
          utm_source="facebook", utm_medium="paid_social"),  # load 2
    event("i502", "2024-05-02 09:00:00", "v5", "purchase", f"{SHOP}/checkout/thanks", customer_id="ic5",
          order_id="io5"),  # load 2
    event("i502", "2024-05-02 09:00:00", "v5", "purchase", f"{SHOP}/checkout/thanks", customer_id="ic5",
          order_id="io5", loaded_at="2024-05-03 13:00:00"),  # load 3: duplicate of a load-2 event
    event("i601", "2024-05-02 08:40:00", "v6", "page_view", f"{SHOP}/", device_category="mobile",
          page_referrer="https://www.google.com/"),  # load 2
    event("i602", "2024-05-02 08:59:00", "v6", "purchase", f"{SHOP}/checkout/thanks", device_category="mobile",
          customer_id="ic5", order_id="io5", loaded_at="2024-05-03 12:00:00"),  # load 3, late, io5's first
    # --- v7: a bot in loads 1 and 3 (in no session; its D3 event sets as_of_date).
    event("i701", "2024-05-01 12:00:00", "v7", "page_view", f"{SHOP}/", user_agent=GOOGLEBOT),
    event("i702", "2024-05-03 20:00:00", "v7", "product_view", f"{SHOP}/products/p1", user_agent=GOOGLEBOT,
          product_id="p1"),  # load 3
    # --- v8 (desktop): an event id first delivered broken (rejected, load 1), then correctly (load 2).
    event("i801", "2024-05-01 19:00:00", "v8", "product_view", f"{SHOP}/products/p2"),  # missing_product_id
    event("i801", "2024-05-02 20:00:00", "v8", "product_view", f"{SHOP}/products/p2", product_id="p2"),
    event("i802", "2024-05-02 20:05:00", "v8", "add_to_cart", f"{SHOP}/products/p2", product_id="p2"),
    # A straggler: loaded_at says load 2 (one minute before load 2's last row), yet it lands with load 3.
    event("i803", "2024-05-02 20:10:00", "v8", "remove_from_cart", f"{SHOP}/products/p2", product_id="p2",
          loaded_at=STRAGGLER_LOADED_AT),
    # --- v9 (desktop): a load-1 session holding the purchase of io6, which load 3 cancels.
    event("i901", "2024-05-01 15:55:00", "v9", "page_view", f"{SHOP}/"),
    event("i902", "2024-05-01 16:00:00", "v9", "purchase", f"{SHOP}/checkout/thanks", customer_id="ic6",
          order_id="io6"),
    # --- v10 (tablet, affiliate): a session straddling loads 2 and 3 (and midnight), 25-minute gaps.
    event("i1001", "2024-05-02 22:50:00", "v10", "page_view", f"{SHOP}/?utm_source=partner&utm_medium=affiliate",
          device_category="tablet", utm_source="partner", utm_medium="affiliate"),
    event("i1002", "2024-05-02 23:15:00", "v10", "product_view", f"{SHOP}/products/p3", device_category="tablet",
          product_id="p3"),
    event("i1003", "2024-05-02 23:40:00", "v10", "add_to_cart", f"{SHOP}/products/p3", device_category="tablet",
          product_id="p3"),
    event("i1004", "2024-05-03 00:05:00", "v10", "begin_checkout", f"{SHOP}/checkout",
          device_category="tablet"),  # load 3
    event("i1005", "2024-05-03 00:30:00", "v10", "page_view", f"{SHOP}/checkout/payment",
          device_category="tablet"),  # load 3
    # --- Other rejected rows.
    event("x101", "2024-05-01 12:00:00", "v9", "page_view", f"{SHOP}/", loaded_at=FUTURE_LOADED_AT),  # load 1
    event("x201", "2024-05-02 12:00:00", None, "page_view", f"{SHOP}/"),  # load 2, missing_anonymous_id
    event("x301", "2024-05-03 08:30:00", "v2", "scroll", f"{SHOP}/", device_category="mobile"),  # load 3
]

IO1 = order("io1", "ic1", "2024-05-02 00:40:05", "placed", "100.00")
IO4 = order("io4", "ic5", "2024-05-01 12:00:00", "delivered", "40.00")  # phone order: no purchase event
IO5 = order("io5", "ic5", "2024-05-02 09:00:05", "placed", "75.00")
IO6 = order("io6", "ic6", "2024-05-01 16:00:05", "placed", "55.00")
IO7 = order("io7", "ic1", "2024-05-03 09:00:00", "placed", "30.00")  # phone order: no purchase event

ITEMS = {
    "io1": item("io1", "p1", 1, "100.00"),
    "io4": item("io4", "p3", 2, "20.00"),
    "io5": item("io5", "p2", 1, "75.00"),
    "io6": item("io6", "p1", 1, "55.00"),
    "io7": item("io7", "p3", 2, "15.00"),
}

R1 = a_return("r1", "io1", "p1", 1, "100.00", "2024-05-03 15:00:00", "damaged")
R2 = a_return("r2", "io4", "p3", 1, "20.00", "2024-05-02 18:00:00", "too small")
R3 = a_return("r3", "io404", "p1", 1, "9.99", "2024-05-03 16:00:00", "unknown order")  # rejected

# The full order tables as each load delivers them.
ORDERS_BY_LOAD: dict[int, list[Row]] = {
    1: [IO4, IO6],
    2: [IO4, IO6, IO1, IO5],
    3: [IO4, {**IO6, "status": "cancelled"}, {**IO1, "status": "shipped"}, IO5, IO7],
}
RETURNS_BY_LOAD: dict[int, list[Row]] = {1: [], 2: [R2], 3: [R2, R1, R3]}


def load_of(row: Mapping[str, str | None]) -> int:
    """The load a raw event row arrives with: by its loaded_at, but for the straggler."""
    loaded_at = row["loaded_at"]
    assert loaded_at is not None, row
    if (row["event_id"], loaded_at) in STRAGGLERS:
        return STRAGGLERS[(row["event_id"], loaded_at)]
    if loaded_at <= T1:
        return 1
    if loaded_at <= T2:
        return 2
    return 3


def events_of_load(load: int) -> list[Row]:
    """The raw event rows delivered by one load (only those)."""
    return [row for row in EVENTS if load_of(row) == load]


def tables_as_of(load: int) -> dict[str, Sequence[Row]]:
    """The six raw tables as they stand once `load` has landed: events of loads 1..load, full tables of then."""
    orders = ORDERS_BY_LOAD[load]
    return {
        "raw_events": [row for row in EVENTS if load_of(row) <= load],
        "raw_orders": orders,
        "raw_order_items": [ITEMS[str(row["order_id"])] for row in orders],
        "raw_returns": RETURNS_BY_LOAD[load],
        "raw_products": products(),
        "raw_customers": customers("ic1", "ic5", "ic6"),
    }


def non_event_tables_as_of(load: int) -> dict[str, Sequence[Row]]:
    """The full (non-event) raw tables as of `load`."""
    return {table: rows for table, rows in tables_as_of(load).items() if table != "raw_events"}


@dataclass(frozen=True)
class SessionRow:
    """The fct_sessions columns the scenario pins by hand after each load."""

    anonymous_id: str
    session_start: str
    session_end: str
    event_count: int
    pageviews: int
    channel: str
    orders: int


# Sessions (SPEC 3) of the accepted, deduplicated, non-bot events loaded so far, worked out by hand;
# `orders` counts the valid orders attributed to the session (SPEC 4).
SESSIONS_BY_LOAD: dict[int, list[SessionRow]] = {
    1: [
        # i101, i102, i103: 2 pages (the cart event is not one), google.com referrer.
        SessionRow("v1", "2024-05-01 23:00:00", "2024-05-01 23:50:00", 3, 2, "organic_search", 0),
        # i201, i202, i204 (gaps 20 and 25 minutes): utm_medium cpc.
        SessionRow("v2", "2024-05-01 10:00:00", "2024-05-01 10:45:00", 3, 3, "paid_search", 0),
        # i301, i302 by email; 50 minutes later i303, i304 typed in.
        SessionRow("v3", "2024-05-01 14:00:00", "2024-05-01 14:20:00", 2, 2, "email", 0),
        SessionRow("v3", "2024-05-01 15:10:00", "2024-05-01 15:15:00", 2, 1, "direct", 0),
        # i901, i902: the purchase of io6 (placed).
        SessionRow("v9", "2024-05-01 15:55:00", "2024-05-01 16:00:00", 2, 1, "direct", 1),
    ],
    2: [
        # v1's session now runs past midnight to its purchase of io1 (the copy of i105 counts once).
        SessionRow("v1", "2024-05-01 23:00:00", "2024-05-02 00:40:00", 5, 2, "organic_search", 1),
        SessionRow("v2", "2024-05-01 10:00:00", "2024-05-01 10:45:00", 3, 3, "paid_search", 0),
        # The duplicate i302 changes nothing; i306 is a new session.
        SessionRow("v3", "2024-05-01 14:00:00", "2024-05-01 14:20:00", 2, 2, "email", 0),
        SessionRow("v3", "2024-05-01 15:10:00", "2024-05-01 15:15:00", 2, 1, "direct", 0),
        SessionRow("v3", "2024-05-02 18:00:00", "2024-05-02 18:00:00", 1, 1, "organic_search", 0),
        # i401 (a product page, from facebook.com), i402.
        SessionRow("v4", "2024-05-02 00:10:00", "2024-05-02 00:30:00", 2, 1, "organic_social", 0),
        # i501, i502: io5's only purchase event so far.
        SessionRow("v5", "2024-05-02 08:50:00", "2024-05-02 09:00:00", 2, 1, "paid_social", 1),
        SessionRow("v6", "2024-05-02 08:40:00", "2024-05-02 08:40:00", 1, 1, "organic_search", 0),
        # i801 (its rejected load-1 copy is no delivery), i802.
        SessionRow("v8", "2024-05-02 20:00:00", "2024-05-02 20:05:00", 2, 1, "direct", 0),
        SessionRow("v9", "2024-05-01 15:55:00", "2024-05-01 16:00:00", 2, 1, "direct", 1),
        # i1001, i1002, i1003 so far.
        SessionRow("v10", "2024-05-02 22:50:00", "2024-05-02 23:40:00", 3, 2, "affiliate", 0),
    ],
    3: [
        SessionRow("v1", "2024-05-01 23:00:00", "2024-05-02 00:40:00", 5, 2, "organic_search", 1),
        # i206 alone (two hours before i201), typed in; then i201, i203, i202, i204.
        SessionRow("v2", "2024-05-01 08:00:00", "2024-05-01 08:00:00", 1, 1, "direct", 0),
        SessionRow("v2", "2024-05-01 10:00:00", "2024-05-01 10:45:00", 4, 4, "paid_search", 0),
        # i301, i302, i305, i303, i304: gaps 20, 25, 25, 5 minutes -> one session, by email.
        SessionRow("v3", "2024-05-01 14:00:00", "2024-05-01 15:15:00", 5, 4, "email", 0),
        SessionRow("v3", "2024-05-02 18:00:00", "2024-05-02 18:00:00", 1, 1, "organic_search", 0),
        # i403 (from bing.com, D1 23:50), i401, i402.
        SessionRow("v4", "2024-05-01 23:50:00", "2024-05-02 00:30:00", 3, 2, "organic_search", 0),
        # io5 now belongs to v6 (i602, 08:59, is its first purchase event); v5 still has a purchase event.
        SessionRow("v5", "2024-05-02 08:50:00", "2024-05-02 09:00:00", 2, 1, "paid_social", 0),
        SessionRow("v6", "2024-05-02 08:40:00", "2024-05-02 08:59:00", 2, 1, "organic_search", 1),
        # The straggler i803 (a removal, not a page) joins v8's session.
        SessionRow("v8", "2024-05-02 20:00:00", "2024-05-02 20:10:00", 3, 1, "direct", 0),
        # io6 is cancelled.
        SessionRow("v9", "2024-05-01 15:55:00", "2024-05-01 16:00:00", 2, 1, "direct", 0),
        # i1004, i1005 continue the session past midnight: still D2's, now with a checkout.
        SessionRow("v10", "2024-05-02 22:50:00", "2024-05-03 00:30:00", 5, 3, "affiliate", 0),
    ],
}

# Valid orders (SPEC 4) after each load -> channel (the session's, or unattributed).
ORDER_CHANNELS_BY_LOAD: dict[int, dict[str, str]] = {
    1: {"io4": "unattributed", "io6": "direct"},
    2: {"io4": "unattributed", "io6": "direct", "io1": "organic_search", "io5": "paid_social"},
    3: {"io4": "unattributed", "io1": "organic_search", "io5": "organic_search", "io7": "unattributed"},
}

AS_OF_DATE_BY_LOAD: dict[int, str] = {1: "2024-05-01", 2: "2024-05-02", 3: "2024-05-03"}
