{#- The KPI marts of SPEC 6: every model named kpi_* except the scorecard, from the graph, sorted by name so
    the scorecard's rows come out in a stable order. Only meaningful at execution time (the graph is empty
    while dbt parses). -#}
{% macro kpi_nodes() -%}
    {%- set nodes = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.package_name == project_name
        and node.name.startswith('kpi_')
        and node.name != 'kpi_scorecard' -%}
        {%- do nodes.append(node) -%}
    {%- endfor -%}
    {{ return(nodes | sort(attribute='name')) }}
{%- endmacro %}
