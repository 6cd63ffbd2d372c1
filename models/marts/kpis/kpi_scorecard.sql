{#- The scorecard of SPEC 6: one row per KPI mart, generated from the marts' SMART metadata (config.meta.kpi)
    through the graph, so no target is ever written twice. For each KPI: the window is the `window_days` days
    ending at the latest `time_column` among the rows that pass `filter`; the actual value is the KPI's
    `value` aggregate over the rows of that window that pass `filter`.

    dbt resolves refs while it parses, before the graph exists, so the marts read here are listed below;
    the metadata validation (on-run-start) stops the build, naming the missing ref, if a KPI mart is ever
    left out of this list. -#}
-- depends_on: {{ ref('kpi_cart_abandonment') }}
-- depends_on: {{ ref('kpi_conversion_rate') }}
-- depends_on: {{ ref('kpi_engagement') }}
-- depends_on: {{ ref('kpi_exit_pages') }}
-- depends_on: {{ ref('kpi_organic_repurchase_rate') }}
-- depends_on: {{ ref('kpi_product_page_views') }}
-- depends_on: {{ ref('kpi_referral_sources') }}
-- depends_on: {{ ref('kpi_return_rate') }}
-- depends_on: {{ ref('kpi_traffic') }}

{%- set kpis = kpi_nodes() if execute else [] %}

with

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

{% for node in kpis -%}
    {%- set kpi = node.config.meta.kpi -%}
    {%- set time_column = kpi.get('time_column') or 'date_day' -%}
    {%- set row_filter = kpi.get('filter') or 'true' %}

{{ node.name }}__window as (

    select
        cast({{ dbt.dateadd('day', 1 - kpi.window_days, 'max(' ~ time_column ~ ')') }} as date) as window_start,
        max({{ time_column }}) as window_end

    -- The alias is needed on Spark, which would read `where (...)` as a table alias with column names.
    from {{ ref(node.name) }} as kpi_rows
    where ({{ row_filter }})

),

{{ node.name }}__actual as (

    select cast({{ kpi.value }} as double) as actual_value

    from {{ ref(node.name) }} as kpi_rows
    where ({{ row_filter }})
        and {{ time_column }} >= (select window_start from {{ node.name }}__window)
        and {{ time_column }} <= (select window_end from {{ node.name }}__window)

),
{%- endfor %}

kpi_values as (

    {% for node in kpis -%}
        {%- set kpi = node.config.meta.kpi %}
    select
        {{ sql_string(node.name) }} as kpi_model,
        {{ sql_string(kpi.label) }} as label,
        {{ sql_string(kpi.owner) }} as owner,
        {{ sql_string(kpi.unit) }} as unit,
        {{ sql_string(kpi.direction) }} as direction,
        cast({{ kpi.target }} as double) as target,
        cast({{ sql_string(kpi.deadline) }} as date) as deadline,
        kpi_window.window_start,
        cast(kpi_window.window_end as date) as window_end,
        kpi_actual.actual_value

    from {{ node.name }}__window as kpi_window
    cross join {{ node.name }}__actual as kpi_actual
    {% if not loop.last %}
    union all
    {% endif -%}
    {% else %}
    -- No KPI mart carries metadata: an empty scorecard of the right shape.
    select
        cast(null as {{ dbt.type_string() }}) as kpi_model,
        cast(null as {{ dbt.type_string() }}) as label,
        cast(null as {{ dbt.type_string() }}) as owner,
        cast(null as {{ dbt.type_string() }}) as unit,
        cast(null as {{ dbt.type_string() }}) as direction,
        cast(null as double) as target,
        cast(null as date) as deadline,
        cast(null as date) as window_start,
        cast(null as date) as window_end,
        cast(null as double) as actual_value
    where false
    {% endfor %}

),

scorecard as (

    select
        kpi_values.kpi_model,
        kpi_values.label,
        kpi_values.owner,
        kpi_values.unit,
        kpi_values.direction,
        kpi_values.target,
        kpi_values.deadline,
        kpi_values.window_start,
        kpi_values.window_end,
        kpi_values.actual_value,
        kpi_values.actual_value - kpi_values.target as gap,
        case
            when kpi_values.direction = 'increase' and kpi_values.actual_value >= kpi_values.target then 'met'
            when kpi_values.direction = 'decrease' and kpi_values.actual_value <= kpi_values.target then 'met'
            when as_of.as_of_date > kpi_values.deadline then 'missed'
            else 'not_met'
        end as status,
        cast({{ dbt.datediff('as_of.as_of_date', 'kpi_values.deadline', 'day') }} as bigint) as days_to_deadline

    from kpi_values
    cross join as_of

)

select * from scorecard
