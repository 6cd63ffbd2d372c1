{#- Seeds on DuckDB: dbt's seed materialization, with the CSV file read by DuckDB instead of dbt's Python reader.

    dbt reads a seed with Python's csv module (`load_agate_table`) before dbt-duckdb loads it with COPY. That
    reader stops on a cell longer than 131,072 characters, and a file that is not UTF-8, is empty or has a short
    row fails with a Python traceback or a DuckDB sniffer error that names no file and no line. Here the file is
    checked first (`seed_file_problems`): a seed that cannot be loaded stops with one message naming the file,
    the line and what to do. The rows dbt keeps of a seed (the row count, `dbt seed --show`) are then read by
    DuckDB with the same options, so a long cell is loaded whole; dbt-duckdb's COPY still loads the table, so
    the column types and the conversion errors are dbt-duckdb's. Every other line is dbt's own materialization.
    Spark keeps dbt's (macros/spark_seeds.sql). -#}

{% materialization seed, adapter='duckdb' %}

  {%- set identifier = model['alias'] -%}
  {%- set full_refresh_mode = (should_full_refresh()) -%}

  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}

  {%- set exists_as_table = (old_relation is not none and old_relation.is_table) -%}
  {%- set exists_as_view = (old_relation is not none and old_relation.is_view) -%}

  {%- set grant_config = config.get('grants') -%}
  {%- set agate_table = seed_file_rows(model) -%}

  {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set create_table_sql = "" %}
  {% if exists_as_view %}
    {{ exceptions.raise_compiler_error("Cannot seed to '{}', it is a view".format(old_relation.render())) }}
  {% elif exists_as_table %}
    {% set create_table_sql = reset_csv_table(model, full_refresh_mode, old_relation, agate_table) %}
  {% else %}
    {% set create_table_sql = create_csv_table(model, agate_table) %}
  {% endif %}

  {% set code = 'CREATE' if full_refresh_mode else 'INSERT' %}
  {% set rows_affected = (agate_table.rows | length) %}
  {% set sql = "" %}
  {% if rows_affected > 0 %}
    {% set sql = load_csv_rows(model, agate_table) %}
  {% endif %}

  {% call noop_statement('main', code ~ ' ' ~ rows_affected, code, rows_affected) %}
    {{ get_csv_sql(create_table_sql, sql) }};
  {% endcall %}

  {% set target_relation = this.incorporate(type='table') %}

  {% set should_revoke = should_revoke(old_relation, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {% if full_refresh_mode or not exists_as_table %}
    {% do create_indexes(target_relation) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}

{#- The rows of a seed file as an agate table, every cell as text (every seed declares its column_types); stops
    with the file's problems, one line each, when it cannot be loaded. -#}
{% macro seed_file_rows(model) %}
    {%- set header = seed_file_header(model) -%}
    {%- set problems = seed_file_problems(model, header) -%}
    {%- if problems -%}
        {%- do exceptions.raise_compiler_error(
            'Seed file ' ~ model.original_file_path ~ ' cannot be loaded:\n  - ' ~ problems | join('\n  - ')
        ) -%}
    {%- endif -%}
    {{ return(run_query('select * from ' ~ seed_file_reader(model, header))) }}
{% endmacro %}

{#- The names of the header row (the first line of the file, split on the delimiter, quotes removed); [] when
    the file is empty, none when it is not UTF-8. -#}
{% macro seed_file_header(model) %}
    {%- set path = adapter.get_seed_file_path(model) -%}
    {#- the first line, without a byte order mark (U+FEFF) or the carriage return of a Windows line end -#}
    {%- set row = run_query(
        'select try(decode(content)) is null,'
        ~ ' rtrim(ltrim(split_part(try(decode(content)), chr(10), 1), chr(65279)), chr(13)) from read_blob('
        ~ sql_string(path) ~ ')'
    ).rows[0] -%}
    {%- if row[0] -%}{{ return(none) }}{%- endif -%}
    {%- set line = row[1] -%}
    {%- if line | trim == '' -%}{{ return([]) }}{%- endif -%}
    {%- set names = [] -%}
    {%- for name in line.split(config.get('delimiter', ',')) -%}
        {%- do names.append(name.strip('"')) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#- read_csv of the seed file with its header's columns, all text, strict: RFC 4180 quoting (as COPY reads the
    seed), and a row must have as many cells as the header. -#}
{% macro seed_file_reader(model, header, rejects='') %}
    {%- set columns = [] -%}
    {%- for name in header -%}
        {%- do columns.append(sql_string(name) ~ ": 'varchar'") -%}
    {%- endfor -%}
    {{ return('read_csv(' ~ sql_string(adapter.get_seed_file_path(model)) ~ ', header = true, auto_detect = false'
        ~ ', columns = {' ~ columns | join(', ') ~ '}, delim = ' ~ sql_string(config.get('delimiter', ','))
        ~ ", quote = '\"', escape = '\"', strict_mode = true" ~ rejects ~ ')') }}
{% endmacro %}

{#- What stops a seed file from loading, one line each naming the line of the file: not UTF-8, empty (not even a
    header row), a row with more or fewer cells than the header, an unclosed quote, a line too long. `header` is
    seed_file_header's. -#}
{% macro seed_file_problems(model, header) %}
    {%- set file = model.original_file_path -%}
    {%- if header == [] -%}
        {{ return([file ~ ' is empty: a seed needs at least its header row, the names of its columns ('
            ~ model.config.column_types | join(',') ~ ')']) }}
    {%- endif -%}
    {%- set rejects_table = 'seed_file_rejects__' ~ model.name -%}
    {%- set rejects_scan = 'seed_file_scans__' ~ model.name -%}
    {%- set rejects = ', store_rejects = true, rejects_table = ' ~ sql_string(rejects_table)
        ~ ', rejects_scan = ' ~ sql_string(rejects_scan) -%}
    {%- if header is none -%}
        {#- Not UTF-8: each line of the file read as one text value finds the lines that are not. -#}
        {%- set reader = 'read_csv(' ~ sql_string(adapter.get_seed_file_path(model)) ~ ", header = false"
            ~ ", auto_detect = false, columns = {'line': 'varchar'}, delim = chr(0), quote = '', escape = ''"
            ~ ', strict_mode = false' ~ rejects ~ ')' -%}
    {%- else -%}
        {%- set reader = seed_file_reader(model, header, rejects) -%}
    {%- endif -%}
    {%- do run_query('drop table if exists ' ~ rejects_table ~ '; drop table if exists ' ~ rejects_scan) -%}
    {%- do run_query('select count(*) from ' ~ reader) -%}
    {#- DuckDB rejects a short or long row once per missing or extra cell, each saying how many it found so far. -#}
    {%- set rejected = run_query(
        "select line, coalesce(min(column_name), ''), error_type, case error_type when 'TOO MANY COLUMNS'"
        ~ " then max(found) else min(found) end from (select *, try_cast(regexp_extract(error_message,"
        ~ " 'Found: ([0-9]+)', 1) as integer) as found from " ~ rejects_table ~ ')'
        ~ ' group by line, error_type order by line limit 10'
    ).rows -%}
    {%- do run_query('drop table if exists ' ~ rejects_table ~ '; drop table if exists ' ~ rejects_scan) -%}
    {%- set problems = [] -%}
    {%- for line, column, error, cells in rejected -%}
        {%- set where = file ~ ', line ' ~ line ~ (', column ' ~ column if header and column else '') ~ ': ' -%}
        {%- if error == 'INVALID ENCODING' -%}
            {%- do problems.append(where ~ 'not UTF-8 text (Latin-1 or Windows-1252?); save the file as UTF-8') -%}
        {%- elif error in ('MISSING COLUMNS', 'TOO MANY COLUMNS') -%}
            {%- do problems.append(file ~ ', line ' ~ line ~ ': ' ~ cells ~ ' cells, the header has '
                ~ header | length ~ ' (' ~ header | join(',') ~ '); every row needs one cell per column'
                ~ ' (an empty cell for a missing value)') -%}
        {%- elif error == 'LINE SIZE OVER MAXIMUM' -%}
            {%- do problems.append(file ~ ', line ' ~ line ~ ': longer than DuckDB reads in a CSV line'
                ~ ' (2,000,000 bytes); deliver such values as Parquet (var raw_data_path)') -%}
        {%- elif error == 'UNQUOTED VALUE' -%}
            {%- do problems.append(where ~ 'a quote is not closed (a cell that holds a quote or a comma must be'
                ~ ' quoted, its quotes doubled)') -%}
        {%- else -%}
            {%- do problems.append(where ~ error | lower) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}
