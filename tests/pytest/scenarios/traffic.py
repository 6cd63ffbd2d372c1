"""Scenario `traffic`: two days of browsing (2024-03-09 and 2024-03-10).

Covers sessions (a 30:00 gap stays in, 30:01 splits, a session across midnight counts on its first day),
bots, duplicate deliveries, every event rejection reason, every way of getting a channel (paid search
with stray-case tags, paid social, organic search, organic social by suffix, referral with `www.`,
internal referrer -> direct, typed-in direct, email, other), attribution (the first purchase event of
an order wins; a phone order is unattributed), and a cancelled order with a purchase event.

Accepted non-bot events and the sessions SPEC 3 makes of them (pv = page-level events, ev = events,
chk = began checkout, buys = purchase events of that order; /p2 = /products/p2):

S    visitor day    device   channel         source            pv  ev  secs  bounce cart chk  buys  landing -> exit
S1   a1      03-09  desktop  organic_search  google.com        2   4   2400  n      y    y          / -> /products/p1
S2   a1      03-09  desktop  direct          (direct)          1   1   0     y      n    n          /cart
S3   a2      03-09  mobile   paid_search     google            1   5   1800  n      y    y    o1    /products/p2
S4   a3      03-09  tablet   organic_social  l.facebook.com    3   5   420   n      y    n    o2    / -> /products/p1
S5   a3      03-10  tablet   email           newsletter_mar    1   2   60    n      n    n    o2    /account
S6   a5      03-10  mobile   referral        blog.example.org  2   3   720   n      n    n    o4    /blog/post -> /p2
S7   a6      03-10  desktop  paid_social     twitter           1   1   0     y      n    n          /
S8   a7      03-10  tablet   other           poster            1   1   0     y      n    n          /products/p1
S9   a8      03-10  desktop  direct          (direct)          2   3   360   n      y    n          / -> /sale
S10  a8      03-10  desktop  direct          (direct)          1   1   0     y      n    n          /

Valid orders: o1 (03-10, 120.00) -> S3 paid_search; o2 (03-09, 80.00) -> S4 organic_social (its first purchase
event e12; the re-fired e14 in S5 does not move it); o3 (03-10, 45.00) phone order -> unattributed.
o4 is cancelled: in no KPI, although its purchase event makes S6 a session with a purchase.
"""

from __future__ import annotations

from . import SHOP, ExpectedRow, Scenario, customers, event, item, order, products

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
HEADLESS = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36"

EVENTS = [
    # Two late re-deliveries of e01 (identical payload, later loaded_at), listed before the original.
    event("e01", "2024-03-09 10:00:00", "a1", "page_view", f"{SHOP}/", loaded_at="2024-03-09 12:00:00",
          page_referrer="https://www.google.com/search?q=trail+shoes", device_category="Desktop "),
    event("e01", "2024-03-09 10:00:00", "a1", "page_view", f"{SHOP}/", loaded_at="2024-03-10 03:00:00",
          page_referrer="https://www.google.com/search?q=trail+shoes", device_category="Desktop "),
    # --- a1: S1 from Google; e02 comes exactly 30:00 after e01 and stays in S1.
    event("e01", "2024-03-09 10:00:00", "a1", "page_view", f"{SHOP}/",
          page_referrer="https://www.google.com/search?q=trail+shoes", device_category="Desktop "),
    event("e02", "2024-03-09 10:30:00", "a1", "product_view", f"{SHOP}/products/p1?color=red",
          page_referrer=f"{SHOP}/", product_id="p1"),
    event("e03", "2024-03-09 10:35:00", "a1", "add_to_cart", f"{SHOP}/products/p1", product_id="p1"),
    event("e03b", "2024-03-09 10:40:00", "a1", "begin_checkout", f"{SHOP}/checkout"),
    # 30:01 after e03b: a new session S2, whose referrer is the shop itself -> direct.
    event("e04", "2024-03-09 11:10:01", "a1", " Page_View ", f"{SHOP}/cart",
          page_referrer=f"{SHOP}/products/p1"),
    # --- a2: S3 paid search (stray-case tags), across midnight: it counts on 03-09.
    event("e05", "2024-03-09 23:50:00", "a2", "product_view",
          f"{SHOP}/products/p2?utm_source=Google&utm_medium=CPC", device_category="mobile",
          page_referrer="https://www.google.com/", utm_source=" Google ", utm_medium=" CPC ",
          utm_campaign="Spring_Sale", product_id="p2"),
    event("e06", "2024-03-10 00:10:00", "a2", "add_to_cart", f"{SHOP}/products/p2", device_category="mobile",
          product_id="p2"),
    event("e06b", "2024-03-10 00:12:00", "a2", "remove_from_cart", f"{SHOP}/products/p2",
          device_category="mobile", product_id="p2"),
    event("e07", "2024-03-10 00:15:00", "a2", "begin_checkout", f"{SHOP}/checkout", device_category="mobile"),
    event("e08", "2024-03-10 00:20:00", "a2", "purchase", f"{SHOP}/checkout/thanks", device_category="mobile",
          customer_id="c2", order_id="o1"),
    event("e08", "2024-03-10 00:20:00", "a2", "purchase", f"{SHOP}/checkout/thanks", device_category="mobile",
          customer_id="c2", order_id="o1", loaded_at="2024-03-11 09:00:00"),
    # --- a3: S4 from l.facebook.com (a subdomain of a social network), buys o2.
    event("e09", "2024-03-09 12:00:00", "a3", "page_view", f"{SHOP}/", device_category="tablet",
          page_referrer="https://l.facebook.com/l.php?u=shop"),
    event("e10", "2024-03-09 12:05:00", "a3", "PRODUCT_VIEW", f"{SHOP}/products/p1", device_category="tablet",
          product_id="p1"),
    event("e10b", "2024-03-09 12:05:30", "a3", "product_view", f"{SHOP}/products/p1#reviews",
          device_category="tablet", product_id="p1"),
    event("e11", "2024-03-09 12:06:00", "a3", "add_to_cart", f"{SHOP}/products/p1", device_category="tablet",
          product_id="p1"),
    event("e12", "2024-03-09 12:07:00", "a3", "purchase", f"{SHOP}/checkout/thanks", device_category="tablet",
          customer_id="c3", order_id="o2"),
    # a3 next day: S5 from a newsletter; the purchase of o2 fires again (not its first purchase event).
    event("e13", "2024-03-10 09:00:00", "a3", "page_view",
          f"{SHOP}/account?utm_source=Newsletter_Mar&utm_medium=email", device_category="tablet",
          customer_id="c3", utm_source="Newsletter_Mar", utm_medium="Email"),
    event("e14", "2024-03-10 09:01:00", "a3", "purchase", f"{SHOP}/checkout/thanks", device_category="tablet",
          customer_id="c3", order_id="o2"),
    # --- a4: bots (kept in staging, in no session). e16 is the latest accepted event: as_of_date.
    event("e15", "2024-03-09 08:00:00", "a4", "page_view", f"{SHOP}/", user_agent=GOOGLEBOT),
    event("e16", "2024-03-11 06:00:00", "a4", "product_view", f"{SHOP}/products/p1", user_agent=HEADLESS,
          product_id="p1"),
    # --- a5: S6, referral from www.Blog.Example.org; purchase of the cancelled order o4.
    event("e17", "2024-03-10 14:00:00", "a5", "page_view", f"{SHOP}/blog/post#comments",
          device_category="mobile", page_referrer="https://www.Blog.Example.org/reviews?id=1"),
    event("e18", "2024-03-10 14:10:00", "a5", "product_view", f"{SHOP}/products/p2", device_category="mobile",
          product_id="p2"),
    event("e18b", "2024-03-10 14:12:00", "a5", "purchase", f"{SHOP}/checkout/thanks", device_category="mobile",
          customer_id="c1", order_id="o4"),
    # --- a6: S7, cpc bought on twitter -> paid_social (the t.co referrer does not matter: utm first).
    event("e19", "2024-03-10 15:00:00", "a6", "page_view", f"{SHOP}/?utm_source=twitter&utm_medium=cpc",
          page_referrer="https://t.co/xyz", utm_source="Twitter", utm_medium="cpc"),
    # --- a7: S8, an unlisted medium -> other.
    event("e20", "2024-03-10 16:00:00", "a7", "page_view", f"{SHOP}/products/p1", device_category="tablet",
          utm_source="poster", utm_medium="QR"),
    # --- a8: typed-in visits. S9: '/' (a URL without a path), '/sale', a cart of p3 nobody viewed.
    event("e21", "2024-03-10 18:00:00", "a8", "page_view", SHOP),
    event("e21b", "2024-03-10 18:05:00", "a8", "page_view", f"{SHOP}/sale?ref=home"),
    event("e21c", "2024-03-10 18:06:00", "a8", "add_to_cart", f"{SHOP}/sale", product_id="p3"),
    # 54 minutes later: S10.
    event("e22", "2024-03-10 19:00:00", "a8", "page_view", f"{SHOP}/"),
    # --- Rejected rows, each with the FIRST reason that applies (SPEC 2).
    # no event_id (blank) and no anonymous_id -> missing_event_id
    event("   ", "2024-03-09 10:00:00", "", "page_view", f"{SHOP}/"),
    # no anonymous_id and an unknown name -> missing_anonymous_id
    event("x2", "2024-03-09 10:01:00", None, "scroll", f"{SHOP}/"),
    # no event_ts and a product_view without product -> missing_event_ts
    event("x3", None, "a1", "product_view", f"{SHOP}/products/p1", loaded_at="2024-03-09 10:10:00"),
    # unknown names (one dated after everything else: it must not move as_of_date)
    event("x4", "2024-03-20 10:00:00", "a1", "Scroll", f"{SHOP}/"),
    event("x5", "2024-03-09 23:55:00", "a2", None, f"{SHOP}/", device_category="mobile"),
    # add_to_cart with a blank product -> missing_product_id; it shares the id of the accepted e19 and
    # loaded earlier, yet it is rejected, not the kept copy of e19 (duplicates are among accepted rows).
    event("e19", "2024-03-10 15:00:00", "a6", "add_to_cart", f"{SHOP}/", loaded_at="2024-03-10 15:01:00",
          product_id=" "),
    # purchase without order -> missing_order_id
    event("x7", "2024-03-10 00:20:00", "a2", "purchase", f"{SHOP}/checkout/thanks", device_category="mobile"),
]

ORDERS = [
    order("o1", "c2", "2024-03-10 00:20:05", "placed", "120.00"),
    order("o2", "c3", "2024-03-09 12:07:10", " Shipped ", "80.00"),
    order("o3", "c1", "2024-03-10 10:00:00", "delivered", "45.00"),  # phone order: no purchase event
    # Cancelled (stray case and blanks); dated after everything else: it must not move as_of_date.
    order("o4", "c1", "2024-03-12 09:00:00", " Cancelled ", "30.00"),
]

ORDER_ITEMS = [
    item("o1", "p2", 1, "120.00"),
    item("o2", "p1", 1, "80.00"),
    item("o3", "p3", 3, "15.00"),
    item("o4", "p1", 1, "30.00"),
]

D1, D2 = "2024-03-09", "2024-03-10"

KPIS: dict[str, list[ExpectedRow]] = {
    # (date_day, channel, sessions, users, pageviews)
    "kpi_traffic": [
        (D1, "direct", 1, 1, 1),  # S2
        (D1, "organic_search", 1, 1, 2),  # S1: e01, e02
        (D1, "organic_social", 1, 1, 3),  # S4: e09, e10, e10b
        (D1, "paid_search", 1, 1, 1),  # S3: e05 (its later events are on 03-10 but the session is 03-09's)
        (D2, "direct", 2, 1, 3),  # S9 (2) + S10 (1), both visitor a8
        (D2, "email", 1, 1, 1),  # S5
        (D2, "other", 1, 1, 1),  # S8
        (D2, "paid_social", 1, 1, 1),  # S7
        (D2, "referral", 1, 1, 2),  # S6
    ],
    # (date_day, product_id, product_name, category, product_views, product_view_sessions, add_to_carts)
    "kpi_product_page_views": [
        (D1, "p1", "Trail Shoe", "shoes", 3, 2, 2),  # views e02 (S1), e10 + e10b (S4); carts e03, e11
        (D1, "p2", "Rain Jacket", "outerwear", 1, 1, 1),  # view e05, cart e06 (S3); e06b is a removal
        (D2, "p2", "Rain Jacket", "outerwear", 1, 1, 0),  # view e18 (S6)
        # p3 only carted (e21c), never viewed: no row. The bot view e16 of p1 on 03-11: no row.
    ],
    # (date_day, device, sessions, pageviews, total_duration, bounced, pages/session, avg duration, bounce rate)
    "kpi_engagement": [
        (D1, "desktop", 2, 3, 2400, 1, 3 / 2, 2400 / 2, 1 / 2),  # S1 (2 pv, 2400 s) + S2 (1 pv, bounce)
        (D1, "mobile", 1, 1, 1800, 0, 1.0, 1800.0, 0.0),  # S3
        (D1, "tablet", 1, 3, 420, 0, 3.0, 420.0, 0.0),  # S4
        (D2, "desktop", 3, 4, 360, 2, 4 / 3, 360 / 3, 2 / 3),  # S7 (1, bounce) + S9 (2, 360 s) + S10 (1, bounce)
        (D2, "mobile", 1, 2, 720, 0, 2.0, 720.0, 0.0),  # S6
        (D2, "tablet", 2, 2, 60, 1, 1.0, 30.0, 0.5),  # S5 (1, 60 s) + S8 (1, bounce)
    ],
    # (date_day, page_path, pageviews, exits, exit_rate)
    "kpi_exit_pages": [
        (D1, "/", 2, 0, 0.0),  # e01 (S1), e09 (S4); neither session ends there
        (D1, "/cart", 1, 1, 1.0),  # S2
        (D1, "/products/p1", 3, 2, 2 / 3),  # e02, e10, e10b; exits S1, S4
        (D1, "/products/p2", 1, 1, 1.0),  # e05; exit S3
        (D2, "/", 3, 2, 2 / 3),  # e19 (S7), e21 (S9), e22 (S10); exits S7, S10
        (D2, "/account", 1, 1, 1.0),  # S5
        (D2, "/blog/post", 1, 0, 0.0),  # landing of S6
        (D2, "/products/p1", 1, 1, 1.0),  # S8
        (D2, "/products/p2", 1, 1, 1.0),  # e18, exit of S6 (its purchase event is not a page)
        (D2, "/sale", 1, 1, 1.0),  # e21b, exit of S9 (the cart event after it is not a page)
    ],
    # (date_day, device, sessions, carted, abandoned carts, cart rate, checkout, abandoned checkouts, checkout rate)
    "kpi_cart_abandonment": [
        (D1, "desktop", 2, 1, 1, 1.0, 1, 1, 1.0),  # S1 carted and began checkout, no purchase
        (D1, "mobile", 1, 1, 0, 0.0, 1, 0, 0.0),  # S3 purchased
        (D1, "tablet", 1, 1, 0, 0.0, 0, 0, None),  # S4 carted and purchased, no checkout event
        (D2, "desktop", 3, 1, 1, 1.0, 0, 0, None),  # S9 carted p3, no purchase
        (D2, "mobile", 1, 0, 0, None, 0, 0, None),  # S6
        (D2, "tablet", 2, 0, 0, None, 0, 0, None),  # S5, S8
    ],
    # (order_date, orders, returned, items_sold, items_returned, revenue, refunded, return_rate, refund_rate,
    #  is_mature) -- as_of_date 2024-03-11, so no day is 30 days old yet. o4 (cancelled) is in no row.
    "kpi_return_rate": [
        ("2024-03-09", 1, 0, 1, 0, 80.00, 0.00, 0.0, 0.0, False),  # o2
        ("2024-03-10", 2, 0, 4, 0, 165.00, 0.00, 0.0, 0.0, False),  # o1 (1 item, 120) + o3 (3 items, 45)
    ],
    # (date_day, channel, device, sessions, converted, conversion_rate, orders, revenue)
    "kpi_conversion_rate": [
        (D1, "direct", "desktop", 1, 0, 0.0, 0, 0.00),  # S2
        (D1, "organic_search", "desktop", 1, 0, 0.0, 0, 0.00),  # S1
        (D1, "organic_social", "tablet", 1, 1, 1.0, 1, 80.00),  # S4 holds o2's first purchase event
        (D1, "paid_search", "mobile", 1, 1, 1.0, 1, 120.00),  # S3: o1
        (D2, "direct", "desktop", 2, 0, 0.0, 0, 0.00),  # S9, S10
        (D2, "email", "tablet", 1, 1, 1.0, 0, 0.00),  # S5 re-fired o2's purchase: converted, no order
        (D2, "other", "tablet", 1, 0, 0.0, 0, 0.00),  # S8
        (D2, "paid_social", "desktop", 1, 0, 0.0, 0, 0.00),  # S7
        (D2, "referral", "mobile", 1, 1, 1.0, 0, 0.00),  # S6: o4 is cancelled
    ],
    # (date_day, channel, source, sessions, users, converted, orders, revenue, session_share)
    # 03-09 has 4 sessions (S1-S4), 03-10 has 6 (S5-S10).
    "kpi_referral_sources": [
        (D1, "direct", "(direct)", 1, 1, 0, 0, 0.00, 1 / 4),
        (D1, "organic_search", "google.com", 1, 1, 0, 0, 0.00, 1 / 4),  # referrer host, www. removed
        (D1, "organic_social", "l.facebook.com", 1, 1, 1, 1, 80.00, 1 / 4),
        (D1, "paid_search", "google", 1, 1, 1, 1, 120.00, 1 / 4),  # utm_source, trimmed and lower-cased
        (D2, "direct", "(direct)", 2, 1, 0, 0, 0.00, 2 / 6),
        (D2, "email", "newsletter_mar", 1, 1, 1, 0, 0.00, 1 / 6),
        (D2, "other", "poster", 1, 1, 0, 0, 0.00, 1 / 6),
        (D2, "paid_social", "twitter", 1, 1, 0, 0, 0.00, 1 / 6),
        (D2, "referral", "blog.example.org", 1, 1, 1, 0, 0.00, 1 / 6),
    ],
    # (cohort_month, customers, repeat, organic repeat, repurchase_rate, organic_repurchase_rate, is_mature)
    # c1 (o3), c2 (o1), c3 (o2): one valid order each. 2024-03-31 + 90 days > 2024-03-11: not mature.
    "kpi_organic_repurchase_rate": [
        ("2024-03-01", 3, 0, 0, 0.0, 0.0, False),
    ],
}

SCENARIO = Scenario(
    name="traffic",
    tables={
        "raw_events": EVENTS,
        "raw_orders": ORDERS,
        "raw_order_items": ORDER_ITEMS,
        "raw_returns": [],
        "raw_products": products(),
        "raw_customers": customers("c1", "c2", "c3"),
    },
    kpis=KPIS,
    # Latest of: accepted events incl. bots (e16, 03-11), valid orders (03-10), accepted returns (none).
    # Not the rejected x4 (03-20) nor the cancelled o4 (03-12).
    as_of_date="2024-03-11",
    raw_event_rows=38,  # 28 accepted distinct + 3 duplicates + 7 rejected
    accepted_events=28,  # a1: 5, a2: 5, a3: 7, a4 (bots): 2, a5: 3, a6: 1, a7: 1, a8: 4
    bot_events=2,
    duplicate_rows=[
        ("e01", "2024-03-09 12:00:00"),
        ("e01", "2024-03-10 03:00:00"),
        ("e08", "2024-03-11 09:00:00"),
    ],
    rejected_events={
        "missing_event_id": 1,
        "missing_anonymous_id": 1,
        "missing_event_ts": 1,
        "unknown_event_name": 2,
        "missing_product_id": 1,
        "missing_order_id": 1,
    },
    rejected_returns={},
    accepted_returns=0,
    order_channels={"o1": "paid_search", "o2": "organic_social", "o3": "unattributed"},
)
