-- Warn, without failing the build, about deliveries of an event_id that say something else than the delivery
-- kept in stg_shop__events (a page view and a purchase under one id): the earliest is kept, as for any repeated
-- delivery, but the other payload is lost from the KPIs, so an analyst must hear of it. Returns one row per
-- conflicting copy, which stays queryable in stg_shop__events_duplicates (is_conflicting).
{{ config(severity='warn') }}

select
    event_id,
    delivery_number,
    event_ts,
    loaded_at
from {{ ref('stg_shop__events_duplicates') }}
where is_conflicting
