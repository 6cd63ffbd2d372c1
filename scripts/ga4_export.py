"""Write the demo shop of generate_data.py as a Google Analytics 4 BigQuery export (nested Parquet).

The shop is the very same one the raw-contract formats describe (same seed, same visits, orders and
returns): ``generate_data.track_day`` simulates each day and this module records what GA4's web tag would
have sent, one export row per GA4 event, in the schema of ``ga4_export_schema``. Files, in ``--out``:

* ``events_YYYYMMDD.parquet``: one per local date of the property's time zone (Europe/Madrid);
* ``events_intraday_YYYYMMDD.parquet``: the last, still incomplete date, also present as a daily table with
  identical rows (GA4 keeps the intraday table until the daily one is complete);
* ``ga4_truth.json``: counts the generator knows independently of any SQL (see ``Truth``).

``--events`` counts export rows (approximately); the shop behind them is the raw-contract shop of
``shop_events`` raw_events rows (recorded in the truth file), i.e. ``generate_data.py --format parquet
--events <shop_events>`` with the same seed describes the same visits, sessions and orders.

How GA4 records the shop
------------------------
* ``user_pseudo_id`` is the browser (the raw contract's anonymous_id), ``user_id`` the customer id once logged
  in, NULL otherwise (most users). Sessions follow GA4's 30-minute rule per browser (a pause longer than 30
  minutes starts a new session; exactly 30:00 does not); ``ga_session_id`` is the session start in epoch
  seconds, ``ga_session_number`` counts the browser's sessions. A session may continue across midnight.
* Each page fires ``page_view``; a product page also fires ``view_item`` with the product as its one item;
  the first page of a session also fires ``session_start`` (and ``first_visit`` for a new browser), with the
  page's timestamp. ``scroll`` and ``user_engagement`` (``engagement_time_msec``, sent when the page is left
  for another one) fire between two events of a session, never after its last one, so that they never move a
  session's start or end.
* ``add_to_cart`` / ``remove_from_cart`` carry the product as item; ``begin_checkout`` the cart;
  ``purchase`` carries ``ecommerce.transaction_id`` (the order id), ``purchase_revenue_in_usd`` (the order
  total: the property's currency is USD), the order lines as items, and the ``coupon`` param when a code was
  used. Cancelled orders are ordinary purchases (GA4 never hears of cancellations); phone orders and the
  order history have no purchase event and are absent. Bots are absent (GA4 filters known bots).
* Returns of web orders are ``refund`` events (sent server-side, so without a session or a page) on the day
  of the return, with ``ecommerce.refund_value_in_usd`` and the returned lines as items.
* ``source`` / ``medium`` / ``campaign`` params (and ``collected_traffic_source``) are set on the events of a
  session's first page when its URL is tagged; blank tags are absent. ``traffic_source`` is the user's
  first-touch source; ``session_traffic_source_last_click`` the session's.

Quirks of real exports, in fixed numbers (``QUIRKS``; each is counted in the truth file):
``medium_none`` sessions whose first events carry medium ``(none)`` and source ``(direct)``;
``campaign_not_set`` and ``campaign_other`` tagged sessions whose campaign param is ``(not set)`` /
``<Other>``; ``page_title_data_deleted`` page_view rows titled ``(data deleted)``; ``purchase_repeated``
transactions whose purchase event is sent again later in the session (a reload of the confirmation page,
same transaction id and revenue); one ``purchase_without_transaction_id`` and one
``purchase_transaction_id_not_set``; ``user_id_empty_string`` rows of anonymous users with user_id ``''``
instead of NULL; ``source_medium_on_later_event`` tagged sessions whose params arrive only with the second
page; ``item_without_item_id`` view_item items; ``view_item_empty_items`` extra view_item events with an empty
items list; ``view_item_two_items`` view_item events listing a second product; ``identical_row_repeated``
export rows written twice. Besides these, sessions crossing local midnight occur naturally (counted in the
truth file) and the last date's intraday table repeats its daily table.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import generate_data as gd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from ga4_export_schema import (
    ECOMMERCE,
    EVENT_PARAM,
    EVENTS_SCHEMA,
    ITEM,
    PROPERTY_TIME_ZONE,
    daily_table,
    intraday_table,
)
from tqdm import tqdm

GA4_ROWS_PER_SHOP_EVENT = 2.5  # export rows per raw_events row of the same shop (measured; sizes the shop)
SESSION_TIMEOUT = 1800  # seconds; a longer pause starts a new session
QUIRK_START_DAY = 3  # quirks are planted from this tracked day on, at the first opportunities
STREAM_GA4 = 20  # random stream of this module (generate_data uses 10..13)
CURRENCY = "USD"
STREAM_ID = "4012345678"
HOSTNAME = "shop.example.com"
SHOP_TITLE = "Example Outdoor Shop"

QUIRKS: dict[str, int] = {
    "medium_none": 3,
    "campaign_not_set": 3,
    "campaign_other": 2,
    "page_title_data_deleted": 2,
    "purchase_repeated": 2,
    "purchase_without_transaction_id": 1,
    "purchase_transaction_id_not_set": 1,
    "user_id_empty_string": 3,
    "source_medium_on_later_event": 3,
    "item_without_item_id": 2,
    "view_item_empty_items": 2,
    "view_item_two_items": 2,
    "identical_row_repeated": 3,
}

NAMES = ("first_visit", "session_start", "page_view", "view_item", "add_to_cart", "remove_from_cart",
         "begin_checkout", "purchase", "scroll", "user_engagement", "refund")
(FIRST_VISIT, SESSION_START, PAGE_VIEW, VIEW_ITEM, ADD_TO_CART, REMOVE_FROM_CART, BEGIN_CHECKOUT, PURCHASE, SCROLL,
 USER_ENGAGEMENT, REFUND) = range(len(NAMES))
MAIN_NAME = np.array([PAGE_VIEW, PAGE_VIEW, ADD_TO_CART, REMOVE_FROM_CART, BEGIN_CHECKOUT, PURCHASE])  # by raw name
ITEM_EVENTS = (VIEW_ITEM, ADD_TO_CART, REMOVE_FROM_CART, BEGIN_CHECKOUT)

Cols = dict[str, np.ndarray]

# --------------------------------------------------------------------------------------------------
# Vocabularies: traffic sources, titles, devices, places
# --------------------------------------------------------------------------------------------------


def blank_to_none(text: str) -> str | None:
    return text if text.strip() else None


PLACEHOLDER_SOURCE, PLACEHOLDER_MEDIUM = "(direct)", "(none)"
SOURCES = (*tuple(blank_to_none(s) for s, _, _ in gd.TAGS), PLACEHOLDER_SOURCE)
MEDIUMS = (*tuple(blank_to_none(m) for _, m, _ in gd.TAGS), PLACEHOLDER_MEDIUM)
CAMPAIGNS = (*tuple(blank_to_none(c) for _, _, c in gd.TAGS), "(not set)", "<Other>")
SRC_DIRECT, MED_NONE = len(gd.TAGS), len(gd.TAGS)
CAMP_NOT_SET, CAMP_OTHER = len(gd.TAGS), len(gd.TAGS) + 1

SEARCH_HOSTS = ("google.", "bing.com", "yahoo.com", "duckduckgo.com", "ecosia.org", "yandex.ru", "baidu.com")
SOCIAL_HOSTS = ("facebook.com", "instagram.com", "t.co", "x.com", "linkedin.com", "lnkd.in", "pinterest.com",
                "tiktok.com", "youtube.com", "reddit.com")
SOCIAL_SOURCES = ("facebook", "instagram", "twitter", "x", "linkedin", "pinterest", "tiktok", "youtube", "reddit",
                  "meta")


def channel_group(source: str, medium: str) -> str:
    """GA4's default channel group, roughly, for a (source, medium) pair."""
    s, m = source.strip().lower(), medium.strip().lower()
    if s == "(direct)":
        return "Direct"
    if m in ("cpc", "ppc", "paid", "paidsearch", "paid_search", "sem"):
        return "Paid Social" if s in SOCIAL_SOURCES else "Paid Search"
    groups = {("paid_social", "paidsocial", "social_paid"): "Paid Social", ("display", "banner", "cpm"): "Display",
              ("email", "e-mail", "newsletter"): "Email", ("affiliate", "affiliates"): "Affiliates",
              ("social", "social-network", "social-media", "sm"): "Organic Social", ("organic",): "Organic Search",
              ("referral",): "Referral"}
    return next((group for mediums, group in groups.items() if m in mediums), "Unassigned")


def referrer_source(url: str) -> tuple[str, str, str]:
    """(source, medium, campaign) GA4 derives from an untagged referrer."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host == HOSTNAME:
        return "(direct)", "(none)", "(direct)"
    if any(host.startswith(h) or host.endswith("." + h) or host == h for h in SEARCH_HOSTS):
        return host.split(".")[-2] if host.count(".") else host, "organic", "(organic)"
    return host, "referral", "(referral)"


def traffic_vocabulary() -> tuple[tuple[str, str, str, str], ...]:
    """(source, medium, campaign, channel group) of: direct, then each tag, then each referrer."""
    entries = [("(direct)", "(none)", "(direct)")]
    entries += [(s.strip() or "(direct)", m.strip() or "(none)", c.strip() or "(not set)") for s, m, c in gd.TAGS]
    entries += [referrer_source(url) for url in gd.REFERRERS]
    vocabulary = []
    for s, m, c in entries:
        group = channel_group(s, m)
        if m == "referral" and any(s == h or s.endswith("." + h) for h in SOCIAL_HOSTS):
            group = "Organic Social"
        vocabulary.append((s, m, c, group))
    return tuple(vocabulary)


TRAFFIC = traffic_vocabulary()
TRAFFIC_TAG0, TRAFFIC_REF0 = 1, 1 + len(gd.TAGS)


def traffic_codes(tag: np.ndarray, referrer: np.ndarray) -> np.ndarray:
    """Code into TRAFFIC of a landing page: its tags, else its referrer, else direct."""
    return np.where(tag >= 0, TRAFFIC_TAG0 + tag, np.where(referrer >= 0, TRAFFIC_REF0 + referrer, 0))


def page_titles(catalog: gd.Catalog) -> tuple[str, ...]:
    """A title per path code of generate_data.page_paths, then the '(data deleted)' placeholder."""
    fixed = {"/": SHOP_TITLE, "": SHOP_TITLE, "/cart": "Your cart", "/checkout": "Checkout",
             "/checkout/confirmation": "Thank you for your order", "/search": "Search results"}
    titles = [fixed.get(path) or path.rsplit("/", 1)[-1].replace("-", " ").capitalize() + f" | {SHOP_TITLE}"
              for path in gd.FIXED_PATHS]
    titles += [f"{name.capitalize()} | {SHOP_TITLE}" for name, *_ in gd.CATEGORIES]
    titles += [f"{name} | {SHOP_TITLE}" for name in catalog.names]
    return (*titles, "(data deleted)")


def agent_details(agent: str) -> tuple[str, str, str, str]:
    """(operating system, its version, browser, browser version) of a user agent."""
    if "iPhone" in agent or "iPad" in agent:
        os_name, os_version = "iOS", agent.split(" OS ")[1].split(" ")[0].replace("_", ".")
    elif "Android" in agent:
        os_name, os_version = "Android", agent.split("Android ")[1].split(";")[0]
    elif "Windows" in agent:
        os_name, os_version = "Windows", "10"
    elif "Macintosh" in agent:
        os_name, os_version = "Macintosh", "10.15.7"
    else:
        os_name, os_version = "Linux", "(not set)"
    for marker, browser in (("Edg/", "Edge"), ("SamsungBrowser/", "Samsung Internet"), ("CriOS/", "Chrome"),
                            ("Firefox/", "Firefox"), ("Instagram ", "Safari (in-app)"), ("Chrome/", "Chrome"),
                            ("Version/", "Safari")):
        if marker in agent:
            return os_name, os_version, browser, agent.split(marker)[1].split(" ")[0]
    return os_name, os_version, "Safari", "(not set)"


HUMAN_AGENTS = tuple(agent_details(ua) for ua in gd.USER_AGENTS[: gd.BOT_UA0])
CLEAN_DEVICE = np.array([gd.DEVICES.index(label.strip().lower()) for label in gd.DEVICE_LABELS])
PLACES = (  # country, continent, sub-continent, language, ((city, region), ...)
    ("Spain", "Europe", "Southern Europe", "es-es", (("Madrid", "Community of Madrid"), ("Barcelona", "Catalonia"),
                                                     ("Valencia", "Valencian Community"), ("Seville", "Andalusia"))),
    ("Portugal", "Europe", "Southern Europe", "pt-pt", (("Lisbon", "Lisbon"), ("Porto", "Porto District"))),
    ("France", "Europe", "Western Europe", "fr-fr", (("Paris", "Ile-de-France"), ("Lyon", "Auvergne-Rhone-Alpes"))),
    ("Germany", "Europe", "Western Europe", "de-de", (("Berlin", "Berlin"), ("Munich", "Bavaria"))),
    ("Italy", "Europe", "Southern Europe", "it-it", (("Rome", "Lazio"), ("Milan", "Lombardy"))),
    ("United Kingdom", "Europe", "Northern Europe", "en-gb", (("London", "England"), ("Manchester", "England"))),
    ("Netherlands", "Europe", "Western Europe", "nl-nl", (("Amsterdam", "North Holland"),)),
    ("United States", "Americas", "Northern America", "en-us", (("New York", "New York"),)),
    ("Mexico", "Americas", "Central America", "es-mx", (("Mexico City", "Mexico City"),)),
)
COUNTRY_SHARES = np.array([share for _, share in gd.COUNTRIES])
CITIES = tuple((country, *place) for country, (_, _, _, _, places) in enumerate(PLACES) for place in places)
CITY0 = np.cumsum([0] + [len(p[4]) for p in PLACES])[:-1]
N_CITIES = np.array([len(p[4]) for p in PLACES])
NOT_SET_CITY_RATE = 0.05

# --------------------------------------------------------------------------------------------------
# Time zone: local dates of the property
# --------------------------------------------------------------------------------------------------

FIRST_HOUR = gd.PERIOD_START // 3600 - 48
ZONE = ZoneInfo(PROPERTY_TIME_ZONE)
HOUR_OFFSETS = np.array([  # UTC offset (seconds) of every hour around the tracked period
    int(datetime.fromtimestamp(hour * 3600, UTC).astimezone(ZONE).utcoffset().total_seconds())  # type: ignore[union-attr]
    for hour in range(FIRST_HOUR, (gd.EXTRACT_END + 30 * gd.DAY) // 3600)])
FIRST_LOCAL_DAY = gd.PERIOD_START // gd.DAY - 2


def local_days(seconds: np.ndarray) -> np.ndarray:
    """Index (0 = two days before the period) of the local date of each UTC epoch second."""
    offsets = HOUR_OFFSETS[np.clip(seconds // 3600 - FIRST_HOUR, 0, len(HOUR_OFFSETS) - 1)]
    return (seconds + offsets) // gd.DAY - FIRST_LOCAL_DAY


def yyyymmdd(local_day: int) -> str:
    return (datetime(1970, 1, 1) + timedelta(days=int(local_day) + FIRST_LOCAL_DAY)).strftime("%Y%m%d")


DATES = tuple(yyyymmdd(d) for d in range(gd.PERIOD_DAYS + 40))


# --------------------------------------------------------------------------------------------------
# State carried from day to day
# --------------------------------------------------------------------------------------------------


@dataclass
class Browsers:
    """What GA4 remembers of each browser (indexed like generate_data's visitors)."""

    first_seen: gd.Growing = field(default_factory=lambda: gd.Growing(np.int64, -1))
    last_ts: gd.Growing = field(default_factory=lambda: gd.Growing(np.int64, -1))
    session_id: gd.Growing = field(default_factory=lambda: gd.Growing(np.int64, -1))
    session_number: gd.Growing = field(default_factory=lambda: gd.Growing(np.int64, 0))
    session_traffic: gd.Growing = field(default_factory=lambda: gd.Growing(np.int64, 0))
    first_touch: gd.Growing = field(default_factory=lambda: gd.Growing(np.int64, 0))

    def cover(self, n: int) -> None:
        for grow in (self.first_seen, self.last_ts, self.session_id, self.session_number, self.session_traffic,
                     self.first_touch):
            if grow.size < n:
                grow.extend(np.full(n - grow.size, grow._fill, dtype=grow.values.dtype))


@dataclass
class Truth:
    """What the generator knows without SQL; written to ga4_truth.json."""

    session_keys: list[np.ndarray] = field(default_factory=list)  # packed (browser, session, local day)
    page_view_events: int = 0
    view_item_items: int = 0
    add_to_cart_items: int = 0
    refund_events: int = 0
    transactions: dict[str, float] = field(default_factory=dict)
    quirks: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QUIRKS, 0))
    tables: dict[str, int] = field(default_factory=dict)


@dataclass
class Export:
    """The run: the shop, GA4's memory, the rows waiting for their date to complete, the truth."""

    shop: gd.Shop
    titles: tuple[str, ...]
    browsers: Browsers = field(default_factory=Browsers)
    pending: dict[int, list[pa.Table]] = field(default_factory=dict)
    truth: Truth = field(default_factory=Truth)
    bundle: int = 0


# --------------------------------------------------------------------------------------------------
# A tracked day -> GA4 rows (as codes) and their items
# --------------------------------------------------------------------------------------------------


def human_part(tracked: gd.TrackedDay) -> tuple[Cols, gd.Layout, gd.Visits]:
    """The events, layout and visits of people only (visits list people first, then bots)."""
    visits = tracked.visits
    n_visits = int((~visits.is_bot).sum())
    n_events = int(tracked.layout.starts[n_visits]) if n_visits < len(visits) else len(tracked.events["ts"])
    events = {name: values[:n_events] for name, values in tracked.events.items()}
    layout = gd.Layout(tracked.layout.owner[:n_events], tracked.layout.pos[:n_events],
                       tracked.layout.starts[:n_visits], tracked.layout.length[:n_visits],
                       tracked.layout.checkout_page[:n_visits])
    people = gd.Visits(**{name: getattr(visits, name)[:n_visits] for name in gd.Visits.__dataclass_fields__})
    return events, layout, people


def sessions_of(export: Export, events: Cols, layout: gd.Layout, visits: gd.Visits) -> Cols:
    """GA4 session id, number and traffic code of every event; remember where each browser stands."""
    browsers = export.browsers
    browsers.cover(export.shop.visitors.customer.size)
    ts, owner, pos = events["ts"], layout.owner, layout.pos
    browser = visits.visitor[owner]
    previous = np.where(pos > 0, np.roll(ts, 1), browsers.last_ts.values[browser])
    new = (previous < 0) | (ts - previous > SESSION_TIMEOUT)
    index = np.arange(len(ts))
    last_new = np.maximum.accumulate(np.where(new, index, -1)) if len(ts) else index
    continued = last_new < layout.starts[owner]  # no new session yet in this visit: the previous one goes on
    count = np.cumsum(new)
    before_visit = (count[layout.starts] - new[layout.starts])[owner] if len(ts) else count
    safe_last = np.maximum(last_new, 0)
    landing_traffic = traffic_codes(events["tag"], events["ref_external"])
    session_id = np.where(continued, browsers.session_id.values[browser], ts[safe_last])
    session_number = browsers.session_number.values[browser] + count - before_visit
    session_traffic = np.where(continued, browsers.session_traffic.values[browser], landing_traffic[safe_last])
    first_visit = (pos == 0) & (browsers.first_seen.values[browser] < 0)
    last = layout.starts + layout.length - 1
    visitor = visits.visitor
    unseen = browsers.first_seen.values[visitor] < 0
    browsers.first_seen.values[visitor[unseen]] = ts[layout.starts[unseen]]
    browsers.first_touch.values[visitor[unseen]] = landing_traffic[layout.starts[unseen]]
    browsers.last_ts.values[visitor] = ts[last]
    browsers.session_id.values[visitor] = session_id[last]
    browsers.session_number.values[visitor] = session_number[last]
    browsers.session_traffic.values[visitor] = session_traffic[last]
    return {"new": new, "first_visit": first_visit, "sid": session_id, "snum": session_number,
            "straffic": session_traffic, "browser": browser}


def expand(rng: np.random.Generator, export: Export, tracked: gd.TrackedDay) -> tuple[Cols, Cols]:
    """GA4 rows of the day's people, and their items."""
    events, layout, visits = human_part(tracked)
    n = len(events["ts"])
    session = sessions_of(export, events, layout, visits)
    base = events["name"] // gd.NAME_VARIANTS
    is_page = (base == gd.PAGE_VIEW) | (base == gd.PRODUCT_VIEW)
    ts = events["ts"]
    has_next = np.zeros(n, dtype=bool)
    has_next[:-1] = (layout.owner[1:] == layout.owner[:-1]) & ~session["new"][1:]
    gap_next = np.where(has_next, np.roll(ts, -1) - ts, 0)
    n_fv = session["first_visit"].astype(np.int64)
    n_ss = session["new"].astype(np.int64)
    n_vi = (base == gd.PRODUCT_VIEW).astype(np.int64)
    n_scroll = (is_page & (gap_next >= 5) & (rng.random(n) < 0.3)).astype(np.int64)
    next_is_page = np.roll(is_page, -1)  # GA4 sends user_engagement when the page is left
    n_eng = (is_page & next_is_page & (gap_next >= 10)).astype(np.int64)
    per_event = n_fv + n_ss + 1 + n_vi + n_scroll + n_eng
    src, p, _ = gd.segments(per_event)
    main_at = (n_fv + n_ss)[src]
    extra = p - main_at - 1
    name = np.full(len(src), PAGE_VIEW, dtype=np.int64)
    name[p < n_fv[src]] = FIRST_VISIT
    name[(p >= n_fv[src]) & (p < main_at)] = SESSION_START
    name[p == main_at] = MAIN_NAME[base[src[p == main_at]]]
    vi, sc = n_vi[src], n_scroll[src]
    name[(extra >= 0) & (vi == 1) & (extra == 0)] = VIEW_ITEM
    name[(extra >= 0) & (sc == 1) & (extra == vi)] = SCROLL
    name[(extra >= 0) & (extra == vi + sc)] = USER_ENGAGEMENT
    gap = gap_next[src]
    jitter = rng.integers(0, 500_000, size=len(src))
    offset = np.zeros(len(src), dtype=np.int64)
    offset[name == VIEW_ITEM] = 1_000 + jitter[name == VIEW_ITEM] // 10
    offset[name == SCROLL] = (gap[name == SCROLL] // 2) * 1_000_000 + jitter[name == SCROLL]
    offset[name == USER_ENGAGEMENT] = (gap[name == USER_ENGAGEMENT] - 1) * 1_000_000 + jitter[name == USER_ENGAGEMENT]
    page_group = np.cumsum(np.concatenate([[0], (layout.owner[1:] != layout.owner[:-1]) | is_page[1:]]))
    bundle = export.bundle + page_group[src] if n else np.zeros(0, dtype=np.int64)
    export.bundle += int(page_group[-1]) + 1 if n else 0
    tag = np.where(events["tag"] >= 0, events["tag"], -1)[src]
    rows: Cols = {
        "ts_us": ts[src] * 1_000_000 + offset,
        "name": name,
        "browser": session["browser"][src],
        "customer": events["customer"][src],
        "sid": session["sid"][src], "snum": session["snum"][src], "straffic": session["straffic"][src],
        "path": events["path"][src], "query": events["query"][src], "fragment": events["fragment"][src],
        "ref_path": events["ref_path"][src], "ref_query": events["ref_query"][src],
        "ref_external": events["ref_external"][src],
        "src": np.where(tag >= 0, tag, -1), "med": np.where(tag >= 0, tag, -1), "camp": np.where(tag >= 0, tag, -1),
        "title": events["path"][src].astype(np.int64),
        "bundle": bundle, "page_index": layout.pos[src], "event_index": p,
        "eng_ms": np.where(name == USER_ENGAGEMENT, np.maximum(gap - 1, 1) * 1000 + jitter // 1000, -1),
        "value_cents": np.full(len(src), -1, dtype=np.int64),
        "order": np.full(len(src), -1, dtype=np.int64),
        "tx_mode": np.zeros(len(src), dtype=np.int64),
        "coupon": np.full(len(src), -1, dtype=np.int64),
        "uid_empty": np.zeros(len(src), dtype=bool),
        "event": src,  # the shop event each row comes from (for quirks); -1 for refunds
    }
    blank = [CAMPAIGNS, SOURCES, MEDIUMS]
    for key, vocabulary in zip(("camp", "src", "med"), blank, strict=True):
        known = rows[key] >= 0
        rows[key][known & np.array([v is None for v in vocabulary])[np.maximum(rows[key], 0)]] = -1
    items = event_items(export, tracked, events, layout, visits, rows, base)
    purchases(export, tracked, visits, rows, items)
    return rows, items


def event_items(export: Export, tracked: gd.TrackedDay, events: Cols, layout: gd.Layout, visits: gd.Visits,
                rows: Cols, base: np.ndarray) -> Cols:
    """Items of view_item, add_to_cart, remove_from_cart and begin_checkout rows."""
    price = export.shop.catalog.price_cents
    single = np.flatnonzero(np.isin(rows["name"], (VIEW_ITEM, ADD_TO_CART, REMOVE_FROM_CART)))
    product = events["product"][rows["event"][single]]
    checkout = np.flatnonzero(rows["name"] == BEGIN_CHECKOUT)
    owner = layout.owner[rows["event"][checkout]]
    slots = np.arange(3)
    in_cart = (slots < visits.n_cart[owner][:, None]) & (slots != visits.remove_slot[owner][:, None])
    line_row, slot = np.nonzero(in_cart)
    cart_product = visits.cart[owner[line_row], slot]
    row = np.concatenate([single, checkout[line_row]])
    products = np.concatenate([product, cart_product])
    rows["value_cents"][single] = price[product]
    rows["value_cents"][checkout] = np.bincount(line_row, weights=price[cart_product],
                                                minlength=len(checkout)).astype(np.int64)
    return new_items(row, products, np.ones(len(row), dtype=np.int64), price[products])


def new_items(row: np.ndarray, product: np.ndarray, quantity: np.ndarray, price_cents: np.ndarray,
              revenue_cents: np.ndarray | None = None, refund_cents: np.ndarray | None = None) -> Cols:
    n = len(row)
    none = np.full(n, -1, dtype=np.int64)
    return {"row": row.astype(np.int64), "product": product.astype(np.int64), "id_missing": np.zeros(n, dtype=bool),
            "quantity": quantity.astype(np.int64), "price_cents": price_cents.astype(np.int64),
            "revenue_cents": none if revenue_cents is None else revenue_cents.astype(np.int64),
            "refund_cents": none.copy() if refund_cents is None else refund_cents.astype(np.int64)}


def concat_cols(parts: list[Cols]) -> Cols:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def order_totals(numbered: gd.Numbered, n_web: int) -> np.ndarray:
    """Order totals in cents of the first n_web batch rows (the web orders)."""
    totals = numbered.orders.column("order_total").take(pa.array(numbered.position[:n_web]))
    return np.round(pc.multiply(totals.cast(pa.float64()), 100).to_numpy(zero_copy_only=False)).astype(np.int64)


def purchases(export: Export, tracked: gd.TrackedDay, visits: gd.Visits, rows: Cols, items: Cols) -> None:
    """Transaction id, revenue, coupon and order lines of every purchase row (in place)."""
    web = tracked.web
    n_web = len(tracked.purchase_event)
    row_of_event = np.full(len(tracked.events["ts"]), -1, dtype=np.int64)
    main = np.isin(rows["name"], (PURCHASE,))
    row_of_event[rows["event"][main]] = np.flatnonzero(main)
    purchase_row = row_of_event[tracked.purchase_event]
    rows["order"][purchase_row] = tracked.numbered.number[:n_web]
    rows["value_cents"][purchase_row] = order_totals(tracked.numbered, n_web)
    rows["coupon"][purchase_row] = np.where(web.code == gd.BLANK_CODE, -1, web.code)
    line = web.line_order < n_web
    lines = new_items(purchase_row[web.line_order[line]], web.line_product[line], web.line_quantity[line],
                      web.line_cents[line], web.line_quantity[line] * web.line_cents[line])
    for name in items:
        items[name] = np.concatenate([items[name], lines[name]])


def refunds(rng: np.random.Generator, export: Export, tracked: gd.TrackedDay) -> tuple[Cols, Cols]:
    """One refund row per returned web order (on the day of the return), with the returned lines as items."""
    returns = tracked.order_returns
    n_web = len(tracked.purchase_event)
    numbers = tracked.numbered.number[:n_web]
    if n_web == 0 or returns.num_rows == 0:
        return {}, {}
    order = pc.cast(pc.utf8_slice_codeunits(returns.column("order_id"), 2), pa.int64()).to_numpy()
    sorter = np.argsort(numbers)
    at = np.minimum(np.searchsorted(numbers, order, sorter=sorter), n_web - 1)
    is_web = numbers[sorter[at]] == order
    web_order = sorter[at][is_web]
    order = order[is_web]
    if not len(order):
        return {}, {}
    returned_at = pc.cast(returns.column("returned_at"), pa.int64()).to_numpy()[is_web] // 1_000_000
    refund = np.round(pc.multiply(returns.column("refund_amount").cast(pa.float64()), 100)
                      .to_numpy(zero_copy_only=False)).astype(np.int64)[is_web]
    quantity = returns.column("quantity").to_numpy().astype(np.int64)[is_web]
    product = np.array([gd.PRODUCT_IDS.index(p) for p in returns.column("product_id").to_pylist()],
                       dtype=np.int64)[is_web]
    unique_orders, first, line_row = np.unique(order, return_index=True, return_inverse=True)
    n = len(unique_orders)
    buying = np.flatnonzero(tracked.visits.purchase)
    visit = buying[web_order[first]]
    none = np.full(n, -1, dtype=np.int64)
    rows: Cols = {
        "ts_us": returned_at[first] * 1_000_000 + rng.integers(0, 1_000_000, size=n),
        "name": np.full(n, REFUND, dtype=np.int64), "browser": tracked.visits.visitor[visit],
        "customer": tracked.web.customer[web_order[first]], "sid": none, "snum": none, "straffic": none,
        "path": none.astype(np.int32), "query": np.zeros(n, dtype=np.int32), "fragment": np.zeros(n, dtype=np.int32),
        "ref_path": none.astype(np.int32), "ref_query": np.zeros(n, dtype=np.int32), "ref_external": none,
        "src": none, "med": none, "camp": none, "title": none,
        "bundle": export.bundle + np.arange(n), "page_index": none, "event_index": np.zeros(n, dtype=np.int64),
        "eng_ms": none, "value_cents": np.bincount(line_row, weights=refund, minlength=n).astype(np.int64),
        "order": unique_orders, "tx_mode": np.zeros(n, dtype=np.int64), "coupon": none,
        "uid_empty": np.zeros(n, dtype=bool), "event": none,
    }
    export.bundle += n
    items = new_items(line_row, product, quantity, refund // np.maximum(quantity, 1), refund_cents=refund)
    return rows, items


# --------------------------------------------------------------------------------------------------
# Quirks
# --------------------------------------------------------------------------------------------------


def take_quota(export: Export, quirk: str, candidates: np.ndarray, rng: np.random.Generator,
               used: np.ndarray) -> np.ndarray:
    """Up to the quirk's remaining count of candidates (not used by another quirk today), at random."""
    remaining = QUIRKS[quirk] - export.truth.quirks[quirk]
    candidates = candidates[~used[candidates]]
    if remaining <= 0 or not len(candidates):
        return np.zeros(0, dtype=np.int64)
    chosen = np.sort(rng.choice(candidates, size=min(remaining, len(candidates)), replace=False))
    used[chosen] = True
    export.truth.quirks[quirk] += len(chosen)
    return chosen


def session_rows(rows: Cols, first_rows: np.ndarray) -> list[np.ndarray]:
    """Rows of the first page of each session whose session_start row is given."""
    return [np.flatnonzero((rows["browser"] == rows["browser"][r]) & (rows["sid"] == rows["sid"][r])
                           & (rows["event"] == rows["event"][r])) for r in first_rows]


def plant_quirks(rng: np.random.Generator, export: Export, rows: Cols, items: Cols) -> tuple[Cols, Cols]:
    """Plant this day's share of the fixed quirks; return rows and items with any rows added."""
    n = len(rows["name"])
    used = np.zeros(n, dtype=bool)
    name = rows["name"]
    starts = np.flatnonzero(name == SESSION_START)
    tagged_start = starts[rows["src"][starts] >= 0]
    direct_start = starts[(rows["src"][starts] < 0) & (rows["straffic"][starts] == 0) & (rows["camp"][starts] < 0)]
    for r in session_rows(rows, take_quota(export, "medium_none", direct_start, rng, used)):
        rows["src"][r], rows["med"][r] = SRC_DIRECT, MED_NONE
    with_campaign = tagged_start[rows["camp"][tagged_start] >= 0]
    for quirk, code in (("campaign_not_set", CAMP_NOT_SET), ("campaign_other", CAMP_OTHER)):
        for r in session_rows(rows, take_quota(export, quirk, with_campaign, rng, used)):
            rows["camp"][r] = code
    second_page = np.zeros(n, dtype=bool)  # session_start rows whose session has a second page_view
    page = np.flatnonzero(name == PAGE_VIEW)
    key = rows["browser"] * (1 << 40) + rows["sid"]
    page_key, page_count = np.unique(key[page], return_counts=True)
    second_page[tagged_start] = np.isin(key[tagged_start], page_key[page_count >= 2])
    for r in session_rows(rows, take_quota(export, "source_medium_on_later_event", np.flatnonzero(second_page),
                                           rng, used)):
        later = page[(key[page] == key[r[0]]) & (rows["event"][page] > rows["event"][r[0]])][0]
        for column in ("src", "med", "camp"):
            rows[column][later] = rows[column][r[0]]
            rows[column][r] = -1
    plain_pages = page[rows["src"][page] < 0]
    rows["title"][take_quota(export, "page_title_data_deleted", plain_pages, rng, used)] = len(export.titles) - 1
    anonymous = np.flatnonzero((rows["customer"] < 0) & (name == PAGE_VIEW))
    rows["uid_empty"][take_quota(export, "user_id_empty_string", anonymous, rng, used)] = True
    purchase = np.flatnonzero((name == PURCHASE) & (rows["ts_us"] % (gd.DAY * 1_000_000) < 20 * 3600 * 1_000_000))
    rows["tx_mode"][take_quota(export, "purchase_without_transaction_id", purchase, rng, used)] = 1
    rows["tx_mode"][take_quota(export, "purchase_transaction_id_not_set", purchase, rng, used)] = 2
    repeated = take_quota(export, "purchase_repeated", purchase, rng, used)
    view = np.flatnonzero(name == VIEW_ITEM)
    missing = take_quota(export, "item_without_item_id", view, rng, used)
    items["id_missing"][np.isin(items["row"], missing)] = True
    two = take_quota(export, "view_item_two_items", view, rng, used)
    by_row = np.argsort(items["row"], kind="stable")
    first_item = items["product"][by_row[np.searchsorted(items["row"][by_row], two)]]
    second = (first_item + 1 + rng.integers(0, export.shop.catalog.size - 1, size=len(two))) % export.shop.catalog.size
    price = export.shop.catalog.price_cents
    extra_items = [new_items(two, second, np.ones(len(two), dtype=np.int64), price[second])]
    rows["value_cents"][two] += price[second]
    empty = take_quota(export, "view_item_empty_items", view, rng, used)
    added = np.concatenate([repeated, empty])
    copies = {column: values[added].copy() for column, values in rows.items()}
    copies["ts_us"] += np.concatenate([rng.integers(20, 180, size=len(repeated)) * 1_000_000,
                                       np.full(len(empty), 2_000)])
    copies["value_cents"][len(repeated):] = -1
    copies["bundle"] = export.bundle + np.arange(len(added))
    export.bundle += len(added)
    new_row = n + np.arange(len(added))
    repeated_items = np.flatnonzero(np.isin(items["row"], repeated))
    moved = {column: values[repeated_items].copy() for column, values in items.items()}
    moved["row"] = new_row[np.searchsorted(repeated, moved["row"])]
    extra_items.append(moved)
    return concat_cols([rows, copies]), concat_cols([items, *extra_items])


# --------------------------------------------------------------------------------------------------
# Codes -> Arrow
# --------------------------------------------------------------------------------------------------


def strings(vocabulary: tuple[str | None, ...], codes: np.ndarray) -> pa.Array:
    return gd.vocabulary_take(vocabulary, np.asarray(codes, dtype=np.int64))


def struct(fields: pa.StructType, children: dict[str, pa.Array], n: int, mask: np.ndarray | None = None) -> pa.Array:
    """A struct array of the given type; absent children are NULL; mask True = the whole struct is NULL."""
    arrays = [children.get(f.name, pa.nulls(n, f.type)) for f in fields]
    arrays = [a.cast(f.type) if a.type != f.type else a for a, f in zip(arrays, fields, strict=True)]
    return pa.StructArray.from_arrays(arrays, fields=list(fields), mask=None if mask is None else pa.array(mask))


def constant(value: str | None, n: int) -> pa.Array:
    return pa.array([value], type=pa.string()).take(pa.array(np.zeros(n, dtype=np.int32)))


def list_of(kind: pa.ListType, owner: np.ndarray, n: int, values: pa.Array) -> pa.Array:
    """A list per row from values sorted by owner row."""
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=n))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=kind)


def urls(export: Export, path: np.ndarray, query: np.ndarray, fragment: np.ndarray) -> pa.Array:
    paths = pa.array(export.shop.paths)
    url = gd.concatenated(gd.SHOP_URL, paths.take(np.maximum(path, 0)), pa.array(gd.QUERIES).take(query),
                          pa.array(gd.FRAGMENTS).take(fragment))
    return pc.if_else(pa.array(path >= 0), url, pa.nulls(len(path), pa.string()))


def event_params(export: Export, rows: Cols) -> pa.Array:
    """event_params: one block of (row, key, value) per key, merged per row in key order."""
    n = len(rows["name"])
    in_session = rows["sid"] >= 0
    on_page = rows["path"] >= 0
    referrer = pc.if_else(
        pa.array(rows["ref_path"] >= 0),
        gd.concatenated(gd.SHOP_URL, pa.array(export.shop.paths).take(np.maximum(rows["ref_path"], 0)),
                        pa.array(gd.QUERIES).take(rows["ref_query"])),
        strings(gd.REFERRERS, rows["ref_external"]))
    is_commerce = np.isin(rows["name"], (*ITEM_EVENTS, PURCHASE, REFUND)) & (rows["value_cents"] >= 0)
    is_purchase = np.isin(rows["name"], (PURCHASE, REFUND))
    blocks: list[tuple[str, np.ndarray, pa.Array | None, np.ndarray | None, np.ndarray | None]] = [
        ("ga_session_id", in_session, None, rows["sid"], None),
        ("ga_session_number", in_session, None, rows["snum"], None),
        ("page_location", on_page, urls(export, rows["path"], rows["query"], rows["fragment"]), None, None),
        ("page_title", rows["title"] >= 0, strings(export.titles, rows["title"]), None, None),
        ("page_referrer", pc.is_valid(referrer).to_numpy(zero_copy_only=False) & on_page, referrer, None, None),
        ("source", rows["src"] >= 0, strings(SOURCES, rows["src"]), None, None),
        ("medium", rows["med"] >= 0, strings(MEDIUMS, rows["med"]), None, None),
        ("campaign", rows["camp"] >= 0, strings(CAMPAIGNS, rows["camp"]), None, None),
        ("engagement_time_msec", rows["eng_ms"] >= 0, None, rows["eng_ms"], None),
        ("percent_scrolled", rows["name"] == SCROLL, None, np.full(n, 90), None),
        ("transaction_id", is_purchase & (rows["tx_mode"] == 0), transaction_ids(rows), None, None),
        ("coupon", rows["coupon"] >= 0, strings(tuple(c for c, _ in gd.DISCOUNT_CODES), rows["coupon"]), None, None),
        ("currency", is_commerce, constant(CURRENCY, n), None, None),
        ("value", is_commerce, None, None, rows["value_cents"] / 100),
    ]
    owner, keys, texts, ints, doubles = [], [], [], [], []
    for code, (_, present, text, integer, double) in enumerate(blocks):
        at = np.flatnonzero(present)
        owner.append(at)
        keys.append(np.full(len(at), code))
        texts.append(text.take(pa.array(at)) if text is not None else pa.nulls(len(at), pa.string()))
        ints.append(integer[at] if integer is not None else np.full(len(at), np.iinfo(np.int64).min))
        doubles.append(double[at] if double is not None else np.full(len(at), np.nan))
    all_owner = np.concatenate(owner)
    order = np.argsort(all_owner, kind="stable")
    integer = np.concatenate(ints)[order]
    double = np.concatenate(doubles)[order]
    value = struct(EVENT_PARAM.field("value").type, {
        "string_value": pa.concat_arrays(texts).take(pa.array(order)),
        "int_value": pa.array(integer, mask=integer == np.iinfo(np.int64).min),
        "double_value": pa.array(double, mask=np.isnan(double)),
    }, len(order))
    param = struct(EVENT_PARAM, {"key": strings(tuple(b[0] for b in blocks), np.concatenate(keys)[order]),
                                 "value": value}, len(order))
    return list_of(EVENTS_SCHEMA.field("event_params").type, all_owner[order], n, param)


def transaction_ids(rows: Cols) -> pa.Array:
    ids = gd.numbered_ids("o-", np.where(rows["order"] >= 0, rows["order"], -1), 7)
    return pc.if_else(pa.array(rows["tx_mode"] == 2), constant("(not set)", len(ids)), ids)


def items_array(export: Export, rows: Cols, items: Cols) -> pa.Array:
    n = len(rows["name"])
    order = np.argsort(items["row"], kind="stable")
    it = {column: values[order] for column, values in items.items()}
    m = len(order)
    catalog = export.shop.catalog
    category = catalog.category[it["product"]]
    children = {
        "item_id": pc.if_else(pa.array(it["id_missing"]), pa.nulls(m, pa.string()),
                              strings(gd.PRODUCT_IDS, it["product"])),
        "item_name": strings(catalog.names, it["product"]),
        "item_brand": constant("Example Outdoor", m),
        "item_category": strings(tuple(name for name, *_ in gd.CATEGORIES), category),
        "price_in_usd": pa.array(it["price_cents"] / 100), "price": pa.array(it["price_cents"] / 100),
        "quantity": pa.array(it["quantity"]),
        "item_revenue_in_usd": pa.array(it["revenue_cents"] / 100, mask=it["revenue_cents"] < 0),
        "item_revenue": pa.array(it["revenue_cents"] / 100, mask=it["revenue_cents"] < 0),
        "item_refund_in_usd": pa.array(it["refund_cents"] / 100, mask=it["refund_cents"] < 0),
        "item_refund": pa.array(it["refund_cents"] / 100, mask=it["refund_cents"] < 0),
        "item_params": list_of(ITEM.field("item_params").type, np.zeros(0, dtype=np.int64), m,
                               pa.nulls(0, EVENT_PARAM).cast(EVENT_PARAM)),
    }
    return list_of(EVENTS_SCHEMA.field("items").type, it["row"], n, struct(ITEM, children, m))


def ecommerce(rows: Cols, items: Cols) -> pa.Array:
    n = len(rows["name"])
    quantity = np.bincount(items["row"], weights=items["quantity"], minlength=n).astype(np.int64)
    unique = np.zeros(n, dtype=np.int64)
    pairs = np.unique(np.stack([items["row"], items["product"]]), axis=1) if len(items["row"]) else np.zeros((2, 0))
    np.add.at(unique, pairs[0].astype(np.int64), 1)
    name = rows["name"]
    present = np.isin(name, (*ITEM_EVENTS, PURCHASE, REFUND))
    money = rows["value_cents"] / 100
    purchase, refund = name == PURCHASE, name == REFUND
    tx = transaction_ids(rows)
    tx = pc.if_else(pa.array(np.isin(name, ITEM_EVENTS)), constant("(not set)", n), tx)
    tx = pc.if_else(pa.array(rows["tx_mode"] == 1), pa.nulls(n, pa.string()), tx)
    return struct(ECOMMERCE, {
        "total_item_quantity": pa.array(quantity), "unique_items": pa.array(unique),
        "purchase_revenue_in_usd": pa.array(money, mask=~purchase), "purchase_revenue": pa.array(money, mask=~purchase),
        "refund_value_in_usd": pa.array(money, mask=~refund), "refund_value": pa.array(money, mask=~refund),
        "shipping_value_in_usd": pa.array(np.zeros(n), mask=~purchase), "shipping_value": pa.array(np.zeros(n),
                                                                                                  mask=~purchase),
        "tax_value_in_usd": pa.array(np.zeros(n), mask=~purchase), "tax_value": pa.array(np.zeros(n), mask=~purchase),
        "transaction_id": tx,
    }, n, mask=~present)


def browser_columns(export: Export, rows: Cols) -> dict[str, pa.Array]:
    """device, geo, user ids and first touch: from the browser (and its hash, for the place)."""
    n = len(rows["name"])
    browser = rows["browser"]
    visitors = export.shop.visitors
    device = CLEAN_DEVICE[visitors.label.values[browser]]
    agent = visitors.agent.values[browser].astype(np.int64)
    mixed = gd.splitmix64(browser.astype(np.uint64) + export.shop.plan.salts[1])
    u1 = (mixed >> np.uint64(11)).astype(np.float64) / 2.0**53
    u2 = ((mixed >> np.uint64(3)) % np.uint64(1000)).astype(np.float64) / 1000
    country = np.minimum(np.searchsorted(np.cumsum(COUNTRY_SHARES) / COUNTRY_SHARES.sum(), u1), len(PLACES) - 1)
    city = CITY0[country] + (u2 * N_CITIES[country]).astype(np.int64)
    city_name = pc.if_else(pa.array(u2 < NOT_SET_CITY_RATE), constant("(not set)", n),
                           strings(tuple(c[1] for c in CITIES), city))
    ua = HUMAN_AGENTS
    browser_name = strings(tuple(a[2] for a in ua), agent)
    browser_version = strings(tuple(a[3] for a in ua), agent)
    browsers = export.browsers
    first_touch = browsers.first_touch.values[browser]
    pseudo = gd.numbered_ids("", (mixed % np.uint64(9_000_000_000)).astype(np.int64) + 1_000_000_000, 10)
    user_pseudo_id = gd.concatenated(pseudo, ".", gd.numbered_ids("", browsers.first_seen.values[browser], 10))
    user_id = pc.if_else(pa.array(rows["uid_empty"]), constant("", n), gd.customer_ids(rows["customer"]))
    return {
        "user_id": user_id,
        "user_pseudo_id": user_pseudo_id,
        "user_first_touch_timestamp": pa.array(browsers.first_seen.values[browser] * 1_000_000),
        "device": struct(EVENTS_SCHEMA.field("device").type, {
            "category": strings(gd.DEVICES, device),
            "operating_system": strings(tuple(a[0] for a in ua), agent),
            "operating_system_version": strings(tuple(f"{a[0]} {a[1]}" for a in ua), agent),
            "language": strings(tuple(p[3] for p in PLACES), country),
            "is_limited_ad_tracking": constant("No", n),
            "browser": browser_name, "browser_version": browser_version,
            "web_info": struct(EVENTS_SCHEMA.field("device").type.field("web_info").type, {
                "browser": browser_name, "browser_version": browser_version, "hostname": constant(HOSTNAME, n)}, n),
        }, n),
        "geo": struct(EVENTS_SCHEMA.field("geo").type, {
            "city": city_name, "country": strings(tuple(p[0] for p in PLACES), country),
            "continent": strings(tuple(p[1] for p in PLACES), country),
            "region": strings(tuple(c[2] for c in CITIES), city),
            "sub_continent": strings(tuple(p[2] for p in PLACES), country), "metro": constant("(not set)", n)}, n),
        "traffic_source": struct(EVENTS_SCHEMA.field("traffic_source").type, {
            "name": strings(tuple(t[2] for t in TRAFFIC), first_touch),
            "medium": strings(tuple(t[1] for t in TRAFFIC), first_touch),
            "source": strings(tuple(t[0] for t in TRAFFIC), first_touch)}, n),
    }


def session_source(rows: Cols) -> dict[str, pa.Array]:
    n = len(rows["name"])
    code = rows["straffic"]
    tagged = (rows["src"] >= 0) | (rows["med"] >= 0) | (rows["camp"] >= 0)
    kind = EVENTS_SCHEMA.field("session_traffic_source_last_click").type
    source, medium, campaign, group = (strings(tuple(t[i] for t in TRAFFIC), code) for i in range(4))
    return {
        "collected_traffic_source": struct(EVENTS_SCHEMA.field("collected_traffic_source").type, {
            "manual_source": strings(SOURCES, rows["src"]), "manual_medium": strings(MEDIUMS, rows["med"]),
            "manual_campaign_name": strings(CAMPAIGNS, rows["camp"])}, n, mask=~tagged),
        "session_traffic_source_last_click": struct(kind, {
            "manual_campaign": struct(kind.field("manual_campaign").type, {
                "source": source, "medium": medium, "campaign_name": campaign}, n),
            "cross_channel_campaign": struct(kind.field("cross_channel_campaign").type, {
                "source": source, "medium": medium, "campaign_name": campaign, "primary_channel_group": group,
                "default_channel_group": group}, n),
        }, n, mask=code < 0),
    }


def export_table(export: Export, rows: Cols, items: Cols) -> pa.Table:
    """The export rows as an Arrow table of EVENTS_SCHEMA."""
    n = len(rows["name"])
    name = rows["name"]
    value = np.where(np.isin(name, (PURCHASE, REFUND)), rows["value_cents"] / 100, np.nan)
    columns = {
        "event_date": strings(DATES, local_days(rows["ts_us"] // 1_000_000)),
        "event_timestamp": pa.array(rows["ts_us"]),
        "event_name": strings(NAMES, name),
        "event_params": event_params(export, rows),
        "event_value_in_usd": pa.array(value, mask=np.isnan(value)),
        "event_bundle_sequence_id": pa.array(rows["bundle"]),
        "event_server_timestamp_offset": pa.array(200_000 + (rows["bundle"] * 7919) % 1_800_000),
        "privacy_info": struct(EVENTS_SCHEMA.field("privacy_info").type, {
            "analytics_storage": constant("Yes", n), "ads_storage": constant("Yes", n),
            "uses_transient_token": constant("No", n)}, n),
        "user_properties": list_of(EVENTS_SCHEMA.field("user_properties").type, np.zeros(0, dtype=np.int64), n,
                                   pa.nulls(0, EVENTS_SCHEMA.field("user_properties").type.value_type)),
        "stream_id": constant(STREAM_ID, n),
        "platform": constant("WEB", n),
        "event_dimensions": struct(EVENTS_SCHEMA.field("event_dimensions").type, {"hostname": constant(HOSTNAME, n)},
                                   n, mask=rows["path"] < 0),
        "ecommerce": ecommerce(rows, items),
        "items": items_array(export, rows, items),
        "is_active_user": pa.array(np.ones(n, dtype=bool)),
        "batch_event_index": pa.array(rows["event_index"]),
        "batch_page_id": pa.array(rows["page_index"], mask=rows["page_index"] < 0),
        "batch_ordering_id": pa.array(rows["page_index"] + 1, mask=rows["page_index"] < 0),
        **browser_columns(export, rows),
        **session_source(rows),
    }
    arrays = [columns[f.name] if f.name in columns else pa.nulls(n, f.type) for f in EVENTS_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=EVENTS_SCHEMA)


# --------------------------------------------------------------------------------------------------
# Truth, days, files
# --------------------------------------------------------------------------------------------------


def record_truth(export: Export, rows: Cols, items: Cols) -> None:
    truth = export.truth
    name = rows["name"]
    in_session = rows["sid"] >= 0
    local = local_days(rows["ts_us"] // 1_000_000)
    key = (rows["browser"][in_session] << 32) | ((rows["sid"][in_session] - gd.PERIOD_START + DAY_MARGIN) << 8) \
        | local[in_session]
    truth.session_keys.append(np.unique(key))
    truth.page_view_events += int((name == PAGE_VIEW).sum())
    item_name = name[items["row"]]
    truth.view_item_items += int((item_name == VIEW_ITEM).sum())
    truth.add_to_cart_items += int((item_name == ADD_TO_CART).sum())
    truth.refund_events += int((name == REFUND).sum())
    valid = np.flatnonzero((name == PURCHASE) & (rows["tx_mode"] == 0))
    valid = valid[np.argsort(rows["ts_us"][valid], kind="stable")]
    ids = transaction_ids({"order": rows["order"][valid], "tx_mode": rows["tx_mode"][valid]}).to_pylist()
    for tx, cents in zip(ids, rows["value_cents"][valid].tolist(), strict=True):
        truth.transactions.setdefault(tx, cents / 100)


DAY_MARGIN = 2 * gd.DAY  # a session continued from before the period still packs to a positive number


def session_counts(truth: Truth) -> tuple[int, dict[str, int], int]:
    keys = np.unique(np.concatenate(truth.session_keys)) if truth.session_keys else np.zeros(0, dtype=np.int64)
    session = keys >> 8
    per_day = np.bincount(keys & 255)
    _, dates_per_session = np.unique(session, return_counts=True)
    by_date = {yyyymmdd(d): int(c) for d, c in enumerate(per_day) if c}
    return len(dates_per_session), by_date, int((dates_per_session > 1).sum())


def add_rows(export: Export, rows: Cols, items: Cols) -> int:
    """Turn rows into a table and park its rows by local date until their date is complete."""
    if not len(rows.get("name", ())):
        return 0
    record_truth(export, rows, items)
    table = export_table(export, rows, items)
    local = local_days(rows["ts_us"] // 1_000_000)
    for day in np.unique(local):
        export.pending.setdefault(int(day), []).append(table.filter(pa.array(local == day)))
    return table.num_rows


def flush(export: Export, out: Path, through: int, last: bool) -> None:
    """Write every parked date up to local day `through` (all of them when last)."""
    dates = sorted(d for d in export.pending if last or d <= through)
    for date in dates:
        table = pa.concat_tables(export.pending.pop(date))
        remaining = QUIRKS["identical_row_repeated"] - export.truth.quirks["identical_row_repeated"]
        if remaining > 0 and date >= FIRST_LOCAL_DAY_OF_QUIRKS and table.num_rows >= remaining:
            rng = np.random.default_rng([export.shop.plan.seed, STREAM_GA4, date, 1])
            table = pa.concat_tables([table, table.take(np.sort(rng.choice(table.num_rows, remaining, replace=False)))])
            export.truth.quirks["identical_row_repeated"] += remaining
        names = [daily_table(yyyymmdd(date))]
        if last and date == dates[-1]:
            names.append(intraday_table(yyyymmdd(date)))
        for stem in names:
            pq.write_table(table, out / f"{stem}.parquet", compression="zstd")
            export.truth.tables[stem] = table.num_rows


FIRST_LOCAL_DAY_OF_QUIRKS = QUIRK_START_DAY + 2  # local day index (two days before the period are 0 and 1)


def write_ga4_export(seed: int, events: int, out: Path, progress: bool) -> dict[str, object]:
    """Write the export and its truth file; return the truth."""
    shop_events = max(gd.MIN_EVENTS, round(events / GA4_ROWS_PER_SHOP_EVENT))
    plan = gd.make_plan(seed, shop_events)
    catalog = gd.make_catalog(gd.day_rng(seed, gd.STREAM_CATALOG, 0))
    shop = gd.Shop(plan=plan, catalog=catalog, paths=gd.page_paths(catalog))
    export = Export(shop=shop, titles=page_titles(catalog))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gd.opening_chunk(shop)
    with tqdm(total=events, unit=" rows", unit_scale=True, disable=not progress, file=sys.stderr) as bar:
        for day in range(-gd.HISTORY_DAYS, gd.PERIOD_DAYS):
            if day < 0:
                gd.history_day(shop, day)
                continue
            tracked = gd.track_day(shop, day)
            rng = gd.day_rng(seed, STREAM_GA4, day)
            rows, items = expand(rng, export, tracked)
            if day >= QUIRK_START_DAY:
                rows, items = plant_quirks(rng, export, rows, items)
            written = add_rows(export, rows, items)
            written += add_rows(export, *refunds(rng, export, tracked))
            if day < gd.PERIOD_DAYS - 1:  # the last complete date waits for the final flush: it may be the last
                flush(export, out, int(local_days(np.array([gd.PERIOD_START + day * gd.DAY]))[0]), last=False)
            bar.update(written)
        flush(export, out, 0, last=True)
    return write_truth(export, seed, events, shop_events, out)


def write_truth(export: Export, seed: int, events: int, shop_events: int, out: Path) -> dict[str, object]:
    truth = export.truth
    sessions, by_date, crossing = session_counts(truth)
    quirks = dict(truth.quirks)
    quirks["sessions_crossing_midnight"] = crossing
    intraday = [name for name in truth.tables if name.startswith("events_intraday_")]
    quirks["intraday_rows_repeated_by_daily"] = sum(truth.tables[name] for name in intraday)
    document: dict[str, object] = {
        "about": "Counts the generator knows without SQL. Events are distinct export rows (an identical repeated "
                 "row and the intraday copy of a daily row are the same event); sessions are distinct "
                 "(user_pseudo_id, ga_session_id) pairs, per event_date those with a row on that date.",
        "seed": seed, "events": events, "shop_events": shop_events, "property_time_zone": PROPERTY_TIME_ZONE,
        "tables": dict(sorted(truth.tables.items())),
        "sessions": sessions, "sessions_per_event_date": by_date,
        "page_view_events": truth.page_view_events, "view_item_items": truth.view_item_items,
        "add_to_cart_items": truth.add_to_cart_items, "refund_events": truth.refund_events,
        "transactions": len(truth.transactions),
        "transaction_revenue": dict(sorted(truth.transactions.items())),
        "quirks": quirks,
    }
    (out / "ga4_truth.json").write_text(json.dumps(document, indent=1) + "\n")
    return document
