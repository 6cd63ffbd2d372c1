{#- Issue 7: an invalid var stops dbt (build, run, test, seed, source freshness) before anything runs, with one
    line per problem naming the var, what it must be and what it got. Without this, a negative session timeout
    silently makes every event its own session, a window that is not a number becomes 0 through `| int`, and a
    raw_data_path that does not exist fails deep inside a model with DuckDB's "No files found". Runs as the
    first on-run-start hook (dbt_project.yml). -#}

{% macro validate_vars() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set problems = var_problems() -%}
    {%- if problems -%}
        {%- do exceptions.raise_compiler_error(
            'Invalid vars (dbt_project.yml or --vars), ' ~ (problems | length) ~ ' problem(s):\n  - '
            ~ (problems | join('\n  - '))
        ) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- Every problem of the project's vars, one line each, starting with "var <name>". -#}
{% macro var_problems() %}
    {%- set problems = [] -%}

    {%- for name in numeric_var_rules() -%}
        {%- set problem = numeric_var_problem(name) -%}
        {%- if problem -%}{%- do problems.append(problem) -%}{%- endif -%}
    {%- endfor -%}

    {%- set as_of_date = var('as_of_date', none) -%}
    {%- if as_of_date is not none and not is_iso_date(as_of_date) -%}
        {%- do problems.append('var as_of_date must be null or a date written YYYY-MM-DD, got ' ~ as_of_date | string | tojson) -%}
    {%- endif -%}

    {%- set floor = var('earliest_plausible_date', none) -%}
    {%- if floor is none or not is_iso_date(floor) -%}
        {%- do problems.append('var earliest_plausible_date must be a date written YYYY-MM-DD, got ' ~ floor | string | tojson) -%}
    {%- endif -%}

    {%- set zone = var('reporting_timezone', none) -%}
    {%- if zone is not string or zone not in modules.pytz.all_timezones_set -%}
        {%- do problems.append('var reporting_timezone must be an IANA time zone name such as UTC or Europe/Madrid, got '
            ~ zone | tojson) -%}
    {%- endif -%}

    {%- set domains = var('shop_domains', none) -%}
    {%- if domains is string or domains is not iterable or domains is mapping
        or domains | reject('string') | list | length > 0
        or domains | map('trim') | select('equalto', '') | list | length > 0 -%}
        {%- do problems.append('var shop_domains must be a list of host names, e.g. [shop.example.com], got ' ~ domains | tojson) -%}
    {%- endif -%}

    {%- do problems.extend(raw_data_path_problems(var('raw_data_path', none))) -%}
    {%- do problems.extend(ga4_export_path_problems(var('ga4_export_path', none))) -%}
    {{ return(problems) }}
{% endmacro %}

{#- ga4_export_path: null, or a folder holding the export tables of a Google Analytics 4 export as
    events_*.parquet (docs/decisions.md, "Google Analytics 4 export"). -#}
{% macro ga4_export_path_problems(export_path) %}
    {%- set problems = [] -%}
    {%- if export_path is none -%}{{ return(problems) }}{%- endif -%}
    {%- if export_path is not string or export_path | trim == '' -%}
        {%- do problems.append('var ga4_export_path must be null or the path of a folder of GA4 export tables, got '
            ~ export_path | tojson) -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- set files = ga4_export_file_count(export_path.rstrip('/')) -%}
    {%- if files is not none and files == 0 -%}
        {%- do problems.append('var ga4_export_path: no events_*.parquet files in "' ~ export_path.rstrip('/')
            ~ '" (it does not exist or holds no export tables such as events_20261201.parquet)') -%}
    {%- endif -%}
    {{ return(problems) }}
{% endmacro %}

{#- The number of events_*.parquet files of an export folder; none when the engine cannot list files. -#}
{% macro ga4_export_file_count(folder) %}
    {{ return(adapter.dispatch('ga4_export_file_count', 'ecommerce_kpis')(folder)) }}
{% endmacro %}

{% macro default__ga4_export_file_count(folder) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__ga4_export_file_count(folder) %}
    {%- set result = run_query('select count(*) from glob(' ~ sql_string(folder ~ '/events_*.parquet') ~ ')') -%}
    {{ return(result.rows[0][0]) }}
{% endmacro %}

{#- The numeric vars and their ranges, checked up front by var_problems and again by number_var where a model
    uses one. A duration is at most 100 years (36,500 days, 876,000 hours, 52,560,000 minutes): more is no rule
    at all, and a date moved by a much larger one overflows DuckDB's intervals (INT32) deep inside a model. NaN
    and infinity (YAML .nan, .inf) are never in range. -#}
{% macro numeric_var_rules() %}
    {{ return({
        'session_timeout_minutes': {'unit': 'minutes', 'minimum': 0, 'above_minimum': true, 'maximum': 52560000},
        'return_window_days': {'unit': 'days', 'minimum': 0, 'maximum': 36500, 'whole': true},
        'repurchase_window_days': {'unit': 'days', 'minimum': 0, 'maximum': 36500, 'whole': true},
        'incremental_lookback_minutes': {'unit': 'minutes', 'minimum': 0, 'maximum': 52560000, 'whole': true},
        'max_event_lateness_days': {'unit': 'days', 'minimum': 0, 'maximum': 36500},
        'max_clock_skew_hours': {'unit': 'hours', 'minimum': 0, 'maximum': 876000},
        'max_rejection_rate': {'unit': none, 'minimum': 0, 'maximum': 1},
    }) }}
{% endmacro %}

{#- A numeric var, for the SQL that uses it. Out of its range it stops the model when SQL runs; while dbt parses
    it is 0, so that parsing never fails on it (`.inf | int` would) and the on-run-start check lists every
    invalid var at once. -#}
{% macro number_var(name) %}
    {%- set problem = numeric_var_problem(name) -%}
    {%- if not problem -%}{{ return(var(name)) }}{%- endif -%}
    {%- if execute -%}{%- do exceptions.raise_compiler_error(problem) -%}{%- endif -%}
    {{ return(0) }}
{% endmacro %}

{#- The problem of a numeric var, one line naming it and its range; none when it is in range. -#}
{% macro numeric_var_problem(name) %}
    {%- set rule = numeric_var_rules()[name] -%}
    {%- set value = var(name, none) -%}
    {%- set whole = rule.get('whole', false) -%}
    {%- set above_minimum = rule.get('above_minimum', false) -%}
    {%- if is_plain_number(value) and (value is integer or not whole) and value == value
        and (value > rule.minimum if above_minimum else value >= rule.minimum) and value <= rule.maximum -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kind = ('a whole number' if whole else 'a number') ~ (' of ' ~ rule.unit if rule.unit else '') -%}
    {%- set range = ('more than ' ~ rule.minimum ~ ' and at most ' if above_minimum else 'from ' ~ rule.minimum ~ ' to ')
        ~ rule.maximum ~ (' (100 years)' if rule.unit else '') -%}
    {{ return('var ' ~ name ~ ' must be ' ~ kind ~ ', ' ~ range ~ ', got ' ~ value | tojson) }}
{% endmacro %}

{#- An int or a float, not a boolean (YAML true is a number to Jinja) and not a numeric string. -#}
{% macro is_plain_number(value) %}
    {{ return(value is number and value is not sameas true and value is not sameas false) }}
{% endmacro %}

{#- raw_data_path (SPEC 1): null for seed mode, or a folder holding <table>/*.parquet for each raw table. -#}
{% macro raw_data_path_problems(raw_data_path) %}
    {%- set problems = [] -%}
    {%- if raw_data_path is none -%}{{ return(problems) }}{%- endif -%}
    {%- if raw_data_path is not string or raw_data_path | trim == '' -%}
        {%- do problems.append('var raw_data_path must be null (seed mode) or the path of a folder, got ' ~ raw_data_path | tojson) -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- set folder = raw_data_path.rstrip('/') -%}
    {%- set tables = ['raw_events', 'raw_orders', 'raw_order_items', 'raw_returns', 'raw_products', 'raw_customers'] -%}
    {#- with a GA4 export, the events come from the export and only the other five from this folder -#}
    {%- if ga4_export_path() is not none -%}{%- set tables = tables[1:] -%}{%- endif -%}
    {%- set counts = raw_parquet_file_counts(folder, tables) -%}
    {#- none: this engine cannot list files; the first read of a missing file will fail instead. -#}
    {%- if counts is none -%}{{ return(problems) }}{%- endif -%}
    {%- set missing = tables | reject('in', counts | list) | list -%}
    {%- if counts | length == 0 -%}
        {%- do problems.append('var raw_data_path: no Parquet files under "' ~ folder
            ~ '" (it does not exist or is empty); expected ' ~ folder ~ '/<table>/*.parquet for '
            ~ tables | join(', ')) -%}
    {%- elif missing -%}
        {%- do problems.append('var raw_data_path: no Parquet files for ' ~ missing | join(', ') ~ ' (expected '
            ~ folder ~ '/' ~ missing[0] ~ '/*.parquet)') -%}
    {%- endif -%}
    {{ return(problems) }}
{% endmacro %}

{#- A mapping table -> number of Parquet files of <folder>/<table>/*.parquet, holding only the tables with at
    least one file; none when the engine cannot list files. -#}
{% macro raw_parquet_file_counts(folder, tables) %}
    {{ return(adapter.dispatch('raw_parquet_file_counts', 'ecommerce_kpis')(folder, tables)) }}
{% endmacro %}

{% macro default__raw_parquet_file_counts(folder, tables) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__raw_parquet_file_counts(folder, tables) %}
    {%- set query -%}
        {%- for table in tables %}
        select {{ sql_string(table) }} as table_name, count(*) as files
        from glob({{ sql_string(folder ~ '/' ~ table ~ '/*.parquet') }})
        {%- if not loop.last %} union all {% endif -%}
        {%- endfor %}
    {%- endset -%}
    {%- set counts = {} -%}
    {%- for row in run_query(query).rows if row[1] > 0 -%}
        {%- do counts.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(counts) }}
{% endmacro %}
