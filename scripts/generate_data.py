"""Generate the six raw tables of a small online shop (SPEC section 1), deterministically.

The data behaves like a real shop tracked by a web analytics tag and an order system:

* visitors (``anonymous_id``) come back over weeks; known customers log in, sometimes mid-visit, so the
  first events of a visit can lack ``customer_id``; new customers sign up at checkout;
* a channel mix where every channel rule of SPEC 3 fires: paid and owned campaigns (UTM tags, some with
  stray case or blanks), search engines, social networks, referral sites, internal shop referrers and
  typed-in visits;
* funnels with realistic rates (page views, product views, carts, checkouts, purchases), web orders that
  match their purchase events, phone orders with no event, cancelled orders, discount codes, returns;
* an order history of ``HISTORY_DAYS`` days before the tracked period (the order system is older than the
  tracking tag), so that repurchase cohorts can mature and some repeat orders come more than 90 days
  after the first one;
* the faults of real pipelines: duplicate deliveries, late events, bot traffic, and a few rows for every
  rejection reason of SPEC 2, plus returns naming unknown orders.

Usage::

    python scripts/generate_data.py                         # demo seeds: seeds/raw_*.csv
    python scripts/generate_data.py --format parquet --out build/raw --events 10000000
    python scripts/generate_data.py --format ga4 --out build/ga4 --events 3000000  # see ga4_export.py

Same arguments give byte-identical files. Generation streams day by day (vectorised with numpy), so memory
stays flat whatever ``--events`` is.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote_plus

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from cli_args import OneLineParser, bounded_int
from tqdm import tqdm

# --------------------------------------------------------------------------------------------------
# Period, volumes and rates
# --------------------------------------------------------------------------------------------------

DAY = 86_400
PERIOD_START = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())
PERIOD_DAYS = 90
HISTORY_DAYS = 90  # orders (not events) exist this many days before the tracked period
EXTRACT_END = PERIOD_START + PERIOD_DAYS * DAY  # the data is extracted at this instant
CUSTOMERS_SINCE = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
SALE_DAYS = range(30, 40)  # 2026-07-01 .. 2026-07-10: summer sale, paid pushes

DEFAULT_EVENTS = 24_000  # about 90 days of a small shop; the six CSVs stay well under 10 MB
MIN_EVENTS = 100
DEFAULT_PART_ROWS = 1_000_000
SHOP_URL = "https://shop.example.com"

BOT_SHARE = 0.05  # share of genuine event rows fired by bots
DUPLICATE_RATE = 0.015  # duplicate deliveries per genuine event row
LATE_RATE = 0.006  # events landing days after they happened
REJECT_RATE = 0.001  # rows per rejection reason per event row (at least REJECT_MIN each)
REJECT_MIN = 3
UNKNOWN_RETURN_RATE = 0.04  # returns naming an order that is not in raw_orders (at least 3)
CUSTOMER_VISIT_RATE = 0.02  # daily chance that a known customer visits
RETURNING_SHARE = 0.28  # share of anonymous visits made by an already seen browser
NEW_DEVICE_OF_CUSTOMER = 0.03  # share of new browsers that belong to a known customer
SIGNUP_RATE = 0.01  # browsing visits that register without buying
PHONE_SHARE = 0.07  # phone orders per web order
HISTORY_ORDER_RATIO = 0.8  # history orders per day relative to the tracked period
HISTORY_NEW_CUSTOMERS = 0.75  # history orders placed by people registering with them
CANCEL_RATE = 0.04
RETURN_RATE = 0.13
EVENTS_PER_VISIT_PRIOR = 3.3  # starting guess of the volume controller, refined day by day
EVENTS_PER_BOT_VISIT_PRIOR = 6.0

# --------------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------------

EVENT_NAMES = ("page_view", "product_view", "add_to_cart", "remove_from_cart", "begin_checkout", "purchase")
PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, REMOVE_FROM_CART, BEGIN_CHECKOUT, PURCHASE = range(6)
NAME_VARIANTS = 4  # clean, Title_Case, UPPER, trailing blank
UNKNOWN_EVENT_NAMES = ("scroll", "view_item_list", "session_start", "add_to_wishlist", "Click")
EVENT_NAME_VOCAB = tuple(
    variant
    for name in EVENT_NAMES
    for variant in (name, "_".join(word.capitalize() for word in name.split("_")), name.upper(), name + " ")
) + UNKNOWN_EVENT_NAMES
UNKNOWN_NAME0 = len(EVENT_NAMES) * NAME_VARIANTS
STRAY_NAME_RATE = 0.015

DEVICES = ("desktop", "mobile", "tablet")
DEVICE_SHARES = (0.40, 0.52, 0.08)
DEVICE_LABELS = ("desktop", "mobile", "tablet", "Desktop", "Mobile ", "TABLET", " desktop", "MOBILE")
STRAY_DEVICE_LABELS = ((3, 6), (4, 7), (5,))
STRAY_DEVICE_RATE = 0.04

USER_AGENTS_BY_DEVICE: tuple[tuple[tuple[str, float], ...], ...] = (
    (
        (("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/138.0.0.0 Safari/537.36"), 0.45),
        (("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.5 Safari/605.1.15"), 0.2),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0", 0.12),
        (("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0"), 0.15),
        (("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/137.0.0.0 Safari/537.36"), 0.08),
    ),
    (
        (("Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.5 Mobile/15E148 Safari/604.1"), 0.4),
        (("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/138.0.0.0 Mobile Safari/537.36"), 0.35),
        (("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
          "SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36"), 0.1),
        (("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "CriOS/138.0.7204.119 Mobile/15E148 Safari/604.1"), 0.1),
        (("Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Mobile/15E148 Instagram 385.0.0.47.74"), 0.05),
    ),
    (
        (("Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.5 Mobile/15E148 Safari/604.1"), 0.7),
        (("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/138.0.0.0 Safari/537.36"), 0.3),
    ),
)
BOT_USER_AGENTS: tuple[tuple[str, int, float], ...] = (  # user agent, device code, share of bot visits
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 0, 0.25),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 0, 0.1),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 0, 0.12),
    ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", 0, 0.08),
    (("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/138.0.0.0 "
      "Safari/537.36"), 0, 0.12),
    ("python-requests/2.32.3", 0, 0.08),
    ("curl/8.7.1", 0, 0.05),
    (("Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/138.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse"), 1, 0.08),
    ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 0, 0.04),
    ("Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)", 0, 0.02),
    ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", 0, 0.03),
    ("Wget/1.21.4", 0, 0.03),
)
USER_AGENTS = tuple(ua for device in USER_AGENTS_BY_DEVICE for ua, _ in device) + tuple(
    ua for ua, _, _ in BOT_USER_AGENTS
)
BOT_UA0 = sum(len(device) for device in USER_AGENTS_BY_DEVICE)

# Page types, and the fixed part of the path vocabulary.
T_HOME, T_CATEGORY, T_PRODUCT, T_SEARCH, T_CONTENT, T_CART, T_CHECKOUT, T_CONFIRM = range(8)
BROWSE_TYPE_SHARES = (0.08, 0.25, 0.52, 0.10, 0.05)  # next page while browsing: home .. content
BOT_TYPE_SHARES = (0.10, 0.30, 0.55, 0.0, 0.05)
CONTENT_PATHS = ("/about", "/shipping-returns", "/contact", "/blog/how-to-choose-running-shoes",
                 "/blog/summer-hiking-checklist")
FIXED_PATHS = ("/", "", "/cart", "/checkout", "/checkout/confirmation", "/search", *CONTENT_PATHS)
P_HOME, P_HOME_EMPTY, P_CART, P_CHECKOUT, P_CONFIRM, P_SEARCH, P_CONTENT0 = range(7)
SEARCH_QUERIES = ("?q=running+shoes", "?q=rain+jacket", "?q=wool+socks", "?q=trail", "?q=Boots+42")
CATEGORY_QUERIES = ("?sort=price_asc", "?page=2", "?sort=newest", "?color=black")
PRODUCT_QUERIES = ("?color=black", "?size=42", "?variant=2")
FRAGMENTS = ("", "#reviews", "#size-guide", "#top")

# Campaign templates: where a visit comes from. Every channel rule of SPEC 3 is hit by at least one.
SEARCH_REFERRERS = (("https://www.google.com/",) * 6 + ("https://www.google.es/",) * 5 + (
    "https://www.google.co.uk/", "https://www.google.de/", "https://www.google.fr/", "https://www.bing.com/",
    "https://www.bing.com/", "https://search.yahoo.com/", "https://duckduckgo.com/", "https://www.ecosia.org/",
    "https://yandex.ru/", "https://www.baidu.com/"))
SOCIAL_REFERRERS = (
    "https://www.facebook.com/", "https://l.facebook.com/", "https://m.facebook.com/", "https://t.co/Xb3kQ9",
    "https://l.instagram.com/", "https://www.instagram.com/", "https://www.pinterest.com/",
    "https://www.reddit.com/r/running/", "https://www.youtube.com/", "https://www.linkedin.com/",
    "https://lnkd.in/gZ4tq", "https://www.tiktok.com/", "https://x.com/")
REFERRAL_REFERRERS = (
    "https://www.runnersblog.example.net/best-trail-shoes-2026", "https://www.trustpilot.com/review/shop.example.com",
    "https://forum.hikers.example.org/t/boots/1234", "https://news.ycombinator.com/item?id=41234567",
    "https://outlook.live.com/", "https://www.shoe-reviews.example.com/top-10")
INTERNAL_REFERRERS = (  # a restored tab or a bookmark of a shop page: the shop is its own referrer
    SHOP_URL + "/", SHOP_URL + "/cart", SHOP_URL + "/category/shoes", SHOP_URL + "/products/p-0007?color=black",
    SHOP_URL + "/checkout")

LandingShares = tuple[float, float, float, float, float]  # home, category, product, search, content


@dataclass(frozen=True)
class Template:
    """One way into the shop: its tags, referrers, landing pages and behaviour."""

    name: str
    weight: float  # share among anonymous visits
    customer_weight: float  # share among visits of known customers
    tags: tuple[tuple[str, str, str], ...]  # (utm_source, utm_medium, utm_campaign); empty = untagged
    referrers: tuple[str | None, ...]
    landing: LandingShares
    bounce: float
    cart_factor: float
    discount: float  # chance an order of this visit uses a code
    codes: tuple[int, ...]  # discount codes used (indices into DISCOUNT_CODES)
    paid: bool = False  # boosted during the sale


WELCOME, SUMMER, NEWSLETTER, PARTNER, VIP, SUMMER_LOWER, BLANK_CODE = range(7)
DISCOUNT_CODES = (("WELCOME10", 10), ("SUMMER15", 15), ("NEWSLETTER10", 10), ("PARTNER10", 10), ("VIP20", 20),
                  ("summer15", 15), (" ", 0))

TEMPLATES: tuple[Template, ...] = (
    Template("direct", 0.20, 0.30, (), (None,), (0.7, 0.1, 0.15, 0.0, 0.05), 0.35, 1.1, 0.05, (SUMMER, VIP)),
    Template("internal", 0.012, 0.02, (), INTERNAL_REFERRERS, (0.3, 0.3, 0.3, 0.0, 0.1), 0.3, 1.2, 0.05, (VIP,)),
    Template("organic_search", 0.28, 0.20, (), SEARCH_REFERRERS, (0.25, 0.3, 0.4, 0.0, 0.05), 0.42, 1.0, 0.05,
             (SUMMER, SUMMER_LOWER)),
    Template("organic_social", 0.07, 0.04, (), SOCIAL_REFERRERS, (0.2, 0.2, 0.5, 0.0, 0.1), 0.55, 0.6, 0.05,
             (SUMMER,)),
    Template("referral", 0.055, 0.03, (), REFERRAL_REFERRERS, (0.2, 0.2, 0.5, 0.0, 0.1), 0.45, 0.9, 0.08,
             (SUMMER,)),
    Template("paid_search", 0.12, 0.10, (
        ("google", "cpc", "brand_es"), ("google", "cpc", "brand_es"), ("google", "cpc", "generic_running_shoes"),
        ("google", "cpc", "generic_running_shoes"), ("bing", "cpc", "brand_es"), ("Google", " CPC ", "Summer_Sale"),
        ("google", "ppc", "summer_sale"), ("google", "paidsearch", "shopping"), ("bing", "sem", "generic_boots"),
        ("google", "paid", "pmax_all"), ("google", "paid_search", "brand_es")),
        ("https://www.google.com/",) * 3 + ("https://www.google.es/", "https://www.bing.com/"),
        (0.1, 0.3, 0.6, 0.0, 0.0), 0.45, 1.15, 0.25, (SUMMER,), paid=True),
    Template("paid_social", 0.07, 0.05, (
        ("facebook", "cpc", "summer_sale"), ("facebook", "cpc", "summer_sale"), ("instagram", "cpc", "summer_sale"),
        ("Facebook", "CPC", "retargeting"), ("meta", "paid_social", "prospecting"),
        ("tiktok", "paidsocial", "ugc_video"), ("instagram", "social_paid", "stories"),
        ("facebook", " Paid_Social", "retargeting")),
        ("https://l.facebook.com/", "https://l.instagram.com/", "https://www.tiktok.com/", None),
        (0.05, 0.15, 0.8, 0.0, 0.0), 0.55, 0.7, 0.25, (SUMMER,), paid=True),
    Template("display", 0.025, 0.01, (
        ("criteo", "display", "retargeting"), ("criteo", "display", "retargeting"), ("gdn", "banner", "summer_sale"),
        ("google", "cpm", "awareness"), ("Criteo", "Display ", "retargeting")),
        ("https://www.elpais.example.com/deportes/", "https://www.marca.example.com/", None,
         "https://tpc.googlesyndication.com/"),
        (0.1, 0.3, 0.6, 0.0, 0.0), 0.6, 0.5, 0.25, (SUMMER,), paid=True),
    Template("email", 0.035, 0.18, (
        ("newsletter", "email", "weekly"), ("newsletter", "email", "weekly"), ("klaviyo", "e-mail", "abandoned_cart"),
        ("Newsletter", "Email", "summer_sale"), ("newsletter", "newsletter", " weekly")),
        (None, None, None, "https://mail.google.com/"),
        (0.3, 0.4, 0.3, 0.0, 0.0), 0.3, 1.4, 0.45, (NEWSLETTER, SUMMER), paid=True),
    Template("affiliate", 0.02, 0.015, (
        ("awin", "affiliate", "deals"), ("partnerblog", "affiliates", "review_2026"),
        ("AWIN", "Affiliate", "cashback")),
        ("https://www.deals.example.com/shop-example", "https://www.cashback.example.org/"),
        (0.1, 0.2, 0.7, 0.0, 0.0), 0.45, 1.1, 0.5, (PARTNER,)),
    Template("social_tagged", 0.02, 0.01, (
        ("instagram", "social", "bio_link"), ("facebook", "social-media", "post"), ("linkedin", "sm", "company_page"),
        ("pinterest", "social-network", "pins"), ("Instagram", "Social", "bio_link")),
        ("https://l.instagram.com/", "https://l.facebook.com/", "https://www.linkedin.com/",
         "https://www.pinterest.com/", None),
        (0.2, 0.2, 0.6, 0.0, 0.0), 0.5, 0.7, 0.05, (SUMMER,)),
    Template("organic_tagged", 0.01, 0.005, (
        ("google", "organic", "shopping_free_listings"), ("gmb", "organic", "business_profile")),
        ("https://www.google.com/", None), (0.3, 0.2, 0.5, 0.0, 0.0), 0.4, 1.0, 0.05, (SUMMER,)),
    Template("other_tagged", 0.015, 0.02, (
        ("qr", "print", "flyer_summer"), ("sms", "sms", "flash_sale"), ("push", "push", "back_in_stock"),
        ("partner", "referral", "blogroll"), ("whatsapp", "share", "")),
        (None,), (0.4, 0.3, 0.3, 0.0, 0.0), 0.4, 1.0, 0.2, (SUMMER,)),
    Template("blank_tags", 0.01, 0.005, (("", " ", ""), (" ", "", " "), ("", "", "")),
             (*SEARCH_REFERRERS[:6], None), (0.4, 0.3, 0.3, 0.0, 0.0), 0.42, 1.0, 0.05, (SUMMER,)),
)
TAGS = tuple(tag for template in TEMPLATES for tag in template.tags)
REFERRERS = tuple(dict.fromkeys(ref for template in TEMPLATES for ref in template.referrers if ref is not None))
UTM_QUERIES = tuple(
    f"?utm_source={quote_plus(s)}&utm_medium={quote_plus(m)}&utm_campaign={quote_plus(c)}" for s, m, c in TAGS
)
QUERIES = ("", *SEARCH_QUERIES, *CATEGORY_QUERIES, *PRODUCT_QUERIES, *UTM_QUERIES)
Q_SEARCH0 = 1
Q_CATEGORY0 = Q_SEARCH0 + len(SEARCH_QUERIES)
Q_PRODUCT0 = Q_CATEGORY0 + len(CATEGORY_QUERIES)
Q_UTM0 = Q_PRODUCT0 + len(PRODUCT_QUERIES)

CATEGORIES: tuple[tuple[str, int, int, int, tuple[str, ...]], ...] = (  # name, products, price range, nouns
    ("shoes", 40, 49, 149, ("Runner", "Sneaker", "Trainer", "Racer", "Glide")),
    ("boots", 25, 79, 229, ("Boot", "Hiker", "Chelsea Boot", "Trekker")),
    ("sandals", 12, 24, 79, ("Sandal", "Slide", "Flip")),
    ("t-shirts", 25, 14, 39, ("Tee", "Tech Tee", "Tank", "Polo")),
    ("jackets", 20, 59, 249, ("Shell Jacket", "Parka", "Windbreaker", "Fleece")),
    ("trousers", 18, 39, 119, ("Trail Pant", "Jogger", "Short", "Tight")),
    ("socks", 20, 8, 24, ("Crew Sock", "Trail Sock", "Merino Sock")),
    ("bags", 15, 29, 159, ("Daypack", "Duffel", "Hip Pack")),
    ("accessories", 25, 9, 69, ("Cap", "Beanie", "Bottle", "Headlamp", "Gloves")),
)
ADJECTIVES = ("Aero", "Summit", "Trail", "Urban", "Storm", "Coastal", "Alpine", "Nimbus", "Vertex", "Pulse",
              "Terra", "Lumen", "Nova", "Ridge", "Drift", "Echo", "Granite", "Harbor", "Zephyr", "Canyon")
MODEL_SUFFIXES = ("", " 2", " 3", " GTX", " Lite", " Pro", " Max", " Knit")

FIRST_NAMES = ("Lucia", "Maria", "Carmen", "Sofia", "Martina", "Julia", "Paula", "Elena", "Laura", "Ana", "Hugo",
               "Martin", "Lucas", "Daniel", "Pablo", "Alejandro", "Javier", "David", "Carlos", "Mateo", "Jean",
               "Camille", "Louis", "Emma", "Lukas", "Anna", "Leon", "Mia", "Giulia", "Marco", "Joao", "Beatriz",
               "Oliver", "Amelia", "George", "Sophie", "Noah", "Olivia", "Liam", "Ines")
LAST_NAMES = ("Garcia", "Fernandez", "Gonzalez", "Rodriguez", "Lopez", "Martinez", "Sanchez", "Perez", "Gomez",
              "Martin", "Jimenez", "Ruiz", "Hernandez", "Diaz", "Moreno", "Alvarez", "Romero", "Navarro", "Torres",
              "Dominguez", "Silva", "Santos", "Ferreira", "Dubois", "Bernard", "Muller", "Schmidt", "Schneider",
              "Rossi", "Russo", "Bianchi", "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "de Vries",
              "Jansen", "Costa")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
COUNTRIES = (("ES", 0.55), ("PT", 0.08), ("FR", 0.10), ("DE", 0.07), ("IT", 0.07), ("GB", 0.06), ("NL", 0.03),
             ("US", 0.02), ("MX", 0.02))
RETURN_REASONS = ("wrong_size", "damaged", "not_as_described", "changed_mind", "arrived_late", "defective",
                  "Wrong size ")
RETURN_REASON_SHARES = (0.38, 0.12, 0.15, 0.2, 0.05, 0.08, 0.02)
STATUSES = ("placed", "shipped", "delivered", "cancelled", "delivered ")
PLACED, SHIPPED, DELIVERED, CANCELLED, DELIVERED_BLANK = range(5)

HOUR_WEIGHTS = np.array([1.2, 0.8, 0.5, 0.4, 0.4, 0.6, 1.2, 2.2, 3.2, 4.0, 4.5, 4.8,
                         5.0, 4.8, 4.5, 4.4, 4.5, 4.8, 5.3, 6.0, 6.5, 6.2, 4.8, 2.8])
WEEKDAY_WEIGHTS = np.array([1.05, 1.0, 0.97, 0.98, 0.95, 0.85, 1.08])  # Monday .. Sunday

# Event kinds inside a visit (the funnel position of a row; several map to one event name).
K_BROWSE, K_CART_VIEW, K_ADD, K_CART_PAGE, K_REMOVE, K_CHECKOUT_PAGE, K_BEGIN, K_CONFIRM_PAGE, K_PURCHASE = range(9)
KIND_PAGE_TYPE = np.array([-1, T_PRODUCT, -1, T_CART, -1, T_CHECKOUT, -1, T_CONFIRM, -1])
KIND_EVENT_NAME = np.array([PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, PAGE_VIEW, REMOVE_FROM_CART, PAGE_VIEW,
                            BEGIN_CHECKOUT, PAGE_VIEW, PURCHASE])
KIND_IS_PAGE = np.array([True, True, False, True, False, True, False, True, False])

# --------------------------------------------------------------------------------------------------
# Output schemas (SPEC section 1: exactly these columns, in this order)
# --------------------------------------------------------------------------------------------------

TS = pa.timestamp("us")
MONEY = pa.decimal128(12, 2)
TEXT = pa.string()
QTY = pa.int32()
SCHEMAS: dict[str, pa.Schema] = {
    "raw_events": pa.schema([
        ("event_id", TEXT), ("event_ts", TS), ("loaded_at", TS), ("anonymous_id", TEXT), ("customer_id", TEXT),
        ("event_name", TEXT), ("page_url", TEXT), ("page_referrer", TEXT), ("utm_source", TEXT),
        ("utm_medium", TEXT), ("utm_campaign", TEXT), ("product_id", TEXT), ("order_id", TEXT),
        ("device_category", TEXT), ("user_agent", TEXT)]),
    "raw_orders": pa.schema([
        ("order_id", TEXT), ("customer_id", TEXT), ("ordered_at", TS), ("status", TEXT), ("order_total", MONEY),
        ("discount_code", TEXT)]),
    "raw_order_items": pa.schema([("order_id", TEXT), ("product_id", TEXT), ("quantity", QTY), ("unit_price", MONEY)]),
    "raw_returns": pa.schema([
        ("return_id", TEXT), ("order_id", TEXT), ("product_id", TEXT), ("quantity", QTY), ("refund_amount", MONEY),
        ("returned_at", TS), ("reason", TEXT)]),
    "raw_products": pa.schema([
        ("product_id", TEXT), ("product_name", TEXT), ("category", TEXT), ("list_price", MONEY)]),
    "raw_customers": pa.schema([
        ("customer_id", TEXT), ("email", TEXT), ("full_name", TEXT), ("country_code", TEXT), ("created_at", TS)]),
}
TABLES = tuple(SCHEMAS)
ORDER_NUMBER0 = 100_001  # orders before this number predate the extract (returns may still name them)
REJECT_REASONS = ("missing_event_id", "missing_anonymous_id", "missing_event_ts", "unknown_event_name",
                  "missing_product_id", "missing_order_id")

Cols = dict[str, np.ndarray]

# --------------------------------------------------------------------------------------------------
# Small numeric helpers
# --------------------------------------------------------------------------------------------------


def splitmix64(values: np.ndarray) -> np.ndarray:
    """A bijective 64-bit mixer: distinct inputs give distinct, random-looking outputs."""
    z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def day_rng(seed: int, stream: int, day: int) -> np.random.Generator:
    """The random generator of one stream and one day: independent of how the work is chunked."""
    return np.random.default_rng([seed, stream, day + HISTORY_DAYS])


def segments(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Owner group, position inside the group and start index of every element of consecutive groups."""
    starts = np.cumsum(lengths) - lengths
    owner = np.repeat(np.arange(len(lengths)), lengths)
    return owner, np.arange(int(lengths.sum())) - starts[owner], starts


def seconds_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Times of day with the traffic curve of a European shop (busy at lunch and in the evening)."""
    hours = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    return hours * 3600 + rng.integers(0, 3600, size=n)


def lognormal_seconds(rng: np.random.Generator, median: float, sigma: float, low: int, high: int, n: int) -> np.ndarray:
    """Durations with a long right tail, clipped to [low, high] seconds."""
    return np.clip(rng.lognormal(np.log(median), sigma, size=n), low, high).astype(np.int64)


def distinct_products(rng: np.random.Generator, popularity: np.ndarray, rows: int, width: int) -> np.ndarray:
    """A rows x width matrix of products drawn by popularity, all distinct within a row."""
    n_products = len(popularity)
    picks = rng.choice(n_products, size=(rows, width), p=popularity)
    for _ in range(6):
        sorted_picks = np.sort(picks, axis=1)
        clash = (sorted_picks[:, 1:] == sorted_picks[:, :-1]).any(axis=1)
        if not clash.any():
            return picks
        picks[clash] = rng.choice(n_products, size=(int(clash.sum()), width), p=popularity)
    clash = (np.sort(picks, axis=1)[:, 1:] == np.sort(picks, axis=1)[:, :-1]).any(axis=1)
    picks[clash] = (picks[clash][:, :1] + np.arange(width)) % n_products  # consecutive ids: always distinct
    return picks


def discount_cents(total_cents: np.ndarray, percent_off: np.ndarray) -> np.ndarray:
    """The discount, in cents, of a percentage off an amount (half up)."""
    return (total_cents * percent_off + 50) // 100


# --------------------------------------------------------------------------------------------------
# Arrow builders: numeric codes -> typed columns
# --------------------------------------------------------------------------------------------------


def fixed_width_strings(chars: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A string array from an (n, width) matrix of ASCII codes; rows where valid is False are NULL."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    data = pa.py_buffer(np.ascontiguousarray(chars, dtype=np.uint8))
    return pa.Array.from_buffers(TEXT, n, [bitmap, pa.py_buffer(offsets), data])


HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_ids(keys: np.ndarray, salt: np.uint64) -> pa.Array:
    """16-hex-digit ids, a bijective hash of the keys; a negative key gives NULL."""
    mixed = splitmix64(keys.astype(np.uint64) + salt)
    octets = mixed.astype(">u8").view(np.uint8).reshape(-1, 8)
    chars = np.empty((len(keys), 16), dtype=np.uint8)
    chars[:, 0::2] = HEX_DIGITS[octets >> 4]
    chars[:, 1::2] = HEX_DIGITS[octets & 15]
    return fixed_width_strings(chars, keys >= 0)


def numbered_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Ids like 'c-000042' (zero padded to width digits); a negative number gives NULL."""
    valid = numbers >= 0
    safe = np.where(valid, numbers, 0).astype(np.int64)
    if len(safe):
        width = max(width, len(str(int(safe.max()))))
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (safe[:, None] // powers) % 10 + ord("0")
    head = np.broadcast_to(np.frombuffer(prefix.encode(), dtype=np.uint8), (len(safe), len(prefix)))
    return fixed_width_strings(np.hstack([head, digits.astype(np.uint8)]), valid)


def customer_ids(index: np.ndarray) -> pa.Array:
    """Customer ids 'c-000001'... from 0-based customer indices (-1 gives NULL)."""
    return numbered_ids("c-", np.where(index >= 0, index + 1, -1), 6)


def vocabulary_take(vocabulary: tuple[str | None, ...], codes: np.ndarray) -> pa.Array:
    """Strings of a vocabulary by code; a negative code gives NULL."""
    return pa.array(vocabulary, type=TEXT).take(pa.array(codes, type=pa.int32(), mask=codes < 0))


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Timestamps (no time zone) from epoch seconds; a negative value gives NULL."""
    return pa.array(seconds * 1_000_000, type=pa.int64(), mask=seconds < 0).cast(TS)


def decimals(cents: np.ndarray) -> pa.Array:
    """decimal(12,2) amounts from integer cents, exactly."""
    words = np.zeros((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension of the 128-bit two's complement
    return pa.Array.from_buffers(MONEY, len(cents), [None, pa.py_buffer(words)])


def concatenated(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays (and constant strings); NULL parts count as ''."""
    return pc.binary_join_element_wise(*parts, "", null_handling="replace", null_replacement="")


# --------------------------------------------------------------------------------------------------
# Catalogue and shop state
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """Products: names, categories, prices in cents, and how often each is viewed."""

    names: tuple[str, ...]
    category: np.ndarray
    price_cents: np.ndarray
    popularity: np.ndarray
    category_popularity: np.ndarray

    @property
    def size(self) -> int:
        return len(self.names)


def make_catalog(rng: np.random.Generator) -> Catalog:
    """About 200 products over nine categories, with a long-tailed popularity."""
    names: list[str] = []
    category: list[int] = []
    prices: list[int] = []
    for code, (_, count, low, high, nouns) in enumerate(CATEGORIES):
        for _ in range(count):
            name = f"{rng.choice(ADJECTIVES)} {rng.choice(nouns)}{rng.choice(MODEL_SUFFIXES)}"
            while name in names:
                name += " II"
            names.append(name)
            category.append(code)
            prices.append(int(rng.integers(low, high + 1)) * 100 - int(rng.choice([1, 1, 5, 0])))
    ranks = rng.permutation(len(names)) + 1
    popularity = 1.0 / ranks**1.1
    popularity /= popularity.sum()
    category_array = np.array(category)
    category_popularity = np.bincount(category_array, weights=popularity, minlength=len(CATEGORIES))
    return Catalog(tuple(names), category_array, np.array(prices, dtype=np.int64), popularity,
                   category_popularity / category_popularity.sum())


def page_paths(catalog: Catalog) -> tuple[str, ...]:
    """The full path vocabulary: fixed pages, category pages, product pages."""
    return (FIXED_PATHS + tuple(f"/category/{name}" for name, *_ in CATEGORIES)
            + tuple(f"/products/{product_id(p)}" for p in range(catalog.size)))


def product_id(code: int) -> str:
    return f"p-{code + 1:04d}"


class Growing:
    """A numpy array that grows by doubling: the per-visitor and per-customer state of the shop."""

    def __init__(self, dtype: type | np.dtype, fill: int | bool) -> None:
        self._data = np.full(1024, fill, dtype=dtype)
        self._fill = fill
        self.size = 0

    @property
    def values(self) -> np.ndarray:
        return self._data[: self.size]

    def extend(self, values: np.ndarray) -> np.ndarray:
        """Append values; return their indices."""
        needed = self.size + len(values)
        if needed > len(self._data):
            grown = np.full(max(needed, 2 * len(self._data)), self._fill, dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size: needed] = values
        indices = np.arange(self.size, needed)
        self.size = needed
        return indices


@dataclass
class Visitors:
    """Browsers seen so far (one anonymous_id each): device label, user agent, known customer, login."""

    label: Growing = field(default_factory=lambda: Growing(np.int8, 0))
    agent: Growing = field(default_factory=lambda: Growing(np.int16, 0))
    customer: Growing = field(default_factory=lambda: Growing(np.int64, -1))
    logged_in: Growing = field(default_factory=lambda: Growing(np.bool_, False))

    def add(self, rng: np.random.Generator, customers: np.ndarray) -> np.ndarray:
        """New browsers (one per entry of customers, -1 when unknown); return their indices."""
        n = len(customers)
        device = rng.choice(3, size=n, p=DEVICE_SHARES)
        self.label.extend(device_labels(rng, device))
        self.agent.extend(user_agents(rng, device))
        self.customer.extend(customers)
        return self.logged_in.extend(np.zeros(n, dtype=bool))


def device_labels(rng: np.random.Generator, device: np.ndarray) -> np.ndarray:
    """device_category codes: the clean label, or now and then a stray-case/blank variant of it."""
    labels = device.astype(np.int8)
    stray = rng.random(len(device)) < STRAY_DEVICE_RATE
    for code, variants in enumerate(STRAY_DEVICE_LABELS):
        hit = stray & (device == code)
        labels[hit] = rng.choice(variants, size=int(hit.sum()))
    return labels


def user_agents(rng: np.random.Generator, device: np.ndarray) -> np.ndarray:
    """A user agent (code into USER_AGENTS) matching each device."""
    agents = np.zeros(len(device), dtype=np.int16)
    first = 0
    for code, pool in enumerate(USER_AGENTS_BY_DEVICE):
        hit = device == code
        shares = np.array([share for _, share in pool])
        agents[hit] = first + rng.choice(len(pool), size=int(hit.sum()), p=shares / shares.sum())
        first += len(pool)
    return agents


@dataclass
class Customers:
    """Customers so far: creation time and their usual browser (-1 until they log in on one)."""

    created: Growing = field(default_factory=lambda: Growing(np.int64, 0))
    device: Growing = field(default_factory=lambda: Growing(np.int64, -1))

    @property
    def count(self) -> int:
        return self.created.size


@dataclass
class Counters:
    """Running numbers of ids and of the volume produced (drives the volume controller)."""

    event: int = 0
    bot: int = 0
    order: int = ORDER_NUMBER0
    ret: int = 1
    rows: int = 0
    human_events: int = 0
    human_visits: int = 0
    bot_events: int = 0
    bot_visits: int = 0


@dataclass(frozen=True)
class Plan:
    """What the run must produce: row targets per day and the faults to sprinkle."""

    seed: int
    events: int
    cumulative_targets: np.ndarray  # event rows due by the end of each period day
    rejects: np.ndarray  # (PERIOD_DAYS, len(REJECT_REASONS)) rows per day and reason
    unknown_returns: np.ndarray  # per period day
    history_orders_per_day: float
    initial_customers: int
    salts: tuple[np.uint64, np.uint64]  # event ids, anonymous ids


@dataclass
class Shop:
    """Everything that carries over from one day to the next."""

    plan: Plan
    catalog: Catalog
    paths: tuple[str, ...]
    visitors: Visitors = field(default_factory=Visitors)
    customers: Customers = field(default_factory=Customers)
    counters: Counters = field(default_factory=Counters)


def day_weights() -> np.ndarray:
    """Relative traffic of each period day: weekday rhythm, slow growth, the summer sale."""
    days = np.arange(PERIOD_DAYS)
    weekday = (PERIOD_START // DAY + days + 3) % 7  # 1970-01-01 was a Thursday (3)
    weights = WEEKDAY_WEIGHTS[weekday] * (1 + 0.004 * days)
    weights[list(SALE_DAYS)] *= 1.25
    return weights


def make_plan(seed: int, events: int) -> Plan:
    """Split the requested number of event rows over days, and size the faults and the order history."""
    rng = np.random.default_rng([seed, 1])
    weights = day_weights()
    per_reason = max(REJECT_MIN, round(REJECT_RATE * events))
    rejects = np.stack([rng.multinomial(per_reason, weights / weights.sum()) for _ in REJECT_REASONS], axis=1)
    expected_orders = events / (1 + DUPLICATE_RATE) * (1 - BOT_SHARE) / EVENTS_PER_VISIT_PRIOR * 0.027
    unknown = max(3, round(UNKNOWN_RETURN_RATE * RETURN_RATE * expected_orders))
    history_per_day = HISTORY_ORDER_RATIO * expected_orders / PERIOD_DAYS
    salts = splitmix64(np.array([seed * 16 + 1, seed * 16 + 2], dtype=np.uint64))
    return Plan(
        seed=seed,
        events=events,
        cumulative_targets=np.round(events * np.cumsum(weights) / weights.sum()).astype(np.int64),
        rejects=rejects,
        unknown_returns=rng.multinomial(unknown, np.full(PERIOD_DAYS, 1 / PERIOD_DAYS)),
        history_orders_per_day=history_per_day,
        initial_customers=max(20, round(1.2 * history_per_day * HISTORY_DAYS)),
        salts=(salts[0], salts[1]),
    )


# --------------------------------------------------------------------------------------------------
# Visits
# --------------------------------------------------------------------------------------------------


@dataclass
class Visits:
    """One row per visit (a browser's stay on the site, possibly spanning two sessions after a pause)."""

    visitor: np.ndarray  # -1 for bots
    anon_key: np.ndarray  # key hashed into anonymous_id
    customer: np.ndarray  # known customer of the browser, -1 if none
    logged_in: np.ndarray  # the browser still holds a login
    is_bot: np.ndarray
    template: np.ndarray  # -1 for bots
    tag: np.ndarray  # campaign tags of the landing URL, -1 if none
    referrer: np.ndarray  # external referrer code, -1 if none
    start: np.ndarray
    landing: np.ndarray  # page type of the landing page
    n_browse: np.ndarray
    n_cart: np.ndarray
    remove_slot: np.ndarray  # cart slot removed again, -1 if none
    checkout: np.ndarray
    purchase: np.ndarray
    cart: np.ndarray  # (n, 3) products put in the cart
    label: np.ndarray
    agent: np.ndarray

    def __len__(self) -> int:
        return len(self.start)


def concat_visits(parts: list[Visits]) -> Visits:
    return Visits(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Visits)})


def template_arrays() -> dict[str, np.ndarray]:
    """Per-template numbers as arrays, for vectorised lookups."""
    return {
        "weight": np.array([t.weight for t in TEMPLATES]),
        "customer_weight": np.array([t.customer_weight for t in TEMPLATES]),
        "paid": np.array([t.paid for t in TEMPLATES]),
        "n_tags": np.array([len(t.tags) for t in TEMPLATES]),
        "tag0": np.cumsum([0] + [len(t.tags) for t in TEMPLATES])[:-1],
        "landing": np.array([t.landing for t in TEMPLATES]),
        "bounce": np.array([t.bounce for t in TEMPLATES]),
        "cart_factor": np.array([t.cart_factor for t in TEMPLATES]),
        "discount": np.array([t.discount for t in TEMPLATES]),
    }


TEMPLATE = template_arrays()
TEMPLATE_REFERRERS = [np.array([-1 if r is None else REFERRERS.index(r) for r in t.referrers]) for t in TEMPLATES]
EMAIL_TEMPLATE = [t.name for t in TEMPLATES].index("email")


def template_weights(day: int, known: bool) -> np.ndarray:
    """Channel mix of the day: paid pushes during the sale, the newsletter goes out on Thursdays."""
    weights = (TEMPLATE["customer_weight"] if known else TEMPLATE["weight"]).copy()
    if day in SALE_DAYS:
        weights[TEMPLATE["paid"]] *= 1.8
    if (PERIOD_START // DAY + day + 3) % 7 == 3:
        weights[EMAIL_TEMPLATE] *= 3
    return weights / weights.sum()


def pick_visitors(rng: np.random.Generator, shop: Shop, n_visits: int) -> np.ndarray:
    """The browsers visiting today: known customers, returning browsers, new browsers (one visit each)."""
    visitors, customers = shop.visitors, shop.customers
    n_known = min(int(rng.binomial(customers.count, CUSTOMER_VISIT_RATE)), n_visits // 3)
    chosen = rng.choice(customers.count, size=n_known, replace=False) if n_known else np.zeros(0, np.int64)
    device = customers.device.values[chosen]
    on_new_device = (device < 0) | (rng.random(n_known) < 0.15)
    n_seen = visitors.customer.size
    n_returning = int(rng.binomial(n_visits - n_known, RETURNING_SHARE)) if n_seen else 0
    recency = max(1.0, 12 * (n_visits - n_known) * (1 - RETURNING_SHARE))  # browsers met in ~12 days
    returning = n_seen - 1 - np.minimum(rng.exponential(recency, size=n_returning).astype(np.int64), n_seen - 1)
    known = np.concatenate([device[~on_new_device], returning])
    _, first = np.unique(known, return_index=True)
    known = known[np.sort(first)]
    n_new = n_visits - n_known - n_returning
    latent = np.full(n_new, -1, dtype=np.int64)
    if customers.count:
        other_device = rng.random(n_new) < NEW_DEVICE_OF_CUSTOMER
        latent[other_device] = rng.integers(0, customers.count, size=int(other_device.sum()))
    new = visitors.add(rng, np.concatenate([chosen[on_new_device], latent]))
    return np.concatenate([known, new])


def draw_templates(rng: np.random.Generator, day: int, known: np.ndarray) -> np.ndarray:
    """The campaign template of each visit, from the day's mix for anonymous or known visitors."""
    template = np.empty(len(known), dtype=np.int64)
    for is_known in (False, True):
        hit = known == is_known
        template[hit] = rng.choice(len(TEMPLATES), size=int(hit.sum()), p=template_weights(day, is_known))
    return template


def draw_sources(rng: np.random.Generator, template: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tag and referrer codes of each visit, uniformly among its template's variants."""
    n_tags = TEMPLATE["n_tags"][template]
    tag = np.where(n_tags > 0, TEMPLATE["tag0"][template] + (rng.random(len(template)) * n_tags).astype(np.int64), -1)
    referrer = np.empty(len(template), dtype=np.int64)
    pick = rng.random(len(template))
    for code, choices in enumerate(TEMPLATE_REFERRERS):
        hit = template == code
        referrer[hit] = choices[(pick[hit] * len(choices)).astype(np.int64)]
    return tag, referrer


def draw_landing(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """A page type per row of a (n, 5) matrix of shares (home, category, product, search, content)."""
    cumulative = np.cumsum(shares, axis=1)
    cumulative[:, -1] = np.inf
    return (rng.random(len(shares))[:, None] > cumulative).sum(axis=1)


def draw_funnel(rng: np.random.Generator, template: np.ndarray, known: np.ndarray) -> dict[str, np.ndarray]:
    """How deep each visit goes: bounce, browse, cart, checkout, purchase (returning customers go further)."""
    n = len(template)
    bounced = rng.random(n) < TEMPLATE["bounce"][template] * np.where(known, 0.7, 1.0)
    cart_chance = np.minimum(0.8, 0.12 * TEMPLATE["cart_factor"][template] * np.where(known, 1.5, 1.0))
    carted = ~bounced & (rng.random(n) < cart_chance)
    checkout = carted & (rng.random(n) < np.where(known, 0.6, 0.45))
    purchase = checkout & (rng.random(n) < np.where(known, 0.75, 0.62))
    n_browse = np.where(bounced, 1, 1 + np.minimum(rng.geometric(np.where(carted, 0.35, 0.3)), 30))
    n_cart = np.where(carted, rng.choice([1, 2, 3], size=n, p=[0.62, 0.28, 0.10]), 0)
    removes = carted & (rng.random(n) < 0.22) & ((n_cart >= 2) | ~checkout)  # a paid cart is never empty
    remove_slot = np.where(removes, (rng.random(n) * n_cart).astype(np.int64), -1)
    return {"n_browse": n_browse, "n_cart": n_cart, "remove_slot": remove_slot, "checkout": checkout,
            "purchase": purchase}


def human_visits(rng: np.random.Generator, shop: Shop, day: int, n_visits: int) -> Visits:
    """Today's visits of people."""
    visitor = pick_visitors(rng, shop, n_visits)
    n = len(visitor)
    customer = shop.visitors.customer.values[visitor]
    known = customer >= 0
    template = draw_templates(rng, day, known)
    tag, referrer = draw_sources(rng, template)
    funnel = draw_funnel(rng, template, known)
    return Visits(
        visitor=visitor, anon_key=visitor, customer=customer, logged_in=shop.visitors.logged_in.values[visitor],
        is_bot=np.zeros(n, dtype=bool), template=template, tag=tag, referrer=referrer,
        start=PERIOD_START + day * DAY + seconds_of_day(rng, n),
        landing=draw_landing(rng, TEMPLATE["landing"][template]),
        cart=distinct_products(rng, shop.catalog.popularity, n, 3),
        label=shop.visitors.label.values[visitor], agent=shop.visitors.agent.values[visitor], **funnel)


def bot_visits(rng: np.random.Generator, shop: Shop, day: int, n: int) -> Visits:
    """Today's crawler and script visits: no cookies (a new anonymous_id each), page and product views only."""
    shares = np.array([share for _, _, share in BOT_USER_AGENTS])
    which = rng.choice(len(BOT_USER_AGENTS), size=n, p=shares / shares.sum())
    device = np.array([device for _, device, _ in BOT_USER_AGENTS])[which]
    single_hit = rng.random(n) < 0.4
    none = np.full(n, -1, dtype=np.int64)
    keys = (1 << 40) + shop.counters.bot + np.arange(n)
    shop.counters.bot += n
    return Visits(
        visitor=none, anon_key=keys, customer=none, logged_in=np.zeros(n, dtype=bool), is_bot=np.ones(n, dtype=bool),
        template=none, tag=none, referrer=none, start=PERIOD_START + day * DAY + rng.integers(0, DAY, size=n),
        landing=draw_landing(rng, np.tile(BOT_TYPE_SHARES, (n, 1))),
        n_browse=np.where(single_hit, 1, 2 + np.minimum(rng.geometric(0.12, size=n), 80)),
        n_cart=np.zeros(n, dtype=np.int64), remove_slot=none, checkout=np.zeros(n, dtype=bool),
        purchase=np.zeros(n, dtype=bool), cart=np.zeros((n, 3), dtype=np.int64),
        label=device.astype(np.int8), agent=(BOT_UA0 + which).astype(np.int16))


# --------------------------------------------------------------------------------------------------
# Events of the visits
# --------------------------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where each visit's events sit in the event arrays."""

    owner: np.ndarray  # visit of each event
    pos: np.ndarray  # position of each event in its visit
    starts: np.ndarray  # first event of each visit
    length: np.ndarray  # events per visit
    checkout_page: np.ndarray  # position of the /checkout page view (valid when checkout)


def event_kinds(visits: Visits) -> tuple[np.ndarray, Layout]:
    """The funnel kind of every event: browse pages, cart pairs, removal, checkout, purchase."""
    has_remove = visits.remove_slot >= 0
    length = (visits.n_browse + 2 * visits.n_cart + 2 * has_remove + 3 * visits.checkout + 2 * visits.purchase)
    owner, pos, starts = segments(length)
    b1 = visits.n_browse[owner]
    b2 = b1 + 2 * visits.n_cart[owner]
    b3 = b2 + 2 * has_remove[owner]
    b4 = b3 + 3 * visits.checkout[owner]
    kind = np.full(len(pos), K_BROWSE, dtype=np.int8)
    cart = (pos >= b1) & (pos < b2)
    kind[cart] = np.where((pos[cart] - b1[cart]) % 2 == 0, K_CART_VIEW, K_ADD)
    removal = (pos >= b2) & (pos < b3)
    kind[removal] = np.where(pos[removal] == b2[removal], K_CART_PAGE, K_REMOVE)
    checkout = (pos >= b3) & (pos < b4)
    kind[checkout] = np.array([K_CART_PAGE, K_CHECKOUT_PAGE, K_BEGIN])[pos[checkout] - b3[checkout]]
    purchase = pos >= b4
    kind[purchase] = np.array([K_CONFIRM_PAGE, K_PURCHASE])[pos[purchase] - b4[purchase]]
    checkout_page = visits.n_browse + 2 * visits.n_cart + 2 * has_remove + 1
    return kind, Layout(owner, pos, starts, length, checkout_page)


def page_types(rng: np.random.Generator, visits: Visits, kind: np.ndarray, layout: Layout) -> np.ndarray:
    """The page type of every page-level event (landing page, then browsing, then funnel pages)."""
    ptype = KIND_PAGE_TYPE[kind].copy()
    browse = kind == K_BROWSE
    landing = browse & (layout.pos == 0)
    ptype[landing] = visits.landing[layout.owner[landing]]
    onward = browse & (layout.pos > 0)
    bot = visits.is_bot[layout.owner[onward]]
    ptype[onward] = np.where(bot, rng.choice(5, size=len(bot), p=BOT_TYPE_SHARES),
                             rng.choice(5, size=len(bot), p=BROWSE_TYPE_SHARES))
    return ptype


def event_products(rng: np.random.Generator, visits: Visits, kind: np.ndarray, ptype: np.ndarray,
                   layout: Layout, catalog: Catalog) -> np.ndarray:
    """product codes: viewed products while browsing, cart products in the cart steps, -1 elsewhere."""
    product = np.full(len(kind), -1, dtype=np.int64)
    viewed = (kind == K_BROWSE) & (ptype == T_PRODUCT)
    product[viewed] = rng.choice(catalog.size, size=int(viewed.sum()), p=catalog.popularity)
    carted = (kind == K_CART_VIEW) | (kind == K_ADD)
    owner = layout.owner[carted]
    slot = (layout.pos[carted] - visits.n_browse[owner]) // 2
    product[carted] = visits.cart[owner, slot]
    removed = kind == K_REMOVE
    owner = layout.owner[removed]
    product[removed] = visits.cart[owner, visits.remove_slot[owner]]
    return product


def page_codes(rng: np.random.Generator, visits: Visits, ptype: np.ndarray, product: np.ndarray,
               layout: Layout, catalog: Catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Path, query and fragment codes of every page-level event (other rows are filled in later)."""
    n = len(ptype)
    path = np.zeros(n, dtype=np.int32)
    query = np.zeros(n, dtype=np.int32)
    fragment = np.zeros(n, dtype=np.int32)
    category0 = len(FIXED_PATHS)
    product0 = category0 + len(CATEGORIES)
    u = rng.random(n)
    home = ptype == T_HOME
    path[home] = np.where(u[home] < 0.08, P_HOME_EMPTY, P_HOME)
    category = ptype == T_CATEGORY
    path[category] = category0 + rng.choice(len(CATEGORIES), size=int(category.sum()), p=catalog.category_popularity)
    query[category] = np.where(u[category] < 0.15, Q_CATEGORY0 + (u[category] * 100).astype(np.int32)
                               % len(CATEGORY_QUERIES), 0)
    is_product = ptype == T_PRODUCT
    path[is_product] = product0 + product[is_product]
    query[is_product] = np.where(u[is_product] < 0.06, Q_PRODUCT0 + (u[is_product] * 100).astype(np.int32)
                                 % len(PRODUCT_QUERIES), 0)
    fragment[is_product] = np.where(u[is_product] > 0.95, 1 + (u[is_product] * 1000).astype(np.int32) % 2, 0)
    search = ptype == T_SEARCH
    path[search] = P_SEARCH
    query[search] = Q_SEARCH0 + rng.integers(0, len(SEARCH_QUERIES), size=int(search.sum()))
    content = ptype == T_CONTENT
    path[content] = P_CONTENT0 + rng.integers(0, len(CONTENT_PATHS), size=int(content.sum()))
    fragment[(home | category) & (u > 0.99)] = 3
    for page_type, code in ((T_CART, P_CART), (T_CHECKOUT, P_CHECKOUT), (T_CONFIRM, P_CONFIRM)):
        path[ptype == page_type] = code
    tagged = (layout.pos == 0) & (visits.tag[layout.owner] >= 0)
    query[tagged] = Q_UTM0 + visits.tag[layout.owner[tagged]]
    return path, query, fragment


def event_gaps(rng: np.random.Generator, visits: Visits, kind: np.ndarray, layout: Layout) -> np.ndarray:
    """Seconds since the previous event of the visit (0 for the first); a few visits pause > 30 minutes."""
    n = len(kind)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    gap = lognormal_seconds(rng, 35, 1.0, 2, 1700, n)
    for k, median, sigma, low, high in ((K_ADD, 25, 0.8, 2, 600), (K_REMOVE, 15, 0.7, 2, 300),
                                        (K_BEGIN, 8, 0.6, 1, 300), (K_CONFIRM_PAGE, 90, 0.6, 20, 1500),
                                        (K_PURCHASE, 2, 0.3, 1, 3)):
        hit = kind == k
        gap[hit] = lognormal_seconds(rng, median, sigma, low, high, int(hit.sum()))
    bot = visits.is_bot[layout.owner]
    gap[bot] = rng.integers(1, 5, size=int(bot.sum()))
    gap[layout.pos == 0] = 0
    # A pause: the visitor comes back to an open tab. More than 30 minutes starts a new session whose
    # referrer is the shop itself; exactly 30:00 stays in the session (SPEC 3).
    v = len(visits)
    at = layout.starts + 1 + (rng.random(v) * np.maximum(layout.length - 1, 1)).astype(np.int64)
    u = rng.random(v)
    eligible = ~visits.is_bot & (layout.length >= 3)
    for chance, low, high in ((0.03, 1801, 7200), (0.004, 1800, 1801)):
        pause = eligible & (u < chance) & (at < layout.starts + layout.length)
        pause &= np.isin(kind[np.minimum(at, n - 1)], (K_BROWSE, K_CART_VIEW, K_CART_PAGE, K_CHECKOUT_PAGE))
        gap[at[pause]] = rng.integers(low, high, size=int(pause.sum()))
        u = np.where(pause, 1.0, u)
    return gap


def visit_timestamps(visits: Visits, gap: np.ndarray, layout: Layout) -> np.ndarray:
    """event_ts of every event: visit start plus the running sum of the gaps."""
    running = np.cumsum(gap)
    return visits.start[layout.owner] + running - running[layout.starts][layout.owner]


def referrer_codes(visits: Visits, is_page: np.ndarray, path: np.ndarray, query: np.ndarray,
                   layout: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Referrer of every page: the previous page of the visit (path, query), else the visit's external one."""
    pages = np.flatnonzero(is_page)
    previous = np.concatenate([np.zeros(1, dtype=np.int64), pages[:-1]])[: len(pages)]
    internal = np.zeros(len(pages), dtype=bool)
    internal[1:] = layout.owner[previous[1:]] == layout.owner[pages[1:]]
    ref_path = np.full(len(is_page), -1, dtype=np.int32)
    ref_query = np.zeros(len(is_page), dtype=np.int32)
    ref_external = np.full(len(is_page), -1, dtype=np.int64)
    ref_path[pages] = np.where(internal, path[previous], -1)
    ref_query[pages] = np.where(internal, query[previous], 0)
    ref_external[pages] = np.where(internal, -1, visits.referrer[layout.owner[pages]])
    return ref_path, ref_query, ref_external


def stray_names(rng: np.random.Generator, base: np.ndarray) -> np.ndarray:
    """event_name codes: mostly clean, sometimes 'Page_View', 'PAGE_VIEW' or 'page_view '."""
    variant = np.where(rng.random(len(base)) < STRAY_NAME_RATE, rng.integers(1, NAME_VARIANTS, size=len(base)), 0)
    return base * NAME_VARIANTS + variant


def build_events(rng: np.random.Generator, shop: Shop, visits: Visits) -> tuple[Cols, Layout]:
    """All events of the visits, as code columns (customer and order ids are filled in later)."""
    kind, layout = event_kinds(visits)
    ptype = page_types(rng, visits, kind, layout)
    product = event_products(rng, visits, kind, ptype, layout, shop.catalog)
    path, query, fragment = page_codes(rng, visits, ptype, product, layout, shop.catalog)
    is_page = KIND_IS_PAGE[kind]
    ref_path, ref_query, ref_external = referrer_codes(visits, is_page, path, query, layout)
    # Non-page events (add_to_cart, begin_checkout, ...) fire on the last page: same URL and referrer.
    page_of = np.maximum.accumulate(np.where(is_page, np.arange(len(kind)), 0))
    name = np.where((kind == K_BROWSE) & (ptype == T_PRODUCT), PRODUCT_VIEW, KIND_EVENT_NAME[kind])
    owner = layout.owner
    cols: Cols = {
        "event": np.zeros(len(kind), dtype=np.int64),
        "ts": visit_timestamps(visits, event_gaps(rng, visits, kind, layout), layout),
        "anon": visits.anon_key[owner],
        "customer": np.full(len(kind), -1, dtype=np.int64),  # customer index, -1 = NULL
        "name": stray_names(rng, name),
        "path": path[page_of], "query": query[page_of], "fragment": fragment[page_of],
        "ref_path": ref_path[page_of], "ref_query": ref_query[page_of], "ref_external": ref_external[page_of],
        "tag": np.where(page_of == layout.starts[owner], visits.tag[owner], -1),
        "product": product,
        "order": np.full(len(kind), -1, dtype=np.int64),
        "label": visits.label[owner], "agent": visits.agent[owner],
    }
    return cols, layout


# --------------------------------------------------------------------------------------------------
# Logins and customers
# --------------------------------------------------------------------------------------------------


def login_positions(rng: np.random.Generator, visits: Visits, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Position of the first event with customer_id in each visit (length = never) and the new sign-ups.

    A browser that kept its login is identified from the first event; others log in mid-visit (always
    before checkout when they buy); a buyer without account signs up on the checkout page.
    """
    n = len(visits)
    known = visits.customer >= 0
    u = rng.random(n)
    from_start_chance = np.where(visits.logged_in, 0.85, 0.0)
    mid_chance = np.where(visits.logged_in, 0.08, 0.4)
    from_start = known & (u < from_start_chance)
    signup = ~known & ~visits.is_bot & (
        visits.purchase | ((visits.n_browse >= 3) & (rng.random(n) < SIGNUP_RATE)))
    mid = (known & ~from_start & ((u < from_start_chance + mid_chance) | visits.purchase)) | signup
    latest = np.where(visits.purchase, layout.checkout_page, layout.length - 1)
    anywhere = 1 + (rng.random(n) * np.maximum(latest, 0)).astype(np.int64)
    login = layout.length.copy()
    login[mid] = np.where(signup & visits.purchase, layout.checkout_page, anywhere)[mid]
    login[from_start] = 0
    return login, signup & (login < layout.length)


def register_customers(shop: Shop, visits: Visits, signup: np.ndarray, signup_ts: np.ndarray) -> np.ndarray:
    """New customers for the sign-up visits, numbered in order of sign-up; return their numbers."""
    visit_index = np.flatnonzero(signup)
    order = np.argsort(signup_ts[visit_index], kind="stable")
    created = signup_ts[visit_index][order]
    numbers = shop.customers.created.extend(created)
    shop.customers.device.extend(visits.visitor[visit_index][order])
    customer = visits.customer.copy()
    customer[visit_index[order]] = numbers
    return customer


def apply_logins(rng: np.random.Generator, shop: Shop, visits: Visits, events: Cols, layout: Layout) -> np.ndarray:
    """Set customer_id on events after login, create the sign-ups, remember logins; return new customers."""
    login, signup = login_positions(rng, visits, layout)
    first_new = shop.customers.count
    signup_ts = events["ts"][np.minimum(layout.starts + login, len(events["ts"]) - 1)]
    customer = register_customers(shop, visits, signup, signup_ts)
    logged = np.flatnonzero((login < layout.length) & (visits.visitor >= 0))
    shop.visitors.customer.values[visits.visitor[logged]] = customer[logged]
    shop.visitors.logged_in.values[visits.visitor[logged]] = True
    shop.customers.device.values[customer[logged]] = visits.visitor[logged]
    events["customer"] = np.where(layout.pos >= login[layout.owner], customer[layout.owner], -1)
    visits.customer = customer
    return np.arange(first_new, shop.customers.count)


# --------------------------------------------------------------------------------------------------
# Orders, items, returns
# --------------------------------------------------------------------------------------------------


@dataclass
class Orders:
    """A batch of orders and their lines, before numbering."""

    customer: np.ndarray
    ordered_at: np.ndarray
    code: np.ndarray  # discount code, -1 if none
    cancel_rate: np.ndarray
    line_order: np.ndarray  # index into the batch
    line_product: np.ndarray
    line_quantity: np.ndarray
    line_cents: np.ndarray


def order_lines(rng: np.random.Generator, catalog: Catalog, products: np.ndarray,
                mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lines from an (orders, slots) product matrix where mask says which slots are bought."""
    line_order, slot = np.nonzero(mask)
    product = products[line_order, slot]
    quantity = rng.choice([1, 2, 3], size=len(product), p=[0.82, 0.14, 0.04])
    on_sale = rng.random(len(product)) < 0.15
    cents = np.where(on_sale, (catalog.price_cents[product] * 8 + 5) // 10, catalog.price_cents[product])
    return line_order, product, quantity, cents


def discount_codes(rng: np.random.Generator, chance: np.ndarray, choices: list[tuple[int, ...]],
                   welcome: np.ndarray) -> np.ndarray:
    """Discount code per order: WELCOME10 for some first orders, else the template's codes by chance."""
    n = len(chance)
    pick = rng.random(n)
    code = np.array([options[int(p * len(options))] for options, p in zip(choices, pick, strict=True)],
                    dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
    code = np.where(rng.random(n) < chance, code, -1)
    code = np.where(welcome & (rng.random(n) < 0.25), WELCOME, code)
    return np.where((code < 0) & (rng.random(n) < 0.01), BLANK_CODE, code)  # a blank code is no code


def web_orders(rng: np.random.Generator, shop: Shop, visits: Visits, events: Cols, layout: Layout,
               new_customers: np.ndarray) -> tuple[Orders, np.ndarray]:
    """One order per purchase visit, a few seconds after its purchase event; return the events too."""
    buying = np.flatnonzero(visits.purchase)
    purchase_event = layout.starts[buying] + layout.length[buying] - 1
    cart = visits.cart[buying]
    slots = np.arange(3)
    mask = (slots < visits.n_cart[buying][:, None]) & (slots != visits.remove_slot[buying][:, None])
    line_order, product, quantity, cents = order_lines(rng, shop.catalog, cart, mask)
    template = visits.template[buying]
    code = discount_codes(rng, TEMPLATE["discount"][template], [TEMPLATES[t].codes for t in template],
                          np.isin(visits.customer[buying], new_customers))
    orders = Orders(visits.customer[buying], events["ts"][purchase_event] + rng.integers(2, 26, size=len(buying)),
                    code, np.full(len(buying), CANCEL_RATE), line_order, product, quantity, cents)
    return orders, purchase_event


def offline_orders(rng: np.random.Generator, shop: Shop, n: int, day_start: int, business_hours: bool,
                   new_share: float) -> tuple[Orders, np.ndarray]:
    """Orders with no web event: phone orders in the period, or the order history before it.

    A share of them come from people who register with that order (created a few minutes before it);
    the others from customers registered earlier. Return the orders and the new customers.
    """
    if business_hours:
        ordered_at = np.sort(day_start + 9 * 3600 + rng.integers(0, 10 * 3600, size=n))
    else:
        ordered_at = np.sort(day_start + seconds_of_day(rng, n))
    # Earlier customers buying again (customers are numbered by creation). In the history, only those
    # registered 90+ days before: the repeat orders of the history's own cohorts fall in the tracked period.
    registered_before = ordered_at - (0 if business_hours else 90 * DAY)
    eligible = np.searchsorted(shop.customers.created.values, registered_before, side="right")
    customer = (rng.random(n) * eligible).astype(np.int64)
    new = (rng.random(n) < new_share) | (eligible == 0)
    created = ordered_at[new] - rng.integers(60, 1800, size=int(new.sum()))
    by_creation = np.argsort(created, kind="stable")
    customer[np.flatnonzero(new)[by_creation]] = shop.customers.created.extend(created[by_creation])
    shop.customers.device.extend(np.full(int(new.sum()), -1, dtype=np.int64))
    n_lines = rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1])
    products = distinct_products(rng, shop.catalog.popularity, n, 3)
    line_order, product, quantity, cents = order_lines(rng, shop.catalog, products, np.arange(3) < n_lines[:, None])
    code = discount_codes(rng, np.full(n, 0.1), [(VIP, SUMMER)] * n, new)
    orders = Orders(customer, ordered_at, code, np.full(n, 0.06), line_order, product, quantity, cents)
    return orders, np.sort(customer[new])


def concat_orders(parts: list[Orders]) -> Orders:
    offsets = np.cumsum([0] + [len(p.customer) for p in parts])[:-1]
    merged = {f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Orders)}
    merged["line_order"] = np.concatenate([p.line_order + off for p, off in zip(parts, offsets, strict=True)])
    return Orders(**merged)


def order_statuses(rng: np.random.Generator, ordered_at: np.ndarray, cancel_rate: np.ndarray) -> np.ndarray:
    """Status at extraction time: cancelled by chance, else placed, shipped or delivered by age."""
    age_days = (EXTRACT_END - ordered_at) / DAY
    jitter = rng.random(len(ordered_at))
    status = np.where(age_days < 1 + jitter, PLACED, np.where(age_days < 3 + 3 * jitter, SHIPPED, DELIVERED))
    status = np.where((status == DELIVERED) & (rng.random(len(status)) < 0.005), DELIVERED_BLANK, status)
    return np.where(rng.random(len(status)) < cancel_rate, CANCELLED, status)


@dataclass
class Numbered:
    """Orders after numbering: the tables to write and what returns need."""

    orders: pa.Table
    items: pa.Table
    number: np.ndarray  # order number per batch row
    position: np.ndarray  # batch row -> row in number order


def number_orders(rng: np.random.Generator, shop: Shop, batch: Orders) -> tuple[Numbered, np.ndarray, np.ndarray]:
    """Number the orders by time, settle status and totals; return tables, statuses and discounts."""
    order = np.argsort(batch.ordered_at, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    number = shop.counters.order + position
    shop.counters.order += len(order)
    percent = np.array([pct for _, pct in DISCOUNT_CODES])[np.maximum(batch.code, 0)] * (batch.code >= 0)
    subtotal = np.bincount(batch.line_order, weights=batch.line_quantity * batch.line_cents,
                           minlength=len(order)).astype(np.int64)
    total = subtotal - discount_cents(subtotal, percent)
    status = order_statuses(rng, batch.ordered_at, batch.cancel_rate)
    orders = pa.table({
        "order_id": numbered_ids("o-", number[order], 7),
        "customer_id": customer_ids(batch.customer[order]),
        "ordered_at": timestamps(batch.ordered_at[order]),
        "status": vocabulary_take(STATUSES, status[order]),
        "order_total": decimals(total[order]),
        "discount_code": vocabulary_take(tuple(code for code, _ in DISCOUNT_CODES), batch.code[order]),
    }, schema=SCHEMAS["raw_orders"])
    line_sort = np.lexsort((batch.line_product, position[batch.line_order]))
    items = pa.table({
        "order_id": numbered_ids("o-", number[batch.line_order][line_sort], 7),
        "product_id": vocabulary_take(PRODUCT_IDS, batch.line_product[line_sort]),
        "quantity": pa.array(batch.line_quantity[line_sort], type=QTY),
        "unit_price": decimals(batch.line_cents[line_sort]),
    }, schema=SCHEMAS["raw_order_items"])
    return Numbered(orders, items, number, position), status, percent


def order_returns(rng: np.random.Generator, shop: Shop, batch: Orders, numbered: Numbered, status: np.ndarray,
                  percent: np.ndarray) -> pa.Table:
    """Returns of some valid orders, days to weeks later (only those already happened at extraction)."""
    returning = (status != CANCELLED) & (rng.random(len(status)) < RETURN_RATE)
    returned_at = (batch.ordered_at + ((2 + rng.gamma(2.0, 4.0, size=len(status))) * DAY).astype(np.int64))
    returning &= returned_at < EXTRACT_END
    line = np.flatnonzero(returning[batch.line_order])
    order_of_line = batch.line_order[line]
    first_line = np.searchsorted(batch.line_order, order_of_line) == line  # lines are grouped by order
    taken = first_line | (rng.random(len(line)) < 0.35)
    line, order_of_line = line[taken], order_of_line[taken]
    quantity = np.where(rng.random(len(line)) < 0.7, batch.line_quantity[line], 1)
    gross = quantity * batch.line_cents[line]
    refund = gross - discount_cents(gross, percent[order_of_line])
    return returns_table(shop, numbered.number[order_of_line], batch.line_product[line], quantity, refund,
                         returned_at[order_of_line], rng.choice(len(RETURN_REASONS), size=len(line),
                                                                p=RETURN_REASON_SHARES))


def unknown_order_returns(rng: np.random.Generator, shop: Shop, n: int, day_start: int) -> pa.Table:
    """Returns naming orders older than the extract (unknown to raw_orders)."""
    product = rng.choice(shop.catalog.size, size=n, p=shop.catalog.popularity)
    return returns_table(shop, rng.integers(60_000, ORDER_NUMBER0, size=n), product, np.ones(n, dtype=np.int64),
                         shop.catalog.price_cents[product], day_start + seconds_of_day(rng, n),
                         rng.choice(len(RETURN_REASONS), size=n, p=RETURN_REASON_SHARES))


def returns_table(shop: Shop, order_number: np.ndarray, product: np.ndarray, quantity: np.ndarray,
                  refund_cents: np.ndarray, returned_at: np.ndarray, reason: np.ndarray) -> pa.Table:
    """raw_returns rows, with fresh return ids."""
    number = shop.counters.ret + np.arange(len(order_number))
    shop.counters.ret += len(order_number)
    return pa.table({
        "return_id": numbered_ids("r-", number, 6),
        "order_id": numbered_ids("o-", order_number, 7),
        "product_id": vocabulary_take(PRODUCT_IDS, product),
        "quantity": pa.array(quantity, type=QTY),
        "refund_amount": decimals(refund_cents),
        "returned_at": timestamps(returned_at),
        "reason": vocabulary_take(RETURN_REASONS, reason),
    }, schema=SCHEMAS["raw_returns"])


PRODUCT_IDS = tuple(product_id(p) for p in range(sum(count for _, count, *_ in CATEGORIES)))

# --------------------------------------------------------------------------------------------------
# Customers table
# --------------------------------------------------------------------------------------------------


def customers_table(rng: np.random.Generator, numbers: np.ndarray, created: np.ndarray) -> pa.Table:
    """raw_customers rows: names, e-mails (some mixed-case), countries, creation time."""
    n = len(numbers)
    first = rng.integers(0, len(FIRST_NAMES), size=n)
    last = rng.integers(0, len(LAST_NAMES), size=n)
    firsts, lasts = pa.array(FIRST_NAMES), pa.array(LAST_NAMES)
    lower_first = pc.utf8_lower(firsts).take(first)
    lower_last = pc.replace_substring(pc.utf8_lower(lasts), " ", "").take(last)
    mixed = pa.array(rng.random(n) < 0.03)
    local_first = pc.if_else(mixed, firsts.take(first), lower_first)
    local_last = pc.if_else(mixed, pc.replace_substring(lasts, " ", "").take(last), lower_last)
    suffix = vocabulary_take(("",) * 4 + tuple(str(k) for k in range(1, 100)), rng.integers(0, 103, size=n))
    domain = vocabulary_take(EMAIL_DOMAINS, rng.integers(0, len(EMAIL_DOMAINS), size=n))
    name_end = vocabulary_take(("", " "), (rng.random(n) < 0.01).astype(np.int64))
    countries = [code for code, _ in COUNTRIES]
    country = rng.choice(len(countries), size=n, p=[share for _, share in COUNTRIES])
    return pa.table({
        "customer_id": customer_ids(numbers),
        "email": concatenated(local_first, ".", local_last, suffix, "@", domain),
        "full_name": concatenated(firsts.take(first), " ", lasts.take(last), name_end),
        "country_code": vocabulary_take(tuple(countries), country),
        "created_at": timestamps(created),
    }, schema=SCHEMAS["raw_customers"])


# --------------------------------------------------------------------------------------------------
# Faults and the events table
# --------------------------------------------------------------------------------------------------


def take_rows(cols: Cols, index: np.ndarray) -> Cols:
    return {name: values[index] for name, values in cols.items()}


def concat_rows(parts: list[Cols]) -> Cols:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def load_times(rng: np.random.Generator, ts: np.ndarray) -> np.ndarray:
    """loaded_at: minutes after the event, or days after it for late events."""
    loaded = ts + lognormal_seconds(rng, 180, 0.8, 20, 3000, len(ts))
    late = rng.random(len(ts)) < LATE_RATE
    return np.where(late, ts + rng.integers(DAY + 3600, 9 * DAY, size=len(ts)), loaded)


def rejected_rows(rng: np.random.Generator, shop: Shop, cols: Cols, counts: np.ndarray) -> Cols:
    """A few broken rows per rejection reason, copied from real events, each broken for its reason only
    (except that some rows missing event_id also miss anonymous_id: the first reason wins)."""
    parts: list[Cols] = []
    for reason, count in zip(REJECT_REASONS, counts, strict=True):
        if count == 0 or len(cols["ts"]) == 0:
            continue
        rows = take_rows(cols, rng.integers(0, len(cols["ts"]), size=int(count)))
        rows["event"] = new_event_numbers(shop, int(count))
        if reason == "missing_event_id":
            rows["event"][:] = -1
            rows["anon"] = np.where(rng.random(int(count)) < 0.3, -1, rows["anon"])
        elif reason == "missing_anonymous_id":
            rows["anon"][:] = -1
        elif reason == "missing_event_ts":
            rows["ts"][:] = -1
        elif reason == "unknown_event_name":
            rows["name"] = UNKNOWN_NAME0 + rng.integers(0, len(UNKNOWN_EVENT_NAMES), size=int(count))
        elif reason == "missing_product_id":
            rows["name"] = rng.choice([PRODUCT_VIEW, ADD_TO_CART, REMOVE_FROM_CART], size=int(count)) * NAME_VARIANTS
            rows["product"][:] = -1
            rows["order"][:] = -1
        else:
            rows["name"][:] = PURCHASE * NAME_VARIANTS
            rows["order"][:] = -1
            rows["product"][:] = -1
        parts.append(rows)
    return concat_rows(parts) if parts else take_rows(cols, np.zeros(0, dtype=np.int64))


def new_event_numbers(shop: Shop, n: int) -> np.ndarray:
    numbers = shop.counters.event + np.arange(n, dtype=np.int64)
    shop.counters.event += n
    return numbers


def with_faults(rng: np.random.Generator, shop: Shop, cols: Cols, rejects: np.ndarray) -> Cols:
    """Event rows as delivered: ids and load times, duplicate deliveries, broken rows; sorted by loaded_at."""
    n = len(cols["ts"])
    cols["event"] = new_event_numbers(shop, n)
    cols["loaded"] = load_times(rng, cols["ts"])
    duplicates = take_rows(cols, rng.integers(0, n, size=int(rng.binomial(n, DUPLICATE_RATE))) if n else
                           np.zeros(0, dtype=np.int64))
    duplicates["loaded"] = duplicates["loaded"] + rng.integers(30, 2 * DAY, size=len(duplicates["ts"]))
    broken = rejected_rows(rng, shop, cols, rejects)
    rows = concat_rows([cols, duplicates, broken])
    return take_rows(rows, np.lexsort((rows["event"], rows["loaded"])))


def events_table(shop: Shop, cols: Cols) -> pa.Table:
    """raw_events rows from code columns."""
    paths, queries = pa.array(shop.paths), pa.array(QUERIES)
    url = concatenated(SHOP_URL, paths.take(cols["path"]), queries.take(cols["query"]),
                       pa.array(FRAGMENTS).take(cols["fragment"]))
    internal = cols["ref_path"] >= 0
    internal_ref = concatenated(SHOP_URL, paths.take(np.maximum(cols["ref_path"], 0)), queries.take(cols["ref_query"]))
    referrer = pc.if_else(pa.array(internal), internal_ref, vocabulary_take(REFERRERS, cols["ref_external"]))
    tag = cols["tag"]
    return pa.table({
        "event_id": hex_ids(cols["event"], shop.plan.salts[0]),
        "event_ts": timestamps(cols["ts"]),
        "loaded_at": timestamps(cols["loaded"]),
        "anonymous_id": hex_ids(cols["anon"], shop.plan.salts[1]),
        "customer_id": customer_ids(cols["customer"]),
        "event_name": vocabulary_take(EVENT_NAME_VOCAB, cols["name"]),
        "page_url": url,
        "page_referrer": referrer,
        "utm_source": vocabulary_take(tuple(s for s, _, _ in TAGS), tag),
        "utm_medium": vocabulary_take(tuple(m for _, m, _ in TAGS), tag),
        "utm_campaign": vocabulary_take(tuple(c for _, _, c in TAGS), tag),
        "product_id": vocabulary_take(PRODUCT_IDS, cols["product"]),
        "order_id": numbered_ids("o-", cols["order"], 7),
        "device_category": vocabulary_take(DEVICE_LABELS, cols["label"]),
        "user_agent": vocabulary_take(USER_AGENTS, cols["agent"]),
    }, schema=SCHEMAS["raw_events"])


# --------------------------------------------------------------------------------------------------
# Days
# --------------------------------------------------------------------------------------------------

Chunk = dict[str, pa.Table]
STREAM_HISTORY, STREAM_DAY, STREAM_CATALOG, STREAM_CUSTOMERS = 10, 11, 12, 13


def visits_for_day(shop: Shop, day: int) -> tuple[int, int]:
    """How many human and bot visits today, steering the running total of rows to the day's target."""
    c = shop.counters
    fixed = int(shop.plan.rejects[day].sum())
    genuine = max(0.0, (shop.plan.cumulative_targets[day] - c.rows - fixed) / (1 + DUPLICATE_RATE))
    per_visit = (c.human_events + 50 * EVENTS_PER_VISIT_PRIOR) / (c.human_visits + 50)
    per_bot = (c.bot_events + 20 * EVENTS_PER_BOT_VISIT_PRIOR) / (c.bot_visits + 20)
    return round(genuine * (1 - BOT_SHARE) / per_visit), round(genuine * BOT_SHARE / per_bot)


def opening_chunk(shop: Shop) -> Chunk:
    """The catalogue and the customers registered before the order history starts (some will buy again)."""
    rng = day_rng(shop.plan.seed, STREAM_CUSTOMERS, -HISTORY_DAYS)
    history_start = PERIOD_START - HISTORY_DAYS * DAY
    n = shop.plan.initial_customers
    # Registrations grow over time (denser near the present).
    created = np.sort(CUSTOMERS_SINCE + ((history_start - CUSTOMERS_SINCE) * rng.power(2.2, size=n)).astype(np.int64))
    numbers = shop.customers.created.extend(created)
    shop.customers.device.extend(np.full(n, -1, dtype=np.int64))
    return {"raw_products": products_table(shop.catalog), "raw_customers": customers_table(rng, numbers, created)}


def products_table(catalog: Catalog) -> pa.Table:
    return pa.table({
        "product_id": pa.array(PRODUCT_IDS[: catalog.size]),
        "product_name": pa.array(catalog.names),
        "category": vocabulary_take(tuple(name for name, *_ in CATEGORIES), catalog.category),
        "list_price": decimals(catalog.price_cents),
    }, schema=SCHEMAS["raw_products"])


def orders_chunk(rng: np.random.Generator, shop: Shop, batch: Orders) -> tuple[Chunk, Numbered]:
    numbered, status, percent = number_orders(rng, shop, batch)
    chunk = {"raw_orders": numbered.orders, "raw_order_items": numbered.items,
             "raw_returns": order_returns(rng, shop, batch, numbered, status, percent)}
    return chunk, numbered


def history_day(shop: Shop, day: int) -> Chunk:
    """A day before tracking started: orders (most by people registering with them) and their returns."""
    rng = day_rng(shop.plan.seed, STREAM_HISTORY, day)
    weekday = (PERIOD_START // DAY + day + 3) % 7
    n = int(rng.poisson(shop.plan.history_orders_per_day * WEEKDAY_WEIGHTS[weekday]))
    batch, new_customers = offline_orders(rng, shop, n, PERIOD_START + day * DAY, False, HISTORY_NEW_CUSTOMERS)
    chunk, _ = orders_chunk(rng, shop, batch)
    chunk["raw_customers"] = customers_table(rng, new_customers, shop.customers.created.values[new_customers])
    return chunk


@dataclass
class TrackedDay:
    """What a tracked day produced before its events become raw_events rows (other outputs reuse it)."""

    chunk: Chunk  # every table of the day but raw_events
    rows: Cols  # the event rows as delivered (with duplicates and broken rows), as codes
    visits: Visits  # people and bots
    events: Cols  # the genuine events of the visits, as codes, with customer and order numbers
    layout: Layout
    web: Orders  # the day's web orders (one per purchase visit, in visit order), before numbering
    purchase_event: np.ndarray  # index into events of each web order's purchase event
    numbered: Numbered  # the day's web and phone orders after numbering (web orders first in batch order)
    order_returns: pa.Table  # returns of the day's web and phone orders (not those naming unknown orders)


def period_day(shop: Shop, day: int) -> Chunk:
    """A tracked day: visits and their events, logins, web and phone orders, returns, faults."""
    tracked = track_day(shop, day)
    tracked.chunk["raw_events"] = events_table(shop, tracked.rows)
    return tracked.chunk


def track_day(shop: Shop, day: int) -> TrackedDay:
    """Simulate a tracked day; the raw_events rows stay codes until period_day turns them into a table."""
    rng = day_rng(shop.plan.seed, STREAM_DAY, day)
    day_start = PERIOD_START + day * DAY
    n_human, n_bot = visits_for_day(shop, day)
    humans = human_visits(rng, shop, day, n_human)
    visits = concat_visits([humans, bot_visits(rng, shop, day, n_bot)])
    events, layout = build_events(rng, shop, visits)
    new_customers = apply_logins(rng, shop, visits, events, layout)
    customers = customers_table(rng, new_customers, shop.customers.created.values[new_customers])
    web, purchase_event = web_orders(rng, shop, visits, events, layout, new_customers)
    n_phone = int(rng.poisson(PHONE_SHARE * 0.026 * len(humans)))
    phone, _ = offline_orders(rng, shop, n_phone, day_start, True, new_share=0.0)
    chunk, numbered = orders_chunk(rng, shop, concat_orders([web, phone]))
    events["order"][purchase_event] = numbered.number[: len(purchase_event)]
    rows = with_faults(rng, shop, events, shop.plan.rejects[day])
    record_volume(shop, visits, layout, len(rows["ts"]))
    unknown = unknown_order_returns(rng, shop, int(shop.plan.unknown_returns[day]), day_start)
    returns = chunk["raw_returns"]
    chunk["raw_returns"] = pa.concat_tables([returns, unknown])
    chunk["raw_customers"] = customers
    return TrackedDay(chunk, rows, visits, events, layout, web, purchase_event, numbered, returns)


def record_volume(shop: Shop, visits: Visits, layout: Layout, rows: int) -> None:
    c = shop.counters
    c.rows += rows
    c.human_visits += int((~visits.is_bot).sum())
    c.human_events += int(layout.length[~visits.is_bot].sum())
    c.bot_visits += int(visits.is_bot.sum())
    c.bot_events += int(layout.length[visits.is_bot].sum())


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


class Sink(Protocol):
    rows: int

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


class CsvSink:
    """One CSV file with a header row; NULL is an empty cell; timestamps as YYYY-MM-DD HH:MM:SS."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.rows = 0
        self._file = path.open("wb")
        self._file.write((",".join(schema.names) + "\n").encode())
        self._csv_schema = pa.schema([
            pa.field(f.name, pa.timestamp("s") if pa.types.is_timestamp(f.type) else f.type) for f in schema])
        self._writer = pa_csv.CSVWriter(self._file, self._csv_schema,
                                        write_options=pa_csv.WriteOptions(include_header=False))

    def write(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        self._writer.write_table(table.cast(self._csv_schema))

    def close(self) -> None:
        self._writer.close()
        self._file.close()


class ParquetSink:
    """Parquet part files DIR/<table>/part-NNNNN.parquet of about part_rows rows each, written as they come."""

    def __init__(self, folder: Path, schema: pa.Schema, part_rows: int) -> None:
        self.rows = 0
        self._folder = folder
        self._schema = schema
        self._part_rows = part_rows
        self._flush_rows = min(part_rows, 200_000)
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._writer: pq.ParquetWriter | None = None
        self._in_part = 0
        self._parts = 0
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)

    def write(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        self._buffer.append(table)
        self._buffered += table.num_rows
        if self._buffered >= self._flush_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._buffered:
            return
        if self._writer is None:
            path = self._folder / f"part-{self._parts:05d}.parquet"
            self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
            self._parts += 1
        self._writer.write_table(pa.concat_tables(self._buffer))
        self._in_part += self._buffered
        self._buffer, self._buffered = [], 0
        if self._in_part >= self._part_rows:
            self._writer.close()
            self._writer, self._in_part = None, 0

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()
        if self._parts == 0:  # an empty table still gets one (empty) file, so readers find its columns
            pq.write_table(self._schema.empty_table(), self._folder / "part-00000.parquet", compression="zstd")


def open_sinks(fmt: str, out: Path, part_rows: int) -> dict[str, Sink]:
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return {name: CsvSink(out / f"{name}.csv", schema) for name, schema in SCHEMAS.items()}
    return {name: ParquetSink(out / name, schema, part_rows) for name, schema in SCHEMAS.items()}


# --------------------------------------------------------------------------------------------------
# Driver and command line
# --------------------------------------------------------------------------------------------------


def generate(seed: int, events: int, sinks: dict[str, Sink], progress: bool) -> dict[str, int]:
    """Write all six tables, day by day; return the row count of each."""
    plan = make_plan(seed, events)
    catalog = make_catalog(day_rng(seed, STREAM_CATALOG, 0))
    shop = Shop(plan=plan, catalog=catalog, paths=page_paths(catalog))
    write_chunk(sinks, opening_chunk(shop))
    days = range(-HISTORY_DAYS, PERIOD_DAYS)
    with tqdm(total=events, unit=" events", unit_scale=True, disable=not progress, file=sys.stderr) as bar:
        for day in days:
            chunk = history_day(shop, day) if day < 0 else period_day(shop, day)
            write_chunk(sinks, chunk)
            bar.update(chunk.get("raw_events", SCHEMAS["raw_events"].empty_table()).num_rows)
    for sink in sinks.values():
        sink.close()
    return {name: sink.rows for name, sink in sinks.items()}


def write_chunk(sinks: dict[str, Sink], chunk: Chunk) -> None:
    for name, table in chunk.items():
        sinks[name].write(table)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    repo = Path(__file__).resolve().parent.parent
    parser = OneLineParser(
        prog="generate_data.py",
        description="Generate the six raw tables of the shop (SPEC section 1), deterministically.")
    parser.add_argument("--seed", type=bounded_int(0), default=42, help="random seed (default 42)")
    parser.add_argument("--format", choices=("csv", "parquet", "ga4"), default="csv",
                        help="csv: OUT/raw_<table>.csv; parquet: OUT/raw_<table>/part-NNNNN.parquet; ga4: the same "
                             "shop as a Google Analytics 4 BigQuery export, OUT/events_YYYYMMDD.parquet (nested) and "
                             "OUT/ga4_truth.json")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: the project's seeds/ for csv, build/raw/ for parquet, "
                             "build/ga4/ for ga4)")
    parser.add_argument("--events", type=bounded_int(MIN_EVENTS), default=DEFAULT_EVENTS,
                        help=f"approximate number of raw_events rows, or of export rows for ga4 (default "
                             f"{DEFAULT_EVENTS}: 90 days of a small shop); the other tables scale with it")
    parser.add_argument("--part-rows", type=bounded_int(1), default=DEFAULT_PART_ROWS,
                        help=f"parquet: start a new part file after about this many rows (default {DEFAULT_PART_ROWS})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = repo / {"csv": "seeds", "parquet": "build/raw", "ga4": "build/ga4"}[args.format]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.format == "ga4":
        return main_ga4(args)
    try:
        sinks = open_sinks(args.format, args.out, args.part_rows)
        counts = generate(args.seed, args.events, sinks, progress=not args.quiet)
    except OSError as error:
        print(f"generate_data.py: error: cannot write to {args.out}: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        summary = ", ".join(f"{name}={rows}" for name, rows in counts.items())
        print(f"wrote {args.format} to {args.out}: {summary}", file=sys.stderr)
    return 0


def main_ga4(args: argparse.Namespace) -> int:
    """--format ga4: the export writer lives in ga4_export.py (it drives this module's simulation)."""
    from ga4_export import write_ga4_export

    try:
        truth = write_ga4_export(args.seed, args.events, args.out, progress=not args.quiet)
    except OSError as error:
        print(f"generate_data.py: error: cannot write to {args.out}: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        tables = truth["tables"]
        assert isinstance(tables, dict)
        print(f"wrote ga4 to {args.out}: {len(tables)} tables, {sum(tables.values())} export rows, "
              f"{truth['sessions']} sessions, {truth['transactions']} transactions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
