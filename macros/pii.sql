{#- Personal data (SPEC 1, issue 7): the email survives staging only as a salted hash of its normalised form
    (trimmed, lower-cased), enough to match a customer across systems that share the salt, useless to look an
    address up without it. The salt comes from the environment variable ECOMMERCE_KPIS_EMAIL_SALT; the default
    is for the demo data only and is published in the README, so set your own in production. -#}

{% macro email_salt() -%}
    {{ return(env_var('ECOMMERCE_KPIS_EMAIL_SALT', 'ecommerce-kpis-demo-salt')) }}
{%- endmacro %}

{#- hex(sha256(salt || '|' || lower(trim(email)))); NULL when the email is NULL or blank. -#}
{% macro salted_email_hash(column) -%}
    {{ salted_hash(clean_lower(column)) }}
{%- endmacro %}

{#- hex(sha256(salt || '|' || normalised)), for a value already normalised (trimmed, lower-cased). -#}
{% macro salted_hash(normalised) -%}
    {%- set salt = email_salt() -%}
    {%- if salt | trim == '' -%}
        {%- do exceptions.raise_compiler_error(
            'ECOMMERCE_KPIS_EMAIL_SALT is set but empty: email hashes would be unsalted. Unset it (demo salt) or set a secret value.'
        ) -%}
    {%- endif -%}
    {{ sha256_hex(dbt.concat([sql_string(salt ~ '|'), normalised])) }}
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

{#- Personal data in values. Any raw text may carry an email address where no column is meant for one: a
    campaign tag, a page path (/account/jane@example.com/orders), a query string, the customer id itself. The
    first model that reads a raw value passes it through one of the two macros below, so no model, staging
    included, holds such an address in clear:
    - redact_personal(text): every email-shaped token, plain or URL-encoded (jane%40example.com), becomes the
      marker [email]; the rest of the text is kept (the path /account/[email]/orders stays one page).
    - pseudonymous_id(id): an id holding an email-shaped token is replaced as a whole by 'email:' and the salted
      hash of that id (trimmed, lower-cased, %40 read as @), so it still joins across tables and, when the id is
      just an address, equals that address' email_hash; any other id is kept as it is.
    Email-shaped: a local part of letters, digits and . _ % + -, then @ or %40, then a domain with a dot and a
    top-level part of two letters or more. '/@handle', 'a@b' or 'user@localhost' are not. Most values hold no @
    at all, so a plain substring test comes first and only the rare value that passes it pays for the regex.
    Models that call pseudonymous_id must be tables: a view would store the salt in its SQL. -#}

{% macro email_token_pattern() -%}
    {{ return('[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+[.][A-Za-z]{2,}') }}
{%- endmacro %}

{% macro redact_personal(expression) -%}
    case
        when {{ may_hold_email(expression) }}
            then {{ replace_email_tokens(expression, "'[email]'") }}
        else {{ expression }}
    end
{%- endmacro %}

{% macro pseudonymous_id(expression) -%}
    case
        when
            {{ may_hold_email(expression) }}
            and {{ replace_email_tokens(expression, "''") }} != {{ expression }}
            then {{ dbt.concat(["'email:'", salted_hash("lower(replace(" ~ expression ~ ", '%40', '@'))")]) }}
        else {{ expression }}
    end
{%- endmacro %}

{#- The cheap pre-check: true when the text holds '@' or '%40' (NULL for NULL, which takes the else branch). -#}
{% macro may_hold_email(expression) -%}
    {{ return(adapter.dispatch('may_hold_email', 'ecommerce_kpis')(expression)) }}
{%- endmacro %}

{% macro default__may_hold_email(expression) -%}
    ({{ dbt.position("'@'", expression) }} > 0 or {{ dbt.position("'%40'", expression) }} > 0)
{%- endmacro %}

{% macro duckdb__may_hold_email(expression) -%}
    (contains({{ expression }}, '@') or contains({{ expression }}, '%40'))
{%- endmacro %}

{#- Every email-shaped token of the text replaced by `replacement` (a SQL expression). Spark's regexp_replace
    replaces every match; DuckDB's and Postgres' need the 'g' flag. -#}
{% macro replace_email_tokens(expression, replacement) -%}
    {{ return(adapter.dispatch('replace_email_tokens', 'ecommerce_kpis')(expression, replacement)) }}
{%- endmacro %}

{% macro default__replace_email_tokens(expression, replacement) -%}
    regexp_replace({{ expression }}, '{{ email_token_pattern() }}', {{ replacement }})
{%- endmacro %}

{% macro duckdb__replace_email_tokens(expression, replacement) -%}
    regexp_replace({{ expression }}, '{{ email_token_pattern() }}', {{ replacement }}, 'g')
{%- endmacro %}

{% macro postgres__replace_email_tokens(expression, replacement) -%}
    regexp_replace({{ expression }}, '{{ email_token_pattern() }}', {{ replacement }}, 'g')
{%- endmacro %}
