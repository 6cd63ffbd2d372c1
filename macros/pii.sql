{#- Personal data (SPEC 1, issue 7): the email survives staging only as a salted hash of its normalised form
    (trimmed, lower-cased), enough to match a customer across systems that share the salt, useless to look an
    address up without it. The salt comes from the environment variable ECOMMERCE_KPIS_EMAIL_SALT; the default
    is for the demo data only and is published in the README, so set your own in production. -#}

{% macro email_salt() -%}
    {{ return(env_var('ECOMMERCE_KPIS_EMAIL_SALT', 'ecommerce-kpis-demo-salt')) }}
{%- endmacro %}

{#- hex(sha256(salt || '|' || lower(trim(email)))); NULL when the email is NULL or blank. -#}
{% macro salted_email_hash(column) -%}
    {%- set salt = email_salt() -%}
    {%- if salt | trim == '' -%}
        {%- do exceptions.raise_compiler_error(
            'ECOMMERCE_KPIS_EMAIL_SALT is set but empty: email hashes would be unsalted. Unset it (demo salt) or set a secret value.'
        ) -%}
    {%- endif -%}
    {{ sha256_hex(dbt.concat([sql_string(salt ~ '|'), clean_lower(column)])) }}
{%- endmacro %}

{#- SHA-256 of a text as 64 lower-case hex digits where the engine has it; the default falls back to dbt.hash
    (MD5 on most engines), so a hash built on another engine is not comparable with DuckDB's. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'ecommerce_kpis')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro postgres__sha256_hex(expression) -%}
    encode(sha256(convert_to({{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro snowflake__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}
