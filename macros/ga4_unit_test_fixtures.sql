{#- Fixture rows for the unit tests of models/staging/ga4/ (_ga4__unit_tests.yml). Their inputs hold nested
    columns, which dbt's dict and csv fixtures cannot express, so the fixtures are `format: sql`, and dbt renders
    that SQL with Jinja: these macros write it, with the nested literals of the engine (DuckDB or Spark), so the
    same unit tests run on both. Each takes a list of rows (dicts) naming only what a test cares about. -#}

{#- 'YYYY-MM-DD HH:MM:SS' (UTC) as microseconds since the epoch, GA4's event_timestamp. -#}
{% macro ga4_fixture_micros(at) -%}
    {%- set moment = modules.datetime.datetime.strptime(at, '%Y-%m-%d %H:%M:%S') -%}
    {%- set seconds = (moment - modules.datetime.datetime(1970, 1, 1)).total_seconds() | int -%}
    {{ return(seconds * 1000000) }}
{%- endmacro %}

{#- A SQL literal of a Python value: NULL, a number, or a string. -#}
{% macro ga4_fixture_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is number -%}{{ value }}
    {%- else -%}{{ sql_string(value) }}
    {%- endif -%}
{%- endmacro %}

{#- event_params of a dict {key: value}: a string goes to string_value, an integer to int_value, another number
    to double_value. -#}
{% macro ga4_fixture_params(params) -%}
    {%- set elements = [] -%}
    {%- for key, value in params.items() -%}
        {%- set fields = {'string_value': none, 'int_value': none, 'float_value': none, 'double_value': none} -%}
        {%- if value is string -%}{%- do fields.update({'string_value': value}) -%}
        {%- elif value is integer -%}{%- do fields.update({'int_value': value}) -%}
        {%- else -%}{%- do fields.update({'double_value': value}) -%}
        {%- endif -%}
        {%- do elements.append(ga4_fixture_struct({
            'key': ga4_fixture_literal(key),
            'value': ga4_fixture_struct({
                'string_value': ga4_fixture_literal(fields['string_value']),
                'int_value': ga4_fixture_literal(fields['int_value']),
                'float_value': ga4_fixture_literal(fields['float_value']),
                'double_value': ga4_fixture_literal(fields['double_value']),
            })
        })) -%}
    {%- endfor -%}
    cast({{ ga4_fixture_list(elements) }} as {{ ga4_event_params_type() }})
{%- endmacro %}

{#- items of a list of dicts, with the pruned item fields (macros/ga4.sql); a field not given is NULL. -#}
{% macro ga4_fixture_items(items) -%}
    {%- set elements = [] -%}
    {%- for element in (items or []) -%}
        {%- set fields = {} -%}
        {%- for name, type in ga4_item_fields() -%}
            {%- do fields.update({name: ga4_fixture_literal(element.get(name))}) -%}
        {%- endfor -%}
        {%- do elements.append(ga4_fixture_struct(fields)) -%}
    {%- endfor -%}
    {%- if items is none -%}cast(null as {{ ga4_items_type() }})
    {%- else -%}cast({{ ga4_fixture_list(elements) }} as {{ ga4_items_type() }})
    {%- endif -%}
{%- endmacro %}

{#- A struct literal of {field: SQL expression}, fields in the order given. -#}
{% macro ga4_fixture_struct(fields) -%}
    {{ return(adapter.dispatch('ga4_fixture_struct', 'ecommerce_kpis')(fields)) }}
{%- endmacro %}

{% macro default__ga4_fixture_struct(fields) -%}
    {%- set parts = [] -%}
    {%- for name, expression in fields.items() -%}{%- do parts.append(name ~ ' := ' ~ expression) -%}{%- endfor -%}
    {{ return('struct_pack(' ~ parts | join(', ') ~ ')') }}
{%- endmacro %}

{% macro spark__ga4_fixture_struct(fields) -%}
    {%- set parts = [] -%}
    {%- for name, expression in fields.items() -%}
        {%- do parts.append("'" ~ name ~ "', " ~ expression) -%}
    {%- endfor -%}
    {{ return('named_struct(' ~ parts | join(', ') ~ ')') }}
{%- endmacro %}

{#- A list literal of SQL expressions. -#}
{% macro ga4_fixture_list(elements) -%}
    {{ return(adapter.dispatch('ga4_fixture_list', 'ecommerce_kpis')(elements)) }}
{%- endmacro %}

{% macro default__ga4_fixture_list(elements) -%}
    {{ return('[' ~ elements | join(', ') ~ ']') }}
{%- endmacro %}

{% macro spark__ga4_fixture_list(elements) -%}
    {{ return('array(' ~ elements | join(', ') ~ ')') }}
{%- endmacro %}

{#- Rows of base_ga4__export_rows, every column (the model reads them all). Keys: file (default
    events_20261201.parquet), row (default: the row's position), user_pseudo_id, user_id, event_name, at
    ('YYYY-MM-DD HH:MM:SS' UTC), bundle (default 1), params (dict), items (list of dicts; default none),
    device_category, country, transaction_id, revenue, refund. -#}
{% macro ga4_fixture_export_rows(rows) -%}
    {%- for row in rows %}
    select
        {{ ga4_fixture_literal(row.get('file', 'events_20261201.parquet')) }} as export_file,
        cast({{ row.get('row', loop.index0) }} as bigint) as export_row_number,
        cast({{ ga4_fixture_literal(row.get('user_pseudo_id')) }} as {{ dbt.type_string() }}) as user_pseudo_id,
        cast({{ ga4_fixture_literal(row.get('user_id')) }} as {{ dbt.type_string() }}) as user_id,
        cast({{ ga4_fixture_literal(row.get('event_name')) }} as {{ dbt.type_string() }}) as event_name,
        cast({{ ga4_fixture_literal(row.get('device_category', 'desktop')) }} as {{ dbt.type_string() }})
            as device_category,
        cast({{ ga4_fixture_literal(row.get('country')) }} as {{ dbt.type_string() }}) as geo_country,
        cast({{ ga4_fixture_literal(row.get('transaction_id')) }} as {{ dbt.type_string() }}) as transaction_id,
        {{ ga4_fixture_params(row.get('params', {})) }} as event_params,
        {{ ga4_fixture_items(row.get('items')) }} as items,
        cast({{ ga4_fixture_micros(row['at']) if row.get('at') else 'null' }} as bigint) as event_timestamp,
        cast({{ row.get('bundle', 1) }} as bigint) as event_bundle_sequence_id,
        cast({{ ga4_fixture_literal(row.get('revenue')) }} as double) as purchase_revenue_in_usd,
        cast({{ ga4_fixture_literal(row.get('refund')) }} as double) as refund_value_in_usd
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Rows of base_ga4__events as the raw relations read them (mapped rows). Keys: anonymous_id, customer_id,
    ga4_event_name, event_name (default: ga4_event_name), at, bundle (default 1), items (list of dicts),
    transaction_id, coupon, country, revenue, refund, loaded_at (default 2026-12-03 00:00:00),
    first_purchase (bool), row (export row id; default the position), event_rejection_reason. -#}
{% macro ga4_fixture_mapped_events(rows) -%}
    {%- for row in rows %}
    select
        {{ ga4_fixture_literal(row.get('row', 'r' ~ loop.index)) }} as export_row_id,
        cast({{ ga4_fixture_literal(row.get('anonymous_id')) }} as {{ dbt.type_string() }}) as anonymous_id,
        cast({{ ga4_fixture_literal(row.get('customer_id')) }} as {{ dbt.type_string() }}) as customer_id,
        cast({{ ga4_fixture_literal(row.get('transaction_id')) }} as {{ dbt.type_string() }}) as transaction_id,
        cast({{ ga4_fixture_literal(row.get('ga4_event_name')) }} as {{ dbt.type_string() }}) as ga4_event_name,
        cast({{ ga4_fixture_literal(row.get('event_name', row.get('ga4_event_name'))) }} as {{ dbt.type_string() }})
            as event_name,
        cast(null as {{ dbt.type_string() }}) as page_url,
        cast(null as {{ dbt.type_string() }}) as page_referrer,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast({{ ga4_fixture_literal(row.get('coupon')) }} as {{ dbt.type_string() }}) as coupon,
        cast('desktop' as {{ dbt.type_string() }}) as device_category,
        cast({{ ga4_fixture_literal(row.get('country')) }} as {{ dbt.type_string() }}) as country,
        {{ ga4_fixture_items(row.get('items')) }} as items,
        cast({{ ga4_fixture_micros(row['at']) }} as bigint) as event_timestamp,
        cast({{ row.get('bundle', 1) }} as bigint) as event_bundle_sequence_id,
        cast({{ ga4_fixture_literal(row.get('revenue')) }} as double) as purchase_revenue_in_usd,
        cast({{ ga4_fixture_literal(row.get('refund')) }} as double) as refund_value_in_usd,
        {{ 'true' if row.get('first_purchase') else 'false' }} as is_first_purchase_of_transaction,
        cast('{{ row['at'] }}' as {{ dbt.type_timestamp() }}) as event_ts,
        cast('{{ row.get('loaded_at', '2026-12-03 00:00:00') }}' as {{ dbt.type_timestamp() }}) as loaded_at,
        cast(null as {{ dbt.type_string() }}) as rejection_reason,
        cast({{ ga4_fixture_literal(row.get('event_rejection_reason')) }} as {{ dbt.type_string() }})
            as event_rejection_reason
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
