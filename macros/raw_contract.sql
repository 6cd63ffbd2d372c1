{#- The raw-data contract (SPEC 1, issue 7 "Bad input"). The columns of each raw table are declared once, as the
    `column_types` of its seed in seeds/_seeds.yml, in both modes:
      - a column declared `string` arrives as text (or in any type, from Parquet) and is parsed in staging by
        `parse_raw`: a value that does not parse becomes NULL and its row is rejected with a reason
        (`unparseable_<column>`), never a crash and never a guess;
      - a column declared with a real type (raw_events.loaded_at, the loader's own stamp) must arrive with that
        type: a seed refuses to load a bad value (DuckDB names file, line and column), and a Parquet column of
        another type stops the build here.
    A column missing from the raw data (or renamed) stops every model that reads the table, with a message that
    names the table and the column; an extra column is ignored, with a warning that names it. -#}

{#- The declared columns of a raw table, in order: {column: declared type}, from its seed's column_types. -#}
{% macro raw_contract(table_name) %}
    {{ return(raw_seed_node(table_name).config.column_types) }}
{% endmacro %}

{#- The seed node of a raw table, from the graph (so it also works inside a unit test, where `ref` of the seed
    names the fixture rows instead). -#}
{% macro raw_seed_node(table_name) %}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'seed' and node.package_name == project_name and node.name == table_name -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {%- do exceptions.raise_compiler_error(
        'raw_contract: no seed named ' ~ table_name ~ ' declares the columns of this raw table (seeds/_seeds.yml)'
    ) -%}
{% endmacro %}

{#- What the raw data really holds: {lower-cased column name: lower-cased type}, read from the database (the seed
    table) or from the Parquet files; {} at parse time or when the seed table does not exist yet. Unit tests read
    the seed, which dbt replaces by fixture rows typed like the seed, i.e. as text by the contract: {} too (dbt
    gives a unit test no graph to look the seed up in). {} means "all text": every value is parsed. -#}
{% macro raw_column_types(table_name) %}
    {#- the model depends on the seed (as through shop_raw), whichever way the columns are read -#}
    {%- do ref(table_name) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}{{ return({}) }}{%- endif -%}
    {%- set raw_data_path = var('raw_data_path', none) -%}
    {%- if ga4_raw_model(table_name) -%}
        {#- the GA4 model is a parent, built before its readers; not built yet (compile): {} -#}
        {%- set mapped = ref(ga4_raw_model(table_name)) -%}
        {%- set relation = adapter.get_relation(mapped.database, mapped.schema, mapped.identifier) -%}
        {%- set columns = adapter.get_columns_in_relation(relation) if relation is not none else [] -%}
    {%- elif raw_data_path -%}
        {%- set columns = get_column_schema_from_query(
            'select * from ' ~ read_parquet_folder(raw_data_path ~ '/' ~ table_name)
        ) -%}
    {%- else -%}
        {%- set seed = raw_seed_node(table_name) -%}
        {%- set columns = adapter.get_columns_in_relation(
            api.Relation.create(database=seed.database, schema=seed.schema, identifier=seed.alias)
        ) -%}
    {%- endif -%}
    {%- set types = {} -%}
    {%- for column in columns -%}
        {%- do types.update({column.name | lower: column.dtype | lower}) -%}
    {%- endfor -%}
    {{ return(types) }}
{% endmacro %}

{#- Where a raw table is read from, for messages. -#}
{% macro raw_location(table_name) %}
    {%- set raw_data_path = var('raw_data_path', none) -%}
    {%- if ga4_raw_model(table_name) -%}
        {{ return('model ' ~ ga4_raw_model(table_name) ~ ', mapped from ' ~ ga4_export_path() ~ '/events_*.parquet') }}
    {%- endif -%}
    {%- if raw_data_path -%}
        {{ return(raw_data_path.rstrip('/') ~ '/' ~ table_name ~ '/*.parquet') }}
    {%- endif -%}
    {{ return('seeds/' ~ table_name ~ '.csv') }}
{% endmacro %}

{#- Stop when a declared column is missing (or renamed) or a typed column arrives in another type; warn about
    extra columns. Called by shop_raw, so every model and test that reads raw data checks first. -#}
{% macro check_raw_columns(table_name) %}
    {%- if not execute or model.resource_type == 'unit_test' -%}{{ return('') }}{%- endif -%}
    {%- set actual = raw_column_types(table_name) -%}
    {#- No seed table yet (e.g. `dbt compile` before the first build): nothing to check. -#}
    {%- if not actual -%}{{ return('') }}{%- endif -%}
    {%- set declared = raw_contract(table_name) -%}
    {%- set where = table_name ~ ' (' ~ raw_location(table_name) ~ ')' -%}
    {%- set missing = declared | reject('in', actual) | list -%}
    {%- set extra = actual | reject('in', declared) | list -%}
    {%- set problems = [] -%}
    {%- for column in missing -%}
        {%- do problems.append('column "' ~ column ~ '" is missing') -%}
    {%- endfor -%}
    {%- for column, declared_type in declared.items() -%}
        {%- if column in actual and not is_text_type(declared_type)
            and not same_type_family(actual[column], declared_type) -%}
            {%- set expected = 'a timestamp (with or without time zone)' if declared_type.startswith('timestamp')
                else 'of type ' ~ declared_type -%}
            {%- do problems.append('column "' ~ column ~ '" must be ' ~ expected ~ ', got ' ~ actual[column]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {%- set hint = '' -%}
        {%- if missing and extra -%}
            {%- set hint = '\n  It has columns the contract does not know: ' ~ extra | join(', ')
                ~ ' (renamed?).' -%}
        {%- endif -%}
        {%- do exceptions.raise_compiler_error(
            'Raw table ' ~ where ~ ' does not match its contract: ' ~ problems | join('; ') ~ '.' ~ hint
            ~ '\n  Expected columns (seeds/_seeds.yml, column_types of ' ~ table_name ~ '): '
            ~ declared | join(', ') ~ '.'
        ) -%}
    {%- endif -%}
    {%- if extra -%}
        {%- do exceptions.warn(
            'Raw table ' ~ where ~ ' has columns the contract does not know, ignored: ' ~ extra | join(', ')
            ~ ' (add them to the column_types of ' ~ table_name ~ ' in seeds/_seeds.yml to use them).'
        ) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro is_text_type(data_type) %}
    {{ return((data_type | lower).split('(')[0] | trim in ('string', 'varchar', 'text', 'char')) }}
{% endmacro %}

{#- Timestamps of any precision are timestamps; other types compare without blanks and case. -#}
{% macro same_type_family(actual_type, declared_type) %}
    {%- set actual_type = actual_type | lower | replace(' ', '') -%}
    {%- set declared_type = declared_type | lower | replace(' ', '') -%}
    {%- if declared_type.startswith('timestamp') -%}
        {{ return(actual_type.startswith('timestamp')) }}
    {%- endif -%}
    {{ return(actual_type == declared_type) }}
{% endmacro %}

{#- The SQL type and accepted raw types of each kind of typed raw column. -#}
{% macro raw_kind_type(kind) %}
    {%- if kind == 'timestamp' -%}
        {{ return(dbt.type_timestamp()) }}
    {%- elif kind == 'integer' -%}
        {{ return(dbt.type_int()) }}
    {%- elif kind == 'money' -%}
        {{ return('decimal(12, 2)') }}
    {%- endif -%}
    {%- do exceptions.raise_compiler_error('parse_raw: unknown kind ' ~ kind ~ ' (timestamp, integer or money)') -%}
{% endmacro %}

{#- True when the raw column already has the type of `kind`, so it needs no parsing: a timestamp of any kind
    (any precision, with or without time zone), exactly the SPEC type otherwise. -#}
{% macro raw_is_typed(column, kind, raw_types) %}
    {%- set actual = raw_types.get(column | lower, '') | replace(' ', '') -%}
    {%- if kind == 'timestamp' -%}
        {{ return(actual.startswith('timestamp') or actual == 'datetime') }}
    {%- elif kind == 'integer' -%}
        {{ return(actual in ('integer', 'int', 'int4', 'int32')) }}
    {%- endif -%}
    {{ return(actual == 'decimal(12,2)') }}
{% endmacro %}

{#- True when a raw timestamp type holds instants (Parquet TIMESTAMP with isAdjustedToUTC=true, as Spark, BigQuery
    exports and tz-aware pandas write it; a DuckDB `timestamp with time zone`) rather than wall-clock times. -#}
{% macro is_zoned_timestamp_type(data_type) %}
    {%- set data_type = data_type | lower | replace(' ', '') -%}
    {{ return(data_type.startswith('timestamptz') or data_type.startswith('timestampwithtimezone')
        or data_type == 'timestamp_tz') }}
{% endmacro %}

{#- A typed raw timestamp as the project's timestamp: the UTC time of the instant. A timestamp with time zone is
    converted to UTC whatever the session's TimeZone; one without (any precision) is UTC already (SPEC 1) and
    only loses what is finer than microseconds. -#}
{% macro typed_timestamp_as_utc(column, raw_types) -%}
    {%- set actual = raw_types.get(column | lower, '') | lower | replace(' ', '') -%}
    {%- if actual == 'timestamp' -%}
        {{ column }}
    {%- elif is_zoned_timestamp_type(actual) -%}
        {{ adapter.dispatch('zoned_timestamp_as_utc', 'ecommerce_kpis')(column) }}
    {%- else -%}
        cast({{ column }} as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{% macro default__zoned_timestamp_as_utc(column) -%}
    timezone('UTC', {{ column }})
{%- endmacro %}

{#- Spark's `timestamp` is an instant already (it reads zoned Parquet timestamps as such); the project's
    timestamps are that type, shown in the session time zone, UTC (profiles.yml). -#}
{% macro spark__zoned_timestamp_as_utc(column) -%}
    cast({{ column }} as timestamp)
{%- endmacro %}

{#- `timestamp_sql` moved back by `minutes_sql` minutes (an offset from UTC taken off a local time). -#}
{% macro minus_minutes(timestamp_sql, minutes_sql) -%}
    {{ return(adapter.dispatch('minus_minutes', 'ecommerce_kpis')(timestamp_sql, minutes_sql)) }}
{%- endmacro %}

{% macro default__minus_minutes(timestamp_sql, minutes_sql) -%}
    ({{ timestamp_sql }} - ({{ minutes_sql }}) * interval '1 minute')
{%- endmacro %}

{% macro spark__minus_minutes(timestamp_sql, minutes_sql) -%}
    ({{ timestamp_sql }} - make_dt_interval(0, 0, {{ minutes_sql }}, 0))
{%- endmacro %}

{#- The raw value as text: trimmed, empty = NULL (SPEC 1). A column of unknown type (a unit test's fixture, typed
    like the seed) is cast too: a no-op on text. -#}
{% macro raw_text(column, raw_types) -%}
    {%- if is_text_type(raw_types.get(column | lower, 'unknown')) -%}
        {{ clean_text(column) }}
    {%- else -%}
        {{ clean_text('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') }}
    {%- endif -%}
{%- endmacro %}

{#- The raw value in its SPEC type, or NULL when it is missing or does not parse; `column` is the column as
    raw_value selected it. A column that already has the
    type is used as it is (the fast path of typed Parquet: no text round trip over millions of rows; a timestamp
    with time zone is converted to UTC). Text is parsed strictly, never guessed:
      - timestamp: `YYYY-MM-DD HH:MM:SS` (a `T` instead of the blank and fractional seconds allowed), a real
        calendar date and time, optionally followed by a UTC offset `Z`, `+HH:MM`, `+HHMM` or `+HH` (or `-`),
        which is converted to UTC (an explicit offset is unambiguous; it is never dropped: DuckDB alone would
        read '2024-03-01 10:00:00+02:00' as 10:00, two hours wrong). Anything else (a date alone, a zone name,
        31/12/2024, 2024-02-30) is unparseable.
      - integer: exactly a whole number, digits with an optional sign and an optional point followed by zeros
        only ('3', ' 3 ', '3.0', '3.000'); '2.5', '2.9999999999' and '3e0' are unparseable (a cast would
        round the first two to 3).
      - money: a decimal number ('12.5', '1e3'), rounded to cents; '12,50' or '$12' is unparseable. -#}
{% macro parse_raw(column, kind, raw_types) -%}
    {%- set sql_type = raw_kind_type(kind) -%}
    {%- if raw_is_typed(column, kind, raw_types) and kind == 'timestamp' -%}
        {{ typed_timestamp_as_utc(column, raw_types) }}
    {%- elif raw_is_typed(column, kind, raw_types) -%}
        {{ column }}
    {%- else -%}
        {#- the text was cleaned once, by raw_value, in the model's first CTE: every test below reads the
            column itself, not another copy of the cleaning expression -#}
        {%- set text = column -%}
        {%- if kind == 'timestamp' -%}
            {#- groups: 1 the local date and time, 3 the offset's sign, 4 its hours, 6 its minutes -#}
            {%- set pattern = '^([0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?)'
                ~ '(?:Z|([+-])([01][0-9]|2[0-3])(:?([0-5][0-9]))?)?$' -%}
            {%- set sign = "regexp_extract(" ~ text ~ ", '" ~ pattern ~ "', 3)" -%}
            {%- set offset_minutes = "(case when " ~ sign ~ " = '-' then -1 else 1 end) * ("
                ~ "coalesce(" ~ try_cast_as("nullif(regexp_extract(" ~ text ~ ", '" ~ pattern ~ "', 4), '')", 'int')
                ~ ", 0) * 60 + coalesce("
                ~ try_cast_as("nullif(regexp_extract(" ~ text ~ ", '" ~ pattern ~ "', 6), '')", 'int') ~ ", 0))" -%}
            case
                when {{ text }} = regexp_extract({{ text }}, '{{ pattern }}', 0)
                    then {{ minus_minutes(
                        try_cast_as("regexp_extract(" ~ text ~ ", '" ~ pattern ~ "', 1)", sql_type),
                        offset_minutes
                    ) }}
            end
        {%- elif kind == 'integer' -%}
            case
                when {{ text }} = regexp_extract({{ text }}, '^[+-]?[0-9]+([.]0*)?$', 0)
                    then {{ try_cast_as(text, sql_type) }}
            end
        {%- else -%}
            {{ try_cast_as(text, sql_type) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- A raw column as a model's first CTE selects it, once, for every later expression to read by name: a column
    that arrives with the type of `kind` as it is (parse_raw converts it), anything else as cleaned text
    (raw_text). parse_raw then reads that column; `<column> is null` there means missing (NULL, empty, blank or
    a NULL marker), as opposed to present but unparseable. -#}
{% macro raw_value(column, raw_types, kind=none) -%}
    {%- if kind is not none and raw_is_typed(column, kind, raw_types) -%}
        {{ column }}
    {%- else -%}
        {{ raw_text(column, raw_types) }}
    {%- endif -%}
{%- endmacro %}

{#- A stable fingerprint of a row's values, to tell identical copies of a key from conflicting ones. -#}
{% macro row_fingerprint(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#- Verdict on repeated keys among the rows that passed every row-level rule (`row_rejection_reason` NULL; rows
    already rejected form partitions of their own and get NULL here). Copies identical in every column are one
    row delivered twice: the first is kept, the others are `duplicate_<key>`. Copies that differ cannot be told
    apart: every one is `conflicting_<key>`. Needs the columns `<key>`, `row_fingerprint` and
    `row_rejection_reason`. -#}
{% macro copy_verdict(key) -%}
    {%- set copies = 'partition by ' ~ key ~ ', row_rejection_reason' -%}
    case
        when row_rejection_reason is not null or {{ key }} is null then null
        when min(row_fingerprint) over ({{ copies }}) != max(row_fingerprint) over ({{ copies }})
            then 'conflicting_{{ key }}'
        when row_number() over ({{ copies }} order by row_fingerprint) > 1 then 'duplicate_{{ key }}'
    end
{%- endmacro %}

{#- A numeric var of the bad-input rules, checked against its range (number_var, macros/validate_vars.sql). -#}
{% macro bad_input_var(name) %}
    {{ return(number_var(name)) }}
{% endmacro %}

{#- "Later than the clock allows": more than `max_clock_skew_hours` after `reference` (an event that landed
    before it happened, an order placed in the future). -#}
{% macro is_after_clock(timestamp_sql, reference_sql) -%}
    {{ timestamp_sql }} > {{ dbt.dateadd('hour', bad_input_var('max_clock_skew_hours'), reference_sql) }}
{%- endmacro %}

{#- The moment of the build, as a timestamp without zone, for "in the future" rules. -#}
{% macro build_timestamp() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- A cast that gives NULL instead of an error when the value does not convert. dbt.safe_cast is that on most
    engines (BigQuery's safe_cast, Snowflake's try_cast), but dbt-duckdb leaves it a plain cast, which stops the
    build on the first bad value: DuckDB gets try_cast, and so does Spark (below). -#}
{% macro try_cast_as(field, type) -%}
    {{ return(adapter.dispatch('try_cast_as', 'ecommerce_kpis')(field, type)) }}
{%- endmacro %}

{% macro default__try_cast_as(field, type) -%}
    {{ dbt.safe_cast(field, type) }}
{%- endmacro %}

{% macro duckdb__try_cast_as(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- Spark's cast gives NULL on a bad value only without ANSI mode (the default from Spark 4); try_cast (Spark
    3.2 and later) always does. Text to a whole number goes through a decimal rounded half away from zero, as
    DuckDB's try_cast does it ('2.0' is 2 and '2.5' is 3 on both); Spark's own refuses '2.0'. -#}
{% macro spark__try_cast_as(field, type) -%}
    {%- if (type | lower | trim) in ('int', 'integer', 'bigint', 'smallint', 'tinyint') -%}
        try_cast(round(try_cast({{ field }} as decimal(38, 9))) as {{ type }})
    {%- else -%}
        try_cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
