{#- Event names, and how the event source changes them (docs/decisions.md, "Activity events and page-level events").

    The raw data contract knows six event names. A Google Analytics 4 export (var `ga4_export_path`) adds a
    seventh, `activity`: every GA4 event that is none of the six (session_start, user_engagement, scroll, ...).
    Activity events decide where sessions start and end, and nothing else. GA4 also fires a `page_view` and a
    `view_item` (mapped to product_view) on every product page, so there the page-level events are the
    page_view events only; in the raw contract a product page fires one product_view, which is a page. -#}

{% macro is_ga4_source() -%}
    {{ return(ga4_export_path() is not none) }}
{%- endmacro %}

{#- The event names staging accepts; any other is rejected as unknown_event_name. -#}
{% macro known_event_names() -%}
    {%- set names = ['page_view', 'product_view', 'add_to_cart', 'remove_from_cart', 'begin_checkout', 'purchase'] -%}
    {%- if is_ga4_source() -%}{%- do names.append('activity') -%}{%- endif -%}
    {{ return(names) }}
{%- endmacro %}

{#- The page-level event names: what pageviews, landing and exit pages count. -#}
{% macro page_event_names() -%}
    {{ return(['page_view'] if is_ga4_source() else ['page_view', 'product_view']) }}
{%- endmacro %}

{#- `names` as a SQL list of string literals: ('a', 'b'). -#}
{% macro sql_name_list(names) -%}
    ({%- for name in names -%}{{ sql_string(name) }}{{ ', ' if not loop.last }}{%- endfor -%})
{%- endmacro %}

{#- Added to (for "first") or taken from (for "last") an activity event's number within its visitor, so that the
    other events of a session come first and last: larger than any visitor's event count. -#}
{% macro activity_order_offset() -%}
    cast(1000000000000 as {{ dbt.type_bigint() }})
{%- endmacro %}
