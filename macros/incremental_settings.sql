{#- How the incremental event models (issue 4) update their table, per engine (issue 5). A model passes its key
    and gets the config entries, so its own config names no engine.

    DuckDB, and Databricks (Delta tables): `delete+insert` on the key; the rows a run recomputes replace the old
    ones (see each model).

    Spark with its default file format (Parquet) can neither delete nor merge rows (`merge` needs Delta or
    Iceberg, whose jars a plain Spark does not ship), and `insert_overwrite` replaces whole partitions. No
    column of these models splits them into partitions that an incremental run recomputes completely (a run
    touches single events and visitors anywhere in the history), and a run reads the table it writes, which
    Spark refuses for an overwrite. So on Spark the models are rebuilt in full on every run (`full_refresh`),
    which is trivially equal to a full refresh; docs/decisions.md has the reasoning. -#}
{% macro incremental_settings(unique_key) -%}
    {{ return(adapter.dispatch('incremental_settings', 'ecommerce_kpis')(unique_key)) }}
{%- endmacro %}

{% macro default__incremental_settings(unique_key) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': unique_key}) }}
{%- endmacro %}

{% macro spark__incremental_settings(unique_key) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'full_refresh': true}) }}
{%- endmacro %}

{#- dbt-databricks falls back to the spark__ macros; its Delta tables support delete+insert (dbt-databricks 1.11). -#}
{% macro databricks__incremental_settings(unique_key) -%}
    {{ return(default__incremental_settings(unique_key)) }}
{%- endmacro %}
