{#- Incremental event processing (issue 4): each run reads the rows loaded since the last one, minus a safety
    lookback (var `incremental_lookback_minutes`) for loads that land out of order. Returns the loaded_at
    from which rows count as new for `relation` (by default the model being built); when `relation` is still
    empty, every row is new (a model can stay empty for a while, e.g. the duplicates of a shop without any). -#}
{% macro incremental_cutoff(column='loaded_at', relation=this) -%}
    {{ dbt.dateadd(
        'minute',
        -1 * (var('incremental_lookback_minutes') | int),
        'coalesce((select max(' ~ column ~ ') from ' ~ relation ~ '), '
            ~ dbt.cast("'1900-01-01'", dbt.type_timestamp()) ~ ')'
    ) }}
{%- endmacro %}
