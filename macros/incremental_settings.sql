{#- How the incremental event models (issue 4) update their table, per engine (issue 5). A model passes its key
    and its partition column and gets the config entries, so its own config names no engine.

    DuckDB, and Databricks (Delta tables): `delete+insert` on the key; the rows a run recomputes replace the old
    ones (see each model). The partition column is an ordinary column there.

    Spark with its default file format (Parquet) can neither delete nor merge rows (`merge` needs Delta or
    Iceberg, whose jars a plain Spark does not ship). There the table is partitioned by `partition_by` (a date
    column) and an incremental run recomputes COMPLETELY every partition that its new rows can change, then
    `insert_overwrite` replaces just those partitions (dbt-spark sets partitionOverwriteMode=dynamic: a
    partition absent from the run's output is left as it is). What each model recomputes, and why no partition
    it leaves alone can be stale, is in macros/incremental_partitions.sql; docs/decisions.md 46 sums it up.
    Spark lets a dynamic partition overwrite read the table it writes (its "cannot overwrite a path that is
    also being read from" check applies to static overwrites only), which the incremental branches do. -#}
{% macro incremental_settings(unique_key, partition_by) -%}
    {{ return(adapter.dispatch('incremental_settings', 'ecommerce_kpis')(unique_key, partition_by)) }}
{%- endmacro %}

{% macro default__incremental_settings(unique_key, partition_by) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': unique_key}) }}
{%- endmacro %}

{% macro spark__incremental_settings(unique_key, partition_by) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [partition_by]}) }}
{%- endmacro %}

{#- dbt-databricks falls back to the spark__ macros; its Delta tables support delete+insert (dbt-databricks 1.11). -#}
{% macro databricks__incremental_settings(unique_key, partition_by) -%}
    {{ return(default__incremental_settings(unique_key, partition_by)) }}
{%- endmacro %}

{#- fct_sessions (issue 4): where rows can be deleted, incremental by visitor (delete+insert on anonymous_id;
    see the model for which visitors a run rebuilds). Spark's Parquet tables could only replace whole days,
    and a lookup edit or a cancelled order can change any past day, so there it stays a table. -#}
{% macro sessions_mart_settings() -%}
    {{ return(adapter.dispatch('sessions_mart_settings', 'ecommerce_kpis')()) }}
{%- endmacro %}

{% macro default__sessions_mart_settings() -%}
    {%- set settings = {'materialized': 'incremental', 'on_schema_change': 'fail'} -%}
    {%- do settings.update(default__incremental_settings('anonymous_id', none)) -%}
    {{ return(settings) }}
{%- endmacro %}

{% macro spark__sessions_mart_settings() -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{% macro databricks__sessions_mart_settings() -%}
    {{ return(default__sessions_mart_settings()) }}
{%- endmacro %}
