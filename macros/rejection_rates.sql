{#- Issue 7: every raw table's rejected rows are kept in a model beside its accepted rows. These macros count
    them per raw table and load, for the accounting identity and for the rejection-rate warning. A load is
    the UTC date of loaded_at for raw_events (decisions item 2); the other raw tables arrive as full snapshots
    (decisions item 26) and are one load each (load_date NULL). -#}

{#- raw table -> (model of accepted rows, models of rows set aside). -#}
{% macro raw_table_splits() %}
    {{ return({
        'raw_events': ('stg_shop__events', ['stg_shop__events_duplicates', 'stg_shop__events_rejected']),
        'raw_orders': ('stg_shop__orders', ['stg_shop__orders_rejected']),
        'raw_order_items': ('stg_shop__order_items', ['stg_shop__order_items_rejected']),
        'raw_returns': ('stg_shop__returns', ['stg_shop__returns_rejected']),
        'raw_products': ('stg_shop__products', ['stg_shop__products_rejected']),
        'raw_customers': ('stg_shop__customers', ['stg_shop__customers_rejected']),
    }) }}
{% endmacro %}

{#- The load a row belongs to: the date of loaded_at for events, NULL (the one snapshot) elsewhere. -#}
{% macro load_date_of(table_name) -%}
    {%- if table_name == 'raw_events' -%}
        cast(cast(loaded_at as {{ dbt.type_timestamp() }}) as date)
    {%- else -%}
        cast(null as date)
    {%- endif -%}
{%- endmacro %}

{#- One row per raw table (all, or those listed in `tables`) and load: raw_rows, accepted_rows, duplicate_rows (events only), rejected_rows,
    rejection_rate = rejected_rows / raw_rows (NULL for an empty load), and the var max_rejection_rate. -#}
{% macro rejection_rates_sql(tables=none) %}
    {%- set threshold = bad_input_var('max_rejection_rate') -%}
    {%- set parts = [] -%}
    {%- for table_name, split in raw_table_splits().items()
        if (tables is none or table_name in tables) and raw_table_splits_built(table_name) -%}
        {%- set accepted_model, aside_models = split -%}
        {%- do parts.append(
            "select '" ~ table_name ~ "' as raw_table, " ~ load_date_of(table_name) ~ " as load_date, "
            ~ "count(*) as raw_rows, 0 as accepted_rows, 0 as duplicate_rows, 0 as rejected_rows from "
            ~ shop_raw(table_name) ~ " group by 2"
        ) -%}
        {%- do parts.append(
            "select '" ~ table_name ~ "', " ~ load_date_of(table_name) ~ ", 0, count(*), 0, 0 from "
            ~ ref(accepted_model) ~ " group by 2"
        ) -%}
        {%- for aside_model in aside_models -%}
            {%- set is_duplicates = aside_model.endswith('_duplicates') -%}
            {%- do parts.append(
                "select '" ~ table_name ~ "', " ~ load_date_of(table_name) ~ ", 0, 0, "
                ~ ("count(*), 0" if is_duplicates else "0, count(*)") ~ " from " ~ ref(aside_model) ~ " group by 2"
            ) -%}
        {%- endfor -%}
    {%- endfor %}
    select
        raw_table,
        load_date,
        sum(raw_rows) as raw_rows,
        sum(accepted_rows) as accepted_rows,
        sum(duplicate_rows) as duplicate_rows,
        sum(rejected_rows) as rejected_rows,
        {{ safe_divide('sum(rejected_rows)', 'sum(raw_rows)') }} as rejection_rate,
        {{ threshold }} as max_rejection_rate
    from (
        {%- if parts %}
        {{ parts | join('\n        union all\n        ') }}
        {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as raw_table, cast(null as date) as load_date, 0 as raw_rows,
            0 as accepted_rows, 0 as duplicate_rows, 0 as rejected_rows
        where 1 = 0
        {%- endif %}
    ) as counted
    group by raw_table, load_date
{% endmacro %}

{#- True when the raw table and every model it is split into exist. Always true at parse time (so the tests
    depend on all of them); false when a selection built only some of them, e.g. `dbt build --select
    stg_shop__customers`, which also picks the tests that read it: they then leave that table out instead of
    failing on a relation that was never built. A full build always has them all. -#}
{% macro raw_table_splits_built(table_name) %}
    {%- if not execute -%}{{ return(true) }}{%- endif -%}
    {%- set split = raw_table_splits()[table_name] -%}
    {%- set names = [split[0]] + split[1] + ([] if var('raw_data_path', none) else [table_name])
        + ([ga4_raw_model(table_name)] if ga4_raw_model(table_name) else []) -%}
    {%- for name in names -%}
        {%- set relation = ref(name) -%}
        {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{% endmacro %}

{#- Log each raw table and load whose rejection rate is above the threshold, by name: dbt prints only a count
    for a warning, and whoever reads the build output wants to know where to look. -#}
{% macro log_high_rejection_rates(rates_sql) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set high = run_query(
        'select raw_table, load_date, raw_rows, rejected_rows, rejection_rate, max_rejection_rate from ('
        ~ rates_sql ~ ') as rates where rejection_rate > max_rejection_rate order by raw_table, load_date'
    ) -%}
    {%- for load in high.rows -%}
        {%- set split = raw_table_splits()[load['raw_table']] -%}
        {{- log(
            'Rejection rate above ' ~ '%.1f%%' | format(load['max_rejection_rate'] * 100) ~ ': ' ~ load['raw_table']
            ~ (', load of ' ~ load['load_date'] if load['load_date'] is not none else ' (the whole snapshot)')
            ~ ': ' ~ load['rejected_rows'] ~ ' of ' ~ load['raw_rows'] ~ ' rows rejected ('
            ~ '%.1f%%' | format(load['rejection_rate'] * 100) ~ '); the rows and their reasons are in '
            ~ split[1][-1],
            info=True
        ) -}}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
