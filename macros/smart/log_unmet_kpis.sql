{#- Log every KPI of the scorecard that is not met, by name, with its actual value and target: dbt prints
    only a count for a warning, and a manager reading the build output wants the names. -#}
{% macro log_unmet_kpis(scorecard) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- if adapter.get_relation(scorecard.database, scorecard.schema, scorecard.identifier) is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set not_met = run_query(
        'select label, kpi_model, status, actual_value, target, direction, days_to_deadline from '
        ~ scorecard ~ " where status != 'met' order by kpi_model"
    ) -%}
    {%- for kpi in not_met.rows -%}
        {%- set actual = kpi['actual_value'] | round(4) if kpi['actual_value'] is not none else 'NULL' -%}
        {{- log(
            'KPI ' ~ kpi['status'] ~ ': ' ~ kpi['label'] ~ ' (' ~ kpi['kpi_model'] ~ ') is ' ~ actual
            ~ ' against a target of ' ~ kpi['target'] ~ ' (' ~ kpi['direction'] ~ '), '
            ~ kpi['days_to_deadline'] ~ ' days to the deadline',
            info=True
        ) -}}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
