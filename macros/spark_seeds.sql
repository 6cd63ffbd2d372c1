{#- Seeds on Spark (issue 5). dbt-spark loads seed rows through query bindings, and with `method: session` the
    bindings are pasted into the SQL as '<python str() of the value>': an empty cell becomes the string 'None'
    instead of NULL, a quote inside a value is not escaped, and timestamps are cut to milliseconds. This
    override (dbt looks for `spark__load_csv_rows` in the project before the adapter's) loads the rows itself,
    each value cast once to its column type (`column_types` in seeds/_seeds.yml, else the type dbt inferred):

    - From the file, when Spark runs beside dbt (`method: session`; a seed's `meta: {spark_seed_from_file: ...}`
      overrides the choice): Spark's CSV reader reads the seed as text, as DuckDB's COPY does on the other
      engine, so both read the same cells: an empty cell is NULL; blanks, quotes, line breaks and every digit
      are kept.
    - From the rows dbt parsed (a cluster cannot see the local file): one SQL literal per cell, NULL for an
      empty one. dbt's CSV parser also reads a cell of blanks or the word `null` as NULL, and a line break
      inside a quoted cell as a bare newline (\r\n becomes \n). When every column was read as text (all of
      this project's seeds declare their types), a batch travels as one JSON string that Spark's from_json
      splits into rows: a VALUES list of 10,000 rows rendered cell by cell costs tens of seconds of Jinja and
      of Spark's parser. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {#- `target` does not say how dbt connects to Spark; the credentials do (no `method` on Databricks). -#}
    {%- set is_session = adapter.config.credentials.method == 'session' -%}
    {%- if config.get('meta', {}).get('spark_seed_from_file', is_session) -%}
        {{ return(spark_load_csv_file(model, agate_table)) }}
    {%- endif -%}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set casts = [] -%}
    {%- set non_text_columns = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- if inferred_type != 'string' -%}
            {%- do non_text_columns.append(col_name) -%}
        {%- endif -%}
        {%- set type = column_override.get(col_name, inferred_type) -%}
        {%- do casts.append('cast(seed_row[' ~ loop.index0 ~ '] as ' ~ type ~ ')') -%}
    {%- endfor -%}

    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- if non_text_columns | length == 0 -%}
            {#- Every value is a str or None: JSON keeps both exactly (null is NULL). -#}
            {%- set rows_json = tojson(chunk | map('list') | list) -%}
            {%- set rows_array = "from_json(" ~ spark_string_literal(rows_json) ~ ", 'array<array<string>>')" -%}
        {%- else -%}
            {%- set row_arrays = [] -%}
            {%- for row in chunk -%}
                {%- set literals = [] -%}
                {%- for value in row -%}
                    {%- do literals.append(spark_seed_literal(value)) -%}
                {%- endfor -%}
                {%- do row_arrays.append('array(' ~ literals | join(', ') ~ ')') -%}
            {%- endfor -%}
            {%- set rows_array = 'array(' ~ row_arrays | join(',\n') ~ ')' -%}
        {%- endif -%}
        {%- set sql -%}
            insert into {{ this.render() }}
            select {{ casts | join(', ') }}
            from (select explode({{ rows_array }}) as seed_row) as seed_rows
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}

    {#- The SQL of the first batch is what dbt writes to the compiled files. -#}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- The seed file read by Spark's CSV reader (RFC 4180 quoting, line breaks inside quotes), every column as
    text, then cast to the column types in one insert. -#}
{% macro spark_load_csv_file(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set seed_path = model.root_path ~ '/' ~ model.original_file_path -%}
    {%- set csv_view = 'seed_file__' ~ model.name -%}
    {%- set casts = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
        {%- do casts.append('cast(`' ~ col_name ~ '` as ' ~ type ~ ')') -%}
    {%- endfor -%}
    {%- call statement('seed_file_view') -%}
        create or replace temporary view {{ csv_view }}
        using csv
        options (
            path {{ spark_string_literal(seed_path) }},
            header 'true',
            multiLine 'true',
            escape '"',
            sep {{ spark_string_literal(config.get('delimiter', ',')) }},
            mode 'FAILFAST'
        )
    {%- endcall -%}
    {%- set sql -%}
        insert into {{ this.render() }}
        select {{ casts | join(', ') }}
        from {{ csv_view }}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- call statement('drop_seed_file_view') -%}
        drop view if exists {{ csv_view }}
    {%- endcall -%}
    {{ return(sql) }}
{% endmacro %}

{#- A text as a Spark SQL string literal: Spark reads a backslash as an escape, so it is doubled too. -#}
{% macro spark_string_literal(text) -%}
    '{{ text | replace('\\', '\\\\') | replace("'", "\\'") }}'
{%- endmacro %}

{#- One CSV cell that agate typed (number, date, timestamp, boolean) or kept as text, as a Spark string literal
    the caller casts to the column type, or NULL. Timestamps keep their microseconds. -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        '{{ 'true' if value else 'false' }}'
    {%- elif value is string -%}
        {{ spark_string_literal(value) }}
    {%- elif value.isoformat is defined -%}
        '{{ value.isoformat(' ') if value.hour is defined else value.isoformat() }}'
    {%- else -%}
        '{{ value }}'
    {%- endif -%}
{%- endmacro %}
