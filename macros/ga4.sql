{#- Reading a Google Analytics 4 export (docs/decisions.md, "Google Analytics 4 export"). The export keeps GA4's
    nested BigQuery schema: `event_params` is a list of {key, value {string_value, int_value, float_value,
    double_value}} and `items` a list of item structs. These macros are the only SQL that knows how each engine
    reads such files and nested values; the models in models/staging/ga4/ call them and stay portable. Each has a
    default body (DuckDB) and a spark__ body. -#}

{#- The folder of the export (var ga4_export_path), or none when the project reads no GA4 export. -#}
{% macro ga4_export_path() %}
    {%- set path = var('ga4_export_path', none) -%}
    {%- if path is none or (path is string and path | trim == '') -%}{{ return(none) }}{%- endif -%}
    {{ return((path | string).rstrip('/')) }}
{% endmacro %}

{#- Every export table of the folder as one relation: `events_*.parquet` (which also matches the intraday tables
    and sharded files such as events_20261201-000000000000.parquet), every column of the files plus `filename`
    (the file the row came from) and `file_row_number` (its position in that file, from 0). Files whose columns
    differ (a newer export schema, an intraday table) are read by column name. -#}
{% macro ga4_export_files(folder) -%}
    {{ return(adapter.dispatch('ga4_export_files', 'ecommerce_kpis')(folder)) }}
{%- endmacro %}

{% macro default__ga4_export_files(folder) -%}
    (
        select *
        from read_parquet(
            {{ sql_string(folder ~ '/events_*.parquet') }},
            filename = true,
            file_row_number = true,
            union_by_name = true
        )
    ) as export_files
{%- endmacro %}

{#- Spark reads the schema of the files as one table; `_metadata` is the hidden column of file sources. -#}
{% macro spark__ga4_export_files(folder) -%}
    (
        select
            *,
            _metadata.file_path as filename,
            _metadata.row_index as file_row_number
        from parquet.`{{ folder }}/events_*.parquet`
    ) as export_files
{%- endmacro %}

{#- The value of the event parameter `key` (the first with that key; GA4 writes each key once) of the list
    `params`, from the value field of `value_type`: string, int, float or double; `text` is whichever field is
    set, as text (GA4 writes ga_session_id as an int, some tools as a string). NULL when the key is absent. -#}
{% macro ga4_event_param(params, key, value_type='string') -%}
    {%- set fields = {
        'string': 'string_value', 'int': 'int_value', 'float': 'float_value', 'double': 'double_value'
    } -%}
    {%- if value_type != 'text' and value_type not in fields -%}
        {%- do exceptions.raise_compiler_error(
            'ga4_event_param: value_type must be string, int, float, double or text, got ' ~ value_type
        ) -%}
    {%- endif -%}
    {%- set param = adapter.dispatch('ga4_first_param', 'ecommerce_kpis')(params, key) -%}
    {%- if value_type == 'text' -%}
        coalesce(
            {{ param }}.value.string_value,
            cast({{ param }}.value.int_value as {{ dbt.type_string() }}),
            cast({{ param }}.value.double_value as {{ dbt.type_string() }}),
            cast({{ param }}.value.float_value as {{ dbt.type_string() }})
        )
    {%- else -%}
        {{ param }}.value.{{ fields[value_type] }}
    {%- endif -%}
{%- endmacro %}

{#- The first element of `params` whose key is `key`, or NULL. -#}
{% macro default__ga4_first_param(params, key) -%}
    list_filter({{ params }}, lambda param: param.key = {{ sql_string(key) }})[1]
{%- endmacro %}

{#- try_element_at: element_at raises an error on a missing index under ANSI mode (Spark 4's default). -#}
{% macro spark__ga4_first_param(params, key) -%}
    try_element_at(filter({{ params }}, param -> param.key = {{ sql_string(key) }}), 1)
{%- endmacro %}

{#- Select-list items that explode the list `items` into one row per element, as the columns `item` and
    `item_index` (position in the list, from 0). A NULL or empty list keeps its row once, with both NULL (an
    outer explode), so no export row disappears. Use as the last items of a select list. -#}
{% macro ga4_explode_items(items) -%}
    {{ return(adapter.dispatch('ga4_explode_items', 'ecommerce_kpis')(items)) }}
{%- endmacro %}

{% macro default__ga4_explode_items(items) -%}
    {#- two unnests of lists of equal length in one select list unnest side by side -#}
    unnest(case when len({{ items }}) > 0 then {{ items }} else [null] end) as item,
    unnest(case when len({{ items }}) > 0 then range(len({{ items }})) else [null] end) as item_index
{%- endmacro %}

{% macro spark__ga4_explode_items(items) -%}
    posexplode_outer({{ items }}) as (item_index, item)
{%- endmacro %}

{#- The item fields the mapping reads, pruned out of `items` so that their type does not depend on which optional
    fields an export holds: (name, SQL type). -#}
{% macro ga4_item_fields() %}
    {{ return([
        ('item_id', dbt.type_string()),
        ('item_name', dbt.type_string()),
        ('item_category', dbt.type_string()),
        ('price_in_usd', 'double'),
        ('quantity', 'bigint'),
        ('item_refund_in_usd', 'double'),
    ]) }}
{% endmacro %}

{#- `items` with only the fields of ga4_item_fields, in that order. -#}
{% macro ga4_items_pruned(items) -%}
    {{ return(adapter.dispatch('ga4_items_pruned', 'ecommerce_kpis')(items)) }}
{%- endmacro %}

{% macro default__ga4_items_pruned(items) -%}
    list_transform({{ items }}, lambda export_item: {
        {%- for name, type in ga4_item_fields() %}
        '{{ name }}': cast(export_item.{{ name }} as {{ type }}){{ ',' if not loop.last }}
        {%- endfor %}
    })
{%- endmacro %}

{% macro spark__ga4_items_pruned(items) -%}
    transform({{ items }}, export_item -> named_struct(
        {%- for name, type in ga4_item_fields() %}
        '{{ name }}', cast(export_item.{{ name }} as {{ type }}){{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{#- SQL types of the two nested columns, for the empty relation read when no export is given. -#}
{% macro ga4_event_params_type() -%}
    {{ return(adapter.dispatch('ga4_event_params_type', 'ecommerce_kpis')()) }}
{%- endmacro %}

{% macro default__ga4_event_params_type() -%}
    struct(
        key varchar,
        value struct(string_value varchar, int_value bigint, float_value double, double_value double)
    )[]
{%- endmacro %}

{% macro spark__ga4_event_params_type() -%}
    array<struct<key: string, value: struct<string_value: string, int_value: bigint, float_value: double,
    double_value: double>>>
{%- endmacro %}

{% macro ga4_items_type() -%}
    {{ return(adapter.dispatch('ga4_items_type', 'ecommerce_kpis')()) }}
{%- endmacro %}

{% macro default__ga4_items_type() -%}
    struct(
        {%- for name, type in ga4_item_fields() %}
        {{ name }} {{ type }}{{ ',' if not loop.last }}
        {%- endfor %}
    )[]
{%- endmacro %}

{% macro spark__ga4_items_type() -%}
    array<struct<
        {%- for name, type in ga4_item_fields() -%}
        {{ name }}: {{ type }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    >>
{%- endmacro %}

{#- When an export table counts as delivered, in hours after the start (UTC) of its day: the export does not
    record it. The intraday table of day D at D + 1 day 12:00, when every event of local date D has happened
    (the day ends last at UTC-12); the daily table at D + 2 days, after its intraday table. -#}
{% macro ga4_delivery_hours(is_intraday) -%}
    {{ return(36 if is_intraday else 48) }}
{%- endmacro %}

{#- GA4's event_timestamp (microseconds since the epoch, UTC) as a timestamp without zone. -#}
{% macro ga4_timestamp_from_micros(micros) -%}
    {{ return(adapter.dispatch('ga4_timestamp_from_micros', 'ecommerce_kpis')(micros)) }}
{%- endmacro %}

{% macro default__ga4_timestamp_from_micros(micros) -%}
    make_timestamp(cast({{ micros }} as bigint))
{%- endmacro %}

{% macro spark__ga4_timestamp_from_micros(micros) -%}
    timestamp_micros(cast({{ micros }} as bigint))
{%- endmacro %}

{#- The first non-NULL value of `column` in the window `over` (a partition and an order), whole partition. -#}
{% macro first_non_null_over(column, over) -%}
    {{ return(adapter.dispatch('first_non_null_over', 'ecommerce_kpis')(column, over)) }}
{%- endmacro %}

{% macro default__first_non_null_over(column, over) -%}
    first_value({{ column }} ignore nulls) over (
        {{ over }} rows between unbounded preceding and unbounded following
    )
{%- endmacro %}

{% macro spark__first_non_null_over(column, over) -%}
    first_value({{ column }}, true) over (
        {{ over }} rows between unbounded preceding and unbounded following
    )
{%- endmacro %}

{#- GA4's placeholders for a value it does not have: `(not set)` (no value collected), `(data deleted)` (removed
    by a data-deletion request) and `(other)` / `<Other>` (the bucket of reports over their row limit). Each
    means "no value" here: the text, trimmed, or NULL. `(none)` and `(direct)` are kept: GA4's medium `(none)`
    means "no medium", which the channel rules read (docs/decisions.md, "Google Analytics 4 export"). -#}
{% macro ga4_value(column) -%}
    case
        when lower(trim({{ column }})) in ('(not set)', '(data deleted)', '(other)', '<other>') then null
        else nullif(trim({{ column }}), '')
    end
{%- endmacro %}

{#- The number of elements of the list `items`; 0 for NULL. -#}
{% macro ga4_item_count(items) -%}
    {{ return(adapter.dispatch('ga4_item_count', 'ecommerce_kpis')(items)) }}
{%- endmacro %}

{% macro default__ga4_item_count(items) -%}
    coalesce(len({{ items }}), 0)
{%- endmacro %}

{#- size(NULL) is -1 or NULL depending on spark.sql.legacy.sizeOfNull -#}
{% macro spark__ga4_item_count(items) -%}
    greatest(coalesce(size({{ items }}), 0), 0)
{%- endmacro %}
