{#- SPEC 6: a missing or malformed SMART field stops the run before any model, with one message per problem
    naming the file, the model and the field. Runs as the project's on-run-start hook, so `dbt build`,
    `dbt run` and `dbt test` all check it. Also checks the two promises that tie the metadata to the rest of
    the project: each KPI mart's group has the SMART owner as its owner, and the scorecard reads every KPI
    mart (dbt resolves refs while parsing, before the graph exists, so kpi_scorecard lists its marts and this
    check keeps the list honest). -#}

{% macro validate_kpi_metadata() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set problems = [] -%}
    {%- set kpis = kpi_nodes() -%}
    {%- for node in kpis -%}
        {#- Name the YAML file that holds the metadata (patch_path is "<project>://<path>"). -#}
        {%- set where = (node.patch_path or node.original_file_path).split('://')[-1] ~ ': model ' ~ node.name ~ ': ' -%}
        {%- for problem in kpi_metadata_problems(node.config.meta.get('kpi')) -%}
            {%- do problems.append(where ~ problem) -%}
        {%- endfor -%}
        {%- set owner_problem = kpi_group_owner_problem(node) -%}
        {%- if owner_problem -%}
            {%- do problems.append(where ~ owner_problem) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do problems.extend(kpi_scorecard_parent_problems(kpis)) -%}
    {%- if problems -%}
        {%- do exceptions.raise_compiler_error(
            'Invalid SMART metadata (SPEC 6), ' ~ (problems | length) ~ ' problem(s):\n  - '
            ~ (problems | join('\n  - '))
        ) -%}
    {%- endif -%}
    {{ log('SMART metadata of ' ~ (kpis | length) ~ ' KPI marts is valid.', info=False) }}
    {{ return('') }}
{% endmacro %}

{#- The problems of one meta.kpi block, each naming its field: a list of strings, empty when valid. -#}
{% macro kpi_metadata_problems(kpi) %}
    {%- set problems = [] -%}
    {%- if kpi is none -%}
        {%- do problems.append('config.meta.kpi is missing (SPEC 6 requires it on every kpi_* mart)') -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- if kpi is not mapping -%}
        {%- do problems.append('config.meta.kpi must be a mapping of SMART fields, got ' ~ kpi | tojson) -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- for field in ['label', 'owner', 'specific', 'measurable', 'achievable', 'relevant', 'time_bound', 'value'] -%}
        {%- set text = kpi.get(field) -%}
        {%- if text is none -%}
            {%- do problems.append('meta.kpi.' ~ field ~ ' is missing') -%}
        {%- elif text is not string or text | trim == '' -%}
            {%- do problems.append('meta.kpi.' ~ field ~ ' must be non-empty text, got ' ~ text | tojson) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set target = kpi.get('target') -%}
    {%- if target is none -%}
        {%- do problems.append('meta.kpi.target is missing') -%}
    {%- elif target is not number or target is sameas true or target is sameas false -%}
        {%- do problems.append('meta.kpi.target must be a number, got ' ~ target | tojson) -%}
    {%- endif -%}
    {%- for field, allowed in [('direction', ['increase', 'decrease']), ('unit', ['ratio', 'count', 'seconds', 'currency'])] -%}
        {%- set given = kpi.get(field) -%}
        {%- if given is none -%}
            {%- do problems.append('meta.kpi.' ~ field ~ ' is missing') -%}
        {%- elif given not in allowed -%}
            {%- do problems.append('meta.kpi.' ~ field ~ ' must be one of ' ~ allowed | join(', ') ~ ', got ' ~ given | tojson) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set deadline = kpi.get('deadline') -%}
    {%- if deadline is none -%}
        {%- do problems.append('meta.kpi.deadline is missing') -%}
    {%- elif not is_iso_date(deadline) -%}
        {%- do problems.append('meta.kpi.deadline must be an ISO date (YYYY-MM-DD), got ' ~ deadline | string | tojson) -%}
    {%- endif -%}
    {%- set window_days = kpi.get('window_days') -%}
    {%- if window_days is none -%}
        {%- do problems.append('meta.kpi.window_days is missing') -%}
    {%- elif window_days is not integer or window_days is sameas true or window_days < 1 -%}
        {%- do problems.append('meta.kpi.window_days must be a positive integer, got ' ~ window_days | tojson) -%}
    {%- endif -%}
    {%- for field in ['time_column', 'filter'] -%}
        {%- set given = kpi.get(field) -%}
        {%- if given is not none and (given is not string or given | trim == '') -%}
            {%- do problems.append('meta.kpi.' ~ field ~ ' is optional but, when given, must be non-empty text, got ' ~ given | tojson) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}

{#- True for a real calendar date written YYYY-MM-DD (a date YAML already parsed counts too). -#}
{% macro is_iso_date(value) %}
    {%- set text = value | string -%}
    {%- set match = modules.re.match('^(\\d{4})-(\\d{2})-(\\d{2})$', text) -%}
    {%- if not match -%}{{ return(false) }}{%- endif -%}
    {%- set year, month, day = match.group(1) | int, match.group(2) | int, match.group(3) | int -%}
    {%- if month < 1 or month > 12 or day < 1 -%}{{ return(false) }}{%- endif -%}
    {%- set first_of_next_month = (modules.datetime.date(year, month, 28) + modules.datetime.timedelta(days=4)).replace(day=1) -%}
    {{ return(day <= (first_of_next_month - modules.datetime.timedelta(days=1)).day) }}
{% endmacro %}

{#- The SMART owner is accountable; the dbt group owning the model must say the same. -#}
{% macro kpi_group_owner_problem(node) %}
    {%- set kpi = node.config.meta.get('kpi') -%}
    {%- if kpi is not mapping or kpi.get('owner') is not string -%}{{ return(none) }}{%- endif -%}
    {%- set group_name = node.config.get('group') -%}
    {%- if not group_name -%}
        {{ return("config.group is missing: every KPI mart belongs to the dbt group of its owner '" ~ kpi.owner ~ "'") }}
    {%- endif -%}
    {%- set group = graph.get('groups', {}).get('group.' ~ project_name ~ '.' ~ group_name) -%}
    {%- if group is none -%}
        {{ return("config.group '" ~ group_name ~ "' is not a defined group") }}
    {%- endif -%}
    {%- if group.owner.name != kpi.owner -%}
        {{ return("meta.kpi.owner '" ~ kpi.owner ~ "' differs from the owner of group '" ~ group_name ~ "' ('" ~ group.owner.name ~ "')") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}

{#- kpi_scorecard must read exactly the KPI marts. -#}
{% macro kpi_scorecard_parent_problems(kpis) %}
    {%- set problems = [] -%}
    {%- set scorecard = graph.nodes.get('model.' ~ project_name ~ '.kpi_scorecard') -%}
    {%- if scorecard is none -%}{{ return(problems) }}{%- endif -%}
    {%- set parents = scorecard.depends_on.nodes -%}
    {%- for node in kpis if node.unique_id not in parents -%}
        {%- do problems.append(scorecard.original_file_path ~ ": model kpi_scorecard does not read " ~ node.name
            ~ ": add {{ ref('" ~ node.name ~ "') }} to its list of KPI marts") -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}
