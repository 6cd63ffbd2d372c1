{#- SPEC 1: text may arrive with stray case or blanks; trim it and treat an empty string as NULL. Every raw text
    value passes here, so this is the one place that says what "trim" and "empty" mean:
      - trimming removes, at both ends, every character Unicode calls white space (the White_Space property):
        tab, line feed, vertical tab, form feed, carriage return, space, next line (U+0085), no-break space
        (U+00A0), ogham space, the en/em/thin/hair spaces U+2000-U+200A, line and paragraph separators,
        narrow no-break space, medium mathematical space and the ideographic space U+3000. Invisible format
        characters (zero-width space U+200B, byte order mark U+FEFF) are not white space and are kept: removing
        them is another rule, and they cannot be told apart from data by a trim;
      - a value that is then empty, or that is one of the literal NULL markers of database exports (`\N`, and
        `NULL` in any case), is NULL. Words a shop could mean (`None`, `N/A`, `nil`, `-`, `NaN`) stay values: a
        discount code, a return reason or a name may be exactly that. -#}
{% macro clean_text(column) -%}
    {%- set trimmed = trim_whitespace(column) -%}
    case
        when length({{ trimmed }}) <= 4 and lower({{ trimmed }}) in ('', {{ sql_string('\\n') }}, 'null') then null
        else {{ trimmed }}
    end
{%- endmacro %}

{#- For the fields the SPEC compares lower-cased (event_name, utm_*, device_category, status). -#}
{% macro clean_lower(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}

{#- The code points of the Unicode White_Space property, the characters clean_text trims. -#}
{% macro whitespace_code_points() %}
    {{ return([9, 10, 11, 12, 13, 32, 133, 160, 5760] + range(8192, 8203) | list + [8232, 8233, 8239, 8287, 12288]) }}
{% endmacro %}

{#- `column` without white space at either end. A trim by a set of characters, no regular expression: it only
    looks at the ends of the value, so it costs about what a plain trim does. -#}
{% macro trim_whitespace(column) -%}
    {{ return(adapter.dispatch('trim_whitespace', 'ecommerce_kpis')(column)) }}
{%- endmacro %}

{#- DuckDB: a plain trim (blanks, fast), then trim(value, characters) only when the value still starts or ends with
    other white space: the trim by a set of characters costs several times a plain one (measured on 10 million
    URLs), and nearly every value needs none. The set is written with chr(), which DuckDB folds into a constant. -#}
{% macro default__trim_whitespace(column) -%}
    {%- set characters = [] -%}
    {%- for code_point in whitespace_code_points() -%}
        {%- do characters.append('chr(' ~ code_point ~ ')') -%}
    {%- endfor -%}
    {%- set code_points = whitespace_code_points() | join(', ') -%}
    {%- set blank_trimmed = 'trim(' ~ column ~ ')' -%}
    case
        when unicode({{ blank_trimmed }}) in ({{ code_points }}) or unicode(right({{ blank_trimmed }}, 1)) in ({{ code_points }})
            then trim({{ blank_trimmed }}, {{ characters | join(' || ') }})
        else {{ blank_trimmed }}
    end
{%- endmacro %}

{#- Spark: trim(BOTH characters FROM value); Spark's chr() stops at 255, so the set is a literal of \u escapes,
    which Spark's string literals read. -#}
{% macro spark__trim_whitespace(column) -%}
    {%- set escapes = [] -%}
    {%- for code_point in whitespace_code_points() -%}
        {%- do escapes.append('\\u%04X' | format(code_point)) -%}
    {%- endfor -%}
    trim(both '{{ escapes | join('') }}' from {{ column }})
{%- endmacro %}
