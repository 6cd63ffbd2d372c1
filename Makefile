# ecommerce_kpis — the two commands that matter are `make build` and `make test`; both work from a clean clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
INSTALLED := $(VENV)/.installed-requirements
# The throwaway database of `make test`, so tests never touch the one `make build` made.
TEST_DB ?= build/test.duckdb

.PHONY: help venv build test lint dbt-test semantic-check pytest report seeds docs bench lock clean freshness \
	build-spark test-spark

help:
	@echo "make build   install (if needed), dbt build on DuckDB, publish the marts for BI tools, print a summary"
	@echo "make test    install (if needed), sqlfluff + ruff, dbt build on a throwaway database, mf validate-configs, pytest"
	@echo "make lint    sqlfluff (SQL), ruff (Python), dbt-bouncer (metadata)"
	@echo "make report  the KPI dashboard, one offline HTML file (build/report/kpi_dashboard.html), from the built database"
	@echo "make seeds   regenerate the demo seeds with scripts/generate_data.py"
	@echo "make docs    dbt docs with each KPI's SMART block in its description"
	@echo "make bench   full + incremental dbt build on generated Parquet (EVENTS=10000000; BENCH_ARGS='--memory-limit 3GB')"
	@echo "make freshness  dbt source freshness: how long since raw events last landed (warn 6 h, error 24 h)"
	@echo "make build-spark  dbt build on a local Apache Spark session (Java 17); tables under build/spark"
	@echo "make test-spark   the Spark suite: dbt build with every test on Spark, marts compared with DuckDB's"
	@echo "make clean   remove build outputs (keeps .venv)"

$(INSTALLED): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(INSTALLED)

build: venv
	@mkdir -p build
	$(PY) scripts/check_seed_encoding.py
	$(DBT) build
	$(PY) scripts/publish_marts.py --run-results target/run_results.json
	$(PY) scripts/summarize_marts.py
	$(PY) scripts/print_scorecard.py

lint: venv
	$(VENV)/bin/sqlfluff lint models tests/dbt
	$(VENV)/bin/ruff check scripts tests/pytest
	$(DBT) parse --quiet --target-path build/target-lint
	$(VENV)/bin/dbt-bouncer run --config-file dbt-bouncer.yml

dbt-test: venv
	@mkdir -p build && rm -f $(TEST_DB) $(TEST_DB).wal
	$(PY) scripts/check_seed_encoding.py
	ECOMMERCE_KPIS_DB=$(TEST_DB) $(DBT) build --target-path build/target-test

pytest: venv
	$(PY) -m pytest tests/pytest

# MetricFlow (issue 6) validates the semantic layer against the test database. `mf` reads
# <project>/target/semantic_manifest.json and the profile of the dbt project it is run in, so it runs in a scratch
# folder that links the project files and whose target/ is the test build's, leaving make build's target/ alone.
SEMANTIC_DIR := build/semantic-check
semantic-check: dbt-test
	rm -rf $(SEMANTIC_DIR) && mkdir -p $(SEMANTIC_DIR)
	ln -s $(CURDIR)/dbt_project.yml $(CURDIR)/profiles.yml $(SEMANTIC_DIR)/
	ln -s $(CURDIR)/build/target-test $(SEMANTIC_DIR)/target
	cd $(SEMANTIC_DIR) && ECOMMERCE_KPIS_DB=$(abspath $(TEST_DB)) ECOMMERCE_KPIS_TEMP_DIR=$(CURDIR)/build/duckdb_tmp \
		$(CURDIR)/$(VENV)/bin/mf validate-configs

test: lint dbt-test semantic-check pytest

# Apache Spark (issue 5): the same project on a local pyspark session (Java 17), selected by the `spark` target.
# build-spark keeps its tables in a Hive catalog (Derby metastore) under build/spark, and prints the scorecard
# from it. test-spark is the Spark suite of pytest, in one process (one JVM): the full dbt build with every data
# and unit test on Spark, then the seeds and marts compared with a DuckDB build, the seed loader, Parquet mode.
SPARK_ENV := SPARK_LOCAL_IP=$${SPARK_LOCAL_IP:-127.0.0.1}
SCORECARD_SQL := select kpi_model, status, round(actual_value, 4) as actual_value, target from marts.kpi_scorecard order by kpi_model
build-spark: venv
	@mkdir -p build/spark
	$(PY) scripts/check_seed_encoding.py
	$(SPARK_ENV) $(DBT) build --target spark --target-path build/target-spark --log-path build/spark/logs
	$(SPARK_ENV) $(DBT) show --target spark --target-path build/target-spark --log-path build/spark/logs \
		--inline "$(SCORECARD_SQL)" --limit 20

test-spark: venv
	$(SPARK_ENV) ECOMMERCE_KPIS_SPARK_TESTS=1 $(PY) -m pytest tests/pytest/test_spark_engines_agree.py

seeds: venv
	$(PY) scripts/generate_data.py --format csv --out seeds

docs: venv
	$(DBT) docs generate --static
	$(PY) scripts/render_smart_docs.py --target-path target
	@echo "Docs: target/static_index.html (one self-contained file), or serve target/ with dbt docs serve"

# The KPI dashboard (issue 6): one offline HTML file from the database `make build` made (ECOMMERCE_KPIS_DB),
# opened read-only.
REPORT ?= build/report/kpi_dashboard.html
report: venv
	$(PY) scripts/report_dashboard.py --out $(REPORT)

# Benchmark (issue 4): full + incremental dbt build on generated Parquet; results in build/bench/<EVENTS>.json.
EVENTS ?= 10000000
BENCH_ARGS ?=
bench: venv
	$(PY) scripts/bench.py --events $(EVENTS) $(BENCH_ARGS)

# Re-resolve requirements.in into the fully pinned requirements.txt.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements.in
	{ echo "# Generated from requirements.in: every package pinned (python -m pip freeze). Regenerate with 'make lock'."; \
	  build/lock-venv/bin/pip freeze; } > requirements.txt

# Issue 7: how fresh the raw events are (thresholds in models/staging/shop/_shop__sources.yml). Exits 1 on error;
# the demo seeds are months old, so it reports them stale.
freshness: venv
	$(DBT) source freshness

clean:
	rm -rf build target logs
