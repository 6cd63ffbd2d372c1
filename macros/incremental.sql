{#- Incremental event processing (issue 4): each run reads the rows loaded since the last one, minus a safety
    lookback (var `incremental_lookback_minutes`) for loads that land out of order. Returns the loaded_at
    from which rows count as new for `relation` (by default the model being built). -#}
{% macro incremental_cutoff(column='loaded_at', relation=this) -%}
    {{ dbt.dateadd(
        'minute',
        -1 * (var('incremental_lookback_minutes') | int),
        '(select max(' ~ column ~ ') from ' ~ relation ~ ')'
    ) }}
{%- endmacro %}
