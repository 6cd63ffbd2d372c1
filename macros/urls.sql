{#- Page path (SPEC 2): drop scheme and host, cut at the first `?` or `#`; an empty path is `/`.
    A page event without any URL gets '(not set)' so that page-level marts never lose it. Character
    classes instead of backslash escapes keep the pattern the same on every engine. A URL without scheme
    ('shop.example.com/cart', or protocol-relative '//shop.example.com/cart') has a host too (issue 7). -#}
{% macro url_path(url) -%}
    case
        when {{ url }} is null then '(not set)'
        else coalesce(
            nullif(regexp_extract({{ url }}, '^(?:(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?[^/?#]*([^?#]*)', 1), ''),
            '/'
        )
    end
{%- endmacro %}

{#- Referrer host (SPEC 2): the host of a URL, lower-cased, without user info, port or a leading `www.`;
    NULL when there is no URL or no host. With or without scheme, protocol-relative included (issue 7). -#}
{% macro url_host(url) -%}
    nullif(
        regexp_replace(
            regexp_extract(lower({{ url }}), '^(?:(?:[a-z][a-z0-9+.-]*:)?//)?(?:[^@/?#]*@)?([^/?#:]*)', 1),
            '^www[.]',
            ''
        ),
        ''
    )
{%- endmacro %}

{#- SPEC 3: a host matches a listed host when it equals it or ends with '.' + it. -#}
{% macro host_matches(host, listed_host) -%}
    ({{ host }} = {{ listed_host }}
        or {{ dbt.right(host, 'length(' ~ listed_host ~ ') + 1') }} = {{ dbt.concat(["'.'", listed_host]) }})
{%- endmacro %}

{#- True when `host` is one of the shop's own domains (var `shop_domains`, SPEC 3 rule 11). The listed
    domains are normalised like referrer hosts: lower-cased, without a leading `www.`. -#}
{% macro is_shop_domain(host) -%}
    {%- set domains = var('shop_domains') -%}
    {%- if domains is string -%}{%- set domains = [domains] -%}{%- endif -%}
    {%- if domains | length == 0 -%}
        false
    {%- else -%}
        ({% for domain in domains -%}
            {%- set normalised = domain | trim | lower | replace("'", "''") -%}
            {%- if normalised.startswith('www.') -%}{%- set normalised = normalised[4:] -%}{%- endif -%}
            {{ host_matches(host, "'" ~ normalised ~ "'") }}{% if not loop.last %} or {% endif %}
        {%- endfor %})
    {%- endif -%}
{%- endmacro %}
